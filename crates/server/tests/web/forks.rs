//! Forks in the browser over plain HTTP: the Fork dialog and the forks
//! list (R-FORK-1, R-FORK-2), the source status and Pull changes, and a
//! conflicting pull resolved per conflict (R-FORK-3).

use reqwest::StatusCode;
use serde_json::json;

use crate::Browser;
use crate::helpers::{Client, Partnership, TestApp};
use crate::on_both_backends;

on_both_backends!(
    r_fork_1_a_partner_editor_forks_into_their_own_team_through_the_dialog,
    r_fork_1_a_partner_viewer_without_a_paid_team_gets_no_dialog_and_forks_nothing,
    r_fork_2_3_a_fork_behind_its_source_pulls_the_change,
    r_fork_3_a_conflicting_pull_asks_per_conflict_and_applies_the_choice,
    r_fork_1_a_partner_viewer_on_a_free_team_is_offered_no_own_team_destination,
    r_fork_1_a_partner_viewer_on_a_paid_team_is_offered_their_team_workspaces,
    r_fork_2_a_fork_shows_how_many_changes_it_has_ahead_of_its_source,
);

fn orders_api() -> String {
    json!({
        "info": {
            "name": "Orders API",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [{
            "id": "get-order",
            "name": "Get order",
            "request": { "method": "GET", "url": "https://api.example/orders/1" }
        }]
    })
    .to_string()
}

/// The Orders API in the partnership's PW; answers its id.
pub(crate) async fn publish(p: &Partnership) -> String {
    crate::import(&p.alice, &p.pw, orders_api()).await
}

/// A workspace "Sandbox" of Gina's team Globex; answers its id.
pub(crate) async fn sandbox(p: &Partnership) -> String {
    let (status, ws) = p
        .gina
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Sandbox", "type": "team", "teamId": p.globex } }),
        )
        .await;
    assert!(status.is_success(), "{ws}");
    ws["workspace"]["id"].as_str().unwrap().to_string()
}

