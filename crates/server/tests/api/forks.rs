//! Forks and pulls over HTTP (R-FORK-1..3, R-MULTI-3): who may fork where,
//! fork listings and the source status, pulls with and without conflicts,
//! and a publisher's whole new version reaching a partner's fork.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Client, PASSWORD, Partnership, TestApp, assert_error};

/// A collection as many real exports are: no item ids.
fn api_v1() -> Value {
    json!({
        "info": {"name": "Payments API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Payments", "item": [
                {"name": "List payments", "request": {"method": "GET", "url": "https://pay.example/v1/payments", "header": []}},
                {"name": "Create a payment", "request": {"method": "POST", "url": "https://pay.example/v1/payments",
                    "header": [{"key": "Content-Type", "value": "application/json"}],
                    "body": {"mode": "raw", "raw": "{\"amount\": 100}"}}}
            ]},
            {"name": "Ping", "request": {"method": "GET", "url": "https://pay.example/ping"}}
        ]
    })
}

/// The next version of the same API, again without ids: one request
/// renamed, one URL changed, one request added.
fn api_v2() -> Value {
    json!({
        "info": {"name": "Payments API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [
            {"name": "Payments", "item": [
                {"name": "List all payments", "request": {"method": "GET", "url": "https://pay.example/v1/payments", "header": []}},
                {"name": "Create a payment", "request": {"method": "POST", "url": "https://pay.example/v2/payments",
                    "header": [{"key": "Content-Type", "value": "application/json"}],
                    "body": {"mode": "raw", "raw": "{\"amount\": 100}"}}},
                {"name": "Refund a payment", "request": {"method": "POST", "url": "https://pay.example/v2/refunds"}}
            ]},
            {"name": "Ping", "request": {"method": "GET", "url": "https://pay.example/ping"}}
        ]
    })
}

async fn ops(app: &TestApp) -> Client {
    let mut ops = app.anonymous();
    ops.login("ops@portico.example", PASSWORD).await;
    ops
}

async fn workspace(c: &Client, team: &str, name: &str) -> String {
    let (status, ws) = c
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": name, "type": "team", "teamId": team } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ws}");
    ws["workspace"]["id"].as_str().unwrap().to_string()
}

