//! List = get (issue "Security and reliability", Authorization item 3): for
//! every principal, what each list returns, walked page by page at sizes
//! 1, 2 and the default, is exactly the set of objects a GET lets them see,
//! and every listed object passes GET.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp};

/// Everything of the world, by id.
#[derive(Default)]
struct World {
    workspaces: Vec<String>,
    collections: Vec<String>,
    environments: Vec<String>,
    /// (workspace, update id).
    updates: Vec<(String, i64)>,
}

async fn fill(world: &mut World, c: &Client, ws: &str) {
    world.workspaces.push(ws.to_string());
    let doc = json!({ "info": { "name": format!("C {ws}") }, "item": [{ "name": "R", "request": "https://x" }] });
    let (status, made) = c.post(&format!("/api/collections?workspace={ws}"), doc).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    world
        .collections
        .push(made["collection"]["id"].as_str().unwrap().to_string());
    let env = json!({ "environment": { "name": "E", "values": [] } });
    let (status, made) = c.post(&format!("/api/environments?workspace={ws}"), env).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    world
        .environments
        .push(made["environment"]["id"].as_str().unwrap().to_string());
    for topic in ["One", "Two", "Three"] {
        let (status, u) = c
            .post(
                &format!("/api/workspaces/{ws}/updates"),
                json!({ "topic": topic, "category": "announcement" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{u}");
        world.updates.push((ws.to_string(), u["id"].as_i64().unwrap()));
    }
}

async fn workspace(c: &Client, team: &str, name: &str, kind: &str) -> String {
    let (status, ws) = c
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": name, "type": kind, "teamId": team } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ws}");
    ws["workspace"]["id"].as_str().unwrap().to_string()
}

/// Walks a cursor-paged list (`meta.nextCursor`) at page size `limit`.
async fn walk_cursor(c: &Client, path: &str, key: &str, limit: Option<u32>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut q = Vec::new();
        if let Some(l) = limit {
            q.push(format!("limit={l}"));
        }
        if let Some(cur) = &cursor {
            q.push(format!("cursor={cur}"));
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}{sep}{}", q.join("&"))
        };
        let (status, page) = c.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        let items = page[key].as_array().unwrap();
        if let Some(l) = limit {
            assert!(items.len() <= l as usize, "{url} gave {} items", items.len());
        }
        out.extend(items.iter().cloned());
        match page["meta"]["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return out,
        }
    }
    panic!("{path} never ended");
}

/// Walks `/api/collections` by offset at page size `limit`.
async fn walk_offset(c: &Client, limit: Option<usize>) -> Vec<Value> {
    let Some(limit) = limit else {
        let (_, page) = c.get("/api/collections").await;
        return page["collections"].as_array().unwrap().clone();
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let (_, page) = c.get(&format!("/api/collections?limit={limit}&offset={offset}")).await;
        let items = page["collections"].as_array().unwrap();
        out.extend(items.iter().cloned());
        offset += limit;
        if items.is_empty() || offset >= page["meta"]["total"].as_u64().unwrap() as usize {
            return out;
        }
    }
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

/// The set of ids GET lets `c` see among `all`.
async fn gettable(c: &Client, all: &[String], path: impl Fn(&str) -> String) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for id in all {
        let (status, body) = c.get(&path(id)).await;
        match status {
            StatusCode::OK => {
                out.insert(id.clone());
            }
            StatusCode::NOT_FOUND => {}
            other => panic!("GET {} answered {other}: {body}", path(id)),
        }
    }
    out
}

