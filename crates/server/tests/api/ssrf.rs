//! Server-side request forgery (OWASP API7:2023, R-ISO-7): webhooks can
//! name the server's own networks in many spellings, and a public target
//! can redirect; a canary listener on loopback counts every request that
//! reaches it, and must count none.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, Client, TestApp};

/// A listener on 127.0.0.1 that counts requests; answers its port.
async fn canary() -> (u16, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let count = count.clone();
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            "canary"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, hits)
}

/// Alice's internal team workspace (webhooks are refused on Partner
/// Workspaces); answers her client and the workspace id.
async fn workspace(app: &TestApp) -> (Client, String) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Platform", "type": "team", "teamId": team } }),
        )
        .await;
    (alice, ws["workspace"]["id"].as_str().unwrap().to_string())
}

async fn post_update(alice: &Client, ws: &str) {
    let (status, body) = alice
        .post(
            &format!("/api/workspaces/{ws}/updates"),
            json!({ "topic": "Ping", "category": "announcement" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn owasp_api7_loopback_private_and_link_local_targets_are_refused_in_every_spelling(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (port, hits) = canary().await;
    let (alice, ws) = workspace(&app).await;
    let hooks = format!("/api/workspaces/{ws}/integrations");
    let spellings = [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://127.1:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://0x7f000001:{port}/hook"),
        format!("http://0x7f.0.0.1:{port}/hook"),
        format!("http://0177.0.0.1:{port}/hook"),
        format!("http://0.0.0.0:{port}/hook"),
        format!("http://0:{port}/hook"),
        format!("http://localhost:{port}/hook"),
        format!("http://LOCALHOST.:{port}/hook"),
        format!("http://api.localhost:{port}/hook"),
        format!("http://user:pw@127.0.0.1:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        format!("http://[::]:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://[::ffff:7f00:1]:{port}/hook"),
        format!("http://[0:0:0:0:0:0:0:1]:{port}/hook"),
        format!("http://%31%32%37.0.0.1:{port}/hook"),
        "http://169.254.169.254/latest/meta-data".to_string(),
        "http://[fe80::1]/x".to_string(),
        "http://10.1.2.3/x".to_string(),
        "http://172.16.0.1/x".to_string(),
        "http://192.168.1.1/x".to_string(),
        "http://100.64.0.1/x".to_string(),
        "http://[fc00::1]/x".to_string(),
        "http://[fd12:3456::1]/x".to_string(),
        "http://224.0.0.1/x".to_string(),
        "http://255.255.255.255/x".to_string(),
    ];
    for url in &spellings {
        let (status, body) = alice
            .post(&hooks, json!({ "name": "x", "url": url, "events": ["update_posted"] }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url} was accepted: {body}");
        assert!(body["error"]["name"].is_string(), "{body}");
    }
    let (_, list) = alice.get(&hooks).await;
    assert_eq!(list.to_string().matches("\"url\"").count(), 0, "{list}");
    post_update(&alice, &ws).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the canary was reached");
}

/// With internal targets allowed (so that a local receiver can stand in
/// for a public one), a target that redirects is not followed: its
/// redirect to the canary is a failed delivery.
async fn owasp_api7_a_webhook_target_redirecting_elsewhere_is_not_followed(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.app.allow_private_webhook_targets = true).await else {
        return;
    };
    let (port, hits) = canary().await;
    let redirects = Arc::new(AtomicUsize::new(0));
    let seen = redirects.clone();
    let to = format!("http://127.0.0.1:{port}/metadata");
    let redirector = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        let to = to.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            (StatusCode::FOUND, [("location", to)], "")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirector_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, redirector).await });
    let (alice, ws) = workspace(&app).await;
    let (status, body) = alice
        .post(
            &format!("/api/workspaces/{ws}/integrations"),
            json!({ "name": "x", "url": format!("http://{redirector_addr}/hook"), "events": ["update_posted"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    post_update(&alice, &ws).await;
    for _ in 0..200 {
        if redirects.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(redirects.load(Ordering::SeqCst) > 0, "the webhook was never sent");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the redirect was followed to the canary"
    );
}

/// DNS rebinding (OWASP API7, issue 8): a webhook target's name answers a
/// public address when it is checked and the canary's loopback address on
/// every later question. The sender asks once per attempt and connects to
/// the address it checked; the HTTP client's own DNS is the same
/// controlled resolver, so a connection that asked again would reach the
/// canary. A name answering a loopback and a public address together is
/// sent to the public one only.
async fn owasp_api7_dns_rebinding_cannot_reach_the_servers_network(backend: Backend) {
    let (port, hits) = canary().await;
    let questions = Arc::new(AtomicUsize::new(0));
    let asked = questions.clone();
    let resolver = portico_server::outbound::Resolver::new(move |host: String, _port: u16| {
        let n = asked.fetch_add(1, Ordering::SeqCst);
        async move {
            let public: std::net::SocketAddr = format!("192.0.2.10:{port}").parse().unwrap();
            let canary: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
            Ok(match host.as_str() {
                // First answer public, then the canary: a rebinding name.
                "rebind.portico.test" if n == 0 => vec![public],
                "rebind.portico.test" => vec![canary],
                // Both at once, the internal one first.
                "mixed.portico.test" => vec![canary, public],
                _ => Vec::new(),
            })
        }
    });
    let Some(app) = TestApp::spawn_with(backend, move |c| {
        c.webhooks.resolver = resolver;
        // One attempt each: a retry would ask again.
        c.webhooks.first_retry = Duration::from_secs(3600);
    })
    .await
    else {
        return;
    };
    let (alice, ws) = workspace(&app).await;
    // Stored as they would be after the API's own check at creation (which
    // asks the system's resolver, where these names do not exist).
    let workspace_id = portico_domain::ids::WorkspaceId::parse(&ws).unwrap();
    let created_by = portico_domain::ids::UserId::parse(&alice.user_id).unwrap();
    for host in ["rebind.portico.test", "mixed.portico.test"] {
        let hook = portico_store::IntegrationRecord {
            id: format!("hook-{host}"),
            workspace_id,
            name: host.to_string(),
            url: format!("http://{host}:{port}/hook"),
            events: r#"["update_posted"]"#.to_string(),
            secret: "s".repeat(32),
            created_by,
            created_at: 0,
        };
        app.store
            .write(move |tx| tx.insert_integration(&hook))
            .await
            .map_err(|e: portico_store::StoreError| e)
            .unwrap();
    }
    post_update(&alice, &ws).await;
    for _ in 0..200 {
        if questions.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(questions.load(Ordering::SeqCst) >= 2, "the webhooks were never sent");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a rebinding name reached the canary");
    assert_eq!(
        questions.load(Ordering::SeqCst),
        2,
        "one question per attempt: the connection went to the checked address"
    );
}

crate::on_both_backends_with_config!(
    owasp_api7_loopback_private_and_link_local_targets_are_refused_in_every_spelling,
    owasp_api7_a_webhook_target_redirecting_elsewhere_is_not_followed,
    owasp_api7_dns_rebinding_cannot_reach_the_servers_network,
);