async fn import(c: &Client, ws: &str, file: Value) -> String {
    let (status, body) = c.post(&format!("/api/collections?workspace={ws}"), file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["collection"]["id"].as_str().unwrap().to_string()
}

async fn fork(c: &Client, id: &str, ws: &str, label: &str) -> (StatusCode, Value) {
    c.post(
        &format!("/api/collections/fork/{id}?workspace={ws}"),
        json!({ "label": label }),
    )
    .await
}

async fn doc(c: &Client, id: &str) -> Value {
    let (status, body) = c.get(&format!("/api/collections/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The uid of the request named `name` in a collection document.
fn uid_of(doc: &Value, name: &str) -> String {
    fn find(items: &Value, name: &str) -> Option<String> {
        items.as_array()?.iter().find_map(|i| {
            if i["name"] == name && i.get("request").is_some() {
                i["id"].as_str().map(str::to_string)
            } else {
                find(&i["item"], name)
            }
        })
    }
    find(&doc["collection"]["item"], name).unwrap_or_else(|| panic!("no request {name} in {doc}"))
}

/// Request names with their method and URL, in tree order.
fn requests(doc: &Value) -> Vec<(String, String, String)> {
    fn walk(items: &Value, out: &mut Vec<(String, String, String)>) {
        for i in items.as_array().into_iter().flatten() {
            if let Some(r) = i.get("request") {
                out.push((
                    i["name"].as_str().unwrap_or_default().to_string(),
                    r["method"].as_str().unwrap_or_default().to_string(),
                    r["url"].as_str().unwrap_or_default().to_string(),
                ));
            }
            walk(&i["item"], out);
        }
    }
    let mut out = Vec::new();
    walk(&doc["collection"]["item"], &mut out);
    out
}

async fn source_ahead(c: &Client, fork: &str) -> bool {
    let (status, body) = c.get(&format!("/api/collections/{fork}/source-status")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["collection"][fork]["isSourceAhead"].as_bool().unwrap()
}

async fn pull(c: &Client, fork: &str, body: Value) -> (StatusCode, Value) {
    c.put(&format!("/api/collections/{fork}/pulls"), body).await
}

/// The publisher's collection in the Partner Workspace, and the partner's
/// own team workspace.
async fn published(app: &TestApp, role: &str) -> (Partnership, String, String) {
    let p = app.partnership(role).await;
    let coll = import(&p.alice, &p.pw, api_v1()).await;
    let own = workspace(&p.gina, &p.globex, "Globex work").await;
    (p, coll, own)
}

async fn r_fork_1_partners_fork_by_role_plan_and_destination(app: TestApp) {
    // Partner viewer, free team: not into their own team, not into the PW.
    let (p, coll, own) = published(&app, "4").await;
    assert_error(
        &fork(&p.gina, &coll, &own, "mine").await,
        StatusCode::FORBIDDEN,
        "fork_requires_paid_plan",
    );
    assert_error(
        &fork(&p.gina, &coll, &p.pw, "mine").await,
        StatusCode::FORBIDDEN,
        "fork_destination_not_editable",
    );
    // A label is required.
    assert_error(
        &fork(&p.gina, &coll, &own, "  ").await,
        StatusCode::BAD_REQUEST,
        "invalid_fork_label",
    );
    // Nothing was written by the refusals.
    let (_, mine) = p.gina.get("/api/collections/collection-forks").await;
    assert_eq!(mine["data"], json!([]));
    // On a paid plan the viewer may fork into their own team.
    let ops = ops(&app).await;
    let (status, body) = ops
        .patch(&format!("/api/teams/{}", p.globex), json!({ "plan": "basic" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = fork(&p.gina, &coll, &own, "mine").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["collection"]["fork"]["label"], "mine");
    assert_eq!(body["collection"]["fork"]["from"], coll.as_str());
    // The publisher cannot fork into a team it cannot see, nor to another
    // team at all.
    assert_error(
        &fork(&p.alice, &coll, &own, "x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let internal = workspace(&p.alice, &p.acme, "Internal").await;
    let (status, body) = fork(&p.alice, &coll, &internal, "internal copy").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A stranger does not see the collection.
    let eve = app.user("eve@else.example", "Eve").await;
    let eve_team = app.team(&eve, "Else").await;
    let eve_ws = workspace(&eve, &eve_team, "Else").await;
    assert_error(
        &fork(&eve, &coll, &eve_ws, "x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn r_fork_1_a_partner_editor_forks_into_their_free_team_and_the_pw(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (status, body) = fork(&p.gina, &coll, &own, "ours").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = fork(&p.gina, &coll, &p.pw, "in the PW").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A fork may bring environments along, all or nothing.
    let (_, env) = p
        .alice
        .post(&format!("/api/environments?workspace={}", p.pw), staging())
        .await;
    let eid = env["environment"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/collections/fork/{coll}?workspace={own}");
    let (status, body) = p
        .gina
        .post(
            &path,
            json!({"label": "with env", "environments": [eid.clone(), "00000000-0000-4000-8000-000000000000"]}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (_, forks) = p.gina.get(&format!("/api/collections/{coll}/forks")).await;
    assert_eq!(
        forks["data"].as_array().unwrap().len(),
        2,
        "nothing was written: {forks}"
    );
    let (status, body) = p
        .gina
        .post(&path, json!({"label": "with env", "environments": [eid]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let forked_env = body["collection"]["environments"][0].as_str().unwrap().to_string();
    assert_eq!(env_values(&p.gina, &forked_env).await[1].1, "sk_live_123");
    // Team members stay within their team.
    let gina_team_ws = own;
    let (_, imported) = p
        .gina
        .post(&format!("/api/collections?workspace={gina_team_ws}"), api_v1())
        .await;
    let globex_coll = imported["collection"]["id"].as_str().unwrap();
    assert_error(
        &fork(&p.gina, globex_coll, &p.pw, "out").await,
        StatusCode::FORBIDDEN,
        "fork_outside_team",
    );
}

async fn r_fork_2_a_fork_is_its_parent_listed_with_its_source_status(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    // The fork holds the parent's tree, items with the same ids.
    let parent = doc(&p.alice, &coll).await;
    let forked = doc(&p.gina, &fid).await;
    assert_eq!(forked["collection"]["item"], parent["collection"]["item"]);
    assert_eq!(forked["revision"], 1);
    // Listings: the partner sees their fork; the publisher learns that one
    // exists in a workspace it cannot see.
    let (_, list) = p.gina.get(&format!("/api/collections/{coll}/forks")).await;
    assert_eq!(list["data"][0]["forkId"], fid.as_str());
    assert_eq!(list["data"][0]["forkLabel"], "ours");
    assert_eq!(list["data"][0]["createdBy"], p.gina.user_id.as_str());
    let (_, list) = p.alice.get(&format!("/api/collections/{coll}/forks")).await;
    assert_eq!(list["data"], json!([]));
    assert_eq!(list["meta"]["inaccessibleForks"], 1);
    let (_, mine) = p.gina.get("/api/collections/collection-forks").await;
    assert_eq!(mine["data"][0]["sourceId"], coll.as_str());
    // Listings count the forks of each collection.
    let (_, listed) = p.alice.get(&format!("/api/collections?workspace={}", p.pw)).await;
    assert_eq!(listed["collections"][0]["forks"], 1, "{listed}");
    // Source status follows the parent's changes.
    assert!(!source_ahead(&p.gina, &fid).await);
    let ping = uid_of(&parent, "Ping");
    let (status, _) = p
        .alice
        .put(
            &format!("/api/collections/{coll}/requests/{ping}"),
            json!({"method": "HEAD"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(source_ahead(&p.gina, &fid).await);
    // The fork did not change with its parent.
    assert_eq!(requests(&doc(&p.gina, &fid).await)[2].1, "GET");
    // A collection that is no fork has no source.
    assert_error(
        &p.alice.get(&format!("/api/collections/{coll}/source-status")).await,
        StatusCode::BAD_REQUEST,
        "not_a_fork",
    );
}

async fn r_fork_3_a_pull_brings_parent_changes_and_keeps_the_forks_own(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    let parent = doc(&p.alice, &coll).await;
    let (list, create) = (uid_of(&parent, "List payments"), uid_of(&parent, "Create a payment"));
    // The parent renames one request; the fork changes another's URL and
    // deletes Ping.
    let (status, _) = p
        .alice
        .put(
            &format!("/api/collections/{coll}/requests/{list}"),
            json!({"name": "List every payment"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = p
        .gina
        .put(
            &format!("/api/collections/{fid}/requests/{create}"),
            json!({"url": "https://sandbox.example/v1/payments"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ping = uid_of(&parent, "Ping");
    let (status, _) = p.gina.delete(&format!("/api/collections/{fid}/requests/{ping}")).await;
    assert_eq!(status, StatusCode::OK);
    // A pull against a stale revision is refused.
    let stale = p
        .gina
        .request(Method::PUT, &format!("/api/collections/{fid}/pulls"))
        .header("if-match", "\"1\"");
    assert_error(&p.gina.send(stale).await, StatusCode::CONFLICT, "revision_conflict");
    let (status, body) = pull(&p.gina, &fid, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["collection"]["sourceId"], coll.as_str());
    assert_eq!(body["changes"][0]["change"], "modification");
    assert_eq!(body["changes"][0]["uid"], list.as_str());
    let merged = requests(&doc(&p.gina, &fid).await);
    assert_eq!(
        merged,
        [
            (
                "List every payment".into(),
                "GET".into(),
                "https://pay.example/v1/payments".into()
            ),
            (
                "Create a payment".into(),
                "POST".into(),
                "https://sandbox.example/v1/payments".into()
            ),
        ]
    );
    assert!(!source_ahead(&p.gina, &fid).await);
    // The parent kept its own state.
    assert_eq!(requests(&doc(&p.alice, &coll).await).len(), 3);
    // Pulling again changes nothing.
    let (status, body) = pull(&p.gina, &fid, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changes"], json!([]));
    // A partner viewer of the fork's workspace may not pull.
    let (_, history) = p.gina.get(&format!("/api/collections/{fid}/changelog")).await;
    assert!(history.to_string().contains("Pulled changes"), "{history}");
}

async fn r_fork_3_conflicts_come_back_and_nothing_changes_until_resolved(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    let create = uid_of(&doc(&p.alice, &coll).await, "Create a payment");
    let path = |c: &str| format!("/api/collections/{c}/requests/{create}");
    p.alice.put(&path(&coll), json!({"method": "PUT"})).await;
    p.gina.put(&path(&fid), json!({"method": "PATCH"})).await;
    let before = doc(&p.gina, &fid).await;
    let (status, body) = pull(&p.gina, &fid, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["name"], "pull_conflicts");
    let conflict = &body["conflicts"][0];
    assert_eq!(conflict["uid"], create.as_str());
    assert_eq!(conflict["path"], "request.method");
    assert_eq!(
        (&conflict["base"], &conflict["source"], &conflict["destination"]),
        (&json!("POST"), &json!("PUT"), &json!("PATCH"))
    );
    assert_eq!(doc(&p.gina, &fid).await, before, "nothing changed");
    // A bad side is refused; then the source's value wins.
    let (status, _) = pull(
        &p.gina,
        &fid,
        json!({"resolutions": [{"uid": create, "path": "request.method", "side": "theirs"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = pull(
        &p.gina,
        &fid,
        json!({"resolutions": [{"uid": create, "path": "request.method", "side": "source"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(requests(&doc(&p.gina, &fid).await)[1].1, "PUT");
}

async fn r_fork_3_a_whole_new_version_of_the_parent_reaches_the_fork(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    // The partner adds a header of their own to Ping.
    let ping = uid_of(&doc(&p.gina, &fid).await, "Ping");
    let (status, _) = p
        .gina
        .put(
            &format!("/api/collections/{fid}/requests/{ping}"),
            json!({"headerData": [{"key": "X-Partner", "value": "globex"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The publisher replaces the collection with the next version, a file
    // without ids.
    let (status, body) = p
        .alice
        .put(&format!("/api/collections/{coll}"), json!({ "collection": api_v2() }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let parent = doc(&p.alice, &coll).await;
    // Items kept their identity through the replacement.
    assert_eq!(uid_of(&parent, "Ping"), ping);
    let (status, body) = pull(&p.gina, &fid, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let forked = doc(&p.gina, &fid).await;
    assert_eq!(requests(&forked), requests(&parent));
    let ping_item = &forked["collection"]["item"][1];
    assert_eq!(ping_item["request"]["header"][0]["key"], "X-Partner", "{ping_item}");
}

async fn r_fork_2_a_fork_outlives_its_deleted_parent(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    // A fork of the fork, then the original goes.
    let (status, body) = fork(&p.gina, &fid, &own, "second").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fid2 = body["collection"]["id"].as_str().unwrap().to_string();
    let before = requests(&doc(&p.gina, &fid).await);
    let (status, _) = p.alice.delete(&format!("/api/collections/{coll}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(requests(&doc(&p.gina, &fid).await), before);
    assert_eq!(requests(&doc(&p.gina, &fid2).await), before);
    assert!(!source_ahead(&p.gina, &fid).await);
    assert_error(
        &pull(&p.gina, &fid, json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    // The second fork still pulls from the first.
    let create = uid_of(&doc(&p.gina, &fid).await, "Create a payment");
    p.gina
        .put(
            &format!("/api/collections/{fid}/requests/{create}"),
            json!({"method": "PUT"}),
        )
        .await;
    let (status, body) = pull(&p.gina, &fid2, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(requests(&doc(&p.gina, &fid2).await)[1].1, "PUT");
    // Deleting the whole workspace of a parent keeps its forks too.
    let again = import(&p.alice, &p.pw, api_v1()).await;
    let (_, body) = fork(&p.gina, &again, &own, "third").await;
    let fid3 = body["collection"]["id"].as_str().unwrap().to_string();
    let (status, body) = p.alice.delete(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(requests(&doc(&p.gina, &fid3).await).len(), 3);
}

async fn merge(c: &Client, source: &str, destination: &str, strategy: &str) -> (StatusCode, Value) {
    c.put(
        "/api/collection-merges",
        json!({"strategy": strategy, "source": source, "destination": destination}),
    )
    .await
}

async fn r_fork_4_a_partner_editor_merges_a_fork_back_into_the_pw(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    let fork_uid = body["collection"]["uid"].as_str().unwrap().to_string();
    let ping = uid_of(&doc(&p.gina, &fid).await, "Ping");
    p.gina
        .put(
            &format!("/api/collections/{fid}/requests/{ping}"),
            json!({"name": "Health check"}),
        )
        .await;
    // Merge by the fork's uid, as the reference API names collections.
    let (status, body) = merge(&p.gina, &fork_uid, &coll, "default").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["task"]["status"], "successful");
    let task = body["task"]["id"].as_str().unwrap().to_string();
    let (status, body) = p.gina.get(&format!("/api/collection-merges-tasks/{task}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "successful");
    // Somebody else's task does not exist for them.
    assert_error(
        &p.alice.get(&format!("/api/collection-merges-tasks/{task}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(requests(&doc(&p.alice, &coll).await)[2].0, "Health check");
    // A conflicting change on the parent blocks the next merge, and the
    // parent stays as it was.
    let path = |c: &str| format!("/api/collections/{c}/requests/{ping}");
    p.alice.put(&path(&coll), json!({"method": "HEAD"})).await;
    p.gina.put(&path(&fid), json!({"method": "OPTIONS"})).await;
    let before = doc(&p.alice, &coll).await;
    let (status, body) = merge(&p.gina, &fid, &coll, "default").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["task"]["status"], "failed");
    let task = body["task"]["id"].as_str().unwrap().to_string();
    let (_, body) = p.gina.get(&format!("/api/collection-merges-tasks/{task}")).await;
    assert!(
        body["details"]["error"]["message"].as_str().unwrap().contains("pull"),
        "{body}"
    );
    assert_eq!(doc(&p.alice, &coll).await, before);
    // Pull, keep the fork's method, then merge and bring the fork level.
    let (status, body) = pull(
        &p.gina,
        &fid,
        json!({"resolutions": [{"uid": ping, "path": "request.method", "side": "destination"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = merge(&p.gina, &fid, &coll, "updateSourceWithDestination").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["task"]["status"], "successful", "{body}");
    let parent = doc(&p.alice, &coll).await;
    assert_eq!(requests(&parent)[2].1, "OPTIONS");
    assert_eq!(
        doc(&p.gina, &fid).await["collection"]["item"],
        parent["collection"]["item"]
    );
    assert!(!source_ahead(&p.gina, &fid).await);
    // deleteSource merges and removes the fork.
    let (status, body) = merge(&p.gina, &fid, &coll, "deleteSource").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &p.gina.get(&format!("/api/collections/{fid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &merge(&p.gina, &coll, &coll, "sideways").await,
        StatusCode::BAD_REQUEST,
        "invalid_strategy",
    );
}

async fn r_fork_4_merging_needs_editor_on_the_parent(app: TestApp) {
    let (p, coll, own) = published(&app, "4").await;
    let ops = ops(&app).await;
    ops.patch(&format!("/api/teams/{}", p.globex), json!({ "plan": "basic" }))
        .await;
    let (status, body) = fork(&p.gina, &coll, &own, "mine").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    let before = doc(&p.alice, &coll).await;
    assert_error(
        &merge(&p.gina, &fid, &coll, "default").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_eq!(doc(&p.alice, &coll).await, before);
    // A collection that is not a fork of the destination is refused.
    assert_error(
        &merge(&p.alice, &coll, &coll, "default").await,
        StatusCode::BAD_REQUEST,
        "not_a_fork",
    );
}

fn staging() -> Value {
    json!({"environment": {"name": "Staging", "values": [
        {"key": "base", "value": "https://pay.example", "type": "default", "enabled": true},
        {"key": "token", "value": "sk_live_123", "type": "secret", "enabled": true},
        {"key": "region", "value": "eu", "type": "default", "enabled": true}
    ]}})
}

async fn env_values(c: &Client, id: &str) -> Vec<(String, String)> {
    let (status, body) = c.get(&format!("/api/environments/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["environment"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["key"].as_str().unwrap().to_string(),
                v["value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

async fn r_fork_1_an_environment_fork_leaves_secrets_behind_for_viewers(app: TestApp) {
    let (p, _, own) = published(&app, "4").await;
    let (_, env) = p
        .alice
        .post(&format!("/api/environments?workspace={}", p.pw), staging())
        .await;
    let eid = env["environment"]["id"].as_str().unwrap().to_string();
    let body = json!({"forkName": "mine"});
    let (status, refused) = p
        .gina
        .post(&format!("/api/environments/{eid}/forks?workspace={own}"), body.clone())
        .await;
    assert_error(&(status, refused), StatusCode::FORBIDDEN, "fork_requires_paid_plan");
    ops(&app)
        .await
        .patch(&format!("/api/teams/{}", p.globex), json!({ "plan": "basic" }))
        .await;
    let (status, made) = p
        .gina
        .post(&format!("/api/environments/{eid}/forks?workspace={own}"), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["environment"]["forkName"], "mine");
    let fid = made["environment"]["id"].as_str().unwrap().to_string();
    // Gina edits her fork, so she would see any secret in it: there is none.
    let values = env_values(&p.gina, &fid).await;
    assert_eq!(values[1], ("token".to_string(), String::new()));
    assert_eq!(values[0].1, "https://pay.example");
    let (_, list) = p.gina.get(&format!("/api/environments/{eid}/forks")).await;
    assert_eq!(list["data"][0]["forkName"], "mine", "{list}");
    let (_, list) = p.alice.get(&format!("/api/environments/{eid}/forks")).await;
    assert_eq!(list["meta"]["inaccessibleForks"], 1, "{list}");
}

async fn r_fork_3_environment_pulls_and_merges_go_variable_by_variable(app: TestApp) {
    let (p, _, own) = published(&app, "5").await;
    let (_, env) = p
        .alice
        .post(&format!("/api/environments?workspace={}", p.pw), staging())
        .await;
    let eid = env["environment"]["id"].as_str().unwrap().to_string();
    let (status, made) = p
        .gina
        .post(
            &format!("/api/environments/{eid}/forks?workspace={own}"),
            json!({"forkName": "ours"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let fid = made["environment"]["id"].as_str().unwrap().to_string();
    // A partner editor may edit the environment: secrets come along.
    assert_eq!(env_values(&p.gina, &fid).await[1].1, "sk_live_123");
    let set = |key: &str, value: &str| json!([{"op": "replace", "path": format!("/values/{}/value", ["base", "token", "region"].iter().position(|k| *k == key).unwrap()), "value": value}]);
    p.alice
        .patch(
            &format!("/api/environments/{eid}"),
            set("base", "https://v2.pay.example"),
        )
        .await;
    p.gina
        .patch(&format!("/api/environments/{fid}"), set("region", "us"))
        .await;
    let (status, body) = p.gina.post(&format!("/api/environments/{fid}/pulls"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let values = env_values(&p.gina, &fid).await;
    assert_eq!(
        (values[0].1.as_str(), values[2].1.as_str()),
        ("https://v2.pay.example", "us")
    );
    // Both change the token: a conflict, nothing written, then resolved.
    p.alice
        .patch(&format!("/api/environments/{eid}"), set("token", "sk_a"))
        .await;
    p.gina
        .patch(&format!("/api/environments/{fid}"), set("token", "sk_g"))
        .await;
    let (status, body) = p.gina.post(&format!("/api/environments/{fid}/pulls"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["conflicts"][0]["key"], "token");
    assert_eq!(body["conflicts"][0]["source"]["value"], "sk_a");
    assert_eq!(env_values(&p.gina, &fid).await[1].1, "sk_g");
    let (status, body) = p
        .gina
        .post(
            &format!("/api/environments/{fid}/pulls"),
            json!({"resolutions": {"token": "destination"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Merge the fork back, then delete it.
    let (status, body) = p
        .gina
        .post(
            &format!("/api/environments/{eid}/merges"),
            json!({"source": fid, "deleteSource": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let merged = env_values(&p.alice, &eid).await;
    assert_eq!(
        merged,
        [("base", "https://v2.pay.example"), ("token", "sk_g"), ("region", "us")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
    );
    assert_error(
        &p.gina.get(&format!("/api/environments/{fid}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

async fn r_pr_1_a_partners_pull_request_is_reviewed_and_merged_into_the_pw(app: TestApp) {
    // Gina, partner editor, forks into her own team and proposes a change
    // back; Alice reviews and merges it.
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    let ping = uid_of(&doc(&p.gina, &fid).await, "Ping");
    p.gina
        .put(
            &format!("/api/collections/{fid}/requests/{ping}"),
            json!({"name": "Health check"}),
        )
        .await;
    let open = |reviewers: Value| json!({"title": "Rename Ping", "description": "Clearer name", "reviewers": reviewers, "destinationId": coll});
    // Reviewers: 1 to 50 people who see the destination.
    let path = format!("/api/collections/{fid}/pull-requests");
    assert_error(
        &p.gina.post(&path, open(json!([]))).await,
        StatusCode::BAD_REQUEST,
        "invalid_reviewers",
    );
    let eve = app.user("eve@else.example", "Eve").await;
    assert_error(
        &p.gina.post(&path, open(json!([eve.user_id]))).await,
        StatusCode::BAD_REQUEST,
        "invalid_reviewers",
    );
    let (status, pr) = p.gina.post(&path, open(json!([p.alice.user_id]))).await;
    assert_eq!(status, StatusCode::OK, "{pr}");
    assert_eq!(pr["status"], "open");
    let id = pr["id"].as_str().unwrap().to_string();
    // The diff labels each item; the reviewer is told.
    assert_eq!(pr["changes"][0]["change"], "modification", "{pr}");
    assert_eq!(pr["changes"][0]["uid"], ping.as_str());
    let (_, notes) = p.alice.get("/api/notifications").await;
    assert_eq!(notes["notifications"][0]["kind"], "pull_request", "{notes}");
    // Its author may retitle it; nobody else.
    let edit = json!({"title": "Rename Ping to Health check", "reviewers": [p.alice.user_id]});
    let (status, edited) = p.gina.put(&format!("/api/pull-requests/{id}"), edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "Rename Ping to Health check");
    assert_error(
        &p.alice.put(&format!("/api/pull-requests/{id}"), edit).await,
        StatusCode::FORBIDDEN,
        "not_the_author",
    );
    let (_, listed) = p.alice.get(&format!("/api/collections/{coll}/pull-requests")).await;
    assert_eq!(listed["data"][0]["id"], id.as_str());
    // Only reviewers approve; comments from both sides.
    let task = format!("/api/pull-requests/{id}/tasks");
    assert_error(
        &p.gina.post(&task, json!({"action": "approve"})).await,
        StatusCode::FORBIDDEN,
        "not_a_reviewer",
    );
    let (status, _) = p
        .alice
        .post(
            &format!("/api/pull-requests/{id}/comments"),
            json!({"body": "Looks good"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, comments) = p.gina.get(&format!("/api/pull-requests/{id}/comments")).await;
    assert_eq!(comments["data"][0]["body"], "Looks good");
    // The publisher's team requires an approval before merging.
    let checks = format!("/api/teams/{}/merge-checks", p.acme);
    let (status, body) = p
        .alice
        .put(&checks, json!({"requireApproval": true, "requireEditorApproval": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_error(
        &p.gina
            .put(
                &checks,
                json!({"requireApproval": false, "requireEditorApproval": false}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_error(
        &p.alice.post(&task, json!({"action": "merge"})).await,
        StatusCode::CONFLICT,
        "merge_checks_failed",
    );
    let (_, approved) = p.alice.post(&task, json!({"action": "approve"})).await;
    assert_eq!(approved["status"], "approved", "{approved}");
    let (_, back) = p.alice.post(&task, json!({"action": "unapprove"})).await;
    assert_eq!(back["status"], "open");
    p.alice.post(&task, json!({"action": "approve"})).await;
    // A stranger does not even see the request; an editor of the parent
    // merges it.
    assert_error(
        &eve.get(&format!("/api/pull-requests/{id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let (status, merged) = p.alice.post(&task, json!({"action": "merge"})).await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["status"], "merged");
    assert_eq!(requests(&doc(&p.alice, &coll).await)[2].0, "Health check");
    let (_, notes) = p.gina.get("/api/notifications").await;
    assert!(notes.to_string().contains("was merged"), "{notes}");
    // A merged request is closed.
    assert_error(
        &p.alice.post(&task, json!({"action": "decline"})).await,
        StatusCode::CONFLICT,
        "pull_request_closed",
    );
}

async fn r_pr_1_a_declined_pull_request_stays_declined(app: TestApp) {
    let (p, coll, own) = published(&app, "5").await;
    let (_, body) = fork(&p.gina, &coll, &own, "ours").await;
    let fid = body["collection"]["id"].as_str().unwrap().to_string();
    let (_, pr) = p
        .gina
        .post(
            &format!("/api/collections/{fid}/pull-requests"),
            json!({"title": "Nothing", "reviewers": [p.alice.user_id], "destinationId": coll}),
        )
        .await;
    let id = pr["id"].as_str().unwrap().to_string();
    let task = format!("/api/pull-requests/{id}/tasks");
    let (status, declined) = p
        .alice
        .post(&task, json!({"action": "decline", "comment": "Not now"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert_eq!(declined["status"], "declined");
    let (_, got) = p.gina.get(&format!("/api/pull-requests/{id}")).await;
    assert_eq!(got["comment"], "Not now");
    for action in ["approve", "merge"] {
        assert_error(
            &p.alice.post(&task, json!({ "action": action })).await,
            StatusCode::CONFLICT,
            "pull_request_closed",
        );
    }
}

/// Found by the model-based differential test: once its author had left the
/// workspace, a partner's fork showed in another partner team's fork list of
/// a multi-partner workspace.
async fn r_multi_3_a_removed_partners_fork_stays_hidden_from_other_partner_teams(app: TestApp) {
    let p = app.partnership("5").await;
    let coll = import(&p.alice, &p.pw, api_v1()).await;
    let (status, body) = fork(&p.gina, &coll, &p.pw, "ours").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = p
        .alice
        .put(
            &format!("/api/workspaces/{}", p.pw),
            json!({ "workspace": { "multiPartner": true } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ivan = app.user("ivan@initech.example", "Ivan").await;
    let initech = app.team(&ivan, "Initech").await;
    let (_, inv) = p
        .alice
        .post("/api/invitations", json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": p.pw, "roleId": "4", "target": { "emails": ["ivan@initech.example"] } }))
        .await;
    let token = inv["results"][0]["invitationLink"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (status, body) = ivan
        .post(&format!("/api/invitations/{token}"), json!({ "teamId": initech }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let forks = format!("/api/collections/{coll}/forks");
    assert_eq!(ivan.get(&forks).await.1["data"], json!([]));
    let (status, body) = p
        .alice
        .post("/api/invitations", json!({ "action": "remove_partner", "targetEntity": "workspace", "targetEntityId": p.pw, "target": { "userIds": [p.gina.user_id] } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, list) = ivan.get(&forks).await;
    assert_eq!(list["data"], json!([]), "{list}");
    assert!(!list.to_string().contains(&p.gina.user_id), "{list}");
    // The publisher still sees it.
    assert_eq!(p.alice.get(&forks).await.1["data"].as_array().unwrap().len(), 1);
}

crate::on_both_backends!(
    r_multi_3_a_removed_partners_fork_stays_hidden_from_other_partner_teams,
    r_pr_1_a_partners_pull_request_is_reviewed_and_merged_into_the_pw,
    r_pr_1_a_declined_pull_request_stays_declined,
    r_fork_1_an_environment_fork_leaves_secrets_behind_for_viewers,
    r_fork_3_environment_pulls_and_merges_go_variable_by_variable,
    r_fork_4_a_partner_editor_merges_a_fork_back_into_the_pw,
    r_fork_4_merging_needs_editor_on_the_parent,
    r_fork_1_partners_fork_by_role_plan_and_destination,
    r_fork_1_a_partner_editor_forks_into_their_free_team_and_the_pw,
    r_fork_2_a_fork_is_its_parent_listed_with_its_source_status,
    r_fork_3_a_pull_brings_parent_changes_and_keeps_the_forks_own,
    r_fork_3_conflicts_come_back_and_nothing_changes_until_resolved,
    r_fork_3_a_whole_new_version_of_the_parent_reaches_the_fork,
    r_fork_2_a_fork_outlives_its_deleted_parent,
);
