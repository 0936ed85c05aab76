//! Crash safety (R-OPS-2): writers post updates, edit a request, fork a
//! collection and send invitations as fast as they can while the server is
//! killed with `kill -9` at a random moment; it is started again on the
//! same database, and every write it had acknowledged must be there. On
//! SQLite, `PRAGMA integrity_check` and `foreign_key_check` pass after each
//! kill. CI runs 20 cycles per backend; `PORTICO_CRASH_CYCLES=200` is the
//! long mode. The seed is printed; `PORTICO_CRASH_SEED` replays one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};
use support::{Running, pg_url, postgres_available, psql, start};

const PASSWORD: &str = "a long password for the crash test";

/// A small deterministic generator (xorshift64*), so that a seed replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

fn cycles() -> usize {
    std::env::var("PORTICO_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn seed() -> u64 {
    std::env::var("PORTICO_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

/// What the server acknowledged (answered 2xx for) before it died.
#[derive(Default, Clone)]
struct Acked {
    updates: Vec<i64>,
    /// (revision, name) of each applied edit of the request.
    edits: Vec<(i64, String)>,
    forks: Vec<String>,
    invitations: Vec<String>,
}

/// The world the writers work in: the operator's API key, a Partner
/// Workspace with a collection, and an internal workspace to fork into.
struct World {
    key: String,
    pw: String,
    internal: String,
    collection: String,
}

async fn call(http: &Client, base: &str, key: &str, method: reqwest::Method, path: &str, body: Value) -> Option<Value> {
    let res = http
        .request(method, format!("{base}{path}"))
        .header("x-api-key", key)
        .json(&body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = res.status();
    let body: Value = res.json().await.ok()?;
    assert!(!status.is_server_error(), "{path} answered {status}: {body}");
    status.is_success().then_some(body)
}

async fn setup(base: &str) -> World {
    let http = Client::new();
    let key = support::new_account_key(base, "root@acme.example", "Root", PASSWORD).await;
    let post = reqwest::Method::POST;
    let team = call(&http, base, &key, post.clone(), "/api/teams", json!({ "name": "Acme" }))
        .await
        .unwrap();
    let team = team["team"]["id"].as_str().unwrap().to_string();
    call(
        &http,
        base,
        &key,
        reqwest::Method::PATCH,
        &format!("/api/teams/{team}"),
        json!({ "plan": "enterprise" }),
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (name, kind) in [("PW", "partner"), ("Internal", "team")] {
        let ws = call(
            &http,
            base,
            &key,
            post.clone(),
            "/api/workspaces",
            json!({ "workspace": { "name": name, "type": kind, "teamId": team } }),
        )
        .await
        .unwrap();
        ids.push(ws["workspace"]["id"].as_str().unwrap().to_string());
    }
    let doc = json!({ "info": { "name": "Shop" }, "item": [{ "id": "r-list", "name": "List 0", "request": "https://x/orders" }] });
    let made = call(
        &http,
        base,
        &key,
        post,
        &format!("/api/collections?workspace={}", ids[0]),
        doc,
    )
    .await
    .unwrap();
    World {
        key,
        pw: ids[0].clone(),
        internal: ids[1].clone(),
        collection: made["collection"]["id"].as_str().unwrap().to_string(),
    }
}

/// Four writers, one per kind of write, until the server stops answering.
async fn write_until_killed(base: &str, w: &World, acked: Arc<Mutex<Acked>>, cycle: usize) {
    let http = Client::new();
    let post = reqwest::Method::POST;
    let updates = async {
        for n in 0.. {
            let path = format!("/api/workspaces/{}/updates", w.pw);
            let body = json!({ "topic": format!("cycle {cycle} update {n}"), "category": "announcement" });
            match call(&http, base, &w.key, post.clone(), &path, body).await {
                Some(u) => acked.lock().unwrap().updates.push(u["id"].as_i64().unwrap()),
                None => break,
            }
        }
    };
    let edits = async {
        for n in 0.. {
            let name = format!("List c{cycle} n{n}");
            let path = format!("/api/collections/{}/requests/r-list", w.collection);
            match call(
                &http,
                base,
                &w.key,
                reqwest::Method::PUT,
                &path,
                json!({ "name": name }),
            )
            .await
            {
                Some(r) => acked
                    .lock()
                    .unwrap()
                    .edits
                    .push((r["revision"].as_i64().unwrap(), name)),
                None => break,
            }
        }
    };
    let forks = async {
        for n in 0.. {
            let path = format!("/api/collections/fork/{}?workspace={}", w.collection, w.internal);
            match call(
                &http,
                base,
                &w.key,
                post.clone(),
                &path,
                json!({ "label": format!("c{cycle} f{n}") }),
            )
            .await
            {
                Some(f) => acked
                    .lock()
                    .unwrap()
                    .forks
                    .push(f["collection"]["id"].as_str().unwrap().to_string()),
                None => break,
            }
        }
    };
    let invites = async {
        for n in 0.. {
            let email = format!("p{cycle}x{n}@partner.example");
            let body = json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": w.pw, "roleId": "4", "target": { "emails": [email] } });
            match call(&http, base, &w.key, post.clone(), "/api/invitations", body).await {
                Some(r) => {
                    assert_eq!(r["results"][0]["status"], "EMAIL_SENT", "{r}");
                    acked.lock().unwrap().invitations.push(email);
                }
                None => break,
            }
        }
    };
    tokio::join!(updates, edits, forks, invites);
}

/// Every acknowledged write is there after the restart.
async fn check(base: &str, w: &World, acked: &Acked) {
    let http = Client::new();
    let get = |path: String| {
        let http = http.clone();
        let key = w.key.clone();
        async move {
            let res = http
                .get(format!("{base}{path}"))
                .header("x-api-key", key)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "GET {path}");
            res.json::<Value>().await.unwrap()
        }
    };
    for id in &acked.updates {
        get(format!("/api/workspaces/{}/updates/{id}", w.pw)).await;
    }
    if let Some((revision, name)) = acked.edits.iter().max_by_key(|(r, _)| *r) {
        let doc = get(format!("/api/collections/{}", w.collection)).await;
        let head = doc["revision"].as_i64().unwrap();
        assert!(
            head >= *revision,
            "the collection went back from revision {revision} to {head}"
        );
        if head == *revision {
            assert_eq!(doc["collection"]["item"][0]["name"], name.as_str(), "{doc}");
        }
    }
    for id in &acked.forks {
        get(format!("/api/collections/{id}")).await;
    }
    let pending = get(format!("/api/workspaces/{}/invitations", w.pw)).await;
    let text = pending.to_string();
    for email in &acked.invitations {
        assert!(text.contains(email.as_str()), "the invitation of {email} is lost");
    }
}

/// Runs the cycles against a server started by `launch` on one database;
/// `after_kill` checks the database files while no server runs.
async fn crash_cycles(launch: impl Fn() -> Running, after_kill: impl Fn()) -> (usize, usize) {
    let seed = seed();
    eprintln!("crash test seed {seed} (PORTICO_CRASH_SEED={seed} replays it)");
    let mut rng = Rng(seed);
    let server = launch();
    let world = setup(&server.base).await;
    drop(server);
    let acked = Arc::new(Mutex::new(Acked::default()));
    let fresh = Arc::new(Mutex::new(Acked::default()));
    let mut writes = 0;
    let n = cycles();
    for cycle in 0..n {
        let mut server = launch();
        // What the last cycle had acknowledged is there (the whole history
        // is checked once more at the end).
        let last = std::mem::take(&mut *fresh.lock().unwrap());
        check(&server.base, &world, &last).await;
        let before = {
            let a = acked.lock().unwrap();
            a.updates.len() + a.edits.len() + a.forks.len() + a.invitations.len()
        };
        let wait = Duration::from_millis(rng.between(30, 400));
        let writers = write_until_killed(&server.base, &world, fresh.clone(), cycle);
        let killer = async {
            tokio::time::sleep(wait).await;
            server.child.kill().unwrap(); // SIGKILL
            server.child.wait().unwrap();
        };
        tokio::join!(writers, killer);
        after_kill();
        let new = fresh.lock().unwrap().clone();
        let mut a = acked.lock().unwrap();
        a.updates.extend(new.updates);
        a.edits.extend(new.edits);
        a.forks.extend(new.forks);
        a.invitations.extend(new.invitations);
        writes += a.updates.len() + a.edits.len() + a.forks.len() + a.invitations.len() - before;
    }
    let server = launch();
    let seen = acked.lock().unwrap().clone();
    check(&server.base, &world, &seen).await;
    (n, writes)
}

#[tokio::test]
async fn r_ops_2_sqlite_keeps_every_acknowledged_write_through_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portico.db");
    let database = db.to_str().unwrap().to_string();
    let (n, writes) = crash_cycles(
        || start(&["--database", &database]),
        || {
            let conn = rusqlite::Connection::open(&db).unwrap();
            let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(integrity, "ok");
            let broken: i64 = conn
                .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(broken, 0, "foreign keys broken after kill -9");
        },
    )
    .await;
    eprintln!("SQLite: {n} kills, {writes} acknowledged writes, none lost");
    assert!(writes > n, "too few writes to prove anything: {writes}");
}

#[tokio::test]
async fn r_ops_2_postgresql_keeps_every_acknowledged_write_through_kill_9() {
    if !postgres_available() {
        return;
    }
    let db = "portico_crash_test";
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {db}"));
    let url = pg_url(db);
    let (n, writes) = crash_cycles(|| start(&["--database", &url]), || {}).await;
    eprintln!("PostgreSQL: {n} kills, {writes} acknowledged writes, none lost");
    assert!(writes > n, "too few writes to prove anything: {writes}");
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
}
