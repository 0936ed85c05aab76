//! Environments in the browser over plain HTTP: listed on the workspace's
//! overview, created, edited and deleted by editors, read by viewers; a
//! secret's value never reaches a page (SPEC §3 "create/edit collections,
//! environments", R-COL-2, R-SEC-1).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::Browser;
use crate::helpers::{Client, TestApp};
use crate::on_both_backends;

on_both_backends!(
    r_col_2_an_editor_creates_edits_and_deletes_an_environment,
    secret_values_never_reach_the_page_and_a_blank_secret_keeps_its_value,
    r_col_2_a_save_on_a_stale_revision_is_refused_and_loses_nothing,
    a_partner_viewer_reads_environments_and_a_forged_edit_is_refused,
    r_upd_2_a_partner_editor_saves_an_environment_and_is_offered_an_update,
    r_sec_1_environment_forms_without_the_csrf_token_are_refused,
);

const SECRET: &str = "sk_live_s3cret_123";

fn staging() -> Value {
    json!({"environment": {"name": "Staging <eu>", "values": [
        {"key": "baseUrl", "value": "https://staging.acme.example", "type": "default", "enabled": true},
        {"key": "apiKey", "value": SECRET, "type": "secret", "enabled": true}
    ]}})
}

/// Alice's team workspace "Core"; answers (alice, workspace id).
async fn core(app: &TestApp) -> (Client, String) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Core", "type": "team", "teamId": team } }),
        )
        .await;
    (alice, ws["workspace"]["id"].as_str().unwrap().to_string())
}

async fn create(c: &Client, ws: &str, body: Value) -> String {
    let (status, made) = c.post(&format!("/api/environments?workspace={ws}"), body).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    made["environment"]["id"].as_str().unwrap().to_string()
}

/// The variables as the API gives them to an editor.
async fn values(c: &Client, id: &str) -> Value {
    let (status, got) = c.get(&format!("/api/environments/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    got["environment"]["values"].clone()
}

/// The editor's form for the two variables of `staging()`, with `token`
/// typed into the secret's value box, on `revision`.
fn form<'a>(csrf: &'a str, revision: &'a str, token: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("revision", revision),
        ("name", "Staging EU"),
        ("orig.0", "baseUrl"),
        ("key.0", "baseUrl"),
        ("value.0", "https://eu.acme.example"),
        ("type.0", "default"),
        ("enabled.0", "on"),
        ("orig.1", "apiKey"),
        ("key.1", "apiKey"),
        ("value.1", token),
        ("keep.1", "on"),
        ("type.1", "secret"),
        ("enabled.1", "on"),
        ("key.2", "region"),
        ("value.2", "eu-west-1"),
        ("type.2", "default"),
        ("enabled.2", "on"),
        ("key.3", ""),
        ("value.3", ""),
        ("type.3", "default"),
        ("enabled.3", "on"),
    ]
}

