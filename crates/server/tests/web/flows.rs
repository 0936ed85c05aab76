//! Flows over plain HTTP: the invite dialog and the invitation page, the
//! workspace Settings tab, account settings (API keys).

use reqwest::StatusCode;
use serde_json::json;

use crate::Browser;
use crate::helpers::{Client, TestApp};
use crate::on_both_backends;

on_both_backends!(
    r_inv_2_an_invitee_accepts_on_the_invitation_page_choosing_their_team,
    r_inv_2_a_captured_email_domain_leaves_one_team_and_the_page_says_why,
    r_multi_1_the_multi_partner_switch_is_refused_without_the_confirmation_checkbox,
    r_sec_1_an_api_key_created_on_the_account_page_stops_working_once_revoked,
    r_iso_3_a_partner_viewer_gets_a_404_for_the_settings_page,
    r_role_2_team_members_are_given_a_role_from_the_invite_dialog,
    r_sec_1_the_account_page_changes_the_password_and_rotates_the_session,
    r_sec_1_the_account_page_removes_the_account_after_confirmation,
    r_sec_1_the_sign_in_page_rotates_the_session,
);

/// The text after `marker` up to the next `"`.
fn after<'a>(body: &'a str, marker: &str) -> &'a str {
    let at = body.find(marker).unwrap_or_else(|| panic!("no {marker} in {body}")) + marker.len();
    body[at..].split('"').next().unwrap()
}

