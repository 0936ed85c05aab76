//! Hourly allowances per account (OWASP API4:2023 unrestricted resource
//! consumption, API6 sensitive business flows): invitation emails, forks and
//! exports past the allowance answer `429` with `Retry-After`, write
//! nothing, and leave other accounts alone.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_error};

async fn owasp_api4_invites_forks_and_exports_past_the_hourly_allowance_answer_429(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.app.invites_per_hour = 3;
        c.app.forks_per_hour = 2;
        c.app.exports_per_hour = 2;
    })
    .await
    else {
        return;
    };
    let p = app.partnership("5").await;
    let invite = |emails: Vec<&str>| json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": p.pw, "roleId": "4", "target": { "emails": emails } });
    // The partnership's own invitation took one of Alice's three emails.
    let (status, body) = p
        .alice
        .post("/api/invitations", invite(vec!["a@globex.example", "b@globex.example"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Two more would pass the allowance: refused whole, nothing sent.
    let res = p
        .alice
        .request(reqwest::Method::POST, "/api/invitations")
        .json(&invite(vec!["c@globex.example", "d@globex.example"]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["name"], "rate_limited", "{body}");
    let (_, pending) = p.alice.get(&format!("/api/workspaces/{}/invitations", p.pw)).await;
    assert!(!pending.to_string().contains("c@globex.example"), "{pending}");
    // A team invitation is an email too.
    let got = p
        .alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "z@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_error(&got, StatusCode::TOO_MANY_REQUESTS, "rate_limited");

    // Forks: two, then 429, and no third fork exists.
    let doc = json!({ "info": { "name": "Shop" }, "item": [{ "id": "r1", "name": "R", "request": "https://x" }] });
    let (_, made) = p.alice.post(&format!("/api/collections?workspace={}", p.pw), doc).await;
    let coll = made["collection"]["id"].as_str().unwrap().to_string();
    let fork_path = format!("/api/collections/fork/{coll}?workspace={}", p.pw);
    let fork = |label: &str| p.gina.post(&fork_path, json!({ "label": label }));
    assert_eq!(fork("one").await.0, StatusCode::OK);
    assert_eq!(fork("two").await.0, StatusCode::OK);
    assert_error(&fork("three").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let (_, forks) = p.alice.get(&format!("/api/collections/{coll}/forks")).await;
    assert_eq!(forks["data"].as_array().unwrap().len(), 2, "{forks}");

    // Exports (downloads): two, then 429; reading the collection still works.
    let export = format!("/api/collections/{coll}?download=true");
    assert_eq!(p.gina.get(&export).await.0, StatusCode::OK);
    assert_eq!(p.gina.get(&export).await.0, StatusCode::OK);
    assert_error(
        &p.gina.get(&export).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    );
    assert_eq!(p.gina.get(&format!("/api/collections/{coll}")).await.0, StatusCode::OK);
    // Each account has its own allowance.
    assert_eq!(p.alice.get(&export).await.0, StatusCode::OK);
}

crate::on_both_backends_with_config!(owasp_api4_invites_forks_and_exports_past_the_hourly_allowance_answer_429);
