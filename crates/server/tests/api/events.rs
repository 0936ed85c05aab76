//! Live events (R-UPD-5): server-sent events on `GET /api/events`.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Client, TestApp, assert_error};

/// Reads the event stream until an event named `kind` arrives (or times out).
pub(crate) async fn wait_for(
    c: &Client,
    last_event_id: Option<&str>,
    trigger: impl std::future::Future<Output = ()>,
    kind: &str,
) -> Option<(String, String)> {
    let mut rb = c.request(reqwest::Method::GET, "/api/events");
    if let Some(id) = last_event_id {
        rb = rb.header("last-event-id", id);
    }
    let res = rb.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = res.bytes_stream();
    trigger.await;
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        for block in buf.split("\n\n") {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_string())
            };
            if field("event:").as_deref() == Some(kind) {
                return Some((field("id:").unwrap_or_default(), field("data:").unwrap_or_default()));
            }
        }
    }
    None
}

/// Opens the event stream, runs `trigger`, and collects the names of the
/// events that arrive until one named `until` does (or 5 s pass).
async fn events_until(c: &Client, trigger: impl std::future::Future<Output = ()>, until: &str) -> Vec<String> {
    let res = c.request(reqwest::Method::GET, "/api/events").send().await.unwrap();
    let mut stream = res.bytes_stream();
    trigger.await;
    let (mut buf, mut names) = (String::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            if let Some(name) = block.lines().find_map(|l| l.strip_prefix("event:")) {
                names.push(name.trim().to_string());
            }
        }
        if names.iter().any(|n| n == until) {
            break;
        }
    }
    names
}

