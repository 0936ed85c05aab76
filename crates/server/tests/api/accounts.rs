//! Accounts, sessions and API keys (SPEC §4, R-SEC-1, R-SEC-2).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Client, PASSWORD, TestApp, assert_error};

async fn the_first_account_is_the_operator_and_later_ones_are_not(app: TestApp) {
    let ops = app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let (status, me) = ops.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["isServerAdmin"], true);
    assert_eq!(me["user"]["email"], "ops@example.com");
    assert_eq!(me["user"]["teams"], json!([]));
    assert_eq!(me["user"]["unreadUpdates"], 0);
    let (_, me) = ada.get("/api/me").await;
    assert_eq!(me["user"]["isServerAdmin"], false);
    assert_eq!(me["user"]["name"], "Ada");
}

async fn signup_refuses_bad_input_with_stable_codes_and_writes_nothing(app: TestApp) {
    let c = app.anonymous();
    let ok = json!({ "email": "ada@example.com", "name": "Ada", "password": PASSWORD });
    let cases = [
        (
            json!({ "email": "not-an-email", "name": "Ada", "password": PASSWORD }),
            "invalid_email",
        ),
        (
            json!({ "email": "ada@example.com", "name": "Ada", "password": "short" }),
            "weak_password",
        ),
        (
            json!({ "email": "ada@example.com", "name": "x".repeat(101), "password": PASSWORD }),
            "invalid_name",
        ),
        (
            json!({ "email": "ada@example.com", "name": 42, "password": PASSWORD }),
            "invalid_body",
        ),
        (
            json!({ "email": "ada@example.com", "password": PASSWORD }),
            "invalid_body",
        ),
    ];
    for (body, code) in cases {
        assert_error(&c.post("/api/auth/signup", body).await, StatusCode::BAD_REQUEST, code);
    }
    let raw = c
        .send(
            c.request(reqwest::Method::POST, "/api/auth/signup")
                .header("content-type", "application/json")
                .body("{\"email\":"),
        )
        .await;
    assert_error(&raw, StatusCode::BAD_REQUEST, "invalid_json");
    let form = c
        .send(
            c.request(reqwest::Method::POST, "/api/auth/signup")
                .body(ok.to_string()),
        )
        .await;
    assert_error(&form, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // None of the refused attempts created the account: the first real
    // sign-up is still the server's first account, hence its operator.
    let (status, body) = c.post("/api/auth/signup", ok.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["isServerAdmin"], true);
    let dup = json!({ "email": "ADA@example.com", "name": "Other Ada", "password": "another password" });
    assert_error(
        &c.post("/api/auth/signup", dup).await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    let mut again = app.anonymous();
    assert_eq!(
        again.login("ada@example.com", PASSWORD).await.0,
        StatusCode::OK,
        "duplicate sign-up changed the password"
    );
    assert_eq!(again.get("/api/me").await.1["user"]["name"], "Ada");
}

async fn r_sec_1_a_wrong_password_and_an_unknown_email_answer_the_same(app: TestApp) {
    app.user("ada@example.com", "Ada").await;
    let mut c = app.anonymous();
    let wrong_password = c.login("ada@example.com", "not the password").await;
    let unknown_email = c.login("nobody@example.com", "not the password").await;
    assert_error(&wrong_password, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(wrong_password, unknown_email);
    assert_error(&c.get("/api/me").await, StatusCode::UNAUTHORIZED, "unauthenticated");
}

async fn r_sec_1_failed_logins_are_rate_limited_per_account(app: TestApp) {
    app.user("ada@example.com", "Ada").await;
    let mut c = app.anonymous();
    for _ in 0..10 {
        assert_eq!(
            c.login("ada@example.com", "wrong password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let res = c
        .http
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "email": "ada@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["name"], "too_many_attempts");
}

async fn r_sec_1_the_session_cookie_is_http_only_and_same_site_and_logout_ends_it(app: TestApp) {
    app.user("ada@example.com", "Ada").await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/auth/login", app.base))
        .json(&json!({ "email": "ada@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("portico_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let token = cookie.split(';').next().unwrap().to_string();
    let body: serde_json::Value = res.json().await.unwrap();
    let csrf = body["csrfToken"].as_str().unwrap().to_string();
    let me = |t: String| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{base}/api/me"))
                .header("cookie", t)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    let out = reqwest::Client::new()
        .post(format!("{}/api/auth/logout", app.base))
        .header("cookie", token.clone())
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "the session outlived logout");
}

async fn r_sec_1_cookie_requests_that_change_state_need_the_csrf_token(app: TestApp) {
    let mut ada = app.user("ada@example.com", "Ada").await;
    let good = ada.csrf.take();
    assert_error(
        &ada.post("/api/teams", json!({ "name": "Acme" })).await,
        StatusCode::FORBIDDEN,
        "csrf_token_invalid",
    );
    ada.csrf = Some("0".repeat(64));
    assert_error(
        &ada.post("/api/teams", json!({ "name": "Acme" })).await,
        StatusCode::FORBIDDEN,
        "csrf_token_invalid",
    );
    assert_eq!(
        ada.get("/api/me").await.1["user"]["teams"],
        json!([]),
        "a refused request created a team"
    );
    ada.csrf = good;
    assert_eq!(
        ada.post("/api/teams", json!({ "name": "Acme" })).await.0,
        StatusCode::CREATED
    );
}

async fn r_sec_1_api_keys_are_shown_once_work_and_stop_when_revoked(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let (status, body) = ada.post("/api/me/api-keys", json!({ "name": "CI" })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = body["apiKey"]["key"].as_str().unwrap().to_string();
    let id = body["apiKey"]["id"].as_str().unwrap().to_string();
    assert!(key.len() >= 40, "{key}");
    let (_, list) = ada.get("/api/me/api-keys").await;
    assert_eq!(list["apiKeys"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(&key), "the key was shown twice");
    assert!(key.starts_with(list["apiKeys"][0]["prefix"].as_str().unwrap()));

    let bot = Client::with_api_key(&app.base, &key);
    let (status, me) = bot.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["email"], "ada@example.com");
    // An API key needs no CSRF token: it is not sent by browsers on their own.
    assert_eq!(
        bot.post("/api/teams", json!({ "name": "Made by CI" })).await.0,
        StatusCode::CREATED
    );

    let eve = app.user("eve@example.com", "Eve").await;
    assert_error(
        &eve.delete(&format!("/api/me/api-keys/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        ada.delete(&format!("/api/me/api-keys/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_error(&bot.get("/api/me").await, StatusCode::UNAUTHORIZED, "invalid_api_key");
    assert_error(
        &Client::with_api_key(&app.base, "ptk_guess").get("/api/me").await,
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
    );
}

crate::on_both_backends!(
    the_first_account_is_the_operator_and_later_ones_are_not,
    signup_refuses_bad_input_with_stable_codes_and_writes_nothing,
    r_sec_1_a_wrong_password_and_an_unknown_email_answer_the_same,
    r_sec_1_failed_logins_are_rate_limited_per_account,
    r_sec_1_the_session_cookie_is_http_only_and_same_site_and_logout_ends_it,
    r_sec_1_cookie_requests_that_change_state_need_the_csrf_token,
    r_sec_1_api_keys_are_shown_once_work_and_stop_when_revoked,
    r_sec_1_a_hash_with_weaker_argon2_parameters_is_replaced_at_sign_in,
    r_sec_1_sign_ups_for_existing_emails_are_limited_per_address,
);

/// Trying emails at sign-up to learn which have accounts is slowed down:
/// after 10 tries of taken emails in 15 minutes, the address gets `429`.
async fn r_sec_1_sign_ups_for_existing_emails_are_limited_per_address(app: TestApp) {
    app.user("alice@acme.example", "Alice").await;
    let anon = app.anonymous();
    let signup = |email: &str| {
        anon.post(
            "/api/auth/signup",
            json!({ "email": email, "name": "Probe", "password": PASSWORD }),
        )
    };
    for _ in 0..10 {
        assert_error(&signup("alice@acme.example").await, StatusCode::CONFLICT, "email_taken");
    }
    assert_error(
        &signup("alice@acme.example").await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    // While the address is held back, no sign-up from it is looked at.
    assert_error(
        &signup("new@acme.example").await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    let (status, _) = app.anonymous().get("/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// argon2id of `PASSWORD` with m = 4 MiB, t = 1: weaker than what new
/// hashes get (m = 19 MiB, t = 2).
const WEAK_HASH: &str =
    "$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$FE9sQMz9DMW4xy+IMUJXQUXU2iTYf5Rr06FUcjOQRCc";

async fn stored_hash(app: &TestApp, id: &str) -> String {
    use portico_domain::ids::UserId;
    let (store, id) = (app.store.clone(), UserId::parse(id).unwrap());
    tokio::task::spawn_blocking(move || {
        store.run_blocking(portico_store::Mode::Read, move |tx| {
            tx.user_by_id(id).map(|u| u.unwrap().password_hash.unwrap())
        })
    })
    .await
    .unwrap()
    .unwrap()
}

async fn r_sec_1_a_hash_with_weaker_argon2_parameters_is_replaced_at_sign_in(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let (store, id) = (
        app.store.clone(),
        portico_domain::ids::UserId::parse(&alice.user_id).unwrap(),
    );
    tokio::task::spawn_blocking(move || {
        store.run_blocking(portico_store::Mode::Write, move |tx| {
            tx.set_user_password(id, WEAK_HASH)
        })
    })
    .await
    .unwrap()
    .unwrap();
    // A wrong password changes nothing.
    let mut c = app.anonymous();
    assert_eq!(c.login("alice@acme.example", "wrong").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(stored_hash(&app, &alice.user_id).await, WEAK_HASH);
    // The right one signs in, and the hash is made again with today's parameters.
    assert_eq!(c.login("alice@acme.example", PASSWORD).await.0, StatusCode::OK);
    let stronger = stored_hash(&app, &alice.user_id).await;
    assert!(stronger.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stronger}");
    // And it still works.
    let mut again = app.anonymous();
    assert_eq!(again.login("alice@acme.example", PASSWORD).await.0, StatusCode::OK);
}
