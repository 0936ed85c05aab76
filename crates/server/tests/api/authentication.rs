//! Authentication on every operation (OWASP API2:2023) and deny by default:
//! the operations that answer without credentials are exactly a reviewed
//! list, and every other documented operation refuses a missing, malformed,
//! revoked, expired or wrong-kind credential with `401` before anything
//! happens.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp};

/// Reviewed: the operations anyone may call. Adding one here is a security
/// decision (docs/security.md).
const PUBLIC: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "POST /api/auth/signup",
    "POST /api/auth/signup/verify",
    "POST /api/auth/login",
    "GET /api/invitations/{token}",
];

const MISSING: &str = "00000000-0000-4000-8000-000000000000";

/// Every documented operation as (method, path with its ids filled in with
/// ones that exist nowhere, path template).
async fn operations(app: &TestApp) -> Vec<(Method, String, String)> {
    let (status, doc) = app.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let Ok(m) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let filled: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { MISSING } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            out.push((m, filled, path.clone()));
        }
    }
    out
}

/// The public operations according to the document: an empty `security`
/// requirement.
fn documented_public(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let open = op["security"]
                .as_array()
                .is_some_and(|r| r.is_empty() || r.iter().any(|x| x.as_object().is_some_and(|o| o.is_empty())));
            if open {
                out.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

/// A raw request with exactly the credentials given (no cookie jar).
async fn raw(app: &TestApp, method: &Method, path: &str, headers: &[(&str, &str)]) -> (StatusCode, Value) {
    let http = reqwest::Client::new();
    let mut rb = http.request(method.clone(), format!("{}{path}", app.base));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if *method != Method::GET && *method != Method::DELETE {
        rb = rb.json(&json!({}));
    }
    let res = rb.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Signs in with a raw client; answers the session token from its cookie
/// and the session's CSRF token.
async fn session(app: &TestApp, email: &str) -> (String, String) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie: String = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("portico_session="))
        .expect("a session cookie")
        .to_string();
    let body: Value = res.json().await.unwrap();
    let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    (token, body["csrfToken"].as_str().unwrap().to_string())
}

async fn session_token(app: &TestApp, email: &str) -> String {
    session(app, email).await.0
}

/// Refused as unauthenticated: `401` with one of the authentication codes.
#[track_caller]
fn assert_refused(got: &(StatusCode, Value), what: &str) {
    assert_eq!(got.0, StatusCode::UNAUTHORIZED, "{what}: {}", got.1);
    let code = got.1["error"]["name"].as_str().unwrap_or_default();
    assert!(
        ["unauthenticated", "invalid_api_key", "session_expired"].contains(&code),
        "{what}: {}",
        got.1
    );
}

async fn owasp_api2_only_reviewed_operations_are_public_and_every_other_refuses_bad_credentials(app: TestApp) {
    let (_, doc) = app.anonymous().get("/api/openapi.json").await;
    let public: BTreeSet<String> = PUBLIC.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        documented_public(&doc),
        public,
        "the public operations changed: review them"
    );

    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    // A revoked API key.
    let (_, made) = alice.post("/api/me/api-keys", json!({ "name": "old" })).await;
    let revoked = made["apiKey"]["key"].as_str().unwrap().to_string();
    let id = made["apiKey"]["id"].as_str().unwrap();
    assert_eq!(
        alice.delete(&format!("/api/me/api-keys/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    // A session that was ended by signing out.
    let (ended, csrf) = session(&app, "alice@acme.example").await;
    let out = reqwest::Client::new()
        .post(format!("{}/api/auth/logout", app.base))
        .header("cookie", format!("portico_session={ended}"))
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success(), "{}", out.status());
    // Live secrets of other kinds, presented as the wrong kind.
    let live_session = session_token(&app, "alice@acme.example").await;
    let (_, made) = alice.post("/api/me/api-keys", json!({ "name": "live" })).await;
    let live_key = made["apiKey"]["key"].as_str().unwrap().to_string();
    let (status, inv) = alice
        .post(
            &format!("/api/teams/{team}/members"),
            json!({ "email": "newcomer@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{inv}");
    let invitation = inv["invitationLink"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();

    let ended_cookie = format!("portico_session={ended}");
    let key_as_cookie = format!("portico_session={live_key}");
    let invitation_as_cookie = format!("portico_session={invitation}");
    let variants: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("no credentials", vec![]),
        (
            "a made-up API key",
            vec![("x-api-key", "PMAK-0000000000000000000000000000")],
        ),
        ("an empty API key", vec![("x-api-key", "")]),
        ("a revoked API key", vec![("x-api-key", revoked.as_str())]),
        (
            "a session ended by signing out",
            vec![("cookie", ended_cookie.as_str())],
        ),
        (
            "a session token sent as an API key",
            vec![("x-api-key", live_session.as_str())],
        ),
        (
            "an API key sent as the session cookie",
            vec![("cookie", key_as_cookie.as_str())],
        ),
        (
            "an invitation token sent as an API key",
            vec![("x-api-key", invitation.as_str())],
        ),
        (
            "an invitation token sent as the session cookie",
            vec![("cookie", invitation_as_cookie.as_str())],
        ),
        (
            "a bearer token instead of a key",
            vec![("authorization", live_key.as_str())],
        ),
    ];
    let mut checked = 0;
    for (method, path, template) in operations(&app).await {
        let name = format!("{method} {template}");
        if public.contains(&name) {
            let got = raw(&app, &method, &path, &[]).await;
            assert_ne!(got.0, StatusCode::UNAUTHORIZED, "{name} is public: {}", got.1);
            continue;
        }
        for (what, headers) in &variants {
            let got = raw(&app, &method, &path, headers).await;
            assert_refused(&got, &format!("{name} with {what}"));
            checked += 1;
        }
    }
    assert!(checked >= 100 * variants.len(), "only {checked} checks");
    // The live credentials still work where they belong.
    let got = raw(&app, &Method::GET, "/api/me", &[("x-api-key", live_key.as_str())]).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    let live_cookie = format!("portico_session={live_session}");
    let got = raw(&app, &Method::GET, "/api/me", &[("cookie", live_cookie.as_str())]).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    // Nothing was written by the refused calls: the only workspaces and
    // teams are the ones made above.
    let (_, me) = alice.get("/api/me").await;
    assert_eq!(me["user"]["teams"].as_array().unwrap().len(), 1, "{me}");
    let (_, list) = alice.get("/api/workspaces").await;
    assert_eq!(list["workspaces"].as_array().unwrap().len(), 0, "{list}");
}

/// A session past its lifetime is refused on every operation like an ended
/// one (R-SEC-1); the same account signs in again and works.
async fn owasp_api2_an_expired_session_is_refused_on_every_operation(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.app.session_ttl_ms = 1_500).await else {
        return;
    };
    app.user("alice@acme.example", "Alice").await;
    let token = session_token(&app, "alice@acme.example").await;
    let cookie = format!("portico_session={token}");
    let got = raw(&app, &Method::GET, "/api/me", &[("cookie", cookie.as_str())]).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
    tokio::time::sleep(std::time::Duration::from_millis(1_600)).await;
    let public: BTreeSet<&str> = PUBLIC.iter().copied().collect();
    let mut checked = 0;
    for (method, path, template) in operations(&app).await {
        if public.contains(format!("{method} {template}").as_str()) {
            continue;
        }
        let got = raw(&app, &method, &path, &[("cookie", cookie.as_str())]).await;
        assert_refused(&got, &format!("{method} {template} with an expired session"));
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} checks");
    let fresh = session_token(&app, "alice@acme.example").await;
    let cookie = format!("portico_session={fresh}");
    let got = raw(&app, &Method::GET, "/api/me", &[("cookie", cookie.as_str())]).await;
    assert_eq!(got.0, StatusCode::OK, "{}", got.1);
}

mod any_credentials {
    use super::owasp_api2_only_reviewed_operations_are_public_and_every_other_refuses_bad_credentials;
    crate::on_both_backends!(owasp_api2_only_reviewed_operations_are_public_and_every_other_refuses_bad_credentials);
}
mod expiry {
    use super::owasp_api2_an_expired_session_is_refused_on_every_operation;
    crate::on_both_backends_with_config!(owasp_api2_an_expired_session_is_refused_on_every_operation);
}
