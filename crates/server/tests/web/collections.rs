//! Collections in the browser over plain HTTP: import and the tree, the
//! request editor and its conflicts, the save nudge, the changelog.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::Browser;
use crate::helpers::{Client, TestApp};
use crate::on_both_backends;

on_both_backends!(
    r_col_1_an_imported_collection_shows_its_folders_and_requests_in_the_tree,
    r_iso_2_a_partner_viewer_sees_a_request_without_the_editor_and_cannot_save_it,
    r_col_2_a_stale_save_shows_the_conflict_and_keeps_the_input,
    r_upd_2_a_save_in_a_partner_workspace_offers_the_update_prefilled_with_the_changes,
    r_col_3_the_changelog_restores_an_earlier_revision,
    an_openapi_yaml_document_pasted_into_the_import_form_becomes_a_collection,
    issue_11_a_partner_viewer_runs_a_collection_and_only_they_see_the_run,
);

async fn an_openapi_yaml_document_pasted_into_the_import_form_becomes_a_collection(app: TestApp) {
    let (_alice, ws) = team_workspace(&app).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let (_, _, overview) = b.get(&format!("/workspaces/{ws}")).await;
    assert!(
        overview.contains("accept=\".json,.yaml,.yml,application/json,application/yaml\""),
        "{overview}"
    );
    let csrf = b.csrf(&format!("/workspaces/{ws}")).await;
    let yaml = "openapi: 3.1.0\ninfo:\n  title: Pets API\nservers:\n  - url: https://pets.example\npaths:\n  /pets/{petId}:\n    get:\n      tags: [Pets]\n      summary: Get a pet\n      parameters:\n        - {name: petId, in: path, required: true, schema: {type: string}}\n";
    let (status, location, body) = b
        .post_form(
            &format!("/workspaces/{ws}/collections"),
            &[("csrf", &csrf), ("collection", yaml)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = b.get(&location).await;
    assert!(page.contains("<h1>Pets API</h1>"), "{page}");
    assert!(page.contains("<span class=\"folder-name\">Pets</span>"), "{page}");
    assert!(page.contains("Get a pet"), "{page}");
    // A broken document is refused with the reason, and nothing is made.
    let (status, _, body) = b
        .post_form(
            &format!("/workspaces/{ws}/collections"),
            &[("csrf", &csrf), ("collection", "swagger: '2.0'\npaths: {}\n")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("OpenAPI 3.0 and 3.1"), "{body}");
}

fn users_api() -> String {
    json!({
        "info": {
            "name": "Users API",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
        },
        "item": [{
            "name": "Accounts",
            "item": [{
                "id": "get-user",
                "name": "Get user",
                "request": {
                    "method": "GET",
                    "url": { "raw": "https://api.example/users/1?expand=teams", "host": ["api", "example"],
                             "path": ["users", "1"], "query": [{ "key": "expand", "value": "teams" }] },
                    "header": [{ "key": "Accept", "value": "application/json" }]
                },
                "event": [{ "listen": "test", "script": { "exec": ["pm.test('ok')"] } }],
                "response": [{ "name": "Found", "code": 200, "status": "OK", "body": "{}" }]
            }]
        }, {
            "id": "create-user",
            "name": "Create user",
            "request": { "method": "POST", "url": "https://api.example/users",
                         "body": { "mode": "raw", "raw": "{\"name\":\"<b>x</b>\"}" } }
        }]
    })
    .to_string()
}

/// Imports the Users API into `ws` through the overview's form; answers
/// the collection's id.
async fn import(b: &Browser, ws: &str) -> String {
    let csrf = b.csrf(&format!("/workspaces/{ws}")).await;
    let text = users_api();
    let (status, location, body) = b
        .post_form(
            &format!("/workspaces/{ws}/collections"),
            &[("csrf", &csrf), ("collection", &text)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    location
        .strip_prefix("/collections/")
        .expect("a collection page")
        .to_string()
}

/// The editor's fields for "Get user", with `changes` over them.
fn edit<'a>(csrf: &'a str, revision: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("revision", revision),
        ("name", "Get user"),
        ("method", "GET"),
        ("url", "https://api.example/users/1?expand=teams"),
        ("headers", "Accept: application/json"),
        ("body_mode", "none"),
        ("body_raw", ""),
        ("auth", "inherit"),
        ("prerequest", ""),
        ("tests", "pm.test('ok')"),
    ];
    for (k, v) in changes {
        form.retain(|(key, _)| key != k);
        form.push((k, v));
    }
    form
}

async fn request_json(alice: &Client, coll: &str) -> Value {
    alice.get(&format!("/api/collections/{coll}/requests/get-user")).await.1
}

async fn team_workspace(app: &TestApp) -> (Client, String) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Core", "type": "team", "teamId": team } }),
        )
        .await;
    (alice, ws["workspace"]["id"].as_str().unwrap().to_string())
}

async fn r_col_1_an_imported_collection_shows_its_folders_and_requests_in_the_tree(app: TestApp) {
    let (alice, ws) = team_workspace(&app).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let coll = import(&b, &ws).await;

    let (status, _, page) = b.get(&format!("/collections/{coll}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Users API</h1>"), "{page}");
    assert!(
        page.contains("<summary><span class=\"folder-name\">Accounts</span></summary>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/collections/{coll}/requests/get-user\"")),
        "{page}"
    );
    assert!(page.contains("<span class=\"method m-post\">POST</span>"), "{page}");
    assert!(
        page.contains(&format!("href=\"/api/collections/{coll}?download=true\"")),
        "{page}"
    );

    // The overview lists it; the export link downloads the v2.1 document.
    let (_, _, overview) = b.get(&format!("/workspaces/{ws}")).await;
    assert!(overview.contains(&format!("data-collection=\"{coll}\"")), "{overview}");
    let res = b
        .http
        .get(format!("{}/api/collections/{coll}?download=true", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["collection"]["item"][0]["item"][0]["name"], "Get user");

    // The request page shows its parts, escaped.
    let (status, _, page) = b.get(&format!("/collections/{coll}/requests/create-user")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("{&quot;name&quot;:&quot;&lt;b&gt;x&lt;/b&gt;&quot;}"),
        "{page}"
    );
    assert!(!page.contains("<b>x</b>"), "{page}");

    // A broken file is refused with the use case's reason; nothing is written.
    let csrf = b.csrf(&format!("/workspaces/{ws}")).await;
    let (status, _, body) = b
        .post_form(
            &format!("/workspaces/{ws}/collections"),
            &[
                ("csrf", &csrf),
                ("collection", "{\"info\":{\"name\":\"x\"},\"item\":[{\"item\":7}]}"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("$.item[0]"), "{body}");
    let (_, list) = alice.get(&format!("/api/collections?workspace={ws}")).await;
    assert_eq!(list["collections"].as_array().unwrap().len(), 1, "{list}");
}

async fn r_iso_2_a_partner_viewer_sees_a_request_without_the_editor_and_cannot_save_it(app: TestApp) {
    let p = app.partnership("4").await;
    let coll = crate::import(&p.alice, &p.pw, users_api()).await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let path = format!("/collections/{coll}/requests/get-user");
    let (status, _, page) = b.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("https://api.example/users/1?expand=teams"), "{page}");
    assert!(page.contains("Found"), "{page}");
    assert!(!page.contains("Edit request"), "{page}");
    assert!(!page.contains("download=true"), "{page}");
    assert!(!page.contains("Import a collection"), "{page}");

    let csrf = b.csrf(&path).await;
    let form = edit(&csrf, "1", &[("name", "Hijacked")]);
    let (status, _, _) = b.post_form(&path, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(request_json(&p.alice, &coll).await["data"]["name"], "Get user");

    // A collection of an internal workspace is "Not found" to the partner.
    let (_, ws) = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Internal", "type": "team", "teamId": p.acme } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap();
    let internal = crate::import(&p.alice, ws, users_api()).await;
    let (status, _, _) = b.get(&format!("/collections/{internal}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = b.get(&format!("/collections/{internal}/changelog")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn r_col_2_a_stale_save_shows_the_conflict_and_keeps_the_input(app: TestApp) {
    let (alice, ws) = team_workspace(&app).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let coll = import(&b, &ws).await;
    let path = format!("/collections/{coll}/requests/get-user");
    let csrf = b.csrf(&path).await;

    // A save on the page's revision goes through, keeping what it did not touch.
    let form = edit(
        &csrf,
        "1",
        &[("method", "PATCH"), ("url", "https://api.example/v2/users/1")],
    );
    let (status, location, body) = b.post_form(&path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("{path}?saved=1"));
    let got = request_json(&alice, &coll).await;
    assert_eq!(got["data"]["request"]["method"], "PATCH", "{got}");
    assert_eq!(got["data"]["request"]["url"]["raw"], "https://api.example/v2/users/1");
    assert_eq!(got["data"]["request"]["header"][0]["key"], "Accept");
    assert_eq!(got["data"]["event"][0]["script"]["exec"][0], "pm.test('ok')");
    assert_eq!(got["revision"], 2, "{got}");

    // Another save from the page of revision 1 is refused; the form keeps it.
    let form = edit(&csrf, "1", &[("name", "My stale <rename>")]);
    let (status, _, body) = b.post_form(&path, &form).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("changed since revision 1"), "{body}");
    assert!(body.contains("value=\"My stale &lt;rename&gt;\""), "{body}");
    assert!(body.contains("name=\"revision\" value=\"1\""), "{body}");
    let got = request_json(&alice, &coll).await;
    assert_eq!(got["data"]["name"], "Get user");
    assert_eq!(got["revision"], 2);
}

async fn r_upd_2_a_save_in_a_partner_workspace_offers_the_update_prefilled_with_the_changes(app: TestApp) {
    let p = app.partnership("4").await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let coll = import(&b, &p.pw).await;
    let path = format!("/collections/{coll}/requests/get-user");
    let csrf = b.csrf(&path).await;
    let form = edit(&csrf, "1", &[("name", "Get a user")]);
    let (status, _, page) = b.post_form(&path, &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h2 id=\"nudge-h\">Post an update</h2>"), "{page}");
    assert!(page.contains("value=\"Changes to Users API\""), "{page}");
    assert!(page.contains("- Updated request **Get a user**"), "{page}");
    assert!(page.contains("- Created collection **Users API**"), "{page}");
    assert!(
        page.contains(&format!("action=\"/workspaces/{}/updates\"", p.pw)),
        "{page}"
    );

    // Posting the nudge's form posts the update with the changes it lists.
    let after = |marker: &str| {
        let at = page.find(marker).unwrap() + marker.len();
        page[at..].split('"').next().unwrap().to_string()
    };
    let changes = after("name=\"element_changes\" value=\"").replace("&quot;", "\"");
    let description = "- Updated request **Get a user**";
    let (status, location, body) = b
        .post_form(
            &format!("/workspaces/{}/updates", p.pw),
            &[
                ("csrf", &csrf),
                ("related_collection", &coll),
                ("element_changes", &changes),
                ("topic", "Changes to Users API"),
                ("description", description),
                ("category", "improvement"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("/updates#update-"), "{location}");
    let (_, list) = p.gina.get(&format!("/api/workspaces/{}/updates", p.pw)).await;
    let update = &list["data"][0];
    assert_eq!(update["topic"], "Changes to Users API", "{list}");
    assert_eq!(update["relatedResources"][0]["resourceId"], coll.as_str(), "{list}");
    assert!(update["elementChanges"].to_string().contains("Get a user"), "{list}");
}

async fn r_col_3_the_changelog_restores_an_earlier_revision(app: TestApp) {
    let (alice, ws) = team_workspace(&app).await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let coll = import(&b, &ws).await;
    let path = format!("/collections/{coll}/requests/get-user");
    let csrf = b.csrf(&path).await;
    let (status, _, _) = b.post_form(&path, &edit(&csrf, "1", &[("name", "Fetch user")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let log = format!("/collections/{coll}/changelog");
    let (status, _, page) = b.get(&log).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h2>Revision 2</h2>"), "{page}");
    assert!(page.contains("Fetch user"), "{page}");
    assert!(page.contains("<code>name</code>"), "{page}");
    assert!(page.contains("Restore revision 1"), "{page}");
    assert!(page.contains("data-confirm="), "{page}");

    let restore = format!("/collections/{coll}/restore");
    let (status, _, _) = b.post_form(&restore, &[("revision", "1"), ("base", "2")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, location, body) = b
        .post_form(&restore, &[("csrf", &csrf), ("revision", "1"), ("base", "2")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, format!("{log}#revision-3"));
    let got = request_json(&alice, &coll).await;
    assert_eq!(got["data"]["name"], "Get user");
    assert_eq!(got["revision"], 3);
    let (_, _, page) = b.get(&log).await;
    assert!(page.contains("Restored revision 1"), "{page}");

    // A restore based on an old head is a conflict and changes nothing.
    let (status, _, _) = b
        .post_form(&restore, &[("csrf", &csrf), ("revision", "2"), ("base", "2")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(request_json(&alice, &coll).await["revision"], 3);
}

/// Issue 11: a partner viewer runs a collection from its page; the run's
/// page lists each request and says why it failed (this server refuses
/// internal targets by default); nobody else sees the run.
async fn issue_11_a_partner_viewer_runs_a_collection_and_only_they_see_the_run(app: TestApp) {
    let p = app.partnership("4").await;
    let coll = crate::import(&p.alice, &p.pw, users_api()).await;
    let b = Browser::new(&app.base);
    b.sign_in("gina@globex.example").await;
    let path = format!("/collections/{coll}");
    let (_, _, page) = b.get(&path).await;
    assert!(page.contains("data-run-form"), "{page}");
    assert!(page.contains("data-no-runs"), "{page}");
    let csrf = b.csrf(&path).await;
    let (status, location, body) = b
        .post_form(
            &format!("{path}/runs"),
            &[("csrf", &csrf), ("environment", ""), ("iterations", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with("/runs/"), "{location}");
    let (status, _, run) = b.get(&location).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert!(run.contains("Get user"), "{run}");
    assert!(run.contains("data-run-passed=\"false\""), "{run}");
    assert!(run.contains("No response"), "{run}");
    let (_, _, page) = b.get(&path).await;
    assert!(
        page.contains(&format!("href=\"{location}\"")),
        "the run is listed: {page}"
    );
    // Bad iterations: a clear refusal.
    let (status, _, _) = b
        .post_form(&format!("{path}/runs"), &[("csrf", &csrf), ("iterations", "50")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let a = Browser::new(&app.base);
    a.sign_in("alice@acme.example").await;
    let (status, _, _) = a.get(&location).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Alice does not see Gina's run");
    let (_, _, page) = a.get(&path).await;
    assert!(!page.contains(&location), "{page}");
}
