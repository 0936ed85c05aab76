//! Conventions every route follows (SPEC §4, R-SEC-2).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

async fn the_openapi_document_is_3_1_and_lists_every_api_route(app: TestApp) {
    let (status, doc) = app.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/auth/signup", "post"),
        ("/api/auth/signup/verify", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/logout", "post"),
        ("/api/me", "get"),
        ("/api/me/api-keys", "post"),
        ("/api/me/api-keys", "get"),
        ("/api/me/api-keys/{keyId}", "delete"),
        ("/api/teams", "post"),
        ("/api/teams/{teamId}", "get"),
        ("/api/teams/{teamId}", "patch"),
        ("/api/teams/{teamId}/members", "get"),
        ("/api/teams/{teamId}/members", "post"),
        ("/api/teams/{teamId}/members/{userId}", "patch"),
        ("/api/teams/{teamId}/members/{userId}", "delete"),
        ("/api/teams/{teamId}/domains", "post"),
        ("/api/teams/{teamId}/domains/{domain}", "delete"),
        ("/api/invitations/{token}", "get"),
        ("/api/invitations/{token}", "post"),
        ("/api/audit/logs", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["securitySchemes"]["apiKey"].is_object());
}

async fn r_sec_2_oversized_and_deeply_nested_bodies_are_refused(app: TestApp) {
    let c = app.anonymous();
    let big = json!({ "email": "a@example.com", "name": "x".repeat(70 * 1024), "password": "p" });
    assert_error(
        &c.post("/api/auth/signup", big).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
    );
    let mut deep = json!("leaf");
    for _ in 0..100 {
        deep = json!({ "a": deep });
    }
    assert_error(
        &c.post("/api/auth/signup", deep).await,
        StatusCode::BAD_REQUEST,
        "json_too_deep",
    );
}

async fn unknown_addresses_and_methods_answer_json_errors(app: TestApp) {
    let c = app.anonymous();
    assert_error(&c.get("/api/nothing-here").await, StatusCode::NOT_FOUND, "not_found");
    assert_error(
        &c.send(c.request(reqwest::Method::PUT, "/api/auth/login")).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    );
    assert_error(&c.get("/api/me").await, StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn every_answer_carries_a_request_id_and_security_headers(app: TestApp) {
    let res = reqwest::get(format!("{}/healthz", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert!(h.get("x-request-id").is_some_and(|v| v.len() >= 32));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(body["store"] == "sqlite" || body["store"] == "postgres");
    let res = reqwest::Client::new()
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-123");
}

/// serde reads a struct from an array of its fields in order: a body of
/// `[null, null]` was a valid empty change of a team, and an array of three
/// strings a sign-up (found by scripts/fuzz-api).
async fn r_sec_2_a_body_that_is_not_a_json_object_is_refused_and_changes_nothing(app: TestApp) {
    let ops = app.user("ops@example.com", "Olive Operator").await;
    let team = app.team(&ops, "Acme").await;
    let path = format!("/api/teams/{team}");
    let (_, before) = ops.get(&path).await;
    for body in [
        json!([null, null]),
        json!(["Renamed", "enterprise"]),
        json!("Renamed"),
        json!(7),
        json!(null),
    ] {
        assert_error(&ops.patch(&path, body).await, StatusCode::BAD_REQUEST, "invalid_body");
    }
    let (status, after) = ops.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after["team"]["name"], "Acme");
    assert_eq!(after["team"]["plan"], before["team"]["plan"]);
    let c = app.anonymous();
    let signup = json!(["array@example.com", "Array", "a long enough passphrase"]);
    assert_error(
        &c.post("/api/auth/signup", signup).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    let login = json!({ "email": "array@example.com", "password": "a long enough passphrase" });
    assert_error(
        &c.post("/api/auth/login", login).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

crate::on_both_backends!(
    the_openapi_document_is_3_1_and_lists_every_api_route,
    r_sec_2_oversized_and_deeply_nested_bodies_are_refused,
    r_sec_2_a_body_that_is_not_a_json_object_is_refused_and_changes_nothing,
    unknown_addresses_and_methods_answer_json_errors,
    every_answer_carries_a_request_id_and_security_headers,
);
