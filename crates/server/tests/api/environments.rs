//! Environments over HTTP: variables, secrets, import and export in the
//! platform's file format, revisions (R-COL-2, SPEC §4 environments).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::{Client, assert_error};

fn staging() -> Value {
    json!({"environment": {"name": "Staging", "values": [
        {"key": "baseUrl", "value": "https://staging.acme.example", "type": "default", "enabled": true},
        {"key": "apiKey", "value": "sk_live_123", "type": "secret", "enabled": true}
    ]}})
}

async fn create(c: &Client, ws: &str, body: Value) -> String {
    let (status, made) = c.post(&format!("/api/environments?workspace={ws}"), body).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    made["environment"]["id"].as_str().unwrap().to_string()
}

async fn r_col_2_environments_are_created_changed_and_exported(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Internal", "type": "team", "teamId": team } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let id = create(&alice, &ws, staging()).await;
    let (_, list) = alice.get(&format!("/api/environments?workspace={ws}")).await;
    assert_eq!(list["environments"][0]["name"], "Staging");
    let (_, got) = alice.get(&format!("/api/environments/{id}")).await;
    assert_eq!(
        got["environment"]["values"][1]["value"], "sk_live_123",
        "editors see secrets"
    );
    assert_eq!(got["environment"]["revision"], 1);
    // JSON Patch, then a stale write.
    let (status, patched) = alice
        .patch(
            &format!("/api/environments/{id}"),
            json!([{"op": "replace", "path": "/name", "value": "Stage"},
                   {"op": "add", "path": "/values/-", "value": {"key": "region", "value": "eu", "type": "default"}}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["revision"], 2);
    let stale = alice
        .send(
            alice
                .request(Method::PUT, &format!("/api/environments/{id}"))
                .header("if-match", "\"1\"")
                .json(&staging()),
        )
        .await;
    assert_error(&stale, StatusCode::CONFLICT, "revision_conflict");
    // The export file imports again as an equal environment.
    let (status, file) = alice.get(&format!("/api/environments/{id}?download=true")).await;
    assert_eq!(status, StatusCode::OK, "{file}");
    assert_eq!(file["_postman_variable_scope"], "environment");
    assert_eq!(file["name"], "Stage");
    let copy = create(&alice, &ws, file.clone()).await;
    let (_, again) = alice.get(&format!("/api/environments/{copy}?download=true")).await;
    assert_eq!(again["values"], file["values"]);
    assert_eq!(again["values"].as_array().unwrap().len(), 3);
    // Bad input names the path and writes nothing.
    let bad = alice
        .put(
            &format!("/api/environments/{id}"),
            json!({"environment": {"name": "x", "values": [{"key": 5}]}}),
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_environment");
    assert!(bad.1["error"]["message"].as_str().unwrap().contains("values[0].key"));
    let bad_patch = alice
        .patch(
            &format!("/api/environments/{id}"),
            json!([{"op": "remove", "path": "/values/7"}]),
        )
        .await;
    assert_error(&bad_patch, StatusCode::BAD_REQUEST, "invalid_environment");
    let (_, still) = alice.get(&format!("/api/environments/{id}")).await;
    assert_eq!(still["environment"]["revision"], 2);
    let (status, _) = alice.delete(&format!("/api/environments/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &alice.get(&format!("/api/environments/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn r_upd_2_secrets_reach_only_editors_and_saves_nudge_an_update(app: TestApp) {
    let p = app.partnership("4").await;
    let (status, made) = p
        .alice
        .post(&format!("/api/environments?workspace={}", p.pw), staging())
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["postUpdateSuggested"], true);
    assert_eq!(made["elementChanges"][0]["elementType"], "environment");
    assert_eq!(made["elementChanges"][0]["action"], "created");
    let id = made["environment"]["id"].as_str().unwrap();
    // A partner viewer sees the variables but not the secret's value.
    let (_, seen) = p.gina.get(&format!("/api/environments/{id}")).await;
    assert_eq!(
        seen["environment"]["values"][0]["value"],
        "https://staging.acme.example"
    );
    assert_eq!(seen["environment"]["values"][1]["value"], "");
    assert_error(
        &p.gina.get(&format!("/api/environments/{id}?download=true")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &p.gina.put(&format!("/api/environments/{id}"), staging()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let eve = app.user("eve@else.example", "Eve").await;
    assert_error(
        &eve.get(&format!("/api/environments/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (_, none) = eve.get(&format!("/api/environments?workspace={}", p.pw)).await;
    assert_eq!(none["environments"], json!([]));
}

crate::on_both_backends!(
    r_col_2_environments_are_created_changed_and_exported,
    r_upd_2_secrets_reach_only_editors_and_saves_nudge_an_update,
);
