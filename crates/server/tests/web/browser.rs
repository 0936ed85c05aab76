//! Browser stories in Debian's headless `chromium`, driven by the
//! `playwright-core` node package (`clients/browser/partner-story.js`),
//! against a server on a fresh SQLite database. Screenshots at 1280 px and
//! 360 px land in `<target>/browser-screenshots/` for a person to look at.
//!
//! Without chromium, node or `clients/node_modules/playwright-core` the
//! tests are skipped; under `CI=true` they fail instead (`scripts/test`
//! installs all three).

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Client, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../clients")
}

/// The `clients` folder when chromium, node and playwright-core are there.
fn tools() -> Option<PathBuf> {
    let dir = clients_dir();
    let missing = if !Path::new(CHROMIUM).is_file() {
        format!("{CHROMIUM} is missing: apt-get install chromium (scripts/test does)")
    } else if !dir.join("node_modules/playwright-core/package.json").is_file() {
        "clients/node_modules lacks playwright-core: run scripts/test, or npm ci --prefix clients".to_string()
    } else if !Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        "`node` cannot be run".to_string()
    } else {
        return Some(dir);
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the browser tests need chromium, node and playwright-core under CI=true: {missing}");
    }
    eprintln!("skipped: {missing}");
    None
}

/// `$CARGO_TARGET_DIR/browser-screenshots`, else the `target` folder this
/// test binary was built in.
fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // target/debug/deps/web-HASH
            std::env::current_exe()
                .ok()
                .and_then(|p| p.ancestors().nth(3).map(Path::to_path_buf))
                .unwrap_or_else(|| PathBuf::from("target"))
        });
    let dir = target.join("browser-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs one story of `partner-story.js`; panics with its output on failure.
async fn story(clients: &Path, name: &str, env: Value) -> Value {
    let clients = clients.to_path_buf();
    let name = name.to_string();
    let shots = screenshots_dir();
    tokio::task::spawn_blocking(move || {
        let out = Command::new("node")
            .arg("browser/partner-story.js")
            .arg(&name)
            .env("STORY", env.to_string())
            .env("SCREENSHOTS", &shots)
            .env("CHROMIUM", CHROMIUM)
            .current_dir(&clients)
            .output()
            .expect("run node");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "story {name} failed\nstdout: {stdout}\nstderr: {stderr}"
        );
        serde_json::from_str(stdout.lines().last().unwrap_or("")).unwrap_or_else(|e| panic!("no JSON ({e}): {stdout}"))
    })
    .await
    .expect("join")
}

