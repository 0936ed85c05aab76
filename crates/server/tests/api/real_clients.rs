//! Real clients read what Portico exports (R-COL-1): every export loads in
//! the `postman-collection` SDK exactly as the original file does, and an
//! exported collection runs under `newman` against a local mock server.
//!
//! The node packages live in `clients/node_modules`, installed by
//! `scripts/test` from `clients/package-lock.json`. Without them the tests
//! are skipped, or fail under `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// The `clients` folder when its node packages and `node` are there; `None`
/// (the test is skipped) when they are missing outside CI.
fn clients() -> Option<PathBuf> {
    let dir = repo_root().join("clients");
    let modules = dir.join("node_modules");
    let installed = ["postman-collection", "postman-collection-transformer", "newman"]
        .iter()
        .all(|p| modules.join(p).join("package.json").is_file());
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing = match (installed, node) {
        (true, true) => return Some(dir),
        (false, _) => format!(
            "{} lacks postman-collection/newman: run scripts/test, or npm ci --prefix clients",
            modules.display()
        ),
        (true, false) => "`node` cannot be run".to_string(),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the real-client tests need node and clients/node_modules under CI=true: {missing}");
    }
    eprintln!("skipped: {missing}");
    None
}

/// Runs `node SCRIPT ARGS…` in `clients/` and answers its exit success and
/// its stdout as JSON.
async fn node(clients: &Path, script: &str, args: Vec<String>) -> (bool, Value, String) {
    let clients = clients.to_path_buf();
    let script = script.to_string();
    tokio::task::spawn_blocking(move || {
        let out = Command::new("node")
            .arg(&script)
            .args(&args)
            .current_dir(&clients)
            .output()
            .expect("run node");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stdout}\nstderr: {stderr}"));
        (out.status.success(), json, stderr)
    })
    .await
    .expect("join")
}

/// Alice, and a workspace of her team.
async fn workspace(app: &TestApp) -> (Client, String) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (status, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "W", "type": "team", "teamId": team } }),
        )
        .await;
    assert!(status.is_success(), "{ws}");
    (alice, ws["workspace"]["id"].as_str().unwrap().to_string())
}

/// Imports a collection file and answers Portico's export of it.
async fn import_and_export(alice: &Client, ws: &str, file: Value, what: &str) -> Value {
    let (status, body) = alice.post(&format!("/api/collections?workspace={ws}"), file).await;
    assert_eq!(status, StatusCode::OK, "import {what}: {body}");
    let id = body["collection"]["id"].as_str().unwrap();
    let (status, mut body) = alice.get(&format!("/api/collections/{id}")).await;
    assert_eq!(status, StatusCode::OK, "export {what}: {body}");
    body["collection"].take()
}

/// One entry of a depth-first walk: folders before their contents.
#[derive(Debug, PartialEq)]
struct Entry {
    kind: &'static str,
    depth: u64,
    name: Value,
    /// For requests: the method as the SDK reports it (upper case, GET when absent).
    method: Option<String>,
    /// For requests: `url.raw`, or the URL or request given as a string;
    /// `None` when the URL is an object without `raw`.
    url: Option<String>,
    /// For requests: the URL's path variables with a string value.
    path_variables: Vec<(String, String)>,
}

