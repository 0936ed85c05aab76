//! Several Portico processes on one PostgreSQL behind nginx (R-OPS-1), as
//! docs/deployment.md sets them up: a session made on one works on the
//! other, an update posted through one reaches a reader on the other, a
//! reader whose process is killed reconnects through nginx and misses
//! nothing, and the shared outbox sends each email once.
//!
//! Needs PostgreSQL at 127.0.0.1:5432 and Debian's nginx; skipped without
//! them, except under `CI=true`, where their absence fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::{Running, pg_url, psql, psql_in};

/// nginx, stopped when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn available() -> bool {
    let nginx = std::path::Path::new("/usr/sbin/nginx").exists();
    if !nginx {
        assert!(!ci(), "nginx is required under CI=true");
        eprintln!("skipped: nginx missing");
        return false;
    }
    support::postgres_available()
}

/// Starts `portico serve` on `database`; answers the process and its address.
fn serve(database: &str, extra: &[&str]) -> (Running, String) {
    let running = support::start(&[&["--database", database], extra].concat());
    let addr = running.addr.clone();
    (running, addr)
}

/// nginx on a free loopback port in front of `upstreams`, configured as
/// docs/deployment.md shows for event streams.
#[allow(clippy::zombie_processes)]
fn nginx(dir: &std::path::Path, upstreams: &[&str]) -> (Nginx, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let servers: String = upstreams
        .iter()
        .map(|u| format!("server {u} max_fails=1 fail_timeout=30s;\n"))
        .collect();
    let d = dir.display();
    let conf = format!(
        "user root;\nworker_processes 1;\nerror_log {d}/error.log;\npid {d}/nginx.pid;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
         upstream portico {{ {servers} keepalive 8; }}\n\
         server {{ listen 127.0.0.1:{port};\n\
          proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_set_header Host $host;\n\
          proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
          location / {{ proxy_pass http://portico; }}\n\
          location = /api/events {{ proxy_pass http://portico; proxy_buffering off; proxy_cache off;\n\
           proxy_read_timeout 1h; }}\n }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new("/usr/sbin/nginx")
        .args([
            "-p",
            &d.to_string(),
            "-c",
            &format!("{d}/nginx.conf"),
            "-g",
            "daemon off;",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nginx");
    let addr = format!("127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            return (Nginx(child), addr);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "nginx did not start: {}",
        std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
    );
}

async fn login(addr: &str, email: &str) -> (reqwest::Client, String) {
    let (c, csrf, status) = support::login(&format!("http://{addr}"), email, "portico-demo").await;
    assert_eq!(status, 200, "login of {email}");
    (c, csrf)
}

async fn post_update(c: &reqwest::Client, csrf: &str, addr: &str, ws: &str, topic: &str) {
    let res = c
        .post(format!("http://{addr}/api/workspaces/{ws}/updates"))
        .header("x-csrf-token", csrf)
        .json(&json!({ "topic": topic, "category": "announcement" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "posting {topic} through {addr}");
}

/// An open event stream and what it has received.
struct Reader {
    stream: reqwest::Response,
    text: String,
}

async fn open_stream(c: &reqwest::Client, addr: &str, last_event_id: Option<&str>) -> Reader {
    let mut req = c.get(format!("http://{addr}/api/events"));
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    Reader {
        stream: res,
        text: String::new(),
    }
}

impl Reader {
    /// Reads until `topic` has arrived; `false` if the stream ended or 10 s
    /// passed first.
    async fn until(&mut self, topic: &str) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !self.text.contains(topic) {
            match tokio::time::timeout_at(deadline, self.stream.chunk()).await {
                Ok(Ok(Some(chunk))) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return false,
            }
        }
        true
    }

    /// The id of the newest event received.
    fn last_id(&self) -> String {
        self.text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("id:"))
            .expect("an event id")
            .trim()
            .to_string()
    }
}

async fn open_streams(addr: &str) -> i64 {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("portico_event_streams "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_ops_1_two_processes_behind_nginx_share_sessions_events_and_the_outbox() {
    if !available() {
        return;
    }
    let db = "portico_scale_out";
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {db}"));
    let url = pg_url(db);
    let (first, a) = serve(&url, &["--demo"]);
    let (second, b) = serve(&url, &[]);
    let mut first = Some(first);
    let dir = tempfile::tempdir().unwrap();
    let (_nginx, proxy) = nginx(dir.path(), &[&a, &b]);

    // A session made on one process works on the other.
    let (alice, alice_csrf) = login(&a, "alice@acme.example").await;
    let me = alice.get(format!("http://{b}/api/me")).send().await.unwrap();
    assert_eq!(me.status(), 200, "a session of process A on process B");
    let (gina, _) = login(&proxy, "gina@globex.example").await;
    let list: Value = gina
        .get(format!("http://{proxy}/api/workspaces"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pw = list["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Payments API for Globex")
        .expect("the demo's Partner Workspace")["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Live events cross processes: a reader on B, updates posted through A.
    let mut on_b = open_stream(&gina, &b, None).await;
    post_update(&alice, &alice_csrf, &a, &pw, "Posted through A").await;
    assert!(on_b.until("Posted through A").await, "{:?}", on_b.text);
    drop(on_b);

    // A reader through nginx; the process holding its stream is killed.
    let mut reader = open_stream(&gina, &proxy, None).await;
    post_update(&alice, &alice_csrf, &b, &pw, "Before the kill").await;
    assert!(reader.until("Before the kill").await, "{:?}", reader.text);
    let holder_is_a = open_streams(&a).await == 1;
    let survivor = if holder_is_a {
        drop(first.take());
        b.clone()
    } else {
        drop(second);
        a.clone()
    };
    // Posted while the reader has no stream: it must not be lost.
    post_update(&alice, &alice_csrf, &survivor, &pw, "While reconnecting").await;
    assert!(
        !reader.until("While reconnecting").await,
        "the stream outlived its process"
    );
    let mut again = open_stream(&gina, &proxy, Some(&reader.last_id())).await;
    assert!(again.until("While reconnecting").await, "{:?}", again.text);
    post_update(&alice, &alice_csrf, &survivor, &pw, "After reconnecting").await;
    assert!(again.until("After reconnecting").await, "{:?}", again.text);
    assert!(
        !again.text.contains("Before the kill"),
        "resumed events came twice: {:?}",
        again.text
    );
    drop(again);

    // The outbox: many emails at once, both processes passing over it (one
    // may be dead by now; the survivor and, before the kill, both).
    let emails: Vec<String> = (0..30).map(|i| format!("p{i}@partners.example")).collect();
    let res = alice
        .post(format!("http://{survivor}/api/invitations"))
        .header("x-csrf-token", &alice_csrf)
        .json(
            &json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": pw,
            "roleId": "4", "target": { "emails": emails } }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut settled = false;
    for _ in 0..100 {
        if psql_in(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") == "0" {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(settled, "emails still waiting");
    assert_eq!(
        psql_in(db, "SELECT COUNT(*) FROM outbox WHERE attempts <> 1"),
        "0",
        "an email was sent more than once"
    );
    drop(first);
    drop(_nginx);
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
}

/// Processes started at the same moment on an empty database: one applies
/// the migrations while the other waits for it (an advisory lock); both
/// then serve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_ops_1_processes_starting_together_on_an_empty_database_migrate_it_once() {
    if !available() {
        return;
    }
    let db = "portico_scale_start";
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {db}"));
    let url = pg_url(db);
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || serve(&url, &[]))
        })
        .collect();
    let running: Vec<(Running, String)> = starts
        .into_iter()
        .map(|t| t.join().expect("a process failed to start"))
        .collect();
    for (_, addr) in &running {
        let res = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
        assert_eq!(res.status(), 200, "{addr}");
    }
    let applied = psql_in(db, "SELECT COUNT(*) FROM portico_migrations");
    let distinct = psql_in(db, "SELECT COUNT(DISTINCT version) FROM portico_migrations");
    assert_eq!(applied, distinct);
    assert!(applied.parse::<u32>().unwrap() >= 19, "{applied}");
    drop(running);
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
}
