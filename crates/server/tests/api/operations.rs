//! Operating a process (R-OPS-1): readiness, metrics, and a shutdown that
//! ends live event streams with a hint to reconnect.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::StatusCode;

use crate::helpers::TestApp;

async fn metrics(app: &TestApp) -> String {
    let res = reqwest::get(format!("{}/metrics", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    res.text().await.unwrap()
}

/// The value of the first series line starting with `series`.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series))
        .and_then(|rest| rest.trim().parse().ok())
}

async fn r_ops_1_readiness_answers_while_the_process_serves(app: TestApp) {
    let res = reqwest::get(format!("{}/readyz", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

async fn r_ops_1_metrics_count_requests_by_route_and_status(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    for _ in 0..3 {
        let (status, _) = alice.get(&format!("/api/teams/{team}")).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = app.anonymous().get("/api/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let text = metrics(&app).await;
    // By route template, never by the address asked for.
    assert_eq!(
        value(
            &text,
            "portico_http_requests_total{route=\"/api/teams/{teamId}\",method=\"GET\",status=\"200\"}"
        ),
        Some(3.0),
        "{text}"
    );
    assert!(!text.contains(&team), "{text}");
    assert_eq!(
        value(
            &text,
            "portico_http_requests_total{route=\"/api/me\",method=\"GET\",status=\"401\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            "portico_http_request_duration_seconds_count{route=\"/api/teams/{teamId}\",method=\"GET\"}"
        ),
        Some(3.0),
        "{text}"
    );
    assert!(value(&text, "portico_outbox_pending").is_some(), "{text}");
    assert!(text.contains("portico_db_connections{backend="), "{text}");
}

async fn r_ops_1_metrics_count_open_event_streams(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let res = alice.request(reqwest::Method::GET, "/api/events").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(value(&metrics(&app).await, "portico_event_streams"), Some(1.0));
    drop(res);
    // The server notices the closed connection at its next write or check.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let open = value(&metrics(&app).await, "portico_event_streams");
        if open == Some(0.0) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still counted: {open:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn r_ops_1_stopping_ends_event_streams_with_a_retry_hint_and_finishes(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let res = alice.request(reqwest::Method::GET, "/api/events").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.bytes_stream();
    // A shutdown with a stream open still finishes: the stream is told to
    // come back in a second (to another process) and closed.
    assert!(app.stop(Duration::from_secs(10)).await, "the server did not stop");
    let mut text = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(text.contains("retry: 1000") || text.contains("retry:1000"), "{text:?}");
    assert!(reqwest::get(format!("{}/healthz", app.base)).await.is_err());
}

/// Two processes on one PostgreSQL database (R-OPS-1): a session made on
/// one works on the other, and updates posted through one reach a reader
/// connected to the other, live.
async fn r_ops_1_updates_posted_through_one_process_reach_a_reader_on_another(app: TestApp) {
    let Some(other) = app.beside().await else {
        return; // SQLite serves one process.
    };
    let p = app.partnership("4").await;
    // Gina signed in on the first process; her session works on the second.
    let gina_there = other.client_like(&p.gina);
    let (status, me) = gina_there.get("/api/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let res = gina_there
        .request(reqwest::Method::GET, "/api/events")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut stream = res.bytes_stream();
    let mut text = String::new();
    // The first may be read as the stream starts; the second can only come
    // from being woken by the other process's commit.
    for topic in ["First across", "Second across"] {
        let (status, body) = p
            .alice
            .post(
                &format!("/api/workspaces/{}/updates", p.pw),
                serde_json::json!({ "topic": topic, "category": "announcement" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !text.contains(topic) {
            match tokio::time::timeout_at(deadline, stream.next()).await {
                Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => panic!("{topic:?} did not reach the other process within 5 s: {text:?}"),
            }
        }
    }
    drop(stream);
    assert!(other.stop(Duration::from_secs(10)).await);
}

crate::on_both_backends!(
    r_ops_1_readiness_answers_while_the_process_serves,
    r_ops_1_metrics_count_requests_by_route_and_status,
    r_ops_1_metrics_count_open_event_streams,
    r_ops_1_stopping_ends_event_streams_with_a_retry_hint_and_finishes,
    r_ops_1_updates_posted_through_one_process_reach_a_reader_on_another,
);
