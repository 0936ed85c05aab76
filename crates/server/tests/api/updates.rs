//! Workspace updates and unread badges (R-UPD-1, R-UPD-3).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp, assert_error};

struct Setup {
    alice: Client,
    gina: Client,
    pw: String,
}

/// Acme (professional) with a PW; Gina of Globex is partner editor there.
async fn setup(app: &TestApp, role: &str) -> Setup {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let gina = app.user("gina@globex.example", "Gina").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
        .await;
    let globex = app.team(&gina, "Globex").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme } }),
        )
        .await;
    let pw = ws["workspace"]["id"].as_str().unwrap().to_string();
    let (_, inv) = alice
        .post("/api/invitations", json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": pw, "roleId": role, "target": { "emails": ["gina@globex.example"] } }))
        .await;
    let token = inv["results"][0]["invitationLink"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (status, body) = gina
        .post(&format!("/api/invitations/{token}"), json!({ "teamId": globex }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Setup { alice, gina, pw }
}

async fn post(c: &Client, pw: &str, topic: &str) -> (StatusCode, Value) {
    c.post(
        &format!("/api/workspaces/{pw}/updates"),
        json!({ "topic": topic, "description": "**Bold** news", "category": "new_feature" }),
    )
    .await
}

async fn badge(c: &Client, pw: &str) -> (u64, u64, u64) {
    let (_, ws) = c.get(&format!("/api/workspaces/{pw}")).await;
    let (_, list) = c.get("/api/workspaces").await;
    let (_, me) = c.get("/api/me").await;
    (
        ws["workspace"]["unreadUpdates"].as_u64().unwrap(),
        list["workspaces"][0]["unreadUpdates"].as_u64().unwrap(),
        me["user"]["unreadUpdates"].as_u64().unwrap(),
    )
}

async fn r_upd_3_badges_count_updates_by_others_since_the_last_visit(app: TestApp) {
    let s = setup(&app, "5").await;
    assert_eq!(badge(&s.gina, &s.pw).await, (0, 0, 0));
    for topic in ["v1.1 released", "v1.2 released"] {
        let (status, body) = post(&s.alice, &s.pw, topic).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(badge(&s.gina, &s.pw).await, (2, 2, 2));
    assert_eq!(
        badge(&s.alice, &s.pw).await,
        (0, 0, 0),
        "your own updates are not unread"
    );
    // Opening the tab clears the badge; later updates count again.
    assert_eq!(
        s.gina
            .post(&format!("/api/workspaces/{}/updates/seen", s.pw), json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(badge(&s.gina, &s.pw).await, (0, 0, 0));
    let (_, third) = post(&s.alice, &s.pw, "v1.3 released").await;
    assert_eq!(badge(&s.gina, &s.pw).await, (1, 1, 1));
    // Gina's own update does not count for her, but does for Alice.
    post(&s.gina, &s.pw, "Question about v1.3").await;
    assert_eq!(badge(&s.gina, &s.pw).await, (1, 1, 1));
    assert_eq!(badge(&s.alice, &s.pw).await, (1, 1, 1));
    // A deleted update stops counting.
    let id = third["id"].as_i64().unwrap();
    assert_eq!(
        s.alice
            .delete(&format!("/api/workspaces/{}/updates/{id}", s.pw))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(badge(&s.gina, &s.pw).await, (0, 0, 0));
    // Alice's own deleted update is counted neither as hers nor as unread.
    assert_eq!(badge(&s.alice, &s.pw).await, (1, 1, 1));
    // Deleting an update Gina had already seen changes nothing for her.
    let (_, fourth) = post(&s.alice, &s.pw, "v1.4 released").await;
    s.gina
        .post(&format!("/api/workspaces/{}/updates/seen", s.pw), json!({}))
        .await;
    let id = fourth["id"].as_i64().unwrap();
    s.alice.delete(&format!("/api/workspaces/{}/updates/{id}", s.pw)).await;
    assert_eq!(badge(&s.gina, &s.pw).await, (0, 0, 0));
    post(&s.alice, &s.pw, "v1.5 released").await;
    assert_eq!(badge(&s.gina, &s.pw).await, (1, 1, 1));
    let (_, notes) = s.gina.get("/api/notifications").await;
    assert_eq!(notes["notifications"][0]["kind"], "update_posted");
}

async fn r_upd_1_updates_list_pinned_first_and_keep_their_fields(app: TestApp) {
    let s = setup(&app, "5").await;
    let (_, a) = post(&s.alice, &s.pw, "first").await;
    post(&s.alice, &s.pw, "second").await;
    post(&s.alice, &s.pw, "third").await;
    let id = a["id"].as_i64().unwrap();
    let (status, pinned) = s
        .alice
        .patch(
            &format!("/api/workspaces/{}/updates/{id}", s.pw),
            json!({ "isPinned": true, "category": "breaking_change" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pinned}");
    assert_eq!(pinned["isPinned"], true);
    assert_eq!(pinned["topic"], "first");
    let (_, list) = s.gina.get(&format!("/api/workspaces/{}/updates", s.pw)).await;
    let topics: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["first", "third", "second"]);
    assert_eq!(list["data"][0]["createdBy"]["name"], "Alice");
    assert_eq!(list["data"][0]["description"], "**Bold** news");
    let (_, page) = s.gina.get(&format!("/api/workspaces/{}/updates?limit=2", s.pw)).await;
    let cursor = page["meta"]["nextCursor"].as_str().unwrap();
    let (_, rest) = s
        .gina
        .get(&format!("/api/workspaces/{}/updates?limit=2&cursor={cursor}", s.pw))
        .await;
    assert_eq!(rest["data"][0]["topic"], "second");
    assert!(rest["meta"].get("nextCursor").is_none());
    let (_, breaking) = s
        .gina
        .get(&format!("/api/workspaces/{}/updates?category=breaking_change", s.pw))
        .await;
    assert_eq!(breaking["data"].as_array().unwrap().len(), 1);
    let (status, one) = s.gina.get(&format!("/api/workspaces/{}/updates/{id}", s.pw)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["category"], "breaking_change");
}

async fn r_upd_1_who_may_post_and_what_is_refused(app: TestApp) {
    let s = setup(&app, "4").await;
    assert_error(
        &post(&s.gina, &s.pw, "viewer post").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let path = format!("/api/workspaces/{}/updates", s.pw);
    let bad = [
        (
            json!({ "topic": "x".repeat(201), "category": "bug_fix" }),
            "invalid_topic",
        ),
        (json!({ "topic": "ok", "category": "gossip" }), "invalid_category"),
        (
            json!({ "topic": "ok", "category": "bug_fix", "description": "d".repeat(10_001) }),
            "description_too_long",
        ),
        (
            json!({ "topic": "ok", "category": "bug_fix", "relatedResources": [{ "resource": "collection", "resourceId": "elsewhere" }] }),
            "resource_not_in_workspace",
        ),
        (
            json!({ "topic": "ok", "category": "bug_fix", "relatedResources": [{ "resource": "monitor", "resourceId": "x" }] }),
            "invalid_resource",
        ),
        (json!({ "topic": "ok" }), "invalid_category"),
    ];
    for (body, code) in bad {
        assert_error(&s.alice.post(&path, body).await, StatusCode::BAD_REQUEST, code);
    }
    let (_, list) = s.alice.get(&path).await;
    assert_eq!(list["data"], json!([]), "a refused update was written");
    assert_error(
        &s.gina.get(&format!("{path}/999")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &s.gina.get(&format!("{path}/abc")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn r_upd_1_partner_editors_post_only_outside_multi_partner_mode(app: TestApp) {
    let s = setup(&app, "5").await;
    assert_eq!(post(&s.gina, &s.pw, "partner news").await.0, StatusCode::OK);
    let rb = s
        .alice
        .request(reqwest::Method::PUT, &format!("/api/workspaces/{}", s.pw))
        .json(&json!({ "workspace": { "multiPartner": true } }));
    assert_eq!(s.alice.send(rb).await.0, StatusCode::OK);
    assert_error(
        &post(&s.gina, &s.pw, "partner news").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(post(&s.alice, &s.pw, "broadcast").await.0, StatusCode::OK);
}

async fn r_upd_4_members_comment_and_reply_one_level(app: TestApp) {
    let s = setup(&app, "4").await;
    let (_, u) = post(&s.alice, &s.pw, "v2").await;
    let path = format!("/api/workspaces/{}/updates/{}/comments", s.pw, u["id"]);
    let (status, c) = s
        .gina
        .post(
            &path,
            json!({ "body": "Does v2 break *refunds*? <img src=x onerror=alert(1)>" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    assert_eq!(c["isPartner"], true);
    let html = c["bodyHtml"].as_str().unwrap();
    assert!(html.contains("<em>refunds</em>") && !html.contains("onerror"), "{html}");
    let (status, reply) = s
        .alice
        .post(&path, json!({ "body": "No, it does not.", "parentId": c["id"] }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_error(
        &s.gina
            .post(&path, json!({ "body": "thanks", "parentId": reply["id"] }))
            .await,
        StatusCode::BAD_REQUEST,
        "replies_are_one_level",
    );
    assert_error(
        &s.gina.post(&path, json!({ "body": "  " })).await,
        StatusCode::BAD_REQUEST,
        "invalid_comment",
    );
    let (_, list) = s.gina.get(&path).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["data"][1]["parentId"], c["id"]);
    // Edit your own, not others'.
    let mine = format!("{path}/{}", c["id"]);
    let (status, edited) = s.gina.patch(&mine, json!({ "body": "Does v2 break refunds?" })).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_error(
        &s.alice.patch(&mine, json!({ "body": "hijacked" })).await,
        StatusCode::FORBIDDEN,
        "not_your_comment",
    );
    assert_error(
        &s.gina.delete(&format!("{path}/{}", reply["id"])).await,
        StatusCode::FORBIDDEN,
        "not_your_comment",
    );
    // Notifications: a comment on your update, a reply to you.
    let (_, a) = s.alice.get("/api/notifications").await;
    assert!(
        a["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "comment_on_your_update"),
        "{a}"
    );
    let (_, g) = s.gina.get("/api/notifications").await;
    assert!(
        g["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "reply_to_you"),
        "{g}"
    );
    // Workspace admins delete anyone's comment; its replies go with it.
    assert_eq!(s.alice.delete(&mine).await.0, StatusCode::NO_CONTENT);
    assert_eq!(s.gina.get(&path).await.1["data"], json!([]));
}

async fn r_multi_4_comments_are_off_in_multi_partner_mode(app: TestApp) {
    let s = setup(&app, "4").await;
    let (_, u) = post(&s.alice, &s.pw, "v2").await;
    let path = format!("/api/workspaces/{}/updates/{}/comments", s.pw, u["id"]);
    let (_, c) = s.gina.post(&path, json!({ "body": "before" })).await;
    let rb = s
        .alice
        .request(reqwest::Method::PUT, &format!("/api/workspaces/{}", s.pw))
        .json(&json!({ "workspace": { "multiPartner": true } }));
    assert_eq!(s.alice.send(rb).await.0, StatusCode::OK);
    assert_error(
        &s.gina.post(&path, json!({ "body": "after" })).await,
        StatusCode::CONFLICT,
        "comments_disabled_multi_partner",
    );
    assert_error(
        &s.alice.post(&path, json!({ "body": "after" })).await,
        StatusCode::CONFLICT,
        "comments_disabled_multi_partner",
    );
    assert_error(
        &s.gina
            .patch(&format!("{path}/{}", c["id"]), json!({ "body": "edit" }))
            .await,
        StatusCode::CONFLICT,
        "comments_disabled_multi_partner",
    );
    let (_, html) = s
        .gina
        .get(&format!("/api/workspaces/{}/updates/{}", s.pw, u["id"]))
        .await;
    assert_eq!(html["descriptionHtml"], "<p><strong>Bold</strong> news</p>\n");
}

crate::on_both_backends!(
    r_upd_4_members_comment_and_reply_one_level,
    r_multi_4_comments_are_off_in_multi_partner_mode,
    r_upd_3_badges_count_updates_by_others_since_the_last_visit,
    r_upd_1_updates_list_pinned_first_and_keep_their_fields,
    r_upd_1_who_may_post_and_what_is_refused,
    r_upd_1_partner_editors_post_only_outside_multi_partner_mode,
);
