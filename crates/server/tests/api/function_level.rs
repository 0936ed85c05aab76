//! Function-level authorization (OWASP API5:2023): the operations kept for
//! the server's operator and for team admins refuse everyone else, and no
//! method swapped onto a documented path reaches anything.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp, assert_error};

/// OWASP API5: every path of the document, called with each method it does
/// not document, even by the operator, answers `404` or `405` with a JSON
/// error, and changes nothing.
async fn owasp_api5_a_method_swapped_onto_a_documented_path_reaches_nothing(app: TestApp) {
    let p = app.partnership("5").await;
    let ops = app.user("ops2@portico.example", "Otto").await;
    let (_, doc) = ops.get("/api/openapi.json").await;
    let before = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await.1;
    let ids = [
        ("teamId", p.acme.as_str()),
        ("workspaceId", p.pw.as_str()),
        ("userId", p.gina.user_id.as_str()),
    ];
    let mut swapped = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let filled: String = path
            .split('/')
            .map(|seg| {
                let name = seg.trim_start_matches('{').trim_end_matches('}');
                ids.iter().find(|(n, _)| *n == name).map_or(
                    if seg.starts_with('{') {
                        "00000000-0000-4000-8000-000000000000"
                    } else {
                        seg
                    },
                    |(_, v)| v,
                )
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            if item.get(method.as_str().to_lowercase()).is_some() {
                continue;
            }
            for c in [&p.alice, &ops] {
                let got = c.send(c.request(method.clone(), &filled).json(&json!({}))).await;
                assert!(
                    matches!(got.0, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED),
                    "{method} {path}: {} {}",
                    got.0,
                    got.1
                );
                assert!(got.1["error"]["name"].is_string(), "{method} {path}: {}", got.1);
            }
            swapped += 1;
        }
    }
    assert!(swapped > 200, "only {swapped} swapped methods");
    assert_eq!(p.alice.get(&format!("/api/workspaces/{}", p.pw)).await.1, before);
}

/// OWASP API5: the operator's operations (plans) and a team's admin
/// operations (members, domains, single sign-on, merge checks, the audit
/// log) refuse a developer of the team with `403` and a partner or an
/// outsider with `404`, and change nothing; the operator and the team's
/// admin are let through.
async fn owasp_api5_operator_and_team_admin_operations_refuse_everyone_else(app: TestApp) {
    let p = app.partnership("5").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let eve = app.user("eve@evil.example", "Eve").await;
    let (status, body) = p
        .alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let acme = &p.acme;
    let calls: Vec<(Method, String, Value)> = vec![
        (
            Method::PATCH,
            format!("/api/teams/{acme}"),
            json!({ "plan": "enterprise" }),
        ),
        (
            Method::POST,
            format!("/api/teams/{acme}/members"),
            json!({ "email": "eve@evil.example", "roles": ["admin"] }),
        ),
        (
            Method::PATCH,
            format!("/api/teams/{acme}/members/{}", bob.user_id),
            json!({ "roles": ["admin"] }),
        ),
        (
            Method::POST,
            format!("/api/teams/{acme}/domains"),
            json!({ "domain": "acme.example" }),
        ),
        (
            Method::PUT,
            format!("/api/teams/{acme}/merge-checks"),
            json!({ "requireApproval": true, "requireEditorApproval": false }),
        ),
        (Method::GET, format!("/api/audit/logs?teamId={acme}"), Value::Null),
        (Method::GET, format!("/api/teams/{acme}/sign-in"), Value::Null),
    ];
    for call in &calls {
        let what = format!("{} {}", call.0, call.1);
        let got = send(&bob, call).await;
        assert_eq!(got.0, StatusCode::FORBIDDEN, "a developer: {what}: {}", got.1);
        for (who, c) in [("a partner", &p.gina), ("an outsider", &eve)] {
            let got = send(c, call).await;
            assert_eq!(got.0, StatusCode::NOT_FOUND, "{who}: {what}: {}", got.1);
            assert_eq!(got.1["error"]["name"], "not_found", "{who}: {what}");
        }
    }
    // Nothing changed: still professional, Bob a developer, no domain, no
    // checks, Eve nowhere.
    let (_, team) = p.alice.get(&format!("/api/teams/{acme}")).await;
    assert_eq!(team["team"]["plan"], "professional", "{team}");
    assert_eq!(team["team"]["domains"], json!([]), "{team}");
    let (_, members) = p.alice.get(&format!("/api/teams/{acme}/members")).await;
    let text = members.to_string();
    assert!(!text.contains("eve@evil.example"), "{members}");
    let (_, checks) = p.alice.get(&format!("/api/teams/{acme}/merge-checks")).await;
    assert_eq!(checks["requireApproval"], false, "{checks}");
    // The plan is the operator's; the rest is the team admin's.
    assert_error(&send(&p.alice, &calls[0]).await, StatusCode::FORBIDDEN, "forbidden");
    let mut ops = app.anonymous();
    ops.login("ops@portico.example", crate::helpers::PASSWORD).await;
    assert_eq!(send(&ops, &calls[0]).await.0, StatusCode::OK);
    for call in &calls[1..] {
        let got = send(&p.alice, call).await;
        assert!(got.0.is_success(), "the team's admin: {} {}: {}", call.0, call.1, got.1);
    }
}

crate::on_both_backends!(
    owasp_api5_a_method_swapped_onto_a_documented_path_reaches_nothing,
    owasp_api5_operator_and_team_admin_operations_refuse_everyone_else,
);

async fn send(c: &Client, (m, path, body): &(Method, String, Value)) -> (StatusCode, Value) {
    let rb = c.request(m.clone(), path);
    let rb = if body.is_null() { rb } else { rb.json(body) };
    c.send(rb).await
}
