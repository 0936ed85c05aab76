//! Outgoing webhooks (R-ISO-7): signed, retried, logged; refused on
//! Partner Workspaces and towards internal addresses.

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error};

/// What the receiving end saw: headers and body of every request.
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on 127.0.0.1 that fails the first `failures`
/// requests with 500, then answers 200.
async fn receiver(failures: usize) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut l = log.lock().unwrap();
                l.push((headers, body));
                if l.len() <= failures {
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    axum::http::StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), seen)
}

async fn wait_for(seen: &Seen, n: usize) {
    for _ in 0..200 {
        if seen.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the webhook got {} requests, not {n}", seen.lock().unwrap().len());
}

async fn r_iso_7_webhooks_are_signed_retried_logged_and_refused_on_partner_workspaces(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.app.allow_private_webhook_targets = true).await else {
        return;
    };
    let p = app.partnership("5").await;
    let (_, ws) = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Platform", "type": "team", "teamId": p.acme } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let (url, seen) = receiver(1).await;
    let hooks = format!("/api/workspaces/{ws}/integrations");
    let (status, made) = p
        .alice
        .post(
            &hooks,
            json!({"name": "Chat", "url": url, "events": ["update_posted", "collection_changed"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["integration"]["secret"].as_str().unwrap().to_string();
    let id = made["integration"]["id"].as_str().unwrap().to_string();
    let (_, list) = p.alice.get(&hooks).await;
    assert!(
        list["integrations"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    // An update goes out; the first attempt fails and is retried.
    let (status, _) = p
        .alice
        .post(
            &format!("/api/workspaces/{ws}/updates"),
            json!({"topic": "Deploy done", "category": "announcement"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    wait_for(&seen, 2).await;
    let (headers, body) = seen.lock().unwrap()[1].clone();
    assert_eq!(headers["x-portico-event"], "update_posted");
    let ts = headers["x-portico-timestamp"].to_str().unwrap();
    let expected = portico_app::crypto::hmac_sha256_hex(secret.as_bytes(), format!("{ts}.{body}").as_bytes());
    assert_eq!(
        headers["x-portico-signature"].to_str().unwrap(),
        format!("sha256={expected}")
    );
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["data"]["topic"], "Deploy done");
    assert_eq!(payload["workspace"]["id"], ws.as_str());
    let log = format!("{hooks}/{id}/deliveries");
    let mut delivered = Value::Null;
    for _ in 0..100 {
        delivered = p.alice.get(&log).await.1;
        if delivered["deliveries"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(delivered["deliveries"][0]["status"], "delivered", "{delivered}");
    assert_eq!(delivered["deliveries"][0]["attempts"], 2);
    assert_eq!(delivered["deliveries"][0]["responseStatus"], 200);
    // A collection change is sent too; events not chosen are not.
    let (_, made) = p
        .alice
        .post(
            &format!("/api/collections?workspace={ws}"),
            json!({"info": {"name": "Internal API"}, "item": []}),
        )
        .await;
    assert!(made["collection"]["id"].is_string(), "{made}");
    wait_for(&seen, 3).await;
    assert_eq!(seen.lock().unwrap()[2].0["x-portico-event"], "collection_changed");
    // Partner Workspaces have no integrations, and send nothing.
    let pw_hooks = format!("/api/workspaces/{}/integrations", p.pw);
    let refused = p
        .alice
        .post(
            &pw_hooks,
            json!({"name": "Chat", "url": url, "events": ["update_posted"]}),
        )
        .await;
    assert_error(
        &refused,
        StatusCode::CONFLICT,
        "integrations_unavailable_in_partner_workspace",
    );
    assert_error(
        &p.alice.get(&pw_hooks).await,
        StatusCode::CONFLICT,
        "integrations_unavailable_in_partner_workspace",
    );
    // Only admins configure them; outsiders see nothing.
    assert_error(&p.gina.get(&hooks).await, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(p.alice.delete(&format!("{hooks}/{id}")).await.0, StatusCode::NO_CONTENT);
    assert_error(&p.alice.get(&log).await, StatusCode::NOT_FOUND, "not_found");
}

async fn r_iso_7_internal_targets_and_bad_settings_are_refused(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Platform", "type": "team", "teamId": team } }),
        )
        .await;
    let hooks = format!(
        "/api/workspaces/{}/integrations",
        ws["workspace"]["id"].as_str().unwrap()
    );
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/x",
        "http://[::1]/x",
    ] {
        let got = alice
            .post(&hooks, json!({"name": "x", "url": url, "events": ["update_posted"]}))
            .await;
        assert_error(&got, StatusCode::BAD_REQUEST, "webhook_target_not_allowed");
    }
    let got = alice
        .post(
            &hooks,
            json!({"name": "x", "url": "ftp://example.com", "events": ["update_posted"]}),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_webhook_url");
    let got = alice
        .post(
            &hooks,
            json!({"name": "x", "url": "https://example.com", "events": ["everything"]}),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_events");
    let (_, list) = alice.get(&hooks).await;
    assert_eq!(list["integrations"], json!([]));
}

crate::on_both_backends_with_config!(
    r_iso_7_webhooks_are_signed_retried_logged_and_refused_on_partner_workspaces,
    r_iso_7_internal_targets_and_bad_settings_are_refused,
);
