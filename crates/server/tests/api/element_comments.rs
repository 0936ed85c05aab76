//! Comments on collections and their elements: threads, mentions, resolve,
//! edit and delete; off in multi-partner workspaces (R-MULTI-4).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Partnership, TestApp, assert_error};

fn api() -> Value {
    json!({"info": {"name": "Shop"}, "item": [
        {"id": "f1", "name": "Orders", "item": [
            {"id": "r1", "name": "List orders", "request": "https://x/orders", "response": [{"id": "e1", "name": "OK"}]}
        ]}
    ]})
}

async fn setup(app: &TestApp) -> (Partnership, String) {
    let p = app.partnership("4").await;
    let (status, made) = p
        .alice
        .post(&format!("/api/collections?workspace={}", p.pw), api())
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let id = made["collection"]["id"].as_str().unwrap().to_string();
    (p, id)
}

async fn kinds_of(c: &crate::helpers::Client) -> Vec<String> {
    let (_, list) = c.get("/api/notifications").await;
    list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn r_upd_4_threads_on_a_request_with_mentions_replies_and_resolve(app: TestApp) {
    let (p, id) = setup(&app).await;
    let url = format!("/api/collections/{id}/requests/r1/comments");
    let tag = json!({"@gina": {"type": "user", "id": p.gina.user_id}});
    let (status, first) = p
        .alice
        .post(
            &url,
            json!({"body": "@gina does **paging** work for you?", "tags": tag}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let root = first["data"]["id"].as_i64().unwrap();
    assert_eq!(first["data"]["threadId"], root);
    assert!(
        first["data"]["bodyHtml"]
            .as_str()
            .unwrap()
            .contains("<strong>paging</strong>")
    );
    assert!(
        kinds_of(&p.gina).await.contains(&"mention".to_string()),
        "the tagged partner is told"
    );
    // A partner viewer replies in the thread; the thread's author is told.
    let (status, reply) = p
        .gina
        .post(&url, json!({"body": "Yes, with cursors.", "threadId": root}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["data"]["threadId"], root);
    assert!(kinds_of(&p.alice).await.contains(&"reply_to_you".to_string()));
    let reply_id = reply["data"]["id"].as_i64().unwrap();
    assert_error(
        &p.gina.post(&url, json!({"body": "deeper", "threadId": reply_id})).await,
        StatusCode::BAD_REQUEST,
        "invalid_thread",
    );
    // Edit own only; the thread's author resolves it, a viewer may not.
    let (status, edited) = p
        .gina
        .put(
            &format!("{url}/{reply_id}"),
            json!({"body": "Yes, with cursors (see docs)."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_error(
        &p.gina.put(&format!("{url}/{root}"), json!({"body": "hijack"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &p.gina
            .put(&format!("{url}/{root}"), json!({"status": "Resolved"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (status, _) = p
        .alice
        .put(&format!("{url}/{root}"), json!({"status": "Resolved"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = p.gina.get(&url).await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert!(data.iter().all(|c| c["status"] == "Resolved"), "{list}");
    assert_eq!(data[1]["body"], "Yes, with cursors (see docs).");
    // Comments belong to their element.
    let (_, other) = p.alice.get(&format!("/api/collections/{id}/folders/f1/comments")).await;
    assert_eq!(other["data"], json!([]));
    // Deleting the first comment deletes the thread; others' comments stay theirs.
    assert_error(
        &p.gina.delete(&format!("{url}/{root}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(p.alice.delete(&format!("{url}/{root}")).await.0, StatusCode::NO_CONTENT);
    let (_, list) = p.alice.get(&url).await;
    assert_eq!(list["data"], json!([]));
}

async fn r_multi_4_element_comments_are_checked_and_off_in_multi_partner_mode(app: TestApp) {
    let (p, id) = setup(&app).await;
    for path in [
        format!("/api/collections/{id}/comments"),
        format!("/api/collections/{id}/folders/f1/comments"),
        format!("/api/collections/{id}/responses/e1/comments"),
    ] {
        let (status, body) = p.gina.post(&path, json!({"body": "Looks good"})).await;
        assert_eq!(status, StatusCode::CREATED, "{path}: {body}");
    }
    // Elements that are not there, or not of that kind, are not found.
    assert_error(
        &p.gina
            .post(
                &format!("/api/collections/{id}/requests/f1/comments"),
                json!({"body": "x"}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &p.gina
            .post(
                &format!("/api/collections/{id}/requests/zz/comments"),
                json!({"body": "x"}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &p.gina
            .post(&format!("/api/collections/{id}/comments"), json!({"body": "  "}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_comment",
    );
    let eve = app.user("eve@else.example", "Eve").await;
    assert_error(
        &eve.get(&format!("/api/collections/{id}/comments")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let rb = p
        .alice
        .request(reqwest::Method::PUT, &format!("/api/workspaces/{}", p.pw))
        .json(&json!({ "workspace": { "multiPartner": true } }));
    assert_eq!(p.alice.send(rb).await.0, StatusCode::OK);
    for c in [&p.alice, &p.gina] {
        assert_error(
            &c.post(&format!("/api/collections/{id}/comments"), json!({"body": "x"}))
                .await,
            StatusCode::CONFLICT,
            "comments_disabled_multi_partner",
        );
        assert_error(
            &c.get(&format!("/api/collections/{id}/comments")).await,
            StatusCode::CONFLICT,
            "comments_disabled_multi_partner",
        );
    }
}

async fn r_upd_4_mentions_in_update_comments_notify_only_people_who_see_the_workspace(app: TestApp) {
    let (p, _) = setup(&app).await;
    let eve = app.user("eve@else.example", "Eve").await;
    let (_, update) = p
        .alice
        .post(
            &format!("/api/workspaces/{}/updates", p.pw),
            json!({"topic": "v2", "category": "announcement"}),
        )
        .await;
    let update = update["id"].as_i64().unwrap();
    let tags = json!({"@alice": {"type": "user", "id": p.alice.user_id}, "@eve": {"type": "user", "id": eve.user_id}});
    let (status, body) = p
        .gina
        .post(
            &format!("/api/workspaces/{}/updates/{update}/comments", p.pw),
            json!({"body": "@alice @eve thoughts?", "tags": tags}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(kinds_of(&p.alice).await.contains(&"mention".to_string()));
    assert!(
        kinds_of(&eve).await.is_empty(),
        "a mention reveals nothing to outsiders"
    );
    let bad = p
        .gina
        .post(
            &format!("/api/workspaces/{}/updates/{update}/comments", p.pw),
            json!({"body": "x", "tags": {"@x": {"type": "team", "id": p.acme}}}),
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_tag");
}

crate::on_both_backends!(
    r_upd_4_mentions_in_update_comments_notify_only_people_who_see_the_workspace,
    r_upd_4_threads_on_a_request_with_mentions_replies_and_resolve,
    r_multi_4_element_comments_are_checked_and_off_in_multi_partner_mode,
);