/// Invites a partner; answers the invitation token, or `None` when the
/// invitee was added at once (their team is a partner already).
async fn invite(by: &Client, pw: &str, email: &str, role: &str) -> Option<String> {
    let body = json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": pw, "roleId": role, "target": { "emails": [email] } });
    let (status, inv) = by.post("/api/invitations", body).await;
    assert_eq!(status, StatusCode::OK, "{inv}");
    let result = &inv["results"][0];
    assert!(
        ["EMAIL_SENT", "PARTNER_ADDED"].contains(&result["status"].as_str().unwrap_or_default()),
        "{inv}"
    );
    result["invitationLink"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .map(str::to_string)
}

async fn accept(who: &Client, token: &str, team: &str) {
    let (status, body) = who
        .post(&format!("/api/invitations/{token}"), json!({ "teamId": team }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn r_multi_3_no_partner_receives_events_of_another_partner_team(app: TestApp) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let gina = app.user("gina@globex.example", "Gina").await;
    let gary = app.user("gary@globex.example", "Gary").await;
    let ivan = app.user("ivan@initech.example", "Ivan").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
        .await;
    let globex = app.team(&gina, "Globex").await;
    let initech = app.team(&ivan, "Initech").await;
    let (status, _) = gina
        .post(
            &format!("/api/teams/{globex}/members"),
            json!({ "email": "gary@globex.example", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Changelog", "type": "partner", "teamId": acme } }),
        )
        .await;
    let pw = ws["workspace"]["id"].as_str().unwrap().to_string();
    let rb = alice
        .request(reqwest::Method::PUT, &format!("/api/workspaces/{pw}"))
        .json(&json!({ "workspace": { "multiPartner": true } }));
    assert_eq!(alice.send(rb).await.0, StatusCode::OK);
    accept(
        &gina,
        &invite(&alice, &pw, "gina@globex.example", "6").await.unwrap(),
        &globex,
    )
    .await;
    accept(
        &ivan,
        &invite(&alice, &pw, "ivan@initech.example", "4").await.unwrap(),
        &initech,
    )
    .await;
    // Gina, Globex's Lead, brings in her teammate while Ivan of Initech
    // listens; then Acme posts an update every partner gets.
    let story = async {
        if let Some(token) = invite(&gina, &pw, "gary@globex.example", "4").await {
            accept(&gary, &token, &globex).await;
        }
        let (status, _) = alice
            .post(
                &format!("/api/workspaces/{pw}/updates"),
                json!({ "topic": "For all partners", "category": "announcement" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    };
    let ivan_heard = events_until(&ivan, story, "update_posted").await;
    assert_eq!(ivan_heard, ["update_posted"], "Ivan heard only the broadcast");
    // Globex's side of the story did produce events, for Globex.
    let mut globex_kinds = Vec::new();
    for c in [&gina, &gary] {
        let (_, notes) = c.get("/api/notifications").await;
        for n in notes["notifications"].as_array().unwrap() {
            globex_kinds.push(n["kind"].as_str().unwrap().to_string());
        }
    }
    assert!(
        globex_kinds
            .iter()
            .any(|k| k == "partner_added" || k == "partner_joined"),
        "{globex_kinds:?}"
    );
}

async fn r_upd_5_a_reader_of_the_event_stream_receives_a_posted_update(app: TestApp) {
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
    let token = crate::helpers::invitation_token(&alice, &pw, "gina@globex.example", "4").await;
    gina.post(&format!("/api/invitations/{token}"), json!({ "teamId": globex }))
        .await;

    let post = async {
        let (status, body) = alice
            .post(
                &format!("/api/workspaces/{pw}/updates"),
                json!({ "topic": "Live!", "category": "announcement" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    };
    let (id, data) = wait_for(&gina, None, post, "update_posted")
        .await
        .expect("no update_posted event within 5 s");
    let event: serde_json::Value = serde_json::from_str(&data).unwrap();
    assert_eq!(event["data"]["workspaceId"], pw.as_str());
    assert!(event["message"].as_str().unwrap().contains("Live!"));
    // Resuming after that event brings the next one only.
    let again = async {
        alice
            .post(
                &format!("/api/workspaces/{pw}/updates"),
                json!({ "topic": "Second", "category": "announcement" }),
            )
            .await;
    };
    let (id2, data2) = wait_for(&gina, Some(&id), again, "update_posted")
        .await
        .expect("no event after resume");
    assert!(id2.parse::<i64>().unwrap() > id.parse::<i64>().unwrap());
    assert!(data2.contains("Second"), "{data2}");
    // The author gets no event for their own update, and anonymous callers get none at all.
    let (_, notes) = alice.get("/api/notifications").await;
    assert!(!notes.to_string().contains("update_posted"), "{notes}");
    assert_error(
        &app.anonymous().get("/api/events").await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
}

async fn r_upd_5_notifications_are_marked_read_and_emailed_when_asked(app: TestApp) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let acme = app.team(&alice, "Acme").await;
    alice
        .post(
            &format!("/api/teams/{acme}/members"),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Internal", "type": "private", "teamId": acme } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    alice
        .patch(
            &format!("/api/workspaces/{ws}/roles"),
            json!({ "roles": [{ "op": "add", "path": "/user", "value": [{ "id": bob.user_id, "role": "1" }] }] }),
        )
        .await;
    assert_error(
        &bob.send(
            bob.request(reqwest::Method::PUT, "/api/me/notification-settings")
                .json(&json!({ "email": ["gossip"] })),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "unknown_notification_kind",
    );
    let (status, settings) = bob
        .send(
            bob.request(reqwest::Method::PUT, "/api/me/notification-settings")
                .json(&json!({ "email": ["update_posted"] })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings["email"], json!(["update_posted"]));
    for topic in ["one", "two"] {
        alice
            .post(
                &format!("/api/workspaces/{ws}/updates"),
                json!({ "topic": topic, "category": "announcement" }),
            )
            .await;
    }
    let (_, list) = bob.get("/api/notifications").await;
    assert_eq!(list["unreadCount"], 2);
    let first = list["notifications"][0]["id"].as_i64().unwrap();
    assert_eq!(
        bob.post(&format!("/api/notifications/{first}/read"), json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, list) = bob.get("/api/notifications").await;
    assert_eq!(list["unreadCount"], 1);
    assert_eq!(
        list["notifications"][1]["read"], true,
        "read ones come after unread ones"
    );
    assert_error(
        &alice.post(&format!("/api/notifications/{first}/read"), json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        bob.post("/api/notifications/read-all", json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(bob.get("/api/notifications").await.1["unreadCount"], 0);
    // Bob asked for email: two messages wait in the outbox for him.
    let store = app.store.clone();
    let outbox = tokio::task::spawn_blocking(move || store.run_blocking(portico_store::Mode::Read, |tx| tx.outbox(10)))
        .await
        .unwrap()
        .unwrap_or_else(|e: portico_store::StoreError| panic!("{e}"));
    assert_eq!(outbox.iter().filter(|m| m.recipient == "bob@acme.example").count(), 2);
    let _ = ops;
}

crate::on_both_backends!(
    r_multi_3_no_partner_receives_events_of_another_partner_team,
    r_upd_5_a_reader_of_the_event_stream_receives_a_posted_update,
    r_upd_5_notifications_are_marked_read_and_emailed_when_asked,
);