async fn api_key(c: &Client) -> String {
    let (status, body) = c.post("/api/me/api-keys", json!({ "name": "browser test" })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["apiKey"]["key"].as_str().unwrap().to_string()
}

/// The publisher invites the partner through the invite dialog (R-INV-3)
/// and looks at the workspace settings and their account; the partner
/// opens the invitation link, signs in and accepts choosing their team
/// (R-INV-2), finds the workspace under External Workspaces with the
/// EXTERNAL tag (R-ISO-5) and a diamond on their own avatar (R-ISO-6); the
/// publisher opens the collection, edits a request, saves, takes the
/// "Post an update" nudge and posts it (R-UPD-2), and the partner's Updates
/// badge shows 1 without a reload (R-UPD-5); opening the tab clears it
/// (R-UPD-3), and the partner comments (R-UPD-4); the partner then forks
/// the collection into their own paid team through the Fork dialog
/// (R-FORK-1) and proposes a change back in a pull request (R-PR-1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_inv_2_r_iso_5_r_iso_6_r_upd_2_r_upd_3_r_upd_5_a_partner_is_invited_accepts_and_follows_updates() {
    let Some(clients) = tools() else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (alice, gina, pw, globex) = crate::publisher_and_invitee(&app).await;
    let key = api_key(&alice).await;
    // Globex is on a paid plan, with a workspace to fork into (R-FORK-1).
    let mut ops = app.anonymous();
    ops.login("ops@portico.example", crate::helpers::PASSWORD).await;
    let (status, body) = ops
        .patch(&format!("/api/teams/{globex}"), json!({ "plan": "basic" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = gina
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Integrations", "type": "team", "teamId": globex } }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let own = body["workspace"]["id"].as_str().unwrap().to_string();
    let orders = json!({
        "info": { "name": "Orders API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        "item": [{ "name": "Orders", "item": [
            { "name": "List orders", "request": { "method": "GET", "url": "https://api.example/orders?page=1",
              "header": [{ "key": "Accept", "value": "application/json" }] },
              "response": [{ "name": "A page of orders", "code": 200, "status": "OK", "body": "[]" }] },
            { "name": "Create order", "request": { "method": "POST", "url": "https://api.example/orders",
              "body": { "mode": "raw", "raw": "{\"sku\": \"A-1\"}" } } }
        ] }, { "name": "Health", "request": { "method": "GET", "url": "https://api.example/health" } }]
    });
    let (_, saved) = alice.post(&format!("/api/collections?workspace={pw}"), orders).await;
    let collection = saved["collection"]["id"].as_str().expect("imported").to_string();
    let result = story(
        &clients,
        "partner-follows-updates",
        json!({
            "base": app.base,
            "email": "gina@globex.example",
            "password": crate::helpers::PASSWORD,
            "partnerTeam": "Globex",
            "publisherEmail": "alice@acme.example",
            "workspaceId": pw,
            "workspaceName": "PW",
            "publisherKey": key,
            "collectionId": collection,
            "collectionName": "Orders API",
            "publisherName": "Alice",
            "forkWorkspaceName": "Integrations",
        }),
    )
    .await;
    // What the browser did is in the store: the partner joined with Globex,
    // the comment, and no unread update.
    let (_, ws) = gina.get(&format!("/api/workspaces/{pw}")).await;
    assert_eq!(ws["workspace"]["external"], true, "{ws}");
    assert_eq!(ws["workspace"]["unreadUpdates"], 0, "{ws}");
    let update = result["updateId"]
        .as_i64()
        .expect("the story answers the update it saw");
    let (_, comments) = alice
        .get(&format!("/api/workspaces/{pw}/updates/{update}/comments"))
        .await;
    assert_eq!(
        comments["data"][0]["body"], "Thanks, we will migrate this week.",
        "{comments}"
    );
    assert_eq!(comments["data"][0]["isPartner"], true, "{comments}");
    // The publisher's save went through the editor.
    let (_, saved) = alice.get(&format!("/api/collections/{collection}")).await;
    assert!(
        saved.to_string().contains("https://api.example/v2/orders?cursor="),
        "{saved}"
    );
    // The partner forked into her own team's workspace and proposed a
    // change back (R-FORK-1, R-PR-1).
    let fork = result["forkId"].as_str().expect("the story answers the fork");
    let (_, forked) = gina.get(&format!("/api/collections/{fork}")).await;
    assert!(forked.to_string().contains("https://api.example/v2/health"), "{forked}");
    let (_, forks) = gina.get(&format!("/api/collections/{collection}/forks")).await;
    assert_eq!(forks["data"][0]["forkId"], fork, "{forks}");
    assert_eq!(forks["data"][0]["workspaceId"], own.as_str(), "{forks}");
    let (_, listed) = alice.get(&format!("/api/collections/{collection}/pull-requests")).await;
    assert_eq!(listed["data"][0]["id"], result["pullRequestId"], "{listed}");
    let (_, updates) = gina.get(&format!("/api/workspaces/{pw}/updates")).await;
    assert_eq!(
        updates["data"][0]["relatedResources"][0]["resourceId"],
        collection.as_str(),
        "{updates}"
    );
}

/// In a multi-partner workspace the partner sees updates but no comment box,
/// and a line saying why (R-MULTI-4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_multi_4_a_multi_partner_workspace_shows_no_comment_box() {
    let Some(clients) = tools() else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let p = app.partnership("4").await;
    let (_, ws) = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Broadcast", "type": "partner", "teamId": p.acme } }),
        )
        .await;
    let mpw = ws["workspace"]["id"].as_str().unwrap().to_string();
    let (_, inv) = p
        .alice
        .post(
            "/api/invitations",
            json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": mpw, "roleId": "4",
                    "target": { "emails": ["gina@globex.example"] } }),
        )
        .await;
    assert_eq!(inv["results"][0]["status"], "PARTNER_ADDED", "{inv}");
    let (status, body) = p
        .alice
        .put(
            &format!("/api/workspaces/{mpw}"),
            json!({ "workspace": { "multiPartner": true } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = p
        .alice
        .post(
            &format!("/api/workspaces/{mpw}/updates"),
            json!({ "topic": "Rate limits change on 1 July", "description": "From **1 July**, 100 requests per minute.", "category": "breaking_change", "isPinned": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    story(
        &clients,
        "multi-partner-no-comments",
        json!({
            "base": app.base,
            "email": "gina@globex.example",
            "password": crate::helpers::PASSWORD,
            "workspaceId": mpw,
        }),
    )
    .await;
}

/// The partner's bell counts a new update live and opens the notifications
/// panel, which leads to the update (R-UPD-5); the publisher edits the
/// update with a markdown preview that runs no script (R-UPD-1, R-UPD-4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_upd_5_r_upd_1_the_notifications_panel_and_editing_an_update_with_a_preview() {
    let Some(clients) = tools() else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let p = app.partnership("4").await;
    let key = api_key(&p.alice).await;
    let result = story(
        &clients,
        "notifications-panel-and-editing",
        json!({
            "base": app.base,
            "email": "gina@globex.example",
            "password": crate::helpers::PASSWORD,
            "publisherEmail": "alice@acme.example",
            "publisherKey": key,
            "workspaceId": p.pw,
        }),
    )
    .await;
    let update = result["updateId"].as_i64().expect("the story answers the update");
    let (_, got) = p.gina.get(&format!("/api/workspaces/{}/updates/{update}", p.pw)).await;
    assert_eq!(got["topic"], "Sandbox resets nightly at 02:00", "{got}");
    // Reading it from the panel's link opened the Updates tab: nothing unread.
    let (_, ws) = p.gina.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(ws["workspace"]["unreadUpdates"], 0, "{ws}");
}

/// The kept XSS vectors (`crates/app/tests/xss-vectors.txt`), in an update,
/// a comment and the workspace's about, run nothing in Chromium (R-UPD-4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_upd_4_the_kept_xss_vectors_run_nothing_in_the_browser() {
    let Some(clients) = tools() else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let p = app.partnership("5").await;
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../app/tests/xss-vectors.txt");
    let vectors: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.replace("\\n", "\n"))
        .collect();
    assert!(vectors.len() > 100, "{} vectors", vectors.len());
    let text = vectors.join("\n\n");
    assert!(text.chars().count() <= 10_000, "the vectors no longer fit one update");
    let (status, u) = p
        .alice
        .post(
            &format!("/api/workspaces/{}/updates", p.pw),
            json!({ "topic": "Vectors", "description": text, "category": "announcement" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    let update = u["id"].as_i64().unwrap();
    let (status, body) = p
        .gina
        .post(
            &format!("/api/workspaces/{}/updates/{update}/comments", p.pw),
            json!({ "body": text }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = p
        .alice
        .put(
            &format!("/api/workspaces/{}", p.pw),
            json!({ "workspace": { "about": text } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    story(
        &clients,
        "xss-vectors-inert",
        json!({
            "base": app.base,
            "email": "gina@globex.example",
            "password": crate::helpers::PASSWORD,
            "workspaceId": p.pw,
            "updateId": update,
        }),
    )
    .await;
}
