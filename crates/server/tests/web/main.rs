#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The web pages: plain HTTP checks (redirects, CSRF, 404, escaping) on both
//! backends, and browser stories in headless Chromium (`browser.rs`).

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod browser;
mod collections;
mod environments;
mod flows;
mod forks;
mod pages;
mod pull_requests;
mod signup;
mod teams;
mod updates;

use reqwest::StatusCode;
use reqwest::redirect::Policy;

/// A browser-like client of the pages: a cookie jar, form posts, and no
/// automatic redirects, so tests see each `303`.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
        }
    }

    /// Status, `Location` and body of a GET.
    pub async fn get(&self, path: &str) -> (StatusCode, String, String) {
        let res = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        Self::read(res).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        Self::read(res).await
    }

    async fn read(res: reqwest::Response) -> (StatusCode, String, String) {
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, res.text().await.unwrap())
    }

    /// Signs in through the sign-in form.
    pub async fn sign_in(&self, email: &str) {
        let (status, location, body) = self
            .post_form("/sign-in", &[("email", email), ("password", helpers::PASSWORD)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, "/workspaces");
    }

    /// The CSRF token in the forms of a page.
    pub async fn csrf(&self, path: &str) -> String {
        let (status, _, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let at = body.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
        body[at..].split('"').next().unwrap().to_string()
    }
}

/// Alice's professional team Acme with a Partner Workspace "PW" (its about
/// in markdown) and no partner yet; Gina has two teams, Globex and Gina's
/// sandbox. Answers (alice, gina, pw, globex).
pub async fn publisher_and_invitee(app: &helpers::TestApp) -> (helpers::Client, helpers::Client, String, String) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let gina = app.user("gina@globex.example", "Gina").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(
        &format!("/api/teams/{acme}"),
        serde_json::json!({ "plan": "professional" }),
    )
    .await;
    let globex = app.team(&gina, "Globex").await;
    app.team(&gina, "Gina's sandbox").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            serde_json::json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme,
                    "about": "The **Orders API** for our partners." } }),
        )
        .await;
    let pw = ws["workspace"]["id"].as_str().unwrap().to_string();
    (alice, gina, pw, globex)
}

/// Imports a collection file (its JSON text) into workspace `ws` through
/// the API as `c`; answers the collection's id.
pub async fn import(c: &helpers::Client, ws: &str, file: String) -> String {
    let (status, saved) = c
        .send(
            c.request(reqwest::Method::POST, &format!("/api/collections?workspace={ws}"))
                .header("content-type", "application/json")
                .body(file),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    saved["collection"]["id"].as_str().unwrap().to_string()
}
