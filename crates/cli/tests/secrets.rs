//! Issued secrets are kept only as hashes (R-SEC-1, R-INV-1): after a
//! server has issued passwords, sessions, API keys, invitation links and
//! sign-up links (`signup = "verify-email"`, one opened and one not), and
//! sent its emails, neither a dump of its database (every row of every
//! SQLite table, or `pg_dump` of PostgreSQL) nor its log, at debug level,
//! holds any of them.
//! (A session's CSRF token is stored as it is: it grants nothing without
//! the session cookie, whose token is stored only as a hash.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};
use support::{Running, fake_smtp, pg_url, portico, postgres_available, psql, start_logging};

type Inbox = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// The token of the sign-up link in the newest message to `to` that has
/// one, once it has arrived.
async fn signup_token(inbox: &Inbox, to: &str) -> String {
    for _ in 0..200 {
        let found = inbox.lock().unwrap().iter().rev().find_map(|m| {
            let text = m.replace("=\r\n", "").replace("=\n", "");
            if !text.contains(&format!("To: {to}")) {
                return None;
            }
            let at = text.find("/signup/verify/")? + "/signup/verify/".len();
            Some(text[at..at + 64].to_string())
        });
        if let Some(token) = found {
            return token;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no sign-up link reached {to}");
}

/// Signs up; answers the answer's `verification`.
async fn sign_up(base: &str, email: &str, name: &str) -> Value {
    let res = Client::new()
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({ "email": email, "name": name, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    body["verification"].clone()
}

const PASSWORD: &str = "a long and secret password 7Qx";

/// Signs in; answers a client with the cookie, the session token and the
/// CSRF token.
async fn sign_in(base: &str, email: &str) -> (Client, String, String) {
    let c = Client::builder().cookie_store(true).build().unwrap();
    let res = c
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.split(';').next()?.strip_prefix("portico_session=").map(String::from))
        .expect("session cookie");
    let body: Value = res.json().await.unwrap();
    (c, token, body["csrfToken"].as_str().unwrap().to_string())
}

async fn send(c: &Client, csrf: &str, method: reqwest::Method, url: String, body: Value) -> Value {
    let res = c
        .request(method, &url)
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or_default();
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

fn token_of(link: &Value) -> String {
    link.as_str().unwrap().rsplit('/').next().unwrap().to_string()
}

/// Issues one of every kind of secret on the running server and waits for
/// its emails to go out; answers the secrets, named.
async fn issue_secrets(server: &Running, inbox: &Inbox) -> Vec<(&'static str, String)> {
    let base = &server.base;
    // Alice, the first account, is made at once; Gina opens her emailed
    // link (the page, so that its path reaches the log); someone tries
    // Alice's address; a later sign-up's link is left unopened.
    assert_eq!(sign_up(base, "alice@acme.example", "Alice").await, Value::Null);
    assert_eq!(sign_up(base, "gina@globex.example", "Gina").await, "email_sent");
    let opened = signup_token(inbox, "gina@globex.example").await;
    let browser = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser
        .get(format!("{base}/signup/verify/{opened}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "the link shows its button");
    let done = browser
        .post(format!("{base}/signup/verify/{opened}"))
        .header("origin", base.as_str())
        .form(&[("next", "/workspaces")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "the button signs Gina up");
    assert_eq!(sign_up(base, "alice@acme.example", "Someone").await, "email_sent");
    assert_eq!(sign_up(base, "later@globex.example", "Later").await, "email_sent");
    let unopened = signup_token(inbox, "later@globex.example").await;
    let (alice, alice_session, alice_csrf) = sign_in(base, "alice@acme.example").await;
    let post = reqwest::Method::POST;
    let key = send(
        &alice,
        &alice_csrf,
        post.clone(),
        format!("{base}/api/me/api-keys"),
        json!({ "name": "ci" }),
    )
    .await;
    let key = key["apiKey"]["key"].as_str().unwrap().to_string();
    let team = send(
        &alice,
        &alice_csrf,
        post.clone(),
        format!("{base}/api/teams"),
        json!({ "name": "Acme" }),
    )
    .await;
    let team = team["team"]["id"].as_str().unwrap().to_string();
    // Alice, the first account, is the operator: she moves Acme to a plan
    // with Partner Workspaces.
    send(
        &alice,
        &alice_csrf,
        reqwest::Method::PATCH,
        format!("{base}/api/teams/{team}"),
        json!({ "plan": "professional" }),
    )
    .await;
    let ws = send(
        &alice,
        &alice_csrf,
        post.clone(),
        format!("{base}/api/workspaces"),
        json!({ "workspace": { "name": "PW", "type": "partner", "teamId": team } }),
    )
    .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let invite = |email: &str| json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": ws, "roleId": "4", "target": { "emails": [email] } });
    let used = send(
        &alice,
        &alice_csrf,
        post.clone(),
        format!("{base}/api/invitations"),
        invite("gina@globex.example"),
    )
    .await;
    let used = token_of(&used["results"][0]["invitationLink"]);
    let open = send(
        &alice,
        &alice_csrf,
        post.clone(),
        format!("{base}/api/invitations"),
        invite("later@globex.example"),
    )
    .await;
    let open = token_of(&open["results"][0]["invitationLink"]);
    let member = send(
        &alice,
        &alice_csrf,
        post.clone(),
        format!("{base}/api/teams/{team}/members"),
        json!({ "email": "newcomer@acme.example", "roles": ["developer"] }),
    )
    .await;
    let member = token_of(&member["invitationLink"]);
    let (gina, gina_session, gina_csrf) = sign_in(base, "gina@globex.example").await;
    send(
        &gina,
        &gina_csrf,
        post,
        format!("{base}/api/invitations/{used}"),
        json!({ "newTeamName": "Globex" }),
    )
    .await;
    // The key and the sessions work: they are real secrets.
    let me = Client::new()
        .get(format!("{base}/api/me"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    // The invitation emails leave the outbox (logged: no mail server).
    for _ in 0..100 {
        let (ok, out) = portico(&["admin", "--database", server_database(server), "outbox"]);
        if ok && out.matches("[sent]").count() >= 6 && !out.contains("[pending]") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    vec![
        ("password", PASSWORD.to_string()),
        ("API key", key),
        ("Alice's session", alice_session),
        ("Gina's session", gina_session),
        ("used partner invitation", used),
        ("open partner invitation", open),
        ("team invitation", member),
        ("opened sign-up link", opened),
        ("unopened sign-up link", unopened),
    ]
}

/// The `--database` the server was started with (kept in its first output
/// line by the tests below).
fn server_database(server: &Running) -> &str {
    server
        .stdout
        .iter()
        .find_map(|l| l.strip_prefix("database: "))
        .unwrap_or_default()
}

#[track_caller]
fn assert_holds_none(what: &str, bytes: &[u8], secrets: &[(&str, String)]) {
    let text = String::from_utf8_lossy(bytes);
    for (name, secret) in secrets {
        assert!(!text.contains(secret.as_str()), "the {what} holds the {name}");
    }
}

/// A dump of every row of every table of a SQLite database, as text.
fn sqlite_dump(db: &Path) -> Vec<u8> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    ValueRef::Text(t) | ValueRef::Blob(t) => out.extend_from_slice(t),
                    other => out.extend_from_slice(format!("{other:?}").as_bytes()),
                }
                out.push(b'\t');
            }
            out.push(b'\n');
        }
    }
    out
}

/// The log shows the paths of the invitation and sign-up links opened,
/// their tokens left out: what the search looks for is there to be found.
#[track_caller]
fn assert_logs_link_paths(log: &[u8]) {
    let log = String::from_utf8_lossy(log);
    for path in ["/api/invitations/{token}", "/signup/verify/{token}"] {
        assert!(
            log.contains(path),
            "the log does not show {path}: the search proves nothing"
        );
    }
}

const DEBUG_LOG: [(&str, &str); 1] = [("PORTICO_LOG", "debug")];

#[tokio::test]
async fn r_sec_1_a_sqlite_dump_and_the_log_hold_no_issued_secret() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("portico.log");
    let db = data.join("portico.db");
    let database = format!("sqlite://{}", db.display());
    let (smtp, inbox) = fake_smtp();
    let mut server = start_logging(
        &["--database", &database, "--signup", "verify-email", "--smtp-url", &smtp],
        &DEBUG_LOG,
        &log,
    );
    server.stdout.insert(0, format!("database: {database}"));
    let secrets = issue_secrets(&server, &inbox).await;
    // Killed: the dump reads the WAL's last committed state.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let files = sqlite_dump(&db);
    let log_text = std::fs::read(&log).unwrap();
    // The search can find things: the database holds the emails and
    // names, the log the paths of the links opened.
    assert!(
        String::from_utf8_lossy(&files).contains("gina@globex.example"),
        "the database does not hold what was written: the search proves nothing"
    );
    assert_logs_link_paths(&log_text);
    assert_holds_none("SQLite dump", &files, &secrets);
    assert_holds_none("log", &log_text, &secrets);
}

#[tokio::test]
async fn r_sec_1_a_postgresql_dump_and_the_log_hold_no_issued_secret() {
    if !postgres_available() {
        return;
    }
    let db = "portico_secrets_test";
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    psql(&format!("CREATE DATABASE {db}"));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("portico.log");
    let url = pg_url(db);
    let (smtp, inbox) = fake_smtp();
    let mut server = start_logging(
        &["--database", &url, "--signup", "verify-email", "--smtp-url", &smtp],
        &DEBUG_LOG,
        &log,
    );
    server.stdout.insert(0, format!("database: {url}"));
    let secrets = issue_secrets(&server, &inbox).await;
    drop(server);
    let dump = Command::new("pg_dump")
        .args(["--data-only", "-d", &url])
        .output()
        .unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let log_text = std::fs::read(&log).unwrap();
    assert!(String::from_utf8_lossy(&dump.stdout).contains("gina@globex.example"));
    assert_logs_link_paths(&log_text);
    assert_holds_none("PostgreSQL dump", &dump.stdout, &secrets);
    assert_holds_none("log", &log_text, &secrets);
    psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
}