async fn list_equals_get_for_every_principal_and_page_size(app: TestApp) {
    let p = app.partnership("5").await;
    let ops = app.user("ops2@portico.example", "Otto").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let eve = app.user("eve@evil.example", "Eve").await;
    let (status, body) = p
        .alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut world = World::default();
    fill(&mut world, &p.alice, &p.pw).await;
    let internal = workspace(&p.alice, &p.acme, "Internal", "team").await;
    fill(&mut world, &p.alice, &internal).await;
    let private = workspace(&p.alice, &p.acme, "Private", "private").await;
    fill(&mut world, &p.alice, &private).await;
    let broadcast = workspace(&p.alice, &p.acme, "Broadcast", "partner").await;
    let greg = app
        .partner_with_new_team(&p.alice, &broadcast, "greg@initech.example", "Greg", "4")
        .await;
    let (status, body) = p
        .alice
        .put(
            &format!("/api/workspaces/{broadcast}"),
            json!({ "workspace": { "multiPartner": true } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ivan = app
        .partner_with_new_team(&p.alice, &broadcast, "ivan@umbrella.example", "Ivan", "4")
        .await;
    fill(&mut world, &p.alice, &broadcast).await;
    let globex_home = workspace(&p.gina, &p.globex, "Globex home", "team").await;
    fill(&mut world, &p.gina, &globex_home).await;

    let principals = [
        (
            "the first operator",
            &app_user_client(&app, "ops@portico.example").await,
        ),
        ("another account", &ops),
        ("the publisher's admin", &p.alice),
        ("a developer of the publisher", &bob),
        ("a partner editor", &p.gina),
        ("a partner viewer in multi-partner mode", &greg),
        ("another partner team's viewer", &ivan),
        ("an outsider", &eve),
    ];
    let mut compared = 0;
    for (who, c) in principals {
        // Workspaces.
        let can = gettable(c, &world.workspaces, |id| format!("/api/workspaces/{id}")).await;
        for limit in [Some(1), Some(2), None] {
            let listed = ids(&walk_cursor(c, "/api/workspaces", "workspaces", limit).await);
            let listed: BTreeSet<String> = listed.into_iter().filter(|id| world.workspaces.contains(id)).collect();
            assert_eq!(listed, can, "workspaces of {who} at page size {limit:?}");
            compared += 1;
        }
        // Collections.
        let can = gettable(c, &world.collections, |id| format!("/api/collections/{id}")).await;
        for limit in [Some(1), Some(2), None] {
            let listed = ids(&walk_offset(c, limit).await);
            assert_eq!(listed, can, "collections of {who} at page size {limit:?}");
            compared += 1;
        }
        // Environments.
        let can = gettable(c, &world.environments, |id| format!("/api/environments/{id}")).await;
        let (_, page) = c.get("/api/environments").await;
        let listed = ids(page["environments"].as_array().unwrap());
        assert_eq!(listed, can, "environments of {who}");
        compared += 1;
        // Updates, workspace by workspace.
        for ws in &world.workspaces {
            let all: Vec<String> = world
                .updates
                .iter()
                .filter(|(w, _)| w == ws)
                .map(|(_, u)| u.to_string())
                .collect();
            let can = gettable(c, &all, |id| format!("/api/workspaces/{ws}/updates/{id}")).await;
            let (status, _) = c.get(&format!("/api/workspaces/{ws}/updates")).await;
            if status == StatusCode::NOT_FOUND {
                assert!(can.is_empty(), "{who} gets updates of a workspace whose list is hidden");
                continue;
            }
            for limit in [Some(1), Some(2), None] {
                let listed: BTreeSet<String> = walk_cursor(c, &format!("/api/workspaces/{ws}/updates"), "data", limit)
                    .await
                    .iter()
                    .map(|u| u["id"].as_i64().unwrap().to_string())
                    .collect();
                assert_eq!(listed, can, "updates of {ws} for {who} at page size {limit:?}");
                compared += 1;
            }
        }
    }
    assert!(compared >= 80, "only {compared} comparisons");
}

/// A signed-in client of an existing account.
async fn app_user_client(app: &TestApp, email: &str) -> Client {
    let mut c = app.anonymous();
    assert_eq!(c.login(email, crate::helpers::PASSWORD).await.0, StatusCode::OK);
    c
}

crate::on_both_backends!(list_equals_get_for_every_principal_and_page_size);