async fn invite(b: &Browser, pw: &str, emails: &str) -> String {
    let csrf = b.csrf(&format!("/workspaces/{pw}")).await;
    let (status, _, body) = b
        .post_form(
            &format!("/workspaces/{pw}/invitations"),
            &[
                ("csrf", &csrf),
                ("kind", "partner"),
                ("role", "viewer"),
                ("emails", emails),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn r_inv_2_an_invitee_accepts_on_the_invitation_page_choosing_their_team(app: TestApp) {
    let (_alice, gina, pw, globex) = crate::publisher_and_invitee(&app).await;
    let publisher = Browser::new(&app.base);
    publisher.sign_in("alice@acme.example").await;
    let (_, _, overview) = publisher.get(&format!("/workspaces/{pw}")).await;
    assert!(overview.contains("data-dialog=\"invite-dialog\""), "{overview}");
    assert!(overview.contains("Make them Partner Lead"), "{overview}");

    // Several at once, one per line; the results say what happened to each.
    let results = invite(&publisher, &pw, "gina@globex.example\nhal@hooli.example\n").await;
    assert_eq!(results.matches("data-result=\"invited\"").count(), 2, "{results}");
    let link = after(&results, "data-invitation-link>");
    let link = link.split('<').next().unwrap();
    let token = link.rsplit('/').next().unwrap().to_string();
    let again = invite(&publisher, &pw, "gina@globex.example").await;
    assert!(again.contains("already invited"), "{again}");

    // Pending invitations, one revoked.
    let (_, _, pending) = publisher.get(&format!("/workspaces/{pw}/invite")).await;
    assert!(
        pending.contains("data-pending-email=\"gina@globex.example\""),
        "{pending}"
    );
    let hal_row = &pending[pending.find("data-pending-email=\"hal@hooli.example\"").unwrap()..];
    let revoke = after(hal_row, "action=\"");
    let csrf = publisher.csrf(&format!("/workspaces/{pw}/invite")).await;
    let (status, _, _) = publisher.post_form(revoke, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, pending) = publisher.get(&format!("/workspaces/{pw}/invite")).await;
    assert!(!pending.contains("hal@hooli.example"), "{pending}");

    // Signed out, the page offers sign in and sign up that come back here.
    let here = format!("/invitations/{token}");
    let b = Browser::new(&app.base);
    let (status, _, page) = b.get(&here).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("href=\"/sign-in?next={here}\"")), "{page}");
    assert!(page.contains(&format!("href=\"/sign-up?next={here}\"")), "{page}");
    let (status, location, _) = b
        .post_form(
            "/sign-in",
            &[
                ("email", "gina@globex.example"),
                ("password", crate::helpers::PASSWORD),
                ("next", &here),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, here.as_str()));

    // Signed in: her teams, or a new one.
    let (_, _, page) = b.get(&here).await;
    assert!(page.contains(&format!("value=\"{globex}\"")), "{page}");
    assert!(page.contains("Gina&#39;s sandbox"), "{page}");
    assert!(page.contains("A new team"), "{page}");
    let csrf = after(&page, "name=\"csrf\" value=\"").to_string();
    let (status, _, _) = b.post_form(&here, &[("team", &globex)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token, nothing accepted");
    let (status, location, body) = b.post_form(&here, &[("csrf", &csrf), ("team", &globex)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/workspaces/{pw}"));

    let (_, ws) = gina.get(&format!("/api/workspaces/{pw}")).await;
    assert_eq!(ws["workspace"]["external"], true, "{ws}");
    let (_, _, list) = b.get("/workspaces?tab=external").await;
    assert!(
        list.contains(&format!("href=\"/workspaces/{pw}\"")) && list.contains("EXTERNAL"),
        "{list}"
    );

    // The link works once.
    let (_, _, used) = b.get(&here).await;
    assert!(
        used.contains("<strong>accepted</strong>") && !used.contains("Accept invitation"),
        "{used}"
    );
}

async fn r_inv_2_a_captured_email_domain_leaves_one_team_and_the_page_says_why(app: TestApp) {
    let (_alice, gina, pw, globex) = crate::publisher_and_invitee(&app).await;
    let (status, body) = gina
        .post(
            &format!("/api/teams/{globex}/domains"),
            json!({ "domain": "globex.example" }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let publisher = Browser::new(&app.base);
    publisher.sign_in("alice@acme.example").await;
    let results = invite(&publisher, &pw, "gina@globex.example").await;
    let link = after(&results, "data-invitation-link>");
    let here = format!(
        "/invitations/{}",
        link.split('<').next().unwrap().rsplit('/').next().unwrap()
    );
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let (_, _, page) = b.get(&here).await;
    assert!(page.contains("data-only-team"), "{page}");
    assert!(page.contains("only one team is allowed"), "{page}");
    assert!(!page.contains("A new team"), "{page}");
    let csrf = after(&page, "name=\"csrf\" value=\"").to_string();
    // Another team than the captured one is refused, with the reason.
    let (status, _, refused) = b
        .post_form(&here, &[("csrf", &csrf), ("team", "new"), ("new_team_name", "Other")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        refused.contains("role=\"alert\"") && refused.contains("globex.example"),
        "{refused}"
    );
    let (status, location, _) = b.post_form(&here, &[("csrf", &csrf), ("team", &globex)]).await;
    assert_eq!((status, location), (StatusCode::SEE_OTHER, format!("/workspaces/{pw}")));
}

async fn r_multi_1_the_multi_partner_switch_is_refused_without_the_confirmation_checkbox(app: TestApp) {
    let p = app.partnership("5").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let settings = format!("/workspaces/{}/settings", p.pw);
    let (status, _, page) = b.get(&settings).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("I understand this cannot be undone"), "{page}");
    assert!(page.contains("Download partner emails"), "{page}");
    let csrf = b.csrf(&settings).await;

    let (status, _, body) = b
        .post_form(&format!("{settings}/multi-partner"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("Nothing was changed"), "{body}");
    let (_, ws) = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(ws["workspace"]["multiPartner"], false, "{ws}");
    let (_, roles) = p.alice.get(&format!("/api/workspaces/{}/roles", p.pw)).await;
    assert!(roles.to_string().contains(&p.gina.user_id), "{roles}");

    // Name, summary and type save through the same page.
    let (status, location, body) = b
        .post_form(
            &settings,
            &[
                ("csrf", &csrf),
                ("name", "Partner API"),
                ("about", "For **partners**"),
                ("kind", "partner"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, settings.as_str()),
        "{body}"
    );
    let (_, ws) = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(ws["workspace"]["name"], "Partner API", "{ws}");

    let (status, _, _) = b
        .post_form(
            &format!("{settings}/multi-partner"),
            &[("csrf", &csrf), ("confirm", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, ws) = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(ws["workspace"]["multiPartner"], true, "{ws}");
    let (_, _, page) = b.get(&settings).await;
    assert!(page.contains("data-multi-on") && !page.contains("mp-confirm"), "{page}");

    // Deleting needs the name typed again.
    let (status, _, _) = b
        .post_form(
            &format!("{settings}/delete"),
            &[("csrf", &csrf), ("confirm_name", "PW")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(status, StatusCode::OK);
}

async fn r_sec_1_an_api_key_created_on_the_account_page_stops_working_once_revoked(app: TestApp) {
    app.user("alice@acme.example", "Alice").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let csrf = b.csrf("/account").await;
    let (status, _, page) = b
        .post_form("/account/api-keys", &[("csrf", &csrf), ("name", "CI")])
        .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    let key = after(&page, "readonly value=\"").to_string();
    assert!(page.contains("data-copy=\"new-key\""), "{page}");
    let api = Client::with_api_key(&app.base, &key);
    let (status, me) = api.get("/api/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");

    // Shown once: the list has its prefix only.
    let (_, _, account) = b.get("/account").await;
    assert!(!account.contains(&key), "{account}");
    assert!(
        account.contains(&format!("data-key-prefix=\"{}\"", &key[..12])),
        "{account}"
    );
    let revoke = after(&account, "action=\"/account/api-keys/").to_string();
    let (status, location, _) = b
        .post_form(&format!("/account/api-keys/{revoke}"), &[("csrf", &csrf)])
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/account"));
    let (status, _) = api.get("/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Email notification settings.
    let (status, _, _) = b
        .post_form(
            "/account/notifications",
            &[("csrf", &csrf), ("email.update_posted", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, account) = b.get("/account").await;
    assert!(
        account.contains("name=\"email.update_posted\" type=\"checkbox\" value=\"on\" checked"),
        "{account}"
    );
}

async fn r_iso_3_a_partner_viewer_gets_a_404_for_the_settings_page(app: TestApp) {
    let p = app.partnership("4").await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let overview = format!("/workspaces/{}", p.pw);
    let (status, _, page) = b.get(&overview).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("/settings\""), "no Settings tab: {page}");
    assert!(!page.contains("invite-dialog"), "no Invite button: {page}");
    let (status, _, hidden) = b.get(&format!("{overview}/settings")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, missing) = b.get("/workspaces/not-an-id/settings").await;
    assert_eq!(hidden, missing);
    let (status, _, _) = b.get(&format!("{overview}/invite")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let csrf = b.csrf(&overview).await;
    let (status, _, _) = b
        .post_form(
            &format!("{overview}/settings"),
            &[("csrf", &csrf), ("name", "Taken over")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, ws) = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(ws["workspace"]["name"], "PW", "{ws}");
}

async fn r_role_2_team_members_are_given_a_role_from_the_invite_dialog(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let acme = app.team(&alice, "Acme").await;
    let (status, body) = alice
        .post(
            &format!("/api/teams/{acme}/members"),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Core", "type": "private", "teamId": acme } }),
        )
        .await;
    let id = ws["workspace"]["id"].as_str().unwrap().to_string();
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (_, _, overview) = b.get(&format!("/workspaces/{id}")).await;
    assert!(
        !overview.contains("value=\"partner\""),
        "no partners in an internal workspace: {overview}"
    );
    let csrf = b.csrf(&format!("/workspaces/{id}/invite")).await;
    let (status, _, results) = b
        .post_form(
            &format!("/workspaces/{id}/invitations"),
            &[
                ("csrf", &csrf),
                ("kind", "member"),
                ("role", "editor"),
                ("emails", "bob@acme.example\nzed@else.example"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results.matches("data-result=\"added\"").count(), 1, "{results}");
    assert!(
        results.contains("data-result=\"refused\"") && results.contains("Not a member of this workspace"),
        "{results}"
    );
    let (status, ws) = bob.get(&format!("/api/workspaces/{id}")).await;
    assert_eq!(status, StatusCode::OK, "Bob sees the private workspace now: {ws}");
}

/// R-SEC-1 (security issue): the "Change password" form of the account
/// page needs the current password; it ends the other browsers' sessions
/// and gives this one a fresh session, whose new CSRF token the page
/// then carries.
async fn r_sec_1_the_account_page_changes_the_password_and_rotates_the_session(app: TestApp) {
    app.user("alice@acme.example", "Alice").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let elsewhere = Browser::new(&app.base);
    elsewhere.sign_in("alice@acme.example").await;
    let (_, _, page) = b.get("/account").await;
    assert!(page.contains("action=\"/account/password\""), "{page}");
    assert!(page.contains("Change password"), "{page}");
    let csrf = b.csrf("/account").await;

    // A wrong current password: said so, nothing changed.
    let (status, _, refused) = b
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", "wrong"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused.contains("password is wrong"), "{refused}");
    // A weak new one.
    let (status, _, _) = b
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", crate::helpers::PASSWORD),
                ("new_password", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(elsewhere.get("/account").await.0, StatusCode::OK);

    let (status, location, _) = b
        .post_form(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", crate::helpers::PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/account#password-h")
    );
    // This browser goes on, with a new CSRF token; the other is signed out.
    let fresh = b.csrf("/account").await;
    assert_ne!(fresh, csrf);
    let (status, location, _) = elsewhere.get("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/sign-in"), "{location}");
    let mut c = app.anonymous();
    assert_eq!(
        c.login("alice@acme.example", crate::helpers::PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.login("alice@acme.example", "a brand new passphrase").await.0,
        StatusCode::OK
    );
}

/// The security issue, removal on the account page: the form asks the
/// browser to confirm and needs the password; the last admin of a team
/// with other members is told why not; once removed, the browser is
/// signed out and the address signs in as an unknown one.
async fn r_sec_1_the_account_page_removes_the_account_after_confirmation(app: TestApp) {
    app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let (status, body) = alice
        .post(
            &format!("/api/teams/{team}/members"),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (_, _, page) = b.get("/account").await;
    let form_at = page
        .find("action=\"/account/remove\"")
        .unwrap_or_else(|| panic!("{page}"));
    assert!(
        page[form_at..]
            .split("</form>")
            .next()
            .unwrap()
            .contains("data-confirm="),
        "{page}"
    );
    let csrf = b.csrf("/account").await;

    let (status, _, refused) = b
        .post_form("/account/remove", &[("csrf", &csrf), ("password", "wrong")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, _, refused) = b
        .post_form(
            "/account/remove",
            &[("csrf", &csrf), ("password", crate::helpers::PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(refused.contains("last admin of the team Acme"), "{refused}");
    // Without the CSRF token: refused too.
    let (status, _, _) = b
        .post_form("/account/remove", &[("password", crate::helpers::PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/account").await.0, StatusCode::OK, "still there");

    let (status, body) = alice
        .patch(
            &format!("/api/teams/{team}/members/{}", bob.user_id),
            json!({ "roles": ["admin"] }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, _, done) = b
        .post_form(
            "/account/remove",
            &[("csrf", &csrf), ("password", crate::helpers::PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains("Your account is removed"), "{done}");
    let (status, location, _) = b.get("/account").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/sign-in"), "{location}");
    let (status, _, again) = b
        .post_form(
            "/sign-in",
            &[("email", "alice@acme.example"), ("password", crate::helpers::PASSWORD)],
        )
        .await;
    let (_, _, unknown) = b
        .post_form(
            "/sign-in",
            &[("email", "nobody@acme.example"), ("password", crate::helpers::PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{again}");
    assert_eq!(
        again.replace("alice@acme.example", "EMAIL"),
        unknown.replace("nobody@acme.example", "EMAIL")
    );
    // The team's audit log still shows what she did, under the new name.
    let bobs = Browser::new(&app.base);
    bobs.sign_in("bob@acme.example").await;
    let (status, _, log) = bobs.get(&format!("/teams/{team}/audit")).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    assert!(log.contains("Removed account") && !log.contains("Alice"), "{log}");
}

/// R-SEC-1: signing in on the sign-in page while holding a session cookie
/// gives a new session, and the old cookie no longer opens a page.
async fn r_sec_1_the_sign_in_page_rotates_the_session(app: TestApp) {
    app.user("alice@acme.example", "Alice").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let sign_in = |holding: Option<String>| {
        let mut rb = http
            .post(format!("{}/sign-in", app.base))
            .form(&[("email", "alice@acme.example"), ("password", crate::helpers::PASSWORD)]);
        if let Some(c) = holding {
            rb = rb.header("cookie", c);
        }
        async move {
            let res = rb.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            res.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string()
        }
    };
    let account = |cookie: String| {
        let rb = http.get(format!("{}/account", app.base)).header("cookie", cookie);
        async move { rb.send().await.unwrap().status() }
    };
    let first = sign_in(None).await;
    assert_eq!(account(first.clone()).await, StatusCode::OK);
    let second = sign_in(Some(first.clone())).await;
    assert_ne!(first, second);
    assert_eq!(
        account(first).await,
        StatusCode::SEE_OTHER,
        "the old session still opens pages"
    );
    assert_eq!(account(second).await, StatusCode::OK);
}
