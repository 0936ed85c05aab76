//! The Updates tab beyond posting: editing and deleting updates and
//! comments, the markdown preview, and the notifications panel.

use reqwest::StatusCode;
use serde_json::json;

use crate::Browser;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    r_upd_1_an_admin_edits_pins_and_deletes_an_update_from_the_tab,
    r_upd_1_a_partner_viewer_gets_no_edit_form_and_a_forged_edit_changes_nothing,
    r_upd_4_authors_edit_and_delete_their_comments_and_workspace_admins_delete_any,
    r_upd_4_the_markdown_preview_goes_through_the_sanitiser,
    r_upd_5_the_notifications_panel_shows_the_newest_with_the_unread_count,
);

/// Alice posts an update in the partnership's workspace; answers its id.
async fn post(p: &crate::helpers::Partnership, topic: &str) -> i64 {
    let (status, body) = p
        .alice
        .post(
            &format!("/api/workspaces/{}/updates", p.pw),
            json!({ "topic": topic, "description": "First *draft*.", "category": "announcement" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_i64().unwrap()
}

async fn r_upd_1_an_admin_edits_pins_and_deletes_an_update_from_the_tab(app: TestApp) {
    let p = app.partnership("4").await;
    let id = post(&p, "Orders v2").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let tab = format!("/workspaces/{}/updates", p.pw);
    let (_, _, page) = b.get(&tab).await;
    // The edit form comes prefilled with the update as it is.
    assert!(
        page.contains(&format!("action=\"/workspaces/{}/updates/{id}/edit\"", p.pw)),
        "{page}"
    );
    assert!(page.contains(&format!(
        "id=\"edit-{id}-topic\" name=\"topic\" required maxlength=\"200\" value=\"Orders v2\""
    )));
    assert!(page.contains("First *draft*.</textarea>"), "{page}");
    assert!(page.contains("<option value=\"announcement\" selected>"), "{page}");

    let csrf = b.csrf(&tab).await;
    let (status, location, body) = b
        .post_form(
            &format!("/workspaces/{}/updates/{id}/edit", p.pw),
            &[
                ("csrf", &csrf),
                ("topic", "Orders v2 is live"),
                ("description", "Now **final**."),
                ("category", "new_feature"),
                ("pinned", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("/workspaces/{}/updates#update-{id}", p.pw));
    let (_, got) = p.alice.get(&format!("/api/workspaces/{}/updates/{id}", p.pw)).await;
    assert_eq!(got["topic"], "Orders v2 is live", "{got}");
    assert_eq!(got["isPinned"], true, "{got}");
    assert_eq!(got["category"], "new_feature", "{got}");
    let (_, _, page) = b.get(&tab).await;
    assert!(page.contains("Now <strong>final</strong>."), "{page}");
    assert!(page.contains("· edited"), "{page}");
    assert!(page.contains("Pinned</span>"), "{page}");

    let (status, location, _) = b
        .post_form(&format!("/workspaces/{}/updates/{id}/delete", p.pw), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, tab);
    let (status, _) = p.alice.get(&format!("/api/workspaces/{}/updates/{id}", p.pw)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, page) = b.get(&tab).await;
    assert!(!page.contains("Orders v2"), "{page}");
}

async fn r_upd_1_a_partner_viewer_gets_no_edit_form_and_a_forged_edit_changes_nothing(app: TestApp) {
    let p = app.partnership("4").await;
    let id = post(&p, "Orders v2").await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let tab = format!("/workspaces/{}/updates", p.pw);
    let (_, _, page) = b.get(&tab).await;
    assert!(page.contains("Orders v2"), "{page}");
    assert!(!page.contains("/edit\""), "a partner viewer sees no edit form: {page}");
    assert!(!page.contains(&format!("/updates/{id}/delete")), "{page}");

    let csrf = b.csrf(&tab).await;
    let (status, _, body) = b
        .post_form(
            &format!("/workspaces/{}/updates/{id}/edit", p.pw),
            &[("csrf", &csrf), ("topic", "Hijacked"), ("category", "announcement")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, _) = b
        .post_form(&format!("/workspaces/{}/updates/{id}/delete", p.pw), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, got) = p.alice.get(&format!("/api/workspaces/{}/updates/{id}", p.pw)).await;
    assert_eq!(got["topic"], "Orders v2", "{got}");
}

async fn r_upd_4_authors_edit_and_delete_their_comments_and_workspace_admins_delete_any(app: TestApp) {
    let p = app.partnership("4").await;
    let id = post(&p, "Orders v2").await;
    let comments = format!("/api/workspaces/{}/updates/{id}/comments", p.pw);
    let (status, c) = p
        .gina
        .post(&comments, json!({ "body": "Is *pagination* changing?" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let gina_comment = c["id"].as_i64().unwrap();
    let (_, c) = p.alice.post(&comments, json!({ "body": "Thanks for asking." })).await;
    let alice_comment = c["id"].as_i64().unwrap();
    let tab = format!("/workspaces/{}/updates", p.pw);
    let edit = |c: i64| format!("/workspaces/{}/updates/{id}/comments/{c}/edit", p.pw);
    let delete = |c: i64| format!("/workspaces/{}/updates/{id}/comments/{c}/delete", p.pw);

    // Gina may edit and delete her own comment, not Alice's.
    let gina = Browser::new(&app.base);
    gina.sign_in("gina@globex.example").await;
    let (_, _, page) = gina.get(&tab).await;
    assert!(page.contains(&edit(gina_comment)), "{page}");
    assert!(page.contains(&delete(gina_comment)), "{page}");
    assert!(!page.contains(&edit(alice_comment)), "{page}");
    assert!(!page.contains(&delete(alice_comment)), "{page}");
    let csrf = gina.csrf(&tab).await;
    let (status, location, body) = gina
        .post_form(
            &edit(gina_comment),
            &[("csrf", &csrf), ("body", "Is **paging** changing?")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.ends_with(&format!("#comment-{gina_comment}")), "{location}");
    let (_, _, page) = gina.get(&tab).await;
    assert!(page.contains("Is <strong>paging</strong> changing?"), "{page}");
    assert!(page.contains("(edited)"), "{page}");
    let (status, _, _) = gina
        .post_form(&edit(alice_comment), &[("csrf", &csrf), ("body", "Not mine")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = gina.post_form(&delete(alice_comment), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Alice, the workspace admin, deletes Gina's comment but cannot edit it.
    let alice = Browser::new(&app.base);
    alice.sign_in("alice@acme.example").await;
    let (_, _, page) = alice.get(&tab).await;
    assert!(page.contains(&delete(gina_comment)), "{page}");
    assert!(!page.contains(&edit(gina_comment)), "{page}");
    let csrf = alice.csrf(&tab).await;
    let (status, _, _) = alice.post_form(&delete(gina_comment), &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = p.alice.get(&comments).await;
    let bodies: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, vec!["Thanks for asking."], "{list}");
}

async fn r_upd_4_the_markdown_preview_goes_through_the_sanitiser(app: TestApp) {
    app.user("alice@acme.example", "Alice").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let csrf = b.csrf("/account").await;
    let text = "Hello **there** <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))";
    let (status, _, html) = b.post_form("/preview", &[("csrf", &csrf), ("text", text)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<strong>there</strong>"), "{html}");
    let lower = html.to_lowercase();
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!lower.contains(bad), "{bad} survived: {html}");
    }
    // Like every form, the preview needs the session's CSRF token.
    let (status, _, _) = b.post_form("/preview", &[("text", "hi")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let long = "a".repeat(10_001);
    let (status, _, _) = b.post_form("/preview", &[("csrf", &csrf), ("text", &long)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn r_upd_5_the_notifications_panel_shows_the_newest_with_the_unread_count(app: TestApp) {
    let p = app.partnership("4").await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let (status, _, panel) = b.get("/notifications/panel").await;
    assert_eq!(status, StatusCode::OK);
    assert!(panel.contains("0 unread"), "{panel}");
    assert!(panel.contains("You have no notifications."), "{panel}");
    assert!(!panel.contains("Mark all as read"), "{panel}");

    let id = post(&p, "Orders <v2>").await;
    let (_, _, panel) = b.get("/notifications/panel").await;
    assert!(panel.contains("1 unread"), "{panel}");
    assert!(panel.contains("Orders &lt;v2&gt;"), "{panel}");
    assert!(
        panel.contains(&format!("href=\"/workspaces/{}/updates#update-{id}\"", p.pw)),
        "{panel}"
    );
    assert!(panel.contains("Mark all as read"), "{panel}");
    // The bell on every page opens this panel; without script it is a link.
    let (_, _, page) = b.get("/workspaces").await;
    assert!(page.contains("data-panel=\"notif-panel\""), "{page}");
    assert!(page.contains("data-src=\"/notifications/panel\""), "{page}");

    let csrf = b.csrf("/workspaces").await;
    b.post_form("/notifications/read-all", &[("csrf", &csrf)]).await;
    let (_, _, panel) = b.get("/notifications/panel").await;
    assert!(panel.contains("0 unread"), "{panel}");
    assert!(!panel.contains("Mark all as read"), "{panel}");

    // Signed out, the panel is not there.
    let anon = Browser::new(&app.base);
    let (status, _, _) = anon.get("/notifications/panel").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
