//! Collection runs inside the app (issue 11, part 4): anyone who may see a
//! collection runs it (partners included, SPEC §3), with an environment;
//! runs are private to who ran them; server-side requests refuse internal
//! addresses unless the operator allows them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error};

/// A collection against this test server's own `/healthz`: one test that
/// passes, one that fails, and the environment's `token` written to the
/// console.
fn health_check() -> Value {
    json!({
        "info": {"name": "Health", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{
            "name": "Health",
            "request": {"method": "GET", "url": "{{base}}/healthz"},
            "event": [{"listen": "test", "script": {"exec": [
                "pm.test('answers 200', () => pm.response.to.have.status(200));",
                "pm.test('answers 201', () => pm.expect(pm.response.code).to.equal(201));",
                "console.log('token=' + pm.environment.get('token'));"
            ]}}]
        }]
    })
}

struct Setup {
    p: crate::helpers::Partnership,
    collection: String,
    environment: String,
}

async fn setup(app: &TestApp) -> Setup {
    // Gina is a partner viewer (role 4).
    let p = app.partnership("4").await;
    let (s, made) = p
        .alice
        .post(
            &format!("/api/collections?workspace={}", p.pw),
            json!({ "collection": health_check() }),
        )
        .await;
    assert!(s.is_success(), "{made}");
    let collection = made["collection"]["id"]
        .as_str()
        .or_else(|| made["collection"]["uid"].as_str())
        .unwrap()
        .to_string();
    let (s, env) = p
        .alice
        .post(
            &format!("/api/environments?workspace={}", p.pw),
            json!({"environment": {"name": "Local", "values": [
                {"key": "base", "value": app.base, "type": "default", "enabled": true},
                {"key": "token", "value": "sk_run_secret_42", "type": "secret", "enabled": true}
            ]}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{env}");
    Setup {
        environment: env["environment"]["id"].as_str().unwrap().to_string(),
        p,
        collection,
    }
}

fn console(run: &Value) -> String {
    run["run"]["report"]["run"]["executions"][0]["console"].to_string()
}

/// Issue 11: the publisher and a partner viewer each run the collection;
/// each sees only their own runs; the viewer's run has no secret values.
async fn members_and_partners_run_a_collection_and_see_only_their_runs(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.app.allow_private_run_targets = true).await else {
        return;
    };
    let s = setup(&app).await;
    let path = format!("/api/collections/{}/runs", s.collection);
    let (status, mine) = s.p.alice.post(&path, json!({ "environmentId": s.environment })).await;
    assert_eq!(status, StatusCode::CREATED, "{mine}");
    assert_eq!(mine["run"]["passed"], false, "one test fails on purpose");
    assert_eq!(mine["run"]["requests"], json!({"total": 1, "failed": 0}));
    assert_eq!(mine["run"]["assertions"], json!({"total": 2, "failed": 1}));
    assert_eq!(mine["run"]["environmentName"], "Local");
    let assertions = &mine["run"]["report"]["run"]["executions"][0]["assertions"];
    assert_eq!(assertions[0]["passed"], true, "{assertions}");
    assert_eq!(assertions[1]["passed"], false);
    assert!(
        assertions[1]["error"]["message"].as_str().unwrap().contains("201"),
        "{assertions}"
    );
    assert!(
        console(&mine).contains("sk_run_secret_42"),
        "the editor's run uses the secret"
    );

    // Gina is a partner viewer: she may run it, without the secret.
    let (status, hers) =
        s.p.gina
            .post(&path, json!({ "environmentId": s.environment, "iterationCount": 2 }))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{hers}");
    assert_eq!(hers["run"]["requests"]["total"], 2);
    assert!(!console(&hers).contains("sk_run_secret_42"), "{}", console(&hers));
    assert_eq!(hers["run"]["report"]["secretsWithheld"], 1);

    let (_, alice_runs) = s.p.alice.get(&path).await;
    let (_, gina_runs) = s.p.gina.get(&path).await;
    assert_eq!(alice_runs["runs"].as_array().unwrap().len(), 1);
    assert_eq!(alice_runs["runs"][0]["id"], mine["run"]["id"]);
    assert!(alice_runs["runs"][0].get("report").is_none());
    assert_eq!(gina_runs["runs"].as_array().unwrap().len(), 1);
    assert_eq!(gina_runs["runs"][0]["id"], hers["run"]["id"]);
    let hers_path = format!("/api/runs/{}", hers["run"]["id"].as_str().unwrap());
    assert_eq!(s.p.gina.get(&hers_path).await.0, StatusCode::OK);
    assert_error(&s.p.alice.get(&hers_path).await, StatusCode::NOT_FOUND, "not_found");
    // An outsider sees neither the collection nor its runs.
    let stranger = app.user("stranger@else.example", "Stranger").await;
    assert_error(
        &stranger.post(&path, json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(&stranger.get(&path).await, StatusCode::NOT_FOUND, "not_found");
    assert_error(&stranger.get(&hers_path).await, StatusCode::NOT_FOUND, "not_found");
}

/// Issue 11: runs on the server refuse loopback, private and link-local
/// targets unless the operator allows them.
async fn server_runs_refuse_internal_targets_by_default(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let s = setup(&app).await;
    let path = format!("/api/collections/{}/runs", s.collection);
    for base in [
        app.base.clone(),
        "http://localhost:9".into(),
        "http://169.254.169.254".into(),
        "http://[::1]:9".into(),
        "http://10.0.0.1".into(),
    ] {
        let (_, env) = s
            .p
            .alice
            .post(
                &format!("/api/environments?workspace={}", s.p.pw),
                json!({"environment": {"name": format!("To {base}"), "values": [{"key": "base", "value": base, "enabled": true}]}}),
            )
            .await;
        let (status, run) =
            s.p.alice
                .post(&path, json!({ "environmentId": env["environment"]["id"] }))
                .await;
        assert_eq!(status, StatusCode::CREATED, "{run}");
        assert_eq!(run["run"]["passed"], false, "{base}");
        assert_eq!(run["run"]["requests"]["failed"], 1, "{base}: {run}");
        let error = run["run"]["report"]["run"]["executions"][0]["requestError"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(!error.is_empty(), "{base}: {run}");
        assert!(
            run["run"]["report"]["run"]["executions"][0]["response"].is_null(),
            "{base}: nothing answered"
        );
    }
}

/// Issue 11 (bad input): bad iteration counts, unknown or hidden
/// environments, unknown folders and extra fields are refused with a clear
/// 4xx, and no run is kept.
async fn bad_run_requests_are_refused_and_keep_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let s = setup(&app).await;
    let path = format!("/api/collections/{}/runs", s.collection);
    let stranger = app.user("stranger@else.example", "Stranger").await;
    let other_team = app.team(&stranger, "Else").await;
    let (_, ws) = stranger
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Mine", "type": "team", "teamId": other_team } }),
        )
        .await;
    let (_, hidden) = stranger
        .post(
            &format!(
                "/api/environments?workspace={}",
                ws["workspace"]["id"].as_str().unwrap()
            ),
            json!({"environment": {"name": "Hidden", "values": []}}),
        )
        .await;
    for (body, code) in [
        (json!({ "iterationCount": 0 }), "invalid_iteration_count"),
        (json!({ "iterationCount": 11 }), "invalid_iteration_count"),
        (json!({ "environmentId": "not-an-id" }), "unknown_environment"),
        (
            json!({ "environmentId": hidden["environment"]["id"] }),
            "unknown_environment",
        ),
        (json!({ "folders": ["No such folder"] }), "collection_cannot_run"),
        (json!({ "userId": "someone" }), "invalid_body"),
    ] {
        let got = s.p.alice.post(&path, body.clone()).await;
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{body}: {}", got.1);
        assert_eq!(got.1["error"]["name"], code, "{body}: {}", got.1);
    }
    assert_eq!(s.p.alice.get(&path).await.1, json!({ "runs": [] }));
    assert_error(
        &s.p.alice.get("/api/runs/nope").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

crate::on_both_backends_with_config!(
    members_and_partners_run_a_collection_and_see_only_their_runs,
    server_runs_refuse_internal_targets_by_default,
    bad_run_requests_are_refused_and_keep_nothing,
);
