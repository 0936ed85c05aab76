//! The `portico` binary as an operator runs it: demo start-up, restarts,
//! `kill -9` (R-OPS-2), and the admin commands.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use serde_json::json;
use support::{Running, login};

/// `portico serve` on the SQLite database in `data_dir`.
fn start(data_dir: &Path, extra: &[&str]) -> Running {
    let mut args = vec!["--data-dir", data_dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    support::start(&args)
}

/// `portico ARGS --data-dir DATA_DIR`.
fn portico(data_dir: &Path, args: &[&str]) -> (bool, String) {
    let mut all = args.to_vec();
    all.extend(["--data-dir", data_dir.to_str().unwrap()]);
    support::portico(&all)
}

#[tokio::test]
async fn r_ops_2_the_demo_starts_prints_its_logins_and_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = start(dir.path(), &["--demo"]);
    let printed = first.stdout.join("\n");
    assert!(
        printed.contains("Demo logins (password for all: portico-demo)"),
        "{printed}"
    );
    assert!(printed.contains("alice@acme.example"), "{printed}");
    assert!(
        dir.path().join("portico.db").exists(),
        "no SQLite file in the data directory"
    );

    let (alice, csrf, status) = login(&first.base, "alice@acme.example", "portico-demo").await;
    assert_eq!(status, 200);
    let me: serde_json::Value = alice
        .get(format!("{}/api/me", first.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["teams"][0]["name"], "Acme Payments");
    assert_eq!(me["user"]["teams"][0]["plan"], "professional");
    // The partner sees the shared collection, its history and the updates.
    let (gina, _, status) = login(&first.base, "gina@globex.example", "portico-demo").await;
    assert_eq!(status, 200);
    let get = |path: String| {
        let gina = gina.clone();
        async move {
            let res = gina.get(path).send().await.unwrap();
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    let list = get(format!("{}/api/collections", first.base)).await;
    assert_eq!(list["collections"][0]["name"], "Acme Payments API", "{list}");
    assert_eq!(list["collections"][0]["revision"], 2, "{list}");
    let id = list["collections"][0]["id"].as_str().unwrap();
    let doc = get(format!("{}/api/collections/{id}", first.base)).await;
    assert_eq!(doc["collection"]["item"][0]["name"], "Payments");
    let pw = list["collections"][0]["workspaceId"].as_str().unwrap();
    let updates = get(format!("{}/api/workspaces/{pw}/updates", first.base)).await;
    assert_eq!(updates["data"].as_array().unwrap().len(), 2, "{updates}");
    let key: serde_json::Value = alice
        .post(format!("{}/api/me/api-keys", first.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "laptop" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = key["apiKey"]["key"].as_str().unwrap().to_string();
    let created = alice
        .post(format!("{}/api/teams", first.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "Written before the crash" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();

    let mut second = start(dir.path(), &["--demo"]);
    assert!(
        second.stdout.iter().all(|l| l != "Demo data created."),
        "the demo was created twice"
    );
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/me", second.base))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let teams: Vec<&str> = me["user"]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(teams, ["Acme Payments", "Written before the crash"]);
    second.child.kill().unwrap();
    second.child.wait().unwrap();
}

#[tokio::test]
async fn operators_are_made_and_plans_set_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = portico(dir.path(), &["migrate"]);
    assert!(ok, "{out}");
    let (ok, out) = portico(
        dir.path(),
        &[
            "admin",
            "create-operator",
            "--email",
            "root@example.com",
            "--name",
            "Root",
            "--password",
            "a long password",
        ],
    );
    assert!(ok, "{out}");
    assert!(out.contains("root@example.com"), "{out}");
    let (ok, out) = portico(
        dir.path(),
        &[
            "admin",
            "set-plan",
            "00000000-0000-4000-8000-000000000000",
            "enterprise",
        ],
    );
    assert!(!ok, "setting the plan of a missing team succeeded: {out}");

    let mut server = start(dir.path(), &[]);
    let (root, csrf, status) = login(&server.base, "root@example.com", "a long password").await;
    assert_eq!(status, 200);
    let team: serde_json::Value = root
        .post(format!("{}/api/teams", server.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "Acme" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = team["team"]["id"].as_str().unwrap().to_string();
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let (ok, out) = portico(dir.path(), &["admin", "set-plan", &id, "gold"]);
    assert!(!ok && out.contains("Unknown plan"), "{out}");
    let (ok, out) = portico(dir.path(), &["admin", "set-plan", &id, "enterprise"]);
    assert!(ok && out.contains("enterprise"), "{out}");
    let (ok, out) = portico(dir.path(), &["admin", "outbox"]);
    assert!(ok && out.contains("outbox is empty"), "{out}");
}

/// `portico import` and `portico export` go through the same use cases as
/// the API, with the rights of an API key's account (R-COL-1).
#[tokio::test]
async fn r_col_1_collections_are_imported_and_exported_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--demo"]);
    let key_of = |email: &'static str| support::api_key(&server.base, email, "portico-demo");
    let alice = key_of("alice@acme.example").await;
    let ivan = key_of("ivan@initech.example").await;
    let list: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/workspaces", server.base))
        .header("x-api-key", &alice)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let internal = list["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["type"] == "team")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let file = dir.path().join("in.json");
    let input = json!({
        "info": { "name": "Console import", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
        "item": [{ "name": "Ping", "request": { "method": "GET", "url": "https://x.example/ping" } }],
        "x-extra": [1, 2]
    });
    std::fs::write(&file, input.to_string()).unwrap();
    let f = file.to_str().unwrap();
    let (ok, out) = portico(
        dir.path(),
        &["import", f, "--workspace", &internal, "--api-key", &alice],
    );
    assert!(ok, "{out}");
    let id = out
        .split("as collection ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    // The server sees it at once.
    let got = reqwest::Client::new()
        .get(format!("{}/api/collections/{id}", server.base))
        .header("x-api-key", &alice)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    let target = dir.path().join("out.json");
    let (ok, out) = portico(
        dir.path(),
        &["export", &id, "--output", target.to_str().unwrap(), "--api-key", &alice],
    );
    assert!(ok, "{out}");
    let mut exported: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    exported["item"][0].as_object_mut().unwrap().remove("id");
    assert_eq!(exported, input);
    // Someone without access to the workspace gets nothing.
    let (ok, out) = portico(dir.path(), &["export", &id, "--api-key", &ivan]);
    assert!(!ok && out.contains("not found"), "{out}");
    let (ok, out) = portico(
        dir.path(),
        &["import", f, "--workspace", &internal, "--api-key", "nope"],
    );
    assert!(!ok && out.contains("API key"), "{out}");
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"item": 7}"#).unwrap();
    let (ok, out) = portico(
        dir.path(),
        &[
            "import",
            broken.to_str().unwrap(),
            "--workspace",
            &internal,
            "--api-key",
            &alice,
        ],
    );
    assert!(
        !ok && out.contains("invalid_collection") && out.contains("$.item"),
        "{out}"
    );
    // An OpenAPI document in YAML imports too.
    let spec = dir.path().join("pets.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Pets}\npaths:\n  /pets:\n    get: {summary: List pets}\n",
    )
    .unwrap();
    let (ok, out) = portico(
        dir.path(),
        &[
            "import",
            spec.to_str().unwrap(),
            "--workspace",
            &internal,
            "--api-key",
            &alice,
        ],
    );
    assert!(ok && out.contains("Imported \"Pets\""), "{out}");
}