/// Forks `coll` into `ws` through the dialog; answers the fork's id.
pub(crate) async fn fork(b: &Browser, coll: &str, ws: &str) -> String {
    let csrf = b.csrf(&format!("/collections/{coll}")).await;
    let (status, location, body) = b
        .post_form(
            &format!("/collections/{coll}/fork"),
            &[("csrf", &csrf), ("label", "Globex <sandbox>"), ("workspace", ws)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    location
        .strip_prefix("/collections/")
        .expect("a collection page")
        .to_string()
}

/// Renames "Get order" through the request editor, on `revision`.
pub(crate) async fn rename(b: &Browser, coll: &str, revision: &str, name: &str) -> StatusCode {
    let path = format!("/collections/{coll}/requests/get-order");
    let csrf = b.csrf(&path).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("revision", revision),
        ("name", name),
        ("method", "GET"),
        ("url", "https://api.example/orders/1"),
        ("headers", ""),
        ("body_mode", "none"),
        ("body_raw", ""),
        ("auth", "inherit"),
        ("prerequest", ""),
        ("tests", ""),
    ];
    let (status, _, body) = b.post_form(&path, &form).await;
    assert!(
        status == StatusCode::SEE_OTHER || status == StatusCode::OK,
        "{status} {body}"
    );
    status
}

pub(crate) async fn name_of(c: &Client, coll: &str) -> String {
    let (_, body) = c.get(&format!("/api/collections/{coll}/requests/get-order")).await;
    body["data"]["name"].as_str().unwrap_or_default().to_string()
}

/// The value of the hidden field `name` in a page.
pub(crate) fn hidden(page: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page.find(&needle).unwrap_or_else(|| panic!("{name} in {page}")) + needle.len();
    page[at..].split('"').next().unwrap().to_string()
}

async fn r_fork_1_a_partner_editor_forks_into_their_own_team_through_the_dialog(app: TestApp) {
    let p = app.partnership("5").await;
    let coll = publish(&p).await;
    let ws = sandbox(&p).await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;

    let (status, _, page) = b.get(&format!("/collections/{coll}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Fork this collection"), "{page}");
    assert!(page.contains("<label for=\"fork-label\">"), "{page}");
    // Her own team's workspaces, under her team; the PW where she is
    // partner editor, under the publisher.
    assert!(
        page.contains(&format!(
            "<optgroup label=\"Globex (your team)\" data-team=\"{}\"><option value=\"{ws}\">Sandbox</option>",
            p.globex
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "<optgroup label=\"Publishing team\" data-team=\"{}\"><option value=\"{}\">PW</option>",
            p.acme, p.pw
        )),
        "{page}"
    );

    let forked = fork(&b, &coll, &ws).await;
    let (status, _, page) = b.get(&format!("/collections/{forked}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Globex &lt;sandbox&gt;"), "{page}");
    assert!(page.contains("Up to date with the source."), "{page}");
    assert!(!page.contains("Pull changes"), "{page}");

    // The source lists it, with its team and workspace, escaped.
    let (_, _, page) = b.get(&format!("/collections/{coll}")).await;
    assert!(page.contains(&format!("data-fork=\"{forked}\"")), "{page}");
    assert!(
        page.contains(&format!("href=\"/collections/{forked}\">Globex &lt;sandbox&gt;</a>")),
        "{page}"
    );
    assert!(page.contains("Globex / Sandbox · forked"), "{page}");
    assert!(!page.contains("Globex <sandbox>"), "{page}");
    let (_, list) = p.alice.get(&format!("/api/collections/{coll}/forks")).await;
    // The publisher sees it only counted: it is in a workspace of Globex.
    assert_eq!(list["meta"]["inaccessibleForks"], 1, "{list}");
}

async fn r_fork_1_a_partner_viewer_without_a_paid_team_gets_no_dialog_and_forks_nothing(app: TestApp) {
    let p = app.partnership("4").await;
    let coll = publish(&p).await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let (status, _, page) = b.get(&format!("/collections/{coll}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains("Fork this collection"), "{page}");
    assert!(!page.contains("/fork\""), "{page}");

    // A forged post into the PW (viewer) or into her free team is refused.
    let csrf = b.csrf("/account").await;
    let ws = sandbox(&p).await;
    for dest in [p.pw.as_str(), ws.as_str()] {
        let (status, _, body) = b
            .post_form(
                &format!("/collections/{coll}/fork"),
                &[("csrf", &csrf), ("label", "Mine"), ("workspace", dest)],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("That did not work"), "{body}");
    }
    let (_, list) = p.alice.get(&format!("/api/collections/{coll}/forks")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
    assert_eq!(list["meta"]["inaccessibleForks"], 0, "{list}");
}

async fn r_fork_2_3_a_fork_behind_its_source_pulls_the_change(app: TestApp) {
    let p = app.partnership("5").await;
    let coll = publish(&p).await;
    let ws = sandbox(&p).await;
    let gina = Browser::new(&app.base);
    gina.sign_in("gina@globex.example").await;
    let forked = fork(&gina, &coll, &ws).await;

    let alice = Browser::new(&app.base);
    alice.sign_in("alice@acme.example").await;
    rename(&alice, &coll, "1", "Fetch order").await;

    let (_, _, page) = gina.get(&format!("/collections/{forked}")).await;
    assert!(page.contains("<strong>1 revision behind</strong>"), "{page}");
    assert!(page.contains("Pull changes"), "{page}");
    let (status, location, body) = gina
        .post_form(
            &format!("/collections/{forked}/pull"),
            &[("csrf", &hidden(&page, "csrf")), ("base", &hidden(&page, "base"))],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/collections/{forked}"));
    assert_eq!(name_of(&p.gina, &forked).await, "Fetch order");
    let (_, _, page) = gina.get(&format!("/collections/{forked}")).await;
    assert!(page.contains("Up to date with the source."), "{page}");

    // Without the CSRF field nothing is pulled.
    rename(&alice, &coll, "2", "Read order").await;
    let (status, _, _) = gina
        .post_form(&format!("/collections/{forked}/pull"), &[("base", "2")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(name_of(&p.gina, &forked).await, "Fetch order");
}

async fn r_fork_3_a_conflicting_pull_asks_per_conflict_and_applies_the_choice(app: TestApp) {
    let p = app.partnership("5").await;
    let coll = publish(&p).await;
    let ws = sandbox(&p).await;
    let gina = Browser::new(&app.base);
    gina.sign_in("gina@globex.example").await;
    let forked = fork(&gina, &coll, &ws).await;
    rename(&gina, &forked, "1", "Mine").await;
    let alice = Browser::new(&app.base);
    alice.sign_in("alice@acme.example").await;
    rename(&alice, &coll, "1", "Theirs").await;

    let (_, _, page) = gina.get(&format!("/collections/{forked}")).await;
    let csrf = hidden(&page, "csrf");
    let base = hidden(&page, "base");
    let (status, _, page) = gina
        .post_form(
            &format!("/collections/{forked}/pull"),
            &[("csrf", &csrf), ("base", &base)],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("choose for each conflict"), "{page}");
    assert!(page.contains("Keep mine") && page.contains("Take theirs"), "{page}");
    assert!(
        page.contains("<code>Mine</code>") && page.contains("<code>Theirs</code>"),
        "{page}"
    );
    assert_eq!(hidden(&page, "uid.0"), "get-order");
    let path = hidden(&page, "path.0");
    assert_eq!(path, "name");
    assert_eq!(name_of(&p.gina, &forked).await, "Mine", "nothing written yet");

    let (status, _, body) = gina
        .post_form(
            &format!("/collections/{forked}/pull"),
            &[
                ("csrf", &csrf),
                ("base", &hidden(&page, "base")),
                ("uid.0", "get-order"),
                ("path.0", &path),
                ("side.0", "source"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(name_of(&p.gina, &forked).await, "Theirs");
}

/// The options of the fork dialog of a page: (team id, workspace id) pairs.
fn destinations(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for group in page.split("<optgroup ").skip(1) {
        let team = group.split("data-team=\"").nth(1).unwrap().split('"').next().unwrap();
        let group = group.split("</optgroup>").next().unwrap();
        for opt in group.split("<option value=\"").skip(1) {
            out.push((team.to_string(), opt.split('"').next().unwrap().to_string()));
        }
    }
    out
}

/// A second Partner Workspace "Beta" of Acme where Gina is partner editor.
async fn beta_as_editor(p: &Partnership) -> String {
    let (_, ws) = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Beta", "type": "partner", "teamId": p.acme } }),
        )
        .await;
    let beta = ws["workspace"]["id"].as_str().unwrap().to_string();
    let (_, inv) = p
        .alice
        .post(
            "/api/invitations",
            json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": beta, "roleId": "5",
                    "target": { "emails": ["gina@globex.example"] } }),
        )
        .await;
    assert_eq!(inv["results"][0]["status"], "PARTNER_ADDED", "{inv}");
    beta
}

async fn r_fork_1_a_partner_viewer_on_a_free_team_is_offered_no_own_team_destination(app: TestApp) {
    let p = app.partnership("4").await;
    let coll = publish(&p).await;
    let own = sandbox(&p).await;
    let beta = beta_as_editor(&p).await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let (status, _, page) = b.get(&format!("/collections/{coll}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Only the other PW where she edits: not her free team's Sandbox, not
    // the PW where she only views.
    assert!(page.contains("Fork this collection"), "{page}");
    assert_eq!(destinations(&page), vec![(p.acme.clone(), beta.clone())], "{page}");
    assert!(!page.contains("(your team)"), "{page}");

    // The JSON API refuses the destinations the dialog leaves out.
    for dest in [own.as_str(), p.pw.as_str()] {
        let (status, body) = p
            .gina
            .post(
                &format!("/api/collections/fork/{coll}?workspace={dest}"),
                json!({ "label": "Mine" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let forked = fork(&b, &coll, &beta).await;
    let (status, _, _) = b.get(&format!("/collections/{forked}")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn r_fork_1_a_partner_viewer_on_a_paid_team_is_offered_their_team_workspaces(app: TestApp) {
    let p = app.partnership("4").await;
    let coll = publish(&p).await;
    let own = sandbox(&p).await;
    let mut ops = app.anonymous();
    ops.login("ops@portico.example", crate::helpers::PASSWORD).await;
    let (status, body) = ops
        .patch(&format!("/api/teams/{}", p.globex), json!({ "plan": "basic" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let (_, _, page) = b.get(&format!("/collections/{coll}")).await;
    assert_eq!(destinations(&page), vec![(p.globex.clone(), own.clone())], "{page}");
    assert!(page.contains("<optgroup label=\"Globex (your team)\""), "{page}");
    let forked = fork(&b, &coll, &own).await;
    let (status, _, page) = b.get(&format!("/collections/{forked}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("data-ahead=\"0\""), "{page}");
}

async fn r_fork_2_a_fork_shows_how_many_changes_it_has_ahead_of_its_source(app: TestApp) {
    let p = app.partnership("5").await;
    let coll = publish(&p).await;
    let ws = sandbox(&p).await;
    let gina = Browser::new(&app.base);
    gina.sign_in("gina@globex.example").await;
    let forked = fork(&gina, &coll, &ws).await;
    rename(&gina, &forked, "1", "Mine").await;
    let alice = Browser::new(&app.base);
    alice.sign_in("alice@acme.example").await;
    let (_, _, page) = alice.get(&format!("/collections/{coll}")).await;
    let csrf = hidden(&page, "csrf");
    let (status, _, body) = alice
        .post_form(
            &format!("/collections/{coll}/requests/get-order"),
            &[
                ("csrf", csrf.as_str()),
                ("revision", "1"),
                ("name", "Get order"),
                ("method", "GET"),
                ("url", "https://api.example/orders/2"),
                ("headers", ""),
                ("body_mode", "none"),
                ("body_raw", ""),
                ("auth", "inherit"),
                ("prerequest", ""),
                ("tests", ""),
            ],
        )
        .await;
    assert!(status.is_success() || status.is_redirection(), "{body}");

    let (_, _, page) = gina.get(&format!("/collections/{forked}")).await;
    assert!(page.contains("<strong>1 revision behind</strong>"), "{page}");
    assert!(
        page.contains("<strong>1 change ahead</strong> of the source."),
        "{page}"
    );
    assert!(page.contains("Create pull request"), "{page}");
}
