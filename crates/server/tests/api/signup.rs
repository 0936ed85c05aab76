//! Sign-up that tells nobody whether an email has an account (R-SEC-1; the
//! security issue's "no account enumeration through login, signup or
//! invites: same status, body and near-equal time"), with the server's
//! `signup` setting at `verify-email`: every sign-up answers alike and
//! sends an email; only the emailed link makes an account.

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, assert_error, me_holding, post_holding, set_cookie_of};

/// A sign-up sent without a cookie jar: status, whether it set a cookie,
/// its `Retry-After` and its body.
async fn raw_signup(app: &TestApp, email: &str, password: &str) -> (StatusCode, bool, Option<String>, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/auth/signup", app.base))
        .json(&json!({ "email": email, "name": "Nora", "password": password }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let cookie = res.headers().contains_key("set-cookie");
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, cookie, retry, res.json().await.unwrap())
}

/// Every key path of a JSON value with the type found there: the shape
/// of an answer, without its values.
fn shape(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                shape(v, &format!("{at}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| shape(v, &format!("{at}[]"), out)),
        Value::String(_) => drop(out.insert(format!("{at}: string"))),
        Value::Bool(_) => drop(out.insert(format!("{at}: bool"))),
        Value::Number(_) => drop(out.insert(format!("{at}: number"))),
        Value::Null => drop(out.insert(format!("{at}: null"))),
    }
}

fn shape_of(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    shape(v, "", &mut out);
    out
}

async fn user_count(app: &TestApp) -> i64 {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || store.run_blocking(portico_store::Mode::Read, |tx| tx.count_users()))
        .await
        .unwrap()
        .unwrap()
}

/// The operator (made at once, the first account) and Alice (verified).
async fn operator_and_alice(app: &TestApp) -> crate::helpers::Client {
    let (status, _, _, body) = raw_signup(app, "ops@portico.example", PASSWORD).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.verified_user("alice@acme.example", "Alice").await
}

/// A taken and a new email get the same status, the same body shape and
/// keys, the same `verification`, and neither a session cookie; the
/// answer for the taken one names neither the existing account's id nor
/// its name.
async fn r_sec_1_verify_email_sign_up_answers_a_taken_and_a_new_email_alike(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    let alice = operator_and_alice(&app).await;
    let taken = raw_signup(&app, "alice@acme.example", "another long password").await;
    let new = raw_signup(&app, "nora@example.com", "another long password").await;
    for (what, (status, cookie, _, body)) in [("taken", &taken), ("new", &new)] {
        assert_eq!(*status, StatusCode::CREATED, "{what}: {body}");
        assert!(!cookie, "{what}: a sign-up waiting for its link starts no session");
        assert_eq!(body["verification"], "email_sent", "{what}: {body}");
        assert_eq!(body["user"]["isServerAdmin"], false, "{what}: {body}");
        assert_eq!(body["user"]["name"], "Nora", "{what}: {body}");
    }
    assert_eq!(shape_of(&taken.3), shape_of(&new.3), "{} / {}", taken.3, new.3);
    assert_eq!(taken.3["user"]["email"], "alice@acme.example");
    assert_eq!(new.3["user"]["email"], "nora@example.com");
    assert_ne!(
        taken.3["user"]["id"],
        alice.user_id.as_str(),
        "the answer hides Alice's id"
    );
    // The same with a mixed-case email, as sign-in treats emails.
    let upper = raw_signup(&app, "ALICE@acme.example", "another long password").await;
    assert_eq!((upper.0, upper.1), (StatusCode::CREATED, false));
    assert_eq!(shape_of(&upper.3), shape_of(&new.3));
    // Alice's account is untouched: her password still works, the one typed
    // at the sign-up does not.
    let mut c = app.anonymous();
    assert_eq!(c.login("alice@acme.example", PASSWORD).await.0, StatusCode::OK);
    assert_error(
        &c.login("alice@acme.example", "another long password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    let (_, me) = alice.get("/api/me").await;
    assert_eq!(me["user"]["name"], "Alice", "{me}");
}

/// The owner of a taken address gets an email saying someone tried, with
/// no link that does anything; the new address gets the link.
async fn r_sec_1_the_owner_is_told_and_the_new_address_gets_the_link(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    operator_and_alice(&app).await;
    let before = app.emails_to("alice@acme.example").await.len();
    raw_signup(&app, "alice@acme.example", "another long password").await;
    raw_signup(&app, "nora@example.com", "another long password").await;
    let to_alice = app.emails_to("alice@acme.example").await;
    assert_eq!(to_alice.len(), before + 1, "one email to the owner");
    let told = to_alice.last().unwrap();
    assert!(told.subject.contains("tried to sign up"), "{}", told.subject);
    assert!(
        told.body.contains("nothing about your account changed"),
        "{}",
        told.body
    );
    assert!(
        !told.body.contains("/signup/verify/"),
        "no link that makes anything: {}",
        told.body
    );
    assert!(told.body.contains("http://portico.test/sign-in"), "{}", told.body);
    let to_nora = app.emails_to("nora@example.com").await;
    assert_eq!(to_nora.len(), 1);
    assert!(to_nora[0].subject.contains("Confirm"), "{}", to_nora[0].subject);
    let token = app.signup_token("nora@example.com").await;
    assert_eq!(token.len(), 64, "256 random bits");
}

/// Opening the link makes the account with the id the sign-up answered and
/// signs in; before that, signing in answers exactly as for an unknown
/// email; the link works once.
async fn r_sec_1_the_emailed_link_makes_the_account_answered_and_signs_in_once(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    operator_and_alice(&app).await;
    let users = user_count(&app).await;
    let (_, _, _, answered) = raw_signup(&app, "nora@example.com", PASSWORD).await;
    let mut c = app.anonymous();
    let before = c.login("nora@example.com", PASSWORD).await;
    let unknown = c.login("nobody@example.com", PASSWORD).await;
    assert_error(&before, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(before, unknown, "not verified = unknown");
    assert_eq!(user_count(&app).await, users, "no account before the link");

    let token = app.signup_token("nora@example.com").await;
    let res = reqwest::Client::new()
        .post(format!("{}/api/auth/signup/verify", app.base))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("portico_session=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let made: Value = res.json().await.unwrap();
    assert_eq!(made["user"]["id"], answered["user"]["id"], "{made} / {answered}");
    assert_eq!(made["user"]["email"], "nora@example.com");
    assert_eq!(made["user"]["name"], "Nora");
    assert_eq!(made["user"]["isServerAdmin"], false);
    assert!(made["csrfToken"].as_str().is_some_and(|t| !t.is_empty()), "{made}");
    let session = reqwest::Client::new()
        .get(format!("{}/api/me", app.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), StatusCode::OK, "the session works");
    assert_eq!(user_count(&app).await, users + 1);

    // Once only; then the password signs in.
    let again = app
        .anonymous()
        .post("/api/auth/signup/verify", json!({ "token": token }))
        .await;
    assert_error(&again, StatusCode::BAD_REQUEST, "signup_link_invalid");
    assert_eq!(c.login("nora@example.com", PASSWORD).await.0, StatusCode::OK);
    let (_, me) = c.get("/api/me").await;
    assert_eq!(me["user"]["id"], answered["user"]["id"]);
    assert_eq!(user_count(&app).await, users + 1);
}

/// R-SEC-1: opening a sign-up link in a browser that holds another
/// account's session ends that session; the browser holds the new one.
async fn r_sec_1_opening_the_link_while_signed_in_ends_the_held_session(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    operator_and_alice(&app).await;
    let login = json!({ "email": "alice@acme.example", "password": PASSWORD });
    let held = post_holding(&app.base, "/api/auth/login", None, login).await;
    assert_eq!(held.status(), StatusCode::OK);
    let alice = set_cookie_of(&held);
    assert_eq!(me_holding(&app.base, &alice).await, StatusCode::OK);

    raw_signup(&app, "nora@example.com", PASSWORD).await;
    let token = json!({ "token": app.signup_token("nora@example.com").await });
    let res = post_holding(&app.base, "/api/auth/signup/verify", Some(&alice), token).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let nora = set_cookie_of(&res);
    assert_eq!(
        me_holding(&app.base, &alice).await,
        StatusCode::UNAUTHORIZED,
        "the held session ended"
    );
    assert_eq!(me_holding(&app.base, &nora).await, StatusCode::OK);
}

/// Made-up tokens, a link replaced by a newer sign-up of the same email,
/// and a link to an email that got an account meanwhile make nothing.
async fn r_sec_1_made_up_replaced_and_overtaken_links_make_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    operator_and_alice(&app).await;
    let users = user_count(&app).await;
    let anon = app.anonymous();
    for token in ["", "0", &"a".repeat(64), "../../etc/passwd"] {
        assert_error(
            &anon.post("/api/auth/signup/verify", json!({ "token": token })).await,
            StatusCode::BAD_REQUEST,
            "signup_link_invalid",
        );
    }
    assert_error(
        &anon.post("/api/auth/signup/verify", json!({ "tok": "x" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    // Two sign-ups of one email: the newer link replaces the older.
    raw_signup(&app, "nora@example.com", PASSWORD).await;
    let first = app.signup_token("nora@example.com").await;
    raw_signup(&app, "nora@example.com", PASSWORD).await;
    let second = app.signup_token("nora@example.com").await;
    assert_ne!(first, second);
    assert_error(
        &anon.post("/api/auth/signup/verify", json!({ "token": first })).await,
        StatusCode::BAD_REQUEST,
        "signup_link_invalid",
    );
    // The email gets an account another way (an operator at the console)
    // before the link is opened: the link is spent, no second account.
    app.verified_user("lee@example.com", "Lee").await;
    raw_signup(&app, "max@example.com", PASSWORD).await;
    let max = app.signup_token("max@example.com").await;
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || {
        store.run_blocking(portico_store::Mode::Write, |tx| {
            tx.insert_user(&portico_store::UserRecord {
                id: portico_domain::ids::UserId::generate(),
                email: portico_domain::values::Email::parse("max@example.com").unwrap(),
                name: "Max".into(),
                password_hash: None,
                is_server_admin: false,
                created_at: 1,
            })
        })
    })
    .await
    .unwrap()
    .unwrap();
    let users = users + 2;
    assert_error(
        &anon.post("/api/auth/signup/verify", json!({ "token": max })).await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    assert_error(
        &anon.post("/api/auth/signup/verify", json!({ "token": max })).await,
        StatusCode::BAD_REQUEST,
        "signup_link_invalid",
    );
    assert_eq!(user_count(&app).await, users);
    let (status, _) = anon.post("/api/auth/signup/verify", json!({ "token": second })).await;
    assert_eq!(status, StatusCode::CREATED, "the newest link works");
    assert_eq!(user_count(&app).await, users + 1);
}

/// A sign-up of a taken email never becomes a second account, whatever is
/// tried afterwards: its owner's email holds no link, and no link of any
/// other sign-up opens it.
async fn r_sec_1_a_taken_email_never_becomes_a_second_account(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    operator_and_alice(&app).await;
    let users = user_count(&app).await;
    for _ in 0..2 {
        let (status, _, _, _) = raw_signup(&app, "alice@acme.example", "another long password").await;
        assert_eq!(status, StatusCode::CREATED);
    }
    for m in app.emails_to("alice@acme.example").await.iter().skip(1) {
        assert!(!m.body.contains("/signup/verify/"), "{}", m.body);
    }
    // Alice's own (used) link, opened again, makes nothing either.
    let used = app.emails_to("alice@acme.example").await[0].body.clone();
    let used = used[used.find("/signup/verify/").unwrap() + 15..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_error(
        &app.anonymous()
            .post("/api/auth/signup/verify", json!({ "token": used }))
            .await,
        StatusCode::BAD_REQUEST,
        "signup_link_invalid",
    );
    assert_eq!(user_count(&app).await, users);
    let mut c = app.anonymous();
    assert_eq!(c.login("alice@acme.example", PASSWORD).await.0, StatusCode::OK);
}

/// The first account of an empty server is made at once and is the
/// operator (SPEC §4), so a fresh install is set up without mail.
async fn r_sec_1_the_first_account_is_made_at_once_in_verify_email_mode(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    let (status, cookie, _, body) = raw_signup(&app, "ops@portico.example", PASSWORD).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(cookie, "signed in at once");
    assert_eq!(body["user"]["isServerAdmin"], true, "{body}");
    assert!(body.get("verification").is_none(), "{body}");
    assert!(app.emails_to("ops@portico.example").await.is_empty());
    let mut c = app.anonymous();
    assert_eq!(c.login("ops@portico.example", PASSWORD).await.0, StatusCode::OK);
    // The second waits for its link.
    let (status, cookie, _, body) = raw_signup(&app, "nora@example.com", PASSWORD).await;
    assert_eq!((status, cookie), (StatusCode::CREATED, false));
    assert_eq!(body["verification"], "email_sent");
}

/// An expired link makes nothing, and is gone.
async fn r_sec_1_an_expired_sign_up_link_makes_nothing(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |c| c.app.signup_link_ttl_ms = 300).await else {
        return;
    };
    raw_signup(&app, "ops@portico.example", PASSWORD).await;
    raw_signup(&app, "nora@example.com", PASSWORD).await;
    let token = app.signup_token("nora@example.com").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_error(
        &app.anonymous()
            .post("/api/auth/signup/verify", json!({ "token": token }))
            .await,
        StatusCode::BAD_REQUEST,
        "signup_link_invalid",
    );
    assert_eq!(user_count(&app).await, 1);
    assert_error(
        &app.anonymous().login("nora@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
}

/// Every sign-up sends an email, so every one counts: per client address
/// and per email and hour, taken emails and new ones alike; past either
/// allowance, `429` with `Retry-After`, and nothing is sent.
async fn r_sec_1_sign_ups_are_limited_per_address_and_per_email(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |c| {
        c.app.signups_per_hour = 10;
        c.app.signups_per_email_per_hour = 2;
    })
    .await
    else {
        return;
    };
    // 2 of the address's 10, 1 of Alice's email's 2.
    operator_and_alice(&app).await;
    for (email, times) in [("alice@acme.example", 1), ("nora@example.com", 2)] {
        for _ in 0..times {
            let (status, _, _, body) = raw_signup(&app, email, PASSWORD).await;
            assert_eq!(status, StatusCode::CREATED, "{email}: {body}");
        }
    }
    // Both emails are at their allowance: the taken one and the new one
    // are refused alike.
    let emails = app.emails_to("alice@acme.example").await.len() + app.emails_to("nora@example.com").await.len();
    let taken = raw_signup(&app, "alice@acme.example", PASSWORD).await;
    let new = raw_signup(&app, "nora@example.com", PASSWORD).await;
    for (status, cookie, retry, body) in [&taken, &new] {
        assert_error(
            &(*status, body.clone()),
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
        );
        assert!(!cookie);
        let retry: u64 = retry.as_deref().unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 3600, "{retry}");
    }
    assert_eq!(taken.3, new.3, "the same refusal");
    assert_eq!(
        (app.emails_to("alice@acme.example").await.len() + app.emails_to("nora@example.com").await.len()),
        emails,
        "nothing sent"
    );
    // The address has asked 7 times (refused sign-ups count too): three
    // more go through, then every email is refused from there.
    for email in ["one@example.com", "two@example.com", "four@example.com"] {
        let (status, _, _, body) = raw_signup(&app, email, PASSWORD).await;
        assert_eq!(status, StatusCode::CREATED, "{email}: {body}");
    }
    let other = raw_signup(&app, "three@example.com", PASSWORD).await;
    assert_error(&(other.0, other.3), StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(other.2.is_some());
    assert!(app.emails_to("three@example.com").await.is_empty());
    // Sign-in is not held back by it.
    let mut c = app.anonymous();
    assert_eq!(c.login("alice@acme.example", PASSWORD).await.0, StatusCode::OK);
}

/// Invitations reach people without an account in this mode too: sign up,
/// open the link, accept (R-INV-1, through the API).
async fn r_inv_1_a_new_person_signs_up_by_link_and_accepts_an_invitation(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    let (_, _, _, ops) = raw_signup(&app, "ops@portico.example", PASSWORD).await;
    assert_eq!(ops["user"]["isServerAdmin"], true);
    let mut ops = app.anonymous();
    ops.login("ops@portico.example", PASSWORD).await;
    let alice = app.verified_user("alice@acme.example", "Alice").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
        .await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme } }),
        )
        .await;
    let pw = ws["workspace"]["id"].as_str().unwrap().to_string();
    let token = crate::helpers::invitation_token(&alice, &pw, "gina@globex.example", "4").await;
    let gina = app.verified_user("gina@globex.example", "Gina").await;
    let (status, body) = gina
        .post(&format!("/api/invitations/{token}"), json!({ "newTeamName": "Globex" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, ws) = gina.get(&format!("/api/workspaces/{pw}")).await;
    assert_eq!(status, StatusCode::OK, "{ws}");
    assert_eq!(ws["workspace"]["external"], true);
}

crate::on_both_backends_with_config!(
    r_sec_1_verify_email_sign_up_answers_a_taken_and_a_new_email_alike,
    r_sec_1_the_owner_is_told_and_the_new_address_gets_the_link,
    r_sec_1_the_emailed_link_makes_the_account_answered_and_signs_in_once,
    r_sec_1_opening_the_link_while_signed_in_ends_the_held_session,
    r_sec_1_made_up_replaced_and_overtaken_links_make_nothing,
    r_sec_1_a_taken_email_never_becomes_a_second_account,
    r_sec_1_the_first_account_is_made_at_once_in_verify_email_mode,
    r_sec_1_an_expired_sign_up_link_makes_nothing,
    r_sec_1_sign_ups_are_limited_per_address_and_per_email,
    r_inv_1_a_new_person_signs_up_by_link_and_accepts_an_invitation,
);
