//! A team's pages over plain HTTP: members (add, roles, remove), domains,
//! plan, partnerships both ways and the audit log, each shown and usable
//! only by those the policy lets (SPEC §3, R-ISO-2, R-SEC-3).

use reqwest::StatusCode;
use serde_json::json;

use crate::Browser;
use crate::helpers::{Client, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_team_admin_adds_a_member_changes_their_roles_and_removes_them,
    a_member_without_an_account_gets_the_team_invitation_link_once,
    a_developer_sees_the_members_but_no_admin_form_and_cannot_post_one,
    r_iso_2_a_partner_gets_the_not_found_page_for_the_publishers_team,
    r_sec_1_team_forms_without_the_csrf_token_are_refused_and_change_nothing,
    team_admins_capture_and_release_domains,
    r_plan_1_the_operator_changes_a_team_plan_and_no_one_else_can,
    r_sec_3_the_audit_log_is_for_team_admins_not_partner_managers_or_developers,
    r_inv_5_partnerships_show_partner_teams_as_publisher_and_publishers_as_partner,
    the_account_page_links_to_each_team_of_the_viewer,
    issue_12_the_sign_in_tab_is_for_team_admins_and_checks_the_provider,
);

/// The operator Olive (first account), then Alice with her team Acme.
async fn acme(app: &TestApp) -> (Client, Client, String) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let acme = app.team(&alice, "Acme <Labs>").await;
    (ops, alice, acme)
}

