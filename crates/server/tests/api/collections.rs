//! Collections over HTTP: import and export, single elements, revisions,
//! changelog and restore, permissions and the save nudge (R-COL-1..3,
//! R-UPD-2).

use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp, assert_error};

fn shop() -> Value {
    json!({
        "info": {
            "_postman_id": "5f0e7c9a-1d2b-4c3d-8e4f-000000000001",
            "name": "Shop API",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [
            {
                "id": "f-orders",
                "name": "Orders",
                "item": [
                    {
                        "id": "r-list",
                        "name": "List orders",
                        "request": {"method": "GET", "header": [], "url": {"raw": "{{base}}/orders", "host": ["{{base}}"], "path": ["orders"]}},
                        "response": [{"id": "e-ok", "name": "OK", "code": 200, "body": "[]"}]
                    },
                    {"id": "f-admin", "name": "Admin", "item": []}
                ]
            },
            {"id": "r-ping", "name": "Ping", "request": "https://shop.example/ping", "response": []}
        ],
        "variable": [{"key": "base", "value": "https://shop.example"}],
        "x-vendor": {"kept": true}
    })
}

/// A workspace of Alice's own team and a collection imported into it.
async fn imported(app: &TestApp) -> (Client, String, String) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Internal", "type": "team", "teamId": team } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let (status, body) = alice.post(&format!("/api/collections?workspace={ws}"), shop()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["revision"], 1);
    let id = body["collection"]["id"].as_str().unwrap().to_string();
    (alice, ws, id)
}

