//! What the tests of the `portico` binary share: starting it as an operator
//! would, signing in over HTTP, and the local PostgreSQL.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// A running `portico serve`, killed and reaped when dropped.
pub struct Running {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// What it printed up to the line with its address.
    pub stdout: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary, without settings from the environment of the test run.
pub fn portico_command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_portico"));
    c.env_remove("PORTICO_DATABASE_URL")
        .env_remove("PORTICO_CONFIG")
        .env_remove("PORTICO_DATA_DIR")
        .env_remove("PORTICO_SMTP_URL")
        .env_remove("PORTICO_SIGNUP");
    c
}

/// Starts `portico serve --listen 127.0.0.1:0 ARGS` and waits for the line
/// with its address; what it prints afterwards is read and dropped.
#[allow(clippy::zombie_processes)]
pub fn start(args: &[&str]) -> Running {
    let mut child = portico_command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start portico");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stdout = Vec::new();
    loop {
        let line = lines.next().expect("portico exited before listening").expect("a line");
        if let Some(base) = line.strip_prefix("Portico listening on ") {
            let base = base.to_string();
            let addr = base.trim_start_matches("http://").to_string();
            stdout.push(line);
            std::thread::spawn(move || for _ in lines {});
            return Running {
                child,
                base,
                addr,
                stdout,
            };
        }
        stdout.push(line);
    }
}

/// Like [`start`], with `envs` set and everything the server prints (its
/// log included) written to `log`.
#[allow(clippy::zombie_processes)]
pub fn start_logging(args: &[&str], envs: &[(&str, &str)], log: &std::path::Path) -> Running {
    use std::io::Write;
    let file = std::fs::File::create(log).expect("log file");
    let mut child = portico_command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(file.try_clone().expect("log file")))
        .spawn()
        .expect("start portico");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stdout = Vec::new();
    let mut out = file;
    loop {
        let line = lines.next().expect("portico exited before listening").expect("a line");
        writeln!(out, "{line}").expect("write log");
        if let Some(base) = line.strip_prefix("Portico listening on ") {
            let base = base.to_string();
            let addr = base.trim_start_matches("http://").to_string();
            stdout.push(line);
            std::thread::spawn(move || {
                for line in lines.map_while(Result::ok) {
                    let _ = writeln!(out, "{line}");
                }
            });
            return Running {
                child,
                base,
                addr,
                stdout,
            };
        }
        stdout.push(line);
    }
}

/// Runs `portico ARGS`; answers whether it succeeded and what it printed.
pub fn portico(args: &[&str]) -> (bool, String) {
    let out = portico_command().args(args).output().expect("run portico");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Signs in with a password: a client with the session cookie, the CSRF
/// token, and the answer's status.
pub async fn login(base: &str, email: &str, password: &str) -> (reqwest::Client, String, reqwest::StatusCode) {
    let c = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let res = c
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("login");
    let status = res.status();
    let body: Value = res.json().await.unwrap_or_default();
    (c, body["csrfToken"].as_str().unwrap_or_default().to_string(), status)
}

/// Signs in and creates an API key; answers the key.
pub async fn api_key(base: &str, email: &str, password: &str) -> String {
    let (c, csrf, status) = login(base, email, password).await;
    assert_eq!(status, 200, "login of {email}");
    let key: Value = c
        .post(format!("{base}/api/me/api-keys"))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "test" }))
        .send()
        .await
        .expect("create a key")
        .json()
        .await
        .expect("the key");
    key["apiKey"]["key"].as_str().expect("a key").to_string()
}

/// Signs up a new account (the first of a server is its operator) and
/// answers an API key of it.
pub async fn new_account_key(base: &str, email: &str, name: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({ "email": email, "name": name, "password": password }))
        .send()
        .await
        .expect("sign up");
    assert_eq!(res.status(), 201, "sign-up of {email}");
    api_key(base, email, password).await
}

/// The test PostgreSQL server's URL (`PORTICO_TEST_POSTGRES_URL`, as
/// ./scripts/test sets it) with another database name.
pub fn pg_url(db: &str) -> String {
    let base = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let (server, _) = base.rsplit_once('/').expect("database URL");
    format!("{server}/{db}")
}

/// Whether PostgreSQL answers; when it does not, the test is skipped, except
/// under `CI=true`, where that fails it.
pub fn postgres_available() -> bool {
    let up = Command::new("psql")
        .args(["-X", "-d", &pg_url("test"), "-c", "select 1"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !up {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "PostgreSQL is not reachable (CI=true: not skipping)"
        );
        eprintln!("skipped: PostgreSQL is not reachable");
    }
    up
}

/// Runs SQL in database `db`; answers the output, unaligned.
pub fn psql_in(db: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-A",
            "-t",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &pg_url(db),
            "-c",
            sql,
        ])
        .output()
        .expect("psql");
    assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs SQL in the test database (to create and drop others).
pub fn psql(sql: &str) -> String {
    psql_in("test", sql)
}

/// A minimal SMTP server on loopback, on its own threads, that keeps the
/// text of every message it is given: its `smtp://` URL and the messages.
pub fn fake_smtp() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("smtp://{}", listener.local_addr().expect("addr"));
    let inbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = inbox.clone();
    std::thread::spawn(move || {
        for socket in listener.incoming().map_while(Result::ok) {
            let keep = keep.clone();
            std::thread::spawn(move || {
                let Ok(mut write) = socket.try_clone() else { return };
                let mut lines = BufReader::new(socket).lines();
                let _ = write.write_all(b"220 fake ESMTP\r\n");
                let mut in_data = false;
                let mut message = String::new();
                while let Some(Ok(line)) = lines.next() {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            keep.lock().expect("inbox").push(std::mem::take(&mut message));
                            let _ = write.write_all(b"250 queued\r\n");
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n");
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    let _ = write.write_all(reply);
                }
            });
        }
    });
    (url, inbox)
}