/// Adds `email` to `team` through the API with these roles.
async fn add(admin: &Client, team: &str, email: &str, roles: &[&str]) {
    let (status, body) = admin
        .post(
            &format!("/api/teams/{team}/members"),
            json!({ "email": email, "roles": roles }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The team's members as `email → roles`, read through the API.
async fn roles_of(c: &Client, team: &str) -> Vec<(String, Vec<String>)> {
    let (_, list) = c.get(&format!("/api/teams/{team}/members")).await;
    list["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let roles = m["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            (m["email"].as_str().unwrap().to_string(), roles)
        })
        .collect()
}

async fn a_team_admin_adds_a_member_changes_their_roles_and_removes_them(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    let bob = app.user("bob@acme.example", "<b>Bob</b>").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let path = format!("/teams/{team}");
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Acme &lt;Labs&gt;</h1>"), "{page}");
    assert!(page.contains("Add a member"), "{page}");
    assert!(page.contains(&format!("href=\"/teams/{team}/audit\"")), "{page}");

    let csrf = b.csrf(&path).await;
    let (status, location, body) = b
        .post_form(
            &format!("{path}/members"),
            &[("csrf", &csrf), ("email", "bob@acme.example"), ("role.developer", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/teams/{team}#member-{}", bob.user_id));
    let (_, _, page) = b.get(&path).await;
    assert!(page.contains("&lt;b&gt;Bob&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>Bob</b>"), "{page}");
    assert!(page.contains(&format!("data-member=\"{}\"", bob.user_id)), "{page}");

    // Roles: ticked boxes replace the member's roles.
    let (status, _, body) = b
        .post_form(
            &format!("{path}/members/{}/roles", bob.user_id),
            &[
                ("csrf", &csrf),
                ("role.partner_manager", "on"),
                ("role.community_manager", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let members = roles_of(&alice, &team).await;
    let bob_roles = &members.iter().find(|(e, _)| e == "bob@acme.example").unwrap().1;
    assert_eq!(bob_roles, &["community_manager", "partner_manager"]);
    // No role at all is refused with the reason; nothing changes.
    let (status, _, body) = b
        .post_form(&format!("{path}/members/{}/roles", bob.user_id), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("at least one team role"), "{body}");
    // The last admin cannot drop their own admin role.
    let (status, _, _) = b
        .post_form(
            &format!("{path}/members/{}/roles", alice.user_id),
            &[("csrf", &csrf), ("role.developer", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, location, _) = b
        .post_form(&format!("{path}/members/{}/remove", bob.user_id), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, path);
    let members = roles_of(&alice, &team).await;
    assert_eq!(members.len(), 1, "{members:?}");
}

async fn a_member_without_an_account_gets_the_team_invitation_link_once(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let path = format!("/teams/{team}");
    let csrf = b.csrf(&path).await;
    let (status, _, page) = b
        .post_form(
            &format!("{path}/members"),
            &[
                ("csrf", &csrf),
                ("email", "newbie@acme.example"),
                ("role.billing", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{page}");
    assert!(page.contains("newbie@acme.example has no account here yet"), "{page}");
    let at = page.find("data-invitation-link").unwrap();
    let before = &page[..at];
    let link = before.rsplit("value=\"").next().unwrap().split('"').next().unwrap();
    assert!(link.contains("/invitations/"), "{link}");
    // The link is shown once: the Members tab itself does not carry it.
    let (_, _, again) = b.get(&path).await;
    assert!(!again.contains(link), "{again}");
    assert_eq!(roles_of(&alice, &team).await.len(), 1);
}

async fn a_developer_sees_the_members_but_no_admin_form_and_cannot_post_one(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    let dev = app.user("dev@acme.example", "Dev").await;
    add(&alice, &team, "dev@acme.example", &["developer"]).await;
    let b = Browser::new(&app.base);
    b.sign_in("dev@acme.example").await;
    let path = format!("/teams/{team}");
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("alice@acme.example"), "{page}");
    assert!(!page.contains("Add a member"), "{page}");
    assert!(!page.contains("/roles\""), "{page}");
    assert!(!page.contains("aria-label=\"Remove"), "{page}");
    assert!(!page.contains("Audit log"), "{page}");
    assert!(page.contains("Leave team"), "{page}");

    let csrf = b.csrf(&path).await;
    let (status, _, page) = b
        .post_form(
            &format!("{path}/members"),
            &[("csrf", &csrf), ("email", "mallory@evil.example"), ("role.admin", "on")],
        )
        .await;
    // They see the team: the page says why, as the API's 403 does.
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("Your role does not allow this action on this team."),
        "{page}"
    );
    assert!(
        !page.contains("href=\"/sign-in\""),
        "signed in: no sign-in link: {page}"
    );
    let (status, _, _) = b
        .post_form(
            &format!("{path}/members/{}/roles", dev.user_id),
            &[("csrf", &csrf), ("role.admin", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b
        .post_form(&format!("{path}/members/{}/remove", alice.user_id), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let members = roles_of(&alice, &team).await;
    assert_eq!(members.len(), 2, "{members:?}");
    assert!(
        members
            .iter()
            .any(|(e, r)| e == "dev@acme.example" && r == &["developer"])
    );

    // Leaving is theirs to do.
    let (status, location, _) = b
        .post_form(&format!("{path}/members/{}/remove", dev.user_id), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/account#teams-h");
    let (status, _, _) = b.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn r_iso_2_a_partner_gets_the_not_found_page_for_the_publishers_team(app: TestApp) {
    let p = app.partnership("5").await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let (_, _, missing) = b.get("/teams/not-a-team").await;
    for tab in [
        "",
        "/domains",
        "/plan",
        "/partnerships",
        "/partnerships?tab=partner",
        "/audit",
    ] {
        let (status, _, page) = b.get(&format!("/teams/{}{tab}", p.acme)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{tab}: {page}");
        assert_eq!(page, missing, "{tab}");
        assert!(!page.contains("alice@acme.example"), "{page}");
    }
    let csrf = b.csrf(&format!("/teams/{}", p.globex)).await;
    let (status, _, _) = b
        .post_form(
            &format!("/teams/{}/members", p.acme),
            &[("csrf", &csrf), ("email", "gina@globex.example"), ("role.admin", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(roles_of(&p.alice, &p.acme).await.len(), 1);
}

async fn r_sec_1_team_forms_without_the_csrf_token_are_refused_and_change_nothing(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    app.user("bob@acme.example", "Bob").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (status, _, _) = b
        .post_form(
            &format!("/teams/{team}/members"),
            &[("email", "bob@acme.example"), ("role.developer", "on")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b
        .post_form(
            &format!("/teams/{team}/domains"),
            &[("csrf", "forged"), ("domain", "acme.example")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(roles_of(&alice, &team).await.len(), 1);
    let (_, t) = alice.get(&format!("/api/teams/{team}")).await;
    assert_eq!(t["team"]["domains"], json!([]), "{t}");
}

async fn team_admins_capture_and_release_domains(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    app.user("dev@acme.example", "Dev").await;
    add(&alice, &team, "dev@acme.example", &["developer"]).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let path = format!("/teams/{team}/domains");
    let csrf = b.csrf(&path).await;
    let (status, location, body) = b.post_form(&path, &[("csrf", &csrf), ("domain", "Acme.Example")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, path);
    let (_, _, page) = b.get(&path).await;
    assert!(page.contains("data-domain=\"acme.example\""), "{page}");
    let (status, _, body) = b.post_form(&path, &[("csrf", &csrf), ("domain", "not a domain")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Another company's domain is refused with the reason (R-INV-2).
    let (status, _, body) = b
        .post_form(&path, &[("csrf", &csrf), ("domain", "globex.example")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("own email address"), "{body}");
    let (_, _, page) = b.get(&path).await;
    assert!(!page.contains("data-domain=\"globex.example\""), "{page}");

    // A developer reads them, with no form.
    let d = Browser::new(&app.base);
    d.sign_in("dev@acme.example").await;
    let (_, _, page) = d.get(&path).await;
    assert!(page.contains("data-domain=\"acme.example\""), "{page}");
    assert!(!page.contains("Capture domain"), "{page}");
    assert!(!page.contains("Release"), "{page}");

    let (status, _, _) = b
        .post_form(
            &format!("{path}/remove"),
            &[("csrf", &csrf), ("domain", "acme.example")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = b.get(&path).await;
    assert!(page.contains("data-no-domains"), "{page}");
}

async fn r_plan_1_the_operator_changes_a_team_plan_and_no_one_else_can(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    let path = format!("/teams/{team}/plan");
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-plan=\"free\""), "{page}");
    assert!(!page.contains("data-plan-form"), "{page}");
    assert!(page.contains("Only the operator"), "{page}");
    let csrf = b.csrf(&path).await;
    let (status, _, _) = b.post_form(&path, &[("csrf", &csrf), ("plan", "enterprise")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, t) = alice.get(&format!("/api/teams/{team}")).await;
    assert_eq!(t["team"]["plan"], "free");

    // The operator is no member, yet opens the team and changes its plan.
    let o = Browser::new(&app.base);
    o.sign_in("ops@portico.example").await;
    let (status, _, page) = o.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-plan-form"), "{page}");
    let csrf = o.csrf(&path).await;
    let (status, location, body) = o.post_form(&path, &[("csrf", &csrf), ("plan", "professional")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, path);
    let (_, _, page) = o.get(&path).await;
    assert!(page.contains("data-plan=\"professional\""), "{page}");
    let (_, t) = alice.get(&format!("/api/teams/{team}")).await;
    assert_eq!(t["team"]["plan"], "professional");
    let (status, _, _) = o.post_form(&path, &[("csrf", &csrf), ("plan", "gold")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn r_sec_3_the_audit_log_is_for_team_admins_not_partner_managers_or_developers(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    app.user("pm@acme.example", "Pam").await;
    app.user("dev@acme.example", "Dev").await;
    add(&alice, &team, "pm@acme.example", &["partner_manager"]).await;
    add(&alice, &team, "dev@acme.example", &["developer"]).await;
    // Enough entries for two pages of fifty.
    for n in 0..25 {
        let domain = format!("d{n}.acme.example");
        alice
            .post(&format!("/api/teams/{team}/domains"), json!({ "domain": domain }))
            .await;
        alice.delete(&format!("/api/teams/{team}/domains/{domain}")).await;
    }
    let path = format!("/teams/{team}/audit");
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let first = page.find("data-audit=\"domain.release\"").unwrap();
    assert!(
        first < page.find("data-audit=\"domain.capture\"").unwrap(),
        "newest first"
    );
    assert!(page.contains("<td>Alice</td>"), "{page}");
    assert!(!page.contains("data-audit=\"team.create\""), "{page}");
    let at = page.find("audit?cursor=").expect("a next page") + "audit?cursor=".len();
    let cursor = page[at..].split('"').next().unwrap().replace("&amp;", "&");
    let (status, _, older) = b.get(&format!("{path}?cursor={cursor}")).await;
    assert_eq!(status, StatusCode::OK, "{older}");
    assert!(older.contains("data-audit=\"member.add\""), "{older}");
    assert!(older.contains("data-audit=\"team.create\""), "{older}");
    assert!(!older.contains("Older entries"), "{older}");

    for who in ["pm@acme.example", "dev@acme.example"] {
        let c = Browser::new(&app.base);
        c.sign_in(who).await;
        let (status, _, page) = c.get(&format!("/teams/{team}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(!page.contains("Audit log"), "{who}: {page}");
        let (status, _, page) = c.get(&path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {page}");
        assert!(!page.contains("domain.capture"), "{page}");
    }
}

async fn r_inv_5_partnerships_show_partner_teams_as_publisher_and_publishers_as_partner(app: TestApp) {
    let p = app.partnership("5").await;
    app.user("dev@acme.example", "Dev").await;
    add(&p.alice, &p.acme, "dev@acme.example", &["developer"]).await;

    let a = Browser::new(&app.base);
    a.sign_in("alice@acme.example").await;
    let (status, _, page) = a.get(&format!("/teams/{}/partnerships", p.acme)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("data-partner-team=\"{}\"", p.globex)), "{page}");
    assert!(page.contains("Globex"), "{page}");
    assert!(page.contains(&format!("data-partner=\"{}\"", p.gina.user_id)), "{page}");
    assert!(page.contains("gina@globex.example"), "{page}");
    assert!(
        page.contains(&format!(
            "<a href=\"/workspaces/{}\">PW</a> <span class=\"muted small\">Editor</span>",
            p.pw
        )),
        "{page}"
    );
    let (_, _, page) = a.get(&format!("/teams/{}/partnerships?tab=partner", p.acme)).await;
    assert!(page.contains("data-no-publishers"), "{page}");

    // A developer of the publisher sees the partner team, not its people.
    let d = Browser::new(&app.base);
    d.sign_in("dev@acme.example").await;
    let (_, _, page) = d.get(&format!("/teams/{}/partnerships", p.acme)).await;
    assert!(page.contains(&format!("data-partner-team=\"{}\"", p.globex)), "{page}");
    assert!(!page.contains("gina@globex.example"), "{page}");
    assert!(!page.contains("data-partner=\""), "{page}");

    // The partner's side: Acme, with the PW Gina reaches.
    let g = Browser::new(&app.base);
    g.sign_in("gina@globex.example").await;
    let (status, _, page) = g.get(&format!("/teams/{}/partnerships?tab=partner", p.globex)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("data-publisher-team=\"{}\"", p.acme)), "{page}");
    assert!(
        page.contains(&format!("<a href=\"/workspaces/{}\">PW</a>", p.pw)),
        "{page}"
    );
    let (_, _, page) = g.get(&format!("/teams/{}/partnerships", p.globex)).await;
    assert!(page.contains("data-no-partners"), "{page}");
}

async fn the_account_page_links_to_each_team_of_the_viewer(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    let other = app.team(&alice, "Side project").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (_, _, page) = b.get("/account").await;
    assert!(
        page.contains(&format!(
            "<a class=\"row-title\" href=\"/teams/{team}\">Acme &lt;Labs&gt;</a>"
        )),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/teams/{other}\"")), "{page}");
    assert!(page.contains("Free plan · Admin"), "{page}");
}

/// Issue 12: the Sign-in tab shows team admins the redirect URI and the
/// provider form; a provider that cannot be used is refused on the page and
/// nothing is kept; developers get no tab and no page; the sign-in form
/// links to single sign-on, which says so when no team's provider covers
/// an email.
async fn issue_12_the_sign_in_tab_is_for_team_admins_and_checks_the_provider(app: TestApp) {
    let (_, alice, team) = acme(&app).await;
    app.user("dev@acme.example", "Dev").await;
    add(&alice, &team, "dev@acme.example", &["developer"]).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (_, _, members) = b.get(&format!("/teams/{team}")).await;
    assert!(
        members.contains(&format!("href=\"/teams/{team}/sign-in\"")),
        "{members}"
    );
    let path = format!("/teams/{team}/sign-in");
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-sign-in=\"password\""), "{page}");
    assert!(page.contains("http://portico.test/sso/callback"), "{page}");
    let csrf = b.csrf(&path).await;
    // A provider on loopback, which this server does not allow.
    let (_, _, page) = b
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("issuer", "http://127.0.0.1:9"),
                ("client_id", "portico"),
                ("client_secret", "s3cret-value"),
            ],
        )
        .await;
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(
        page.contains("value=\"http://127.0.0.1:9\""),
        "what was typed stays: {page}"
    );
    assert!(!page.contains("s3cret-value"), "the secret is not echoed");
    let (_, _, page) = b.get(&path).await;
    assert!(page.contains("data-sign-in=\"password\""), "nothing kept: {page}");

    let d = Browser::new(&app.base);
    d.sign_in("dev@acme.example").await;
    let (_, _, members) = d.get(&format!("/teams/{team}")).await;
    assert!(!members.contains(&format!("/teams/{team}/sign-in")), "{members}");
    let (status, _, _) = d.get(&path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let anon = Browser::new(&app.base);
    let (_, _, form) = anon.get("/sign-in").await;
    assert!(form.contains("href=\"/sso\""), "{form}");
    let (status, _, page) = anon.post_form("/sso", &[("email", "someone@nowhere.example")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert!(page.contains("No team signs in"), "{page}");
}