async fn get(c: &Client, id: &str) -> Value {
    let (status, body) = c.get(&format!("/api/collections/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn send_if(c: &Client, method: Method, path: &str, revision: i64, body: Option<Value>) -> (StatusCode, Value) {
    let mut rb = c.request(method, path).header("if-match", format!("\"{revision}\""));
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    c.send(rb).await
}

/// Sends a request head and then a body of `len` bytes of filler, and reads
/// what the server answers first (it may answer before the body is sent).
async fn raw_exchange(base: &str, head: &[u8], len: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = head.to_vec();
    let writer = tokio::spawn(async move {
        write.write_all(&head).await?;
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < len {
            let n = chunk.len().min(len - sent);
            write.write_all(&chunk[..n]).await?;
            sent += n;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut out = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(30), read.read(&mut out))
        .await
        .unwrap()
        .unwrap();
    writer.abort();
    String::from_utf8_lossy(&out[..n]).into_owned()
}

/// Removes from `out` the ids Portico added where `input` had none.
fn strip_added_ids(input: &Value, out: &mut Value) {
    let (Some(i), Some(o)) = (input.as_object(), out.as_object_mut()) else {
        return;
    };
    for key in ["item", "response"] {
        if let (Some(Value::Array(ins)), Some(Value::Array(outs))) = (i.get(key), o.get_mut(key)) {
            for (a, b) in ins.iter().zip(outs.iter_mut()) {
                if a.get("id").is_none()
                    && let Some(obj) = b.as_object_mut()
                {
                    obj.remove("id");
                }
                strip_added_ids(a, b);
            }
        }
    }
}

async fn r_col_1_every_corpus_collection_comes_back_as_it_was_imported(app: TestApp) {
    let (alice, ws, _) = imported(&app).await;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("the corpus beside the clone") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let (status, body) = alice
            .post(&format!("/api/collections?workspace={ws}"), file.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", path.display());
        if file.get("requests").is_some() || file.get("order").is_some() {
            continue; // v1: exported as its v2.1 equivalent, checked in the codec's tests
        }
        let id = body["collection"]["id"].as_str().unwrap();
        let mut out = get(&alice, id).await["collection"].take();
        let input = match file.get("collection") {
            Some(inner) if file.get("info").is_none() && file.get("item").is_none() => inner.clone(),
            _ => file,
        };
        strip_added_ids(&input, &mut out);
        assert_eq!(out, input, "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} corpus files were checked");
}

async fn r_col_1_broken_input_is_refused_and_nothing_is_written(app: TestApp) {
    let (alice, ws, _) = imported(&app).await;
    let url = format!("/api/collections?workspace={ws}");
    let got = alice
        .post(&url, json!({"info": {"name": "x"}, "item": [{"name": "a", "item": 5}]}))
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_collection");
    assert!(
        got.1["error"]["message"].as_str().unwrap().contains("$.item[0].item"),
        "{}",
        got.1
    );
    let dup = json!({"item": [{"id": "x", "request": "u"}, {"id": "x", "request": "u"}]});
    assert_error(
        &alice.post(&url, dup).await,
        StatusCode::BAD_REQUEST,
        "invalid_collection",
    );
    let truncated = alice
        .send(
            alice
                .request(Method::POST, &url)
                .header("content-type", "application/json")
                .body("{\"info\": {\"name\":"),
        )
        .await;
    assert_error(&truncated, StatusCode::BAD_REQUEST, "invalid_json");
    let mut deep = json!({"name": "leaf", "request": "u"});
    for _ in 0..100 {
        deep = json!({"name": "f", "item": [deep]});
    }
    let got = alice.post(&url, json!({"item": [deep]})).await;
    assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    // A 50 MB body is refused once the limit is passed.
    let (_, key) = alice.post("/api/me/api-keys", json!({ "name": "big" })).await;
    let head = format!(
        "POST {url} HTTP/1.1\r\nHost: x\r\nx-api-key: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        key["apiKey"]["key"].as_str().unwrap(),
        50 * 1024 * 1024
    );
    let answer = raw_exchange(&alice.base, head.as_bytes(), 50 * 1024 * 1024).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");
    let (_, list) = alice.get(&format!("/api/collections?workspace={ws}")).await;
    assert_eq!(list["collections"].as_array().unwrap().len(), 1, "{list}");
}

async fn r_col_2_single_elements_are_created_read_changed_moved_and_deleted(app: TestApp) {
    let (alice, _, id) = imported(&app).await;
    let base = format!("/api/collections/{id}");
    // A request in the flat shape of the reference API, into a folder.
    let (status, created) = alice
        .post(
            &format!("{base}/requests?folderId=f-admin"),
            json!({"name": "Refund", "method": "POST", "url": "{{base}}/refunds", "headerData": [{"key": "X-Admin", "value": "1"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["revision"], 2);
    assert_eq!(created["data"]["folder"], "f-admin");
    let rid = created["data"]["id"].as_str().unwrap().to_string();
    let (_, one) = alice.get(&format!("{base}/requests/{rid}")).await;
    assert_eq!(one["data"]["request"]["method"], "POST");
    assert_eq!(one["data"]["request"]["header"][0]["key"], "X-Admin");
    // Change only the method; the URL stays.
    let (status, changed) = alice
        .put(&format!("{base}/requests/{rid}"), json!({"method": "PATCH"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["data"]["request"]["method"], "PATCH");
    assert_eq!(changed["data"]["request"]["url"], "{{base}}/refunds");
    // A v2.1 folder at the top, first; a response on the new request.
    let (status, folder) = alice
        .post(
            &format!("{base}/folders"),
            json!({"name": "Payments", "description": "Money", "position": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{folder}");
    let fid = folder["data"]["id"].as_str().unwrap().to_string();
    let (status, resp) = alice
        .post(
            &format!("{base}/responses?requestId={rid}"),
            json!({"name": "Created", "code": 201, "body": "{}"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resp}");
    // Move the request into the new folder.
    let (status, moved) = alice
        .put(&format!("{base}/requests/{rid}"), json!({"folder": fid}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    let doc = get(&alice, &id).await;
    let items = &doc["collection"]["item"];
    assert_eq!(items[0]["name"], "Payments");
    assert_eq!(items[0]["item"][0]["name"], "Refund");
    assert_eq!(items[0]["item"][0]["response"][0]["code"], 201);
    assert_eq!(items[1]["item"][1]["item"], json!([]), "Admin is empty again");
    // Deleting the folder takes its request and response with it.
    let (status, _) = alice.delete(&format!("{base}/folders/{fid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &alice.get(&format!("{base}/requests/{rid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let resp_id = resp["data"]["id"].as_str().unwrap();
    assert_error(
        &alice.get(&format!("{base}/responses/{resp_id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let mut back = get(&alice, &id).await["collection"].take();
    strip_added_ids(&shop(), &mut back);
    assert_eq!(back, shop(), "the collection is as imported again");
    // A request id is not a folder id.
    assert_error(
        &alice.get(&format!("{base}/folders/r-ping")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn r_col_2_bad_element_writes_are_refused_and_nothing_changes(app: TestApp) {
    let (alice, _, id) = imported(&app).await;
    let base = format!("/api/collections/{id}");
    let before = get(&alice, &id).await;
    let cycle = alice
        .put(&format!("{base}/folders/f-orders"), json!({"folder": "f-admin"}))
        .await;
    assert_error(&cycle, StatusCode::BAD_REQUEST, "move_cycle");
    let into_self = alice
        .put(&format!("{base}/folders/f-orders"), json!({"folder": "f-orders"}))
        .await;
    assert_error(&into_self, StatusCode::BAD_REQUEST, "move_cycle");
    let dup = alice
        .post(
            &format!("{base}/requests"),
            json!({"id": "r-ping", "name": "again", "request": "u"}),
        )
        .await;
    assert_error(&dup, StatusCode::BAD_REQUEST, "duplicate_id");
    let no_parent = alice
        .post(
            &format!("{base}/requests?folderId=nope"),
            json!({"name": "x", "request": "u"}),
        )
        .await;
    assert_error(&no_parent, StatusCode::BAD_REQUEST, "invalid_parent");
    let under_request = alice
        .post(&format!("{base}/folders"), json!({"name": "x", "folder": "r-ping"}))
        .await;
    assert_error(&under_request, StatusCode::BAD_REQUEST, "invalid_parent");
    let bad_type = alice
        .put(&format!("{base}/requests/r-ping"), json!({"request": 5}))
        .await;
    assert_error(&bad_type, StatusCode::BAD_REQUEST, "invalid_collection");
    let children = alice
        .put(&format!("{base}/folders/f-orders"), json!({"item": []}))
        .await;
    assert_error(&children, StatusCode::BAD_REQUEST, "invalid_field");
    let orphan = alice.post(&format!("{base}/responses"), json!({"name": "x"})).await;
    assert_error(&orphan, StatusCode::BAD_REQUEST, "parent_required");
    assert_eq!(get(&alice, &id).await, before);
}

async fn r_col_2_concurrent_changes_without_if_match_all_apply_one_after_another(app: TestApp) {
    // Writers that name no base revision never get a conflict: each change
    // applies to the head it finds, and every one of them makes a revision.
    let (alice, _, id) = imported(&app).await;
    let path = format!("/api/collections/{id}/requests/r-list");
    let puts = (0..8).map(|i| alice.put(&path, json!({ "name": format!("List orders {i}") })));
    for (status, body) in futures_util::future::join_all(puts).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, changelog) = alice.get(&format!("/api/collections/{id}/changelog")).await;
    let revisions: Vec<i64> = changelog["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revisions.iter().max(), Some(&9), "{changelog}");
    assert_eq!(revisions.len(), 9, "{changelog}");
}

async fn r_col_2_a_write_based_on_an_old_revision_is_refused(app: TestApp) {
    let (alice, _, id) = imported(&app).await;
    let base = format!("/api/collections/{id}");
    let first = send_if(
        &alice,
        Method::PUT,
        &format!("{base}/requests/r-ping"),
        1,
        Some(json!({"name": "Ping!"})),
    )
    .await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    assert_eq!(first.1["revision"], 2);
    // A second writer still holding revision 1 loses nothing silently.
    let stale = send_if(
        &alice,
        Method::PUT,
        &format!("{base}/requests/r-ping"),
        1,
        Some(json!({"name": "Pong"})),
    )
    .await;
    assert_error(&stale, StatusCode::CONFLICT, "revision_conflict");
    let stale_put = send_if(&alice, Method::PUT, &base, 1, Some(shop())).await;
    assert_error(&stale_put, StatusCode::CONFLICT, "revision_conflict");
    let stale_delete = send_if(&alice, Method::DELETE, &format!("{base}/folders/f-orders"), 1, None).await;
    assert_error(&stale_delete, StatusCode::CONFLICT, "revision_conflict");
    let res = alice.request(Method::GET, &base).send().await.unwrap();
    assert_eq!(res.headers()["etag"], "\"2\"");
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["collection"]["item"][1]["name"], "Ping!");
    assert_eq!(doc["revision"], 2);
    // With the current revision the write goes through.
    let ok = send_if(
        &alice,
        Method::PUT,
        &format!("{base}/requests/r-ping"),
        2,
        Some(json!({"name": "Pong"})),
    )
    .await;
    assert_eq!(ok.0, StatusCode::OK, "{}", ok.1);
    let garbage = alice
        .send(
            alice
                .request(Method::PUT, &format!("{base}/requests/r-ping"))
                .header("if-match", "yesterday")
                .json(&json!({"name": "x"})),
        )
        .await;
    assert_error(&garbage, StatusCode::BAD_REQUEST, "invalid_revision");
}

async fn r_col_1_put_and_patch_keep_identities_and_change_what_was_sent(app: TestApp) {
    let (alice, ws, id) = imported(&app).await;
    let base = format!("/api/collections/{id}");
    let mut doc = get(&alice, &id).await["collection"].take();
    doc["item"][1]["name"] = json!("Health");
    doc["item"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "New", "request": "https://shop.example/new"}));
    let (status, saved) = alice.put(&base, json!({ "collection": doc })).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, ping) = alice.get(&format!("{base}/requests/r-ping")).await;
    assert_eq!(ping["data"]["name"], "Health", "the id kept its element");
    let (status, patched) = alice
        .patch(
            &base,
            json!({"collection": {"info": {"name": "Shop API v2"}, "variable": []}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["collection"]["name"], "Shop API v2");
    let doc = get(&alice, &id).await["collection"].take();
    assert_eq!(
        doc["info"]["schema"],
        shop()["info"]["schema"],
        "other info fields stay"
    );
    assert_eq!(doc["variable"], json!([]));
    assert_eq!(doc["x-vendor"], json!({"kept": true}));
    let (_, list) = alice.get(&format!("/api/collections?workspace={ws}")).await;
    assert_eq!(list["collections"][0]["name"], "Shop API v2");
    assert_eq!(list["meta"]["total"], 1);
    let bad = alice.patch(&base, json!({"collection": {"item": []}})).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_patch");
}

async fn r_col_3_the_changelog_diffs_each_revision_and_restore_brings_one_back(app: TestApp) {
    let (alice, _, id) = imported(&app).await;
    let base = format!("/api/collections/{id}");
    alice
        .put(&format!("{base}/requests/r-list"), json!({"method": "POST"}))
        .await;
    alice.delete(&format!("{base}/requests/r-ping")).await;
    let (status, log) = alice.get(&format!("{base}/changelog")).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let revs = log["data"].as_array().unwrap();
    assert_eq!(
        revs.iter().map(|r| r["revision"].as_i64().unwrap()).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!(revs[0]["author"]["name"], "Alice");
    assert_eq!(revs[0]["changes"][0]["action"], "deleted");
    assert_eq!(revs[0]["changes"][0]["elementId"], "r-ping");
    let edit = &revs[1]["changes"][0];
    assert_eq!(edit["action"], "updated");
    assert_eq!(edit["name"], "List orders");
    assert_eq!(
        edit["diff"],
        json!([{"path": "request.method", "from": "GET", "to": "POST"}])
    );
    // Pages follow the cursor.
    let (_, page) = alice.get(&format!("{base}/changelog?limit=2")).await;
    let cursor = page["meta"]["nextCursor"].as_str().unwrap();
    let (_, rest) = alice.get(&format!("{base}/changelog?limit=2&cursor={cursor}")).await;
    assert_eq!(rest["data"][0]["revision"], 1);
    // Restoring revision 1 is a new revision 4 equal to the import.
    let (status, restored) = alice.post(&format!("{base}/restore"), json!({"revision": 1})).await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(restored["revision"], 4);
    let mut doc = get(&alice, &id).await["collection"].take();
    strip_added_ids(&shop(), &mut doc);
    assert_eq!(doc, shop());
    let (_, log) = alice.get(&format!("{base}/changelog?limit=1")).await;
    assert_eq!(log["data"][0]["note"], "Restored revision 1");
    let actions: Vec<&str> = log["data"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 2, "{log}");
    assert!(actions.contains(&"created") && actions.contains(&"updated"), "{log}");
    let bad = alice.post(&format!("{base}/restore"), json!({"revision": 9})).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "invalid_revision");
}

async fn r_upd_2_saving_in_a_partner_workspace_suggests_an_update_with_the_changes(app: TestApp) {
    let p = app.partnership("5").await;
    let (status, created) = p
        .alice
        .post(&format!("/api/collections?workspace={}", p.pw), shop())
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["postUpdateSuggested"], true);
    assert_eq!(created["elementChanges"][0]["action"], "created");
    assert_eq!(created["elementChanges"][0]["elementType"], "collection");
    let id = created["collection"]["id"].as_str().unwrap();
    let (_, saved) = p
        .gina
        .put(
            &format!("/api/collections/{id}/requests/r-list"),
            json!({"name": "All orders"}),
        )
        .await;
    assert_eq!(saved["postUpdateSuggested"], true, "{saved}");
    let changes = saved["elementChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{saved}");
    assert_eq!(changes[0]["elementId"], "r-list");
    assert_eq!(changes[0]["name"], "All orders");
    assert_eq!(changes[0]["collectionId"], id);
    // Posting the update with those changes starts a new list.
    let (status, update) = p
        .alice
        .post(
            &format!("/api/workspaces/{}/updates", p.pw),
            json!({"topic": "Orders renamed", "category": "improvement", "elementChanges": saved["elementChanges"].clone()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{update}");
    assert_eq!(update["elementChanges"].as_array().unwrap().len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (_, next) = p
        .alice
        .put(
            &format!("/api/collections/{id}/requests/r-ping"),
            json!({"name": "Ping v2"}),
        )
        .await;
    let changes = next["elementChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{next}");
    assert_eq!(changes[0]["elementId"], "r-ping");
    // Outside Partner Workspaces there is no nudge.
    let (_, ws) = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Inside", "type": "team", "teamId": p.acme } }),
        )
        .await;
    let inside = ws["workspace"]["id"].as_str().unwrap();
    let (_, other) = p
        .alice
        .post(&format!("/api/collections?workspace={inside}"), shop())
        .await;
    assert_eq!(other["postUpdateSuggested"], false, "{other}");
    assert_eq!(other["elementChanges"], json!([]));
}

async fn r_col_2_partners_read_as_their_role_allows_and_outsiders_see_nothing(app: TestApp) {
    let p = app.partnership("4").await;
    let (_, created) = p
        .alice
        .post(&format!("/api/collections?workspace={}", p.pw), shop())
        .await;
    let id = created["collection"]["id"].as_str().unwrap();
    // A partner viewer reads, but neither edits nor downloads.
    assert_eq!(get(&p.gina, id).await["collection"]["info"]["name"], "Shop API");
    let (_, list) = p.gina.get("/api/collections").await;
    assert_eq!(list["collections"].as_array().unwrap().len(), 1, "{list}");
    let edit = p
        .gina
        .put(&format!("/api/collections/{id}/requests/r-ping"), json!({"name": "x"}))
        .await;
    assert_error(&edit, StatusCode::FORBIDDEN, "forbidden");
    let download = p.gina.get(&format!("/api/collections/{id}?download=true")).await;
    assert_error(&download, StatusCode::FORBIDDEN, "forbidden");
    let import = p
        .gina
        .post(&format!("/api/collections?workspace={}", p.pw), shop())
        .await;
    assert_error(&import, StatusCode::FORBIDDEN, "forbidden");
    // The publisher downloads a file.
    let res = p
        .alice
        .request(Method::GET, &format!("/api/collections/{id}?download=true"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("Shop_API")
    );
    // Someone without access sees nothing at all.
    let eve = app.user("eve@else.example", "Eve").await;
    for path in [
        format!("/api/collections/{id}"),
        format!("/api/collections/{id}/requests/r-ping"),
        format!("/api/collections/{id}/changelog"),
    ] {
        assert_error(&eve.get(&path).await, StatusCode::NOT_FOUND, "not_found");
    }
    let (_, none) = eve.get(&format!("/api/collections?workspace={}", p.pw)).await;
    assert_eq!(none["collections"], json!([]));
    assert_error(
        &eve.put(&format!("/api/collections/{id}/requests/r-ping"), json!({"name": "x"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn r_role_an_element_editor_role_lets_a_partner_viewer_edit_one_collection(app: TestApp) {
    let p = app.partnership("4").await;
    let url = format!("/api/collections?workspace={}", p.pw);
    let (_, a) = p.alice.post(&url, shop()).await;
    let mut other = shop();
    other["info"]["name"] = json!("Other");
    let (_, b) = p.alice.post(&url, other).await;
    let (a, b) = (
        a["collection"]["id"].as_str().unwrap(),
        b["collection"]["id"].as_str().unwrap(),
    );
    let edit = |id: &str| format!("/api/collections/{id}/requests/r-ping");
    assert_error(
        &p.gina.put(&edit(a), json!({"name": "x"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let grant = |user: &str, role: Value| json!({"roles": [{"op": "update", "path": "/user", "value": [{"id": user, "role": role}]}]});
    let (status, body) = p
        .alice
        .patch(
            &format!("/api/collections/{a}/roles"),
            grant(&p.gina.user_id, json!("EDITOR")),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, roles) = p.gina.get(&format!("/api/collections/{a}/roles")).await;
    assert_eq!(roles["user"], json!([{"id": p.gina.user_id, "role": "EDITOR"}]));
    // The role widens Gina's viewer role for this collection only.
    let (status, body) = p.gina.put(&edit(a), json!({"name": "Ping by Gina"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        p.gina.get(&format!("/api/collections/{a}?download=true")).await.0,
        StatusCode::OK
    );
    assert_error(
        &p.gina.put(&edit(b), json!({"name": "x"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // Partners do not hand out roles; nobody outside the workspace gets one.
    assert_error(
        &p.gina
            .patch(
                &format!("/api/collections/{a}/roles"),
                grant(&p.gina.user_id, json!("EDITOR")),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let eve = app.user("eve@else.example", "Eve").await;
    assert_error(
        &p.alice
            .patch(
                &format!("/api/collections/{a}/roles"),
                grant(&eve.user_id, json!("EDITOR")),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "not_a_member",
    );
    assert_error(
        &p.alice
            .patch(
                &format!("/api/collections/{a}/roles"),
                grant(&p.gina.user_id, json!("OWNER")),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_role",
    );
    // Taken back, the role is gone.
    let (status, _) = p
        .alice
        .patch(
            &format!("/api/collections/{a}/roles"),
            grant(&p.gina.user_id, Value::Null),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(
        &p.gina.put(&edit(a), json!({"name": "x"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (_, roles) = p.alice.get(&format!("/api/collections/{a}/roles")).await;
    assert_eq!(roles["user"], json!([]));
}

crate::on_both_backends!(
    r_role_an_element_editor_role_lets_a_partner_viewer_edit_one_collection,
    r_col_1_every_corpus_collection_comes_back_as_it_was_imported,
    r_col_1_broken_input_is_refused_and_nothing_is_written,
    r_col_2_single_elements_are_created_read_changed_moved_and_deleted,
    r_col_2_bad_element_writes_are_refused_and_nothing_changes,
    r_col_2_a_write_based_on_an_old_revision_is_refused,
    r_col_2_concurrent_changes_without_if_match_all_apply_one_after_another,
    r_col_1_put_and_patch_keep_identities_and_change_what_was_sent,
    r_col_3_the_changelog_diffs_each_revision_and_restore_brings_one_back,
    r_upd_2_saving_in_a_partner_workspace_suggests_an_update_with_the_changes,
    r_col_2_partners_read_as_their_role_allows_and_outsiders_see_nothing,
);
