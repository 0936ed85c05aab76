//! The sign-up pages with `signup = "verify-email"` (R-SEC-1; the security
//! issue's "no account enumeration through login, signup or invites"):
//! the form says "Check your email" for a taken and a new address alike,
//! the emailed link signs in and goes on, and an invitation reaches a
//! person without an account through it.

use reqwest::StatusCode;

use crate::Browser;
use crate::helpers::{Backend, PASSWORD, TestApp};

async fn sign_up(b: &Browser, email: &str, next: Option<&str>) -> (StatusCode, String, String) {
    let mut form = vec![("name", "Nora"), ("email", email), ("password", PASSWORD)];
    if let Some(next) = next {
        form.push(("next", next));
    }
    b.post_form("/sign-up", &form).await
}

async fn r_sec_1_the_sign_up_page_says_check_your_email_for_taken_and_new_addresses(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    // The first account is made at once and signed in.
    let ops = Browser::new(&app.base);
    let (status, location, body) = sign_up(&ops, "ops@portico.example", None).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/workspaces"),
        "{body}"
    );
    app.verified_user("alice@acme.example", "Alice").await;

    let (taken, new) = (Browser::new(&app.base), Browser::new(&app.base));
    let (s1, l1, page_taken) = sign_up(&taken, "alice@acme.example", None).await;
    let (s2, l2, page_new) = sign_up(&new, "nora@example.com", None).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK), "{page_taken}");
    assert_eq!((l1.as_str(), l2.as_str()), ("", ""));
    assert!(
        page_new.contains("Check your email") && page_new.contains("data-check-email"),
        "{page_new}"
    );
    assert_eq!(
        page_taken.replace("alice@acme.example", "EMAIL"),
        page_new.replace("nora@example.com", "EMAIL"),
        "the two pages differ only by the address typed"
    );
    for b in [&taken, &new] {
        let (status, location, _) = b.get("/workspaces").await;
        assert_eq!(
            (status, location.as_str()),
            (StatusCode::SEE_OTHER, "/sign-in"),
            "nobody signed in"
        );
    }

    // Opening the link only shows a button: a mail scanner following it
    // makes nothing.
    let link = app.signup_link("nora@example.com").await;
    let scanner = Browser::new(&app.base);
    let (status, _, page) = scanner.get(&link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("data-finish-signup") && page.contains("method=\"post\""),
        "{page}"
    );
    let (status, location, _) = scanner.get("/workspaces").await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/sign-in"));
    // Its button signs in and goes on to the workspaces, once.
    let (status, location, body) = open_link(&new, &link).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/workspaces"),
        "{body}"
    );
    let (status, _, page) = new.get("/workspaces").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Nora"), "{page}");
    let other = Browser::new(&app.base);
    let (status, _, used) = open_link(&other, &link).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{used}");
    assert!(
        used.contains("data-signup-link=\"signup_link_invalid\"") && used.contains("no longer valid"),
        "{used}"
    );
    let (status, _, made_up) = open_link(&other, &format!("/signup/verify/{}", "b".repeat(64))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{made_up}");
    let (status, location, _) = other.get("/workspaces").await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/sign-in"));
    // A link to somewhere else is not followed off the site.
    sign_up(&other, "max@example.com", Some("https://evil.example/")).await;
    let link = app.signup_link("max@example.com").await;
    assert!(!link.contains("evil"), "{link}");
    let (status, location, _) = open_link(&other, &link).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/workspaces"));
}

/// An invitation link reaches a person without an account (R-INV-1): the
/// invitation page sends them to sign up, the emailed link brings them
/// back to it signed in, and they accept.
async fn r_inv_1_an_invitee_without_an_account_signs_up_by_link_and_accepts(backend: Backend) {
    let Some(app) = TestApp::spawn_verifying(backend, |_| {}).await else {
        return;
    };
    let ops = Browser::new(&app.base);
    sign_up(&ops, "ops@portico.example", None).await;
    let mut ops = app.anonymous();
    ops.login("ops@portico.example", PASSWORD).await;
    let alice = app.verified_user("alice@acme.example", "Alice").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(
        &format!("/api/teams/{acme}"),
        serde_json::json!({ "plan": "professional" }),
    )
    .await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            serde_json::json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme } }),
        )
        .await;
    let pw = ws["workspace"]["id"].as_str().unwrap().to_string();
    let token = crate::helpers::invitation_token(&alice, &pw, "gina@globex.example", "4").await;
    let here = format!("/invitations/{token}");

    let b = Browser::new(&app.base);
    let (status, _, page) = b.get(&here).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("href=\"/sign-up?next={here}\"")), "{page}");
    let (status, _, page) = sign_up(&b, "gina@globex.example", Some(&here)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Check your email"), "{page}");
    let link = app.signup_link("gina@globex.example").await;
    let (status, location, body) = open_link(&b, &link).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, here.as_str()),
        "{body}"
    );
    let (status, _, page) = b.get(&here).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Accept invitation") && page.contains("A new team"),
        "{page}"
    );
    let csrf = b.csrf(&here).await;
    let (status, location, body) = b
        .post_form(&here, &[("csrf", &csrf), ("team", "new"), ("new_team_name", "Globex")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/workspaces/{pw}"));
    let (status, _, page) = b.get(&location).await;
    assert_eq!(status, StatusCode::OK, "{page}");
}

crate::on_both_backends_with_config!(
    r_sec_1_the_sign_up_page_says_check_your_email_for_taken_and_new_addresses,
    r_inv_1_an_invitee_without_an_account_signs_up_by_link_and_accepts,
);

/// Opens a sign-up link as a person does: the page, then its button.
async fn open_link(b: &Browser, link: &str) -> (StatusCode, String, String) {
    let (status, _, page) = b.get(link).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let action = page
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page has a form")
        .to_string();
    let next = page
        .split("name=\"next\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("/workspaces")
        .replace("&amp;", "&");
    b.post_form(&action, &[("next", &next)]).await
}