/// Portico's own walk of an exported collection's JSON.
fn walk(items: &Value, depth: u64, out: &mut Vec<Entry>) {
    for item in items.as_array().map(Vec::as_slice).unwrap_or_default() {
        let name = item.get("name").cloned().unwrap_or(Value::Null);
        if let Some(children) = item.get("item").filter(|c| c.is_array()) {
            out.push(Entry {
                kind: "folder",
                depth,
                name,
                method: None,
                url: None,
                path_variables: Vec::new(),
            });
            walk(children, depth + 1, out);
            continue;
        }
        let request = item.get("request").unwrap_or(&Value::Null);
        let method = match request.get("method") {
            None | Some(Value::Null) => "GET".to_string(),
            Some(Value::String(m)) => m.to_uppercase(),
            Some(other) => other.to_string().to_uppercase(),
        };
        let url_field = request.get("url").unwrap_or(&Value::Null);
        let url = match (request, url_field) {
            (Value::String(s), _) => Some(s.clone()),
            (_, Value::String(s)) => Some(s.clone()),
            (_, Value::Object(o)) => o.get("raw").and_then(Value::as_str).map(String::from),
            _ => Some(String::new()),
        };
        let path_variables = url_field["variable"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| Some((v["key"].as_str()?.to_string(), v["value"].as_str()?.to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        out.push(Entry {
            kind: "request",
            depth,
            name,
            method: Some(method),
            url,
            path_variables,
        });
    }
}

/// The SDK renders a URL from its parts and puts the value of a path
/// variable in place of `:key`; `raw` keeps `:key`. Answers `raw` as the SDK
/// renders it.
fn with_path_variables(raw: &str, variables: &[(String, String)]) -> String {
    let (head, tail) = raw.find(['?', '#']).map_or((raw, ""), |i| raw.split_at(i));
    let segments: Vec<String> = head
        .split('/')
        .map(|segment| {
            let Some(key) = segment.strip_prefix(':') else {
                return segment.to_string();
            };
            match variables.iter().find(|(k, _)| k == key) {
                Some((_, value)) => value.clone(),
                None => segment.to_string(),
            }
        })
        .collect();
    format!("{}{tail}", segments.join("/"))
}

/// Removes the fields that name the file and how it was read, leaving what
/// the SDK saw.
fn seen(summary: &Value) -> Value {
    let mut s = summary.clone();
    if let Some(o) = s.as_object_mut() {
        for key in ["file", "unwrapped", "convertedFromV1"] {
            o.remove(key);
        }
    }
    s
}

async fn r_col_1_every_export_loads_in_the_postman_sdk_with_the_same_items(app: TestApp) {
    let Some(clients) = clients() else { return };
    let (alice, ws) = workspace(&app).await;
    let out = tempfile::tempdir().unwrap();
    let mut originals = Vec::new();
    let mut exports = Vec::new();
    let mut exported = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus beside the clone")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for (n, path) in paths.iter().enumerate() {
        let file: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let export = import_and_export(&alice, &ws, file, &path.display().to_string()).await;
        let target = out.path().join(format!("{n:02}-export.json"));
        std::fs::write(&target, serde_json::to_vec_pretty(&export).unwrap()).unwrap();
        originals.push(path.display().to_string());
        exports.push(target.display().to_string());
        exported.push(export);
    }
    assert!(paths.len() >= 10, "only {} corpus files", paths.len());

    // The originals as newman would read them (envelope unwrapped, v1
    // converted); Portico's exports as they are.
    let mut args = vec!["--normalise".to_string()];
    args.extend(originals.iter().cloned());
    let (ok, sdk_in, stderr) = node(&clients, "check-sdk.js", args).await;
    assert!(ok, "the SDK could not load an original: {stderr}");
    let (ok, sdk_out, stderr) = node(&clients, "check-sdk.js", exports.clone()).await;
    assert!(ok, "the SDK could not load an export of Portico: {stderr}\n{sdk_out}");
    let (sdk_in, sdk_out) = (sdk_in.as_array().unwrap(), sdk_out.as_array().unwrap());
    assert_eq!(sdk_out.len(), paths.len());
    assert_eq!(sdk_in.len(), paths.len());

    let mut urls_compared = 0;
    for (i, original) in originals.iter().enumerate() {
        // The SDK sees in Portico's export what it sees in the original.
        assert_eq!(
            seen(&sdk_out[i]),
            seen(&sdk_in[i]),
            "the SDK reads the export of {original} differently from the original"
        );
        // …and what Portico's own walk of the export finds.
        let mut entries = Vec::new();
        walk(&exported[i]["item"], 0, &mut entries);
        let items = sdk_out[i]["items"].as_array().unwrap();
        let count = |kind: &str| entries.iter().filter(|e| e.kind == kind).count() as u64;
        assert_eq!(sdk_out[i]["requests"], count("request"), "{original}");
        assert_eq!(sdk_out[i]["folders"], count("folder"), "{original}");
        assert_eq!(items.len(), entries.len(), "{original}");
        for (entry, sdk) in entries.iter().zip(items) {
            let at = format!("{original}: {entry:?} vs {sdk}");
            assert_eq!(sdk["kind"], entry.kind, "{at}");
            assert_eq!(sdk["depth"], entry.depth, "{at}");
            assert_eq!(sdk["name"], entry.name, "{at}");
            if entry.kind == "request" {
                assert_eq!(sdk["method"].as_str(), entry.method.as_deref(), "{at}");
                if let Some(url) = &entry.url {
                    assert_eq!(
                        sdk["url"].as_str().unwrap(),
                        with_path_variables(url, &entry.path_variables),
                        "{at}"
                    );
                    urls_compared += 1;
                }
            }
        }
    }
    assert!(urls_compared >= 300, "only {urls_compared} URLs were compared");
    let read_as = |flag: &str| sdk_in.iter().filter(|s| s[flag] == true).count();
    assert!(read_as("convertedFromV1") >= 1, "the corpus has no v1 file any more");
    assert!(read_as("unwrapped") >= 1, "the corpus has no enveloped file any more");
}

/// A collection aimed at `{{baseUrl}}`, with what the SDK drops on a round
/// trip (url.raw, header types, folder variables). Every item has an id, so
/// Portico's export must equal it.
fn newman_collection() -> Value {
    let url = |raw: &str, path: &[&str], query: Value| json!({"raw": raw, "host": ["{{baseUrl}}"], "path": path, "query": query});
    json!({
        "info": {
            "_postman_id": "7a1c2b3d-0000-4000-8000-00000000ab01",
            "name": "Newman run",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [
            {
                "id": "f-users",
                "name": "Users",
                "description": "People",
                "variable": [{"key": "folderNote", "value": "kept", "type": "string"}],
                "item": [
                    {
                        "id": "r-list",
                        "name": "List users",
                        "request": {
                            "method": "GET",
                            "header": [
                                {"key": "X-Trace", "value": "abc", "type": "text"},
                                {"key": "X-Off", "value": "no", "type": "text", "disabled": true}
                            ],
                            "url": url(
                                "{{baseUrl}}/{{apiVersion}}/users?page=2&limit=10",
                                &["{{apiVersion}}", "users"],
                                json!([{"key": "page", "value": "2"}, {"key": "limit", "value": "10"}])
                            )
                        },
                        "response": []
                    },
                    {
                        "id": "r-create",
                        "name": "Create user",
                        "request": {
                            "method": "POST",
                            "header": [{"key": "Content-Type", "value": "application/json", "type": "text"}],
                            "body": {
                                "mode": "raw",
                                "raw": "{\"name\":\"Ada\",\"tags\":[\"x\"]}",
                                "options": {"raw": {"language": "json"}}
                            },
                            "url": url("{{baseUrl}}/{{apiVersion}}/users", &["{{apiVersion}}", "users"], json!([]))
                        },
                        "response": []
                    },
                    {
                        "id": "f-admin",
                        "name": "Admin",
                        "item": [
                            {
                                "id": "r-put",
                                "name": "Replace user",
                                "request": {
                                    "method": "PUT",
                                    "header": [{"key": "Content-Type", "value": "application/json"}],
                                    "body": {"mode": "raw", "raw": "{\"name\":\"Ada L\"}"},
                                    "url": url(
                                        "{{baseUrl}}/{{apiVersion}}/users/42",
                                        &["{{apiVersion}}", "users", "42"],
                                        json!([])
                                    )
                                },
                                "response": []
                            },
                            {
                                "id": "r-delete",
                                "name": "Delete user",
                                "request": {
                                    "method": "DELETE",
                                    "header": [],
                                    "url": "{{baseUrl}}/{{apiVersion}}/users/42?hard=true"
                                },
                                "response": []
                            }
                        ]
                    }
                ]
            },
            {
                "id": "f-auth",
                "name": "Auth",
                "item": [{
                    "id": "r-login",
                    "name": "Login form",
                    "request": {
                        "method": "POST",
                        "header": [],
                        "body": {
                            "mode": "urlencoded",
                            "urlencoded": [
                                {"key": "username", "value": "ada", "type": "text"},
                                {"key": "password", "value": "s3cret", "type": "text"},
                                {"key": "remember", "value": "1", "type": "text", "disabled": true}
                            ]
                        },
                        "url": url("{{baseUrl}}/login", &["login"], json!([]))
                    },
                    "response": []
                }]
            },
            {"id": "r-ping", "name": "Ping", "request": "{{baseUrl}}/ping", "response": []}
        ],
        "variable": [{"key": "apiVersion", "value": "v1", "type": "string"}]
    })
}

async fn r_col_1_an_exported_collection_runs_under_newman(app: TestApp) {
    let Some(clients) = clients() else { return };
    let (alice, ws) = workspace(&app).await;
    let input = newman_collection();
    let export = import_and_export(&alice, &ws, input.clone(), "the newman collection").await;
    // Portico keeps what the SDK drops: url.raw, header types, folder variables.
    assert_eq!(export, input);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&export).unwrap()).unwrap();

    let (ok, run, stderr) = node(&clients, "run-newman.js", vec![file.display().to_string()]).await;
    assert!(ok, "newman did not run every request: {run}\nstderr: {stderr}");
    let mut entries = Vec::new();
    walk(&export["item"], 0, &mut entries);
    let requests = entries.iter().filter(|e| e.kind == "request").count();
    assert_eq!(requests, 6);
    assert_eq!(run["requests"], requests, "{run}");
    assert_eq!(run["executed"], requests, "{run}");
    assert_eq!(run["failures"], json!([]), "{run}");
    let executions = run["executions"].as_array().unwrap();
    let names: Vec<&Value> = entries
        .iter()
        .filter(|e| e.kind == "request")
        .map(|e| &e.name)
        .collect();
    assert_eq!(
        executions.iter().map(|e| &e["name"]).collect::<Vec<_>>(),
        names,
        "{run}"
    );
    assert!(executions.iter().all(|e| e["code"] == 200), "{run}");

    // What reached the mock server, in order.
    let received = run["received"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = received
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["url"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/v1/users?page=2&limit=10"),
            ("POST", "/v1/users"),
            ("PUT", "/v1/users/42"),
            ("DELETE", "/v1/users/42?hard=true"),
            ("POST", "/login"),
            ("GET", "/ping"),
        ]
    );
    assert_eq!(received[0]["headers"]["x-trace"], "abc");
    assert!(received[0]["headers"].get("x-off").is_none(), "{}", received[0]);
    assert_eq!(received[1]["headers"]["content-type"], "application/json");
    assert_eq!(received[1]["body"], r#"{"name":"Ada","tags":["x"]}"#);
    assert_eq!(received[2]["body"], r#"{"name":"Ada L"}"#);
    assert_eq!(received[4]["body"], "username=ada&password=s3cret");
    assert!(
        received[4]["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("application/x-www-form-urlencoded"),
        "{}",
        received[4]
    );
}

crate::on_both_backends!(
    r_col_1_every_export_loads_in_the_postman_sdk_with_the_same_items,
    r_col_1_an_exported_collection_runs_under_newman,
);
