//! Changing the password and removing the account end sessions; signing in
//! rotates the session (R-SEC-1; security issue: "sessions rotated at
//! login, ended at logout, password change and removal").

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Client, PASSWORD, TestApp, assert_error, me_holding, post_holding, set_cookie_of};

const NEW_PASSWORD: &str = "a brand new passphrase";

/// A session held by hand: its cookie (`name=value`) and CSRF token, sent
/// explicitly so that a test can keep using an old one after a new one came.
struct Session {
    base: String,
    cookie: String,
    csrf: String,
}

impl Session {
    /// Signs in, sending `holding` as the cookie when given.
    async fn sign_in(base: &str, email: &str, password: &str, holding: Option<&Session>) -> Session {
        let login = json!({ "email": email, "password": password });
        let res = post_holding(base, "/api/auth/login", holding.map(|h| h.cookie.as_str()), login).await;
        assert_eq!(res.status(), StatusCode::OK);
        Self::from_answer(base, res).await
    }

    async fn from_answer(base: &str, res: reqwest::Response) -> Session {
        let cookie = set_cookie_of(&res);
        let body: Value = res.json().await.unwrap();
        Session {
            base: base.to_string(),
            cookie,
            csrf: body["csrfToken"].as_str().expect("csrf token").to_string(),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }

    async fn me(&self) -> StatusCode {
        me_holding(&self.base, &self.cookie).await
    }
}

async fn login_status(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    app.anonymous().login(email, password).await
}

/// R-SEC-1: signing in while holding a session cookie gives a new session
/// id, and the old one no longer works.
async fn r_sec_1_signing_in_again_rotates_the_session(app: TestApp) {
    app.user("ada@example.com", "Ada").await;
    let first = Session::sign_in(&app.base, "ada@example.com", PASSWORD, None).await;
    assert_eq!(first.me().await, StatusCode::OK);
    let second = Session::sign_in(&app.base, "ada@example.com", PASSWORD, Some(&first)).await;
    assert_ne!(first.cookie, second.cookie);
    assert_ne!(first.csrf, second.csrf);
    assert_eq!(first.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(second.me().await, StatusCode::OK);
    // A session of another browser (not sent along) is not touched.
    let other = Session::sign_in(&app.base, "ada@example.com", PASSWORD, None).await;
    assert_eq!(second.me().await, StatusCode::OK);
    assert_eq!(other.me().await, StatusCode::OK);
}

/// R-SEC-1: signing up for another account while holding a session cookie
/// ends that session: the browser is signed in as the new account only.
async fn r_sec_1_signing_up_while_signed_in_ends_the_held_session(app: TestApp) {
    app.user("ada@example.com", "Ada").await;
    let ada = Session::sign_in(&app.base, "ada@example.com", PASSWORD, None).await;
    assert_eq!(ada.me().await, StatusCode::OK);
    let bea = json!({ "email": "bea@example.com", "name": "Bea", "password": PASSWORD });
    let res = post_holding(&app.base, "/api/auth/signup", Some(&ada.cookie), bea).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let bea = set_cookie_of(&res);
    assert_ne!(bea, ada.cookie);
    assert_eq!(ada.me().await, StatusCode::UNAUTHORIZED, "the held session ended");
    assert_eq!(me_holding(&app.base, &bea).await, StatusCode::OK);
    // Ada's account is untouched: she signs in again.
    let again = Session::sign_in(&app.base, "ada@example.com", PASSWORD, None).await;
    assert_eq!(again.me().await, StatusCode::OK);
}

/// R-SEC-1 (security issue): changing the password ends every session of
/// the account, on every process; the caller gets a fresh session (new
/// cookie and CSRF token) and the old cookie stops; API keys keep working;
/// the old password no longer signs in and the new one does.
async fn r_sec_1_a_password_change_ends_every_session_and_rotates_the_callers(app: TestApp) {
    app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let (_, key) = ada.post("/api/me/api-keys", json!({ "name": "CI" })).await;
    let api = Client::with_api_key(&app.base, key["apiKey"]["key"].as_str().unwrap());
    let caller = Session::sign_in(&app.base, "ada@example.com", PASSWORD, None).await;
    let laptop = Session::sign_in(&app.base, "ada@example.com", PASSWORD, None).await;
    // On PostgreSQL, a session made on a second process of the same database.
    let other = app.beside().await;
    let far = match &other {
        Some(o) => Some(Session::sign_in(&o.base, "ada@example.com", PASSWORD, None).await),
        None => None,
    };
    for s in [&caller, &laptop].into_iter().chain(far.as_ref()) {
        assert_eq!(s.me().await, StatusCode::OK);
    }

    let res = caller
        .request(Method::PUT, "/api/me/password")
        .json(&json!({ "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = Session::from_answer(&app.base, res).await;
    assert_ne!(fresh.cookie, caller.cookie);
    assert_ne!(fresh.csrf, caller.csrf);

    assert_eq!(caller.me().await, StatusCode::UNAUTHORIZED, "the caller's old cookie");
    assert_eq!(laptop.me().await, StatusCode::UNAUTHORIZED, "another session");
    if let Some(far) = &far {
        assert_eq!(far.me().await, StatusCode::UNAUTHORIZED, "a session on another process");
        let on_far = Session {
            base: far.base.clone(),
            cookie: fresh.cookie.clone(),
            csrf: fresh.csrf.clone(),
        };
        assert_eq!(
            on_far.me().await,
            StatusCode::OK,
            "the fresh session on another process"
        );
    }
    assert_eq!(
        ada.get("/api/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the sign-up client"
    );
    // The fresh session works, writes included, with its new CSRF token.
    assert_eq!(fresh.me().await, StatusCode::OK);
    let made = fresh
        .request(Method::POST, "/api/teams")
        .json(&json!({ "name": "Acme" }))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let stale_csrf = Session {
        base: fresh.base.clone(),
        cookie: fresh.cookie.clone(),
        csrf: caller.csrf.clone(),
    };
    let refused = stale_csrf
        .request(Method::POST, "/api/teams")
        .json(&json!({ "name": "Acme 2" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // API keys stay.
    assert_eq!(api.get("/api/me").await.0, StatusCode::OK);
    // Old password out, new one in.
    assert_error(
        &login_status(&app, "ada@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_eq!(
        login_status(&app, "ada@example.com", NEW_PASSWORD).await.0,
        StatusCode::OK
    );
    if let Some(o) = other {
        assert!(o.stop(std::time::Duration::from_secs(10)).await);
    }
}

/// R-SEC-1: a wrong current password is refused with `403 wrong_password`
/// and changes nothing; it counts like a failed sign-in, so that after ten
/// the answer is `429`. A weak new password is refused with `400
/// weak_password`; a malformed body with `400 invalid_body`. Called with
/// an API key, a change answers `204` and still ends the sessions.
async fn r_sec_1_a_password_change_needs_the_current_password_and_a_good_new_one(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let change = |current: &str, new: &str| {
        ada.put(
            "/api/me/password",
            json!({ "currentPassword": current, "newPassword": new }),
        )
    };
    assert_error(
        &change("not my password", NEW_PASSWORD).await,
        StatusCode::FORBIDDEN,
        "wrong_password",
    );
    assert_error(
        &change(PASSWORD, "short").await,
        StatusCode::BAD_REQUEST,
        "weak_password",
    );
    assert_error(
        &ada.put("/api/me/password", json!({ "currentPassword": PASSWORD }))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    // Nothing changed: the session works, the password is the old one.
    assert_eq!(ada.get("/api/me").await.0, StatusCode::OK);
    assert_eq!(login_status(&app, "ada@example.com", PASSWORD).await.0, StatusCode::OK);
    assert_eq!(
        login_status(&app, "ada@example.com", NEW_PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    // Wrong current passwords count against the sign-in limits: ten in
    // all (one above, one just now at sign-in), then `429`, for the right
    // one too.
    for _ in 0..8 {
        assert_eq!(change("guess", NEW_PASSWORD).await.0, StatusCode::FORBIDDEN);
    }
    assert_error(
        &change(PASSWORD, NEW_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    assert_error(
        &login_status(&app, "ada@example.com", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    assert_eq!(ada.get("/api/me").await.0, StatusCode::OK, "still unchanged");
}

/// R-SEC-1: with an API key, the change answers `204`, ends every session
/// and the key keeps working.
async fn r_sec_1_a_password_change_by_api_key_ends_sessions_and_keeps_the_key(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let (_, key) = ada.post("/api/me/api-keys", json!({ "name": "CI" })).await;
    let api = Client::with_api_key(&app.base, key["apiKey"]["key"].as_str().unwrap());
    let (status, body) = api
        .put(
            "/api/me/password",
            json!({ "currentPassword": PASSWORD, "newPassword": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(ada.get("/api/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.get("/api/me").await.0, StatusCode::OK);
    assert_eq!(
        login_status(&app, "ada@example.com", NEW_PASSWORD).await.0,
        StatusCode::OK
    );
}

async fn remove(c: &Client, password: &str) -> (StatusCode, Value) {
    c.send(
        c.request(Method::DELETE, "/api/me")
            .json(&json!({ "password": password })),
    )
    .await
}

/// The security issue, removal: every session and API key of the account
/// ends; signing in answers as for an unknown email; the email may sign
/// up again, as a new account; memberships and workspace roles are gone
/// (R-ISO-4); what they wrote stays, under "Removed account".
async fn r_sec_1_removing_an_account_ends_its_access_and_removes_its_personal_data(app: TestApp) {
    let p = app.partnership("5").await;
    let gina = &p.gina;
    let (_, key) = gina.post("/api/me/api-keys", json!({ "name": "CI" })).await;
    let api = Client::with_api_key(&app.base, key["apiKey"]["key"].as_str().unwrap());
    let laptop = Session::sign_in(&app.base, "gina@globex.example", PASSWORD, None).await;
    let (status, update) = gina
        .post(
            &format!("/api/workspaces/{}/updates", p.pw),
            json!({ "topic": "Partner news", "category": "announcement" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{update}");
    let comments = format!("/api/workspaces/{}/updates/{}/comments", p.pw, update["id"]);
    let (status, c) = gina.post(&comments, json!({ "body": "First!" })).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");

    // A wrong password changes nothing.
    assert_error(
        &remove(gina, "not my password").await,
        StatusCode::FORBIDDEN,
        "wrong_password",
    );
    assert_eq!(gina.get(&format!("/api/workspaces/{}", p.pw)).await.0, StatusCode::OK);

    let (status, body) = remove(gina, PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        gina.get("/api/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the caller's session"
    );
    assert_eq!(laptop.me().await, StatusCode::UNAUTHORIZED, "another session");
    assert_eq!(api.get("/api/me").await.0, StatusCode::UNAUTHORIZED, "an API key");
    // Signing in answers exactly as for an email nobody has.
    let removed = login_status(&app, "gina@globex.example", PASSWORD).await;
    let unknown = login_status(&app, "nobody@globex.example", PASSWORD).await;
    assert_error(&removed, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(removed, unknown);

    // What she wrote stays, under the new name; her name and email are gone.
    let (_, updates) = p.alice.get(&format!("/api/workspaces/{}/updates", p.pw)).await;
    let (_, thread) = p.alice.get(&comments).await;
    for shown in [&updates, &thread] {
        let text = shown.to_string();
        assert!(text.contains("Removed account"), "{text}");
        assert!(!text.contains("Gina") && !text.contains("gina@"), "{text}");
    }
    assert!(updates.to_string().contains("Partner news"), "{updates}");
    assert!(thread.to_string().contains("First!"), "{thread}");
    // Her partner role is gone.
    let (_, members) = p.alice.get(&format!("/api/workspaces/{}/members", p.pw)).await;
    assert!(
        !members.to_string().contains(&gina.user_id) && !members.to_string().contains("Removed account"),
        "{members}"
    );

    // The address is free: it signs up again, as a new account that has
    // nothing of the old one.
    let again = app.user("gina@globex.example", "Gina Again").await;
    assert_ne!(again.user_id, gina.user_id);
    let (_, me) = again.get("/api/me").await;
    assert_eq!(me["user"]["teams"], json!([]), "{me}");
    assert_eq!(me["user"]["email"], "gina@globex.example");
    assert_eq!(
        again.get(&format!("/api/workspaces/{}", p.pw)).await.0,
        StatusCode::NOT_FOUND
    );
    // The old account's id cannot be added back by any email.
    let (_, updates) = p.alice.get(&format!("/api/workspaces/{}/updates", p.pw)).await;
    assert!(!updates.to_string().contains("Gina Again"), "{updates}");
}

/// The security issue, removal refusals: the last admin of a team that has
/// other members gets `409 last_team_admin`, the server's only operator
/// `409 last_operator`; both change nothing. Once another member is admin,
/// the removal goes through and the Partner Workspace the removed admin
/// ran still has an admin (R-INV-4).
async fn r_inv_4_removal_refuses_a_last_admin_and_the_only_operator_and_keeps_workspaces_administered(app: TestApp) {
    let p = app.partnership("5").await;
    let ops = app.anonymous();
    let mut ops = ops;
    ops.login("ops@portico.example", PASSWORD).await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let members = format!("/api/teams/{}/members", p.acme);
    let (status, body) = p
        .alice
        .post(&members, json!({ "email": "bob@acme.example", "roles": ["developer"] }))
        .await;
    assert!(status.is_success(), "{body}");

    assert_error(
        &remove(&p.alice, PASSWORD).await,
        StatusCode::CONFLICT,
        "last_team_admin",
    );
    assert_error(&remove(&ops, PASSWORD).await, StatusCode::CONFLICT, "last_operator");
    // Nothing changed.
    let (status, me) = p.alice.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        me["user"]["teams"][0]["roles"],
        json!(["admin", "partner_manager"]),
        "{me}"
    );
    let (_, me) = ops.get("/api/me").await;
    assert_eq!(me["user"]["isServerAdmin"], true, "{me}");
    assert_eq!(
        login_status(&app, "alice@acme.example", PASSWORD).await.0,
        StatusCode::OK
    );

    // Bob becomes admin; now Alice may go.
    let (status, body) = p
        .alice
        .patch(&format!("{members}/{}", bob.user_id), json!({ "roles": ["admin"] }))
        .await;
    assert!(status.is_success(), "{body}");
    let (status, body) = remove(&p.alice, PASSWORD).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, list) = bob.get(&members).await;
    assert!(!list.to_string().contains(&p.alice.user_id), "{list}");
    // The team's audit log says she left with her account; her earlier
    // entries stay, under the same actor id.
    let (status, log) = bob.get(&format!("/api/audit/logs?teamId={}", p.acme)).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let actions: Vec<(&str, &str)> = log["trails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["action"].as_str().unwrap(),
                t["data"]["actor"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions[0],
        ("member.account_removed", p.alice.user_id.as_str()),
        "{log}"
    );
    assert!(actions.contains(&("team.create", p.alice.user_id.as_str())), "{log}");
    // The Partner Workspace she administered has an admin: Bob (R-INV-4).
    let (_, ws_members) = bob.get(&format!("/api/workspaces/{}/members", p.pw)).await;
    let bobs = ws_members["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m.to_string().contains(&bob.user_id))
        .unwrap_or_else(|| panic!("Bob is no member: {ws_members}"))
        .clone();
    assert!(bobs.to_string().to_lowercase().contains("admin"), "{ws_members}");
    assert!(!ws_members.to_string().contains(&p.alice.user_id), "{ws_members}");
    // Bob can manage it: he changes the partner's role.
    let (status, body) = bob
        .patch(
            &format!("/api/workspaces/{}/roles", p.pw),
            json!({ "roles": [{ "op": "add", "path": "/partner", "value": [{ "id": p.gina.user_id, "role": "4" }] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

crate::on_both_backends!(
    r_sec_1_signing_in_again_rotates_the_session,
    r_sec_1_signing_up_while_signed_in_ends_the_held_session,
    r_sec_1_a_password_change_ends_every_session_and_rotates_the_callers,
    r_sec_1_a_password_change_needs_the_current_password_and_a_good_new_one,
    r_sec_1_a_password_change_by_api_key_ends_sessions_and_keeps_the_key,
    r_sec_1_removing_an_account_ends_its_access_and_removes_its_personal_data,
    r_inv_4_removal_refuses_a_last_admin_and_the_only_operator_and_keeps_workspaces_administered,
);
