//! A full disk (issue "Security and reliability", durability): on a small
//! filesystem, writes fail with a clear `507 storage_full` (never a `500`),
//! reads go on, nothing is corrupted, and once space returns the same
//! server writes again. Mounting the small filesystem (tmpfs) needs root:
//! elsewhere the test is skipped, except under `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Client;
use serde_json::{Value, json};
use support::start;

const PASSWORD: &str = "a long password for the disk test";

/// A tmpfs of `mb` MiB, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path, mb: u32) -> Option<Self> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| SmallDisk(at.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills the filesystem of `path`'s folder until it refuses a byte.
fn fill(path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    for chunk in [1 << 20, 1 << 12, 1] {
        let block = vec![b'x'; chunk];
        while f.write_all(&block).and_then(|()| f.flush()).is_ok() {}
    }
}

async fn post_update(http: &Client, base: &str, key: &str, ws: &str, n: usize) -> (reqwest::StatusCode, Value) {
    let res = http
        .post(format!("{base}/api/workspaces/{ws}/updates"))
        .header("x-api-key", key)
        .json(&json!({ "topic": format!("Update {n}"), "description": "padding ".repeat(500), "category": "announcement" }))
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_full_disk_refuses_writes_with_507_and_the_server_writes_again_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&dir.path().join("small"), 24) else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "cannot mount a tmpfs under CI=true (root needed)"
        );
        eprintln!("skipped: cannot mount a tmpfs (root needed)");
        return;
    };
    let data = disk.0.join("data");
    let server = start(&["--data-dir", data.to_str().unwrap()]);
    let base = server.base.clone();
    let http = Client::new();
    let key = support::new_account_key(&base, "root@acme.example", "Root", PASSWORD).await;
    let call = |m: reqwest::Method, path: &str, body: Value| {
        http.request(m, format!("{base}{path}"))
            .header("x-api-key", &key)
            .json(&body)
            .send()
    };
    let team: Value = call(reqwest::Method::POST, "/api/teams", json!({ "name": "Acme" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let team = team["team"]["id"].as_str().unwrap().to_string();
    let ws: Value = call(
        reqwest::Method::POST,
        "/api/workspaces",
        json!({ "workspace": { "name": "Internal", "type": "team", "teamId": team } }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let mut acknowledged = 0;
    for n in 0..5 {
        assert_eq!(post_update(&http, &base, &key, &ws, n).await.0, 200);
        acknowledged += 1;
    }

    // The disk fills up.
    let filler = disk.0.join("filler");
    fill(&filler);
    let mut refused = None;
    for n in 5..2_000 {
        let (status, body) = post_update(&http, &base, &key, &ws, n).await;
        assert!(
            status == 200 || status == 507,
            "a write on a full disk answered {status}: {body}"
        );
        if status == 507 {
            refused = Some(body);
            break;
        }
        acknowledged += 1;
    }
    let refused = refused.expect("no write was refused on a full disk");
    assert_eq!(refused["error"]["name"], "storage_full", "{refused}");
    // Reads go on.
    let me = call(reqwest::Method::GET, "/api/me", json!({})).await.unwrap();
    assert_eq!(me.status(), 200);
    let list: Value = call(
        reqwest::Method::GET,
        &format!("/api/workspaces/{ws}/updates?limit=100"),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(list["data"].as_array().unwrap().len() >= 5, "{list}");

    // Space returns: the same server writes again.
    std::fs::remove_file(&filler).unwrap();
    let (status, body) = post_update(&http, &base, &key, &ws, 9_999).await;
    assert_eq!(status, 200, "{body}");
    acknowledged += 1;
    drop(server);
    let conn = rusqlite::Connection::open(data.join("portico.db")).unwrap();
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let updates: i64 = conn
        .query_row("SELECT COUNT(*) FROM workspace_updates", [], |r| r.get(0))
        .unwrap();
    assert_eq!(updates, acknowledged, "acknowledged updates and stored ones differ");
    drop(conn);
}