async fn r_col_2_an_editor_creates_edits_and_deletes_an_environment(app: TestApp) {
    let (alice, ws) = core(&app).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let overview = format!("/workspaces/{ws}");
    let (_, _, page) = b.get(&overview).await;
    assert!(page.contains("No environments yet."), "{page}");
    assert!(page.contains("New environment"), "{page}");

    let csrf = b.csrf(&overview).await;
    let (status, location, body) = b
        .post_form(
            &format!("/workspaces/{ws}/environments"),
            &[("csrf", &csrf), ("name", "Staging <eu>")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let id = location.strip_prefix("/environments/").expect("its page").to_string();
    let (_, _, page) = b.get(&overview).await;
    assert!(
        page.contains(&format!("href=\"/environments/{id}\">Staging &lt;eu&gt;</a>")),
        "{page}"
    );

    let (status, _, page) = b.get(&location).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Staging &lt;eu&gt;</h1>"), "{page}");
    assert!(page.contains("Save environment"), "{page}");
    let (status, location, body) = b
        .post_form(
            &format!("/environments/{id}"),
            &[
                ("csrf", &csrf),
                ("revision", "1"),
                ("name", "Staging <eu>"),
                ("key.0", "baseUrl"),
                ("value.0", "https://staging.acme.example"),
                ("type.0", "default"),
                ("enabled.0", "on"),
                ("key.1", "apiKey"),
                ("value.1", SECRET),
                ("type.1", "secret"),
                ("key.2", ""),
                ("value.2", ""),
                ("type.2", "default"),
                ("enabled.2", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/environments/{id}?saved=1"));
    assert_eq!(
        values(&alice, &id).await,
        json!([
            {"key": "baseUrl", "value": "https://staging.acme.example", "type": "default", "enabled": true},
            {"key": "apiKey", "value": SECRET, "type": "secret", "enabled": false}
        ])
    );
    let (_, _, page) = b.get(&location).await;
    assert!(page.contains("Saved."), "{page}");
    assert!(!page.contains(SECRET), "{page}");

    let (status, location, _) = b
        .post_form(&format!("/environments/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, overview);
    let (status, _) = alice.get(&format!("/api/environments/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = b.get(&format!("/environments/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn secret_values_never_reach_the_page_and_a_blank_secret_keeps_its_value(app: TestApp) {
    let (alice, ws) = core(&app).await;
    let id = create(&alice, &ws, staging()).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let path = format!("/environments/{id}");
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains(SECRET), "{page}");
    assert!(page.contains("https://staging.acme.example"), "{page}");
    assert!(page.contains("placeholder=\"•••• unchanged\""), "{page}");

    // Left blank, the secret keeps its value; the rest is saved.
    let csrf = b.csrf(&path).await;
    let (status, _, body) = b.post_form(&path, &form(&csrf, "1", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        values(&alice, &id).await,
        json!([
            {"key": "baseUrl", "value": "https://eu.acme.example", "type": "default", "enabled": true},
            {"key": "apiKey", "value": SECRET, "type": "secret", "enabled": true},
            {"key": "region", "value": "eu-west-1", "type": "default", "enabled": true}
        ])
    );
    let (_, got) = alice.get(&format!("/api/environments/{id}")).await;
    assert_eq!(got["environment"]["name"], "Staging EU");

    // A new value typed in replaces it, and still is not shown.
    let (status, _, _) = b.post_form(&path, &form(&csrf, "2", "sk_new_456")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(values(&alice, &id).await[1]["value"], "sk_new_456");
    let (_, _, page) = b.get(&path).await;
    assert!(!page.contains("sk_new_456"), "{page}");
    assert!(!page.contains(SECRET), "{page}");

    // Removing a row removes the variable.
    let mut removing = form(&csrf, "3", "");
    removing.push(("remove.2", "on"));
    let (status, _, _) = b.post_form(&path, &removing).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(values(&alice, &id).await.as_array().unwrap().len(), 2);
}

async fn r_col_2_a_save_on_a_stale_revision_is_refused_and_loses_nothing(app: TestApp) {
    let (alice, ws) = core(&app).await;
    let id = create(&alice, &ws, staging()).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let path = format!("/environments/{id}");
    let csrf = b.csrf(&path).await;
    let (status, _, _) = b.post_form(&path, &form(&csrf, "1", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = b.post_form(&path, &form(&csrf, "1", "sk_other")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("revision 1"), "{page}");
    assert_eq!(values(&alice, &id).await[1]["value"], SECRET);
}

async fn a_partner_viewer_reads_environments_and_a_forged_edit_is_refused(app: TestApp) {
    let p = app.partnership("4").await;
    let id = create(&p.alice, &p.pw, staging()).await;
    let g = Browser::new(&app.base);
    g.sign_in("gina@globex.example").await;
    let overview = format!("/workspaces/{}", p.pw);
    let (status, _, page) = g.get(&overview).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("href=\"/environments/{id}\"")), "{page}");
    assert!(!page.contains("New environment"), "{page}");

    let path = format!("/environments/{id}");
    let (status, _, page) = g.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("https://staging.acme.example"), "{page}");
    assert!(page.contains("data-secret"), "{page}");
    assert!(!page.contains(SECRET), "{page}");
    assert!(!page.contains(&format!("action=\"/environments/{id}\"")), "{page}");
    assert!(!page.contains("Delete environment"), "{page}");
    assert!(!page.contains("Export"), "{page}");

    let csrf = g.csrf(&path).await;
    let (status, _, page) = g.post_form(&path, &form(&csrf, "1", "pwned")).await;
    assert!(
        status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
        "{status} {page}"
    );
    let (status, _, _) = g.post_form(&format!("{path}/delete"), &[("csrf", &csrf)]).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN);
    let (status, _, _) = g
        .post_form(
            &format!("/workspaces/{}/environments", p.pw),
            &[("csrf", &csrf), ("name", "Mine")],
        )
        .await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN);
    let (_, list) = p.alice.get(&format!("/api/environments?workspace={}", p.pw)).await;
    assert_eq!(list["environments"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(values(&p.alice, &id).await, staging()["environment"]["values"]);
}

async fn r_upd_2_a_partner_editor_saves_an_environment_and_is_offered_an_update(app: TestApp) {
    let p = app.partnership("5").await;
    let id = create(&p.alice, &p.pw, staging()).await;
    let g = Browser::new(&app.base);
    g.sign_in("gina@globex.example").await;
    let (_, _, overview) = g.get(&format!("/workspaces/{}", p.pw)).await;
    assert!(overview.contains("New environment"), "{overview}");
    let path = format!("/environments/{id}");
    let (status, _, page) = g.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Save environment"), "{page}");
    assert!(!page.contains(SECRET), "{page}");
    let csrf = g.csrf(&path).await;
    let (status, location, body) = g.post_form(&path, &form(&csrf, "1", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("{path}?saved=nudge"));
    let (_, _, page) = g.get(&location).await;
    assert!(
        page.contains(&format!("<a href=\"/workspaces/{}/updates\">post an update</a>", p.pw)),
        "{page}"
    );
    assert_eq!(values(&p.alice, &id).await[1]["value"], SECRET);
}

async fn r_sec_1_environment_forms_without_the_csrf_token_are_refused(app: TestApp) {
    let (alice, ws) = core(&app).await;
    let id = create(&alice, &ws, staging()).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let mut no_token = form("", "1", "stolen");
    no_token.remove(0);
    let (status, _, _) = b.post_form(&format!("/environments/{id}"), &no_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b.post_form(&format!("/environments/{id}/delete"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b
        .post_form(&format!("/workspaces/{ws}/environments"), &[("name", "X")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(values(&alice, &id).await, staging()["environment"]["values"]);
}
