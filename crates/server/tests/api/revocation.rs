//! Revocation takes effect on the next request (issue "Security and
//! reliability", Authorization item 4; R-ISO-4, R-INV-4): once removing a
//! partner or lowering their role has answered 2xx, their next request is
//! refused, on this process and on another one of the same database, and
//! nothing posted afterwards reaches them, over the event stream included.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Client, TestApp};

/// An open event stream of `c`, read into text as it comes.
struct Stream {
    inner: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>,
    text: String,
}

impl Stream {
    async fn open(c: &Client) -> Self {
        let res = c.request(reqwest::Method::GET, "/api/events").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        Self {
            inner: Box::pin(res.bytes_stream()),
            text: String::new(),
        }
    }

    /// Reads for up to `wait`; answers whether `needle` arrived.
    async fn sees(&mut self, needle: &str, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while !self.text.contains(needle) {
            match tokio::time::timeout_at(deadline, self.inner.next()).await {
                Ok(Some(Ok(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return false,
            }
        }
        true
    }
}

async fn post_update(alice: &Client, ws: &str, topic: &str) {
    let (status, body) = alice
        .post(
            &format!("/api/workspaces/{ws}/updates"),
            json!({ "topic": topic, "category": "announcement" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn r_inv_4_a_removed_partner_is_refused_at_once_everywhere_and_hears_nothing_more(app: TestApp) {
    let p = app.partnership("4").await;
    let doc = json!({ "info": { "name": "Shop" }, "item": [{ "id": "r1", "name": "R", "request": "https://x" }] });
    let (_, made) = p.alice.post(&format!("/api/collections?workspace={}", p.pw), doc).await;
    let coll = made["collection"]["id"].as_str().unwrap().to_string();
    let other = app.beside().await;
    // Gina's clients: on this process and, on PostgreSQL, on another one.
    let mut ginas = vec![p.gina.client_like_self()];
    if let Some(o) = &other {
        ginas.push(o.client_like(&p.gina));
    }
    let mut streams = Vec::new();
    for g in &ginas {
        streams.push(Stream::open(g).await);
    }
    // Before: the update reaches every stream (the streams work).
    post_update(&p.alice, &p.pw, "Before removal").await;
    for s in &mut streams {
        assert!(s.sees("Before removal", Duration::from_secs(5)).await, "{}", s.text);
    }
    let (status, body) = p
        .alice
        .post(
            "/api/invitations",
            json!({ "action": "remove_partner", "targetEntity": "workspace", "targetEntityId": p.pw, "target": { "userIds": [p.gina.user_id] } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The very next request, on any process, is refused as if nothing
    // were there.
    for g in &ginas {
        for path in [format!("/api/workspaces/{}", p.pw), format!("/api/collections/{coll}")] {
            let (status, body) = g.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path} on {}: {body}", g.base);
        }
        let (_, list) = g.get("/api/workspaces").await;
        assert!(!list.to_string().contains(p.pw.as_str()), "{list}");
    }
    // Nothing posted afterwards reaches her.
    post_update(&p.alice, &p.pw, "After removal").await;
    for s in &mut streams {
        assert!(!s.sees("After removal", Duration::from_secs(2)).await, "{}", s.text);
    }
    let (_, notes) = p.gina.get("/api/notifications").await;
    assert!(!notes.to_string().contains("After removal"), "{notes}");
    if let Some(o) = other {
        assert!(o.stop(Duration::from_secs(10)).await);
    }
}

async fn r_role_3_a_partner_lowered_to_viewer_cannot_write_on_the_next_request(app: TestApp) {
    let p = app.partnership("5").await;
    let doc = json!({ "info": { "name": "Shop" }, "item": [{ "id": "r1", "name": "R", "request": "https://x" }] });
    let (_, made) = p.alice.post(&format!("/api/collections?workspace={}", p.pw), doc).await;
    let coll = made["collection"]["id"].as_str().unwrap().to_string();
    let other = app.beside().await;
    let mut ginas = vec![p.gina.client_like_self()];
    if let Some(o) = &other {
        ginas.push(o.client_like(&p.gina));
    }
    let edit = format!("/api/collections/{coll}/requests/r1");
    for (i, g) in ginas.iter().enumerate() {
        let (status, body) = g.put(&edit, json!({ "name": format!("Editor {i}") })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = p
        .alice
        .patch(
            &format!("/api/workspaces/{}/roles", p.pw),
            json!({ "roles": [{ "op": "add", "path": "/partner", "value": [{ "id": p.gina.user_id, "role": "4" }] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for g in &ginas {
        let (status, body) = g.put(&edit, json!({ "name": "Still an editor?" })).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "on {}: {body}", g.base);
        // She still sees it: a viewer.
        assert_eq!(g.get(&edit).await.0, StatusCode::OK);
    }
    let (_, r) = p.alice.get(&edit).await;
    assert!(!r.to_string().contains("Still an editor?"), "{r}");
    if let Some(o) = other {
        assert!(o.stop(Duration::from_secs(10)).await);
    }
}

crate::on_both_backends!(
    r_inv_4_a_removed_partner_is_refused_at_once_everywhere_and_hears_nothing_more,
    r_role_3_a_partner_lowered_to_viewer_cannot_write_on_the_next_request,
);
