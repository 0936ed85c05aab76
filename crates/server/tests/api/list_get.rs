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
    /// (source collection, fork).
    forks: Vec<(String, String)>,
    /// (fork, parent, pull request).
    pull_requests: Vec<(String, String, String)>,
    /// (collection, run).
    runs: Vec<(String, String)>,
}

/// A fork of `source` into `ws`, made by `c`.
async fn fork(world: &mut World, c: &Client, source: &str, ws: &str) -> String {
    let (status, made) = c
        .post(
            &format!("/api/collections/fork/{source}?workspace={ws}"),
            json!({ "label": "copy" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let id = made["collection"]["id"].as_str().unwrap().to_string();
    world.forks.push((source.to_string(), id.clone()));
    id
}

/// A pull request from `fork` into `parent`, reviewed by `reviewer`.
async fn pull_request(world: &mut World, c: &Client, fork: &str, parent: &str, reviewer: &Client) {
    let (status, pr) = c
        .post(
            &format!("/api/collections/{fork}/pull-requests"),
            json!({ "title": "T", "description": "D", "reviewers": [reviewer.user_id], "destinationId": parent }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{pr}");
    let id = pr["id"].as_str().unwrap().to_string();
    world.pull_requests.push((fork.to_string(), parent.to_string(), id));
}

/// A run of `collection` by `c` (its request goes to loopback, which runs
/// refuse: the run is kept with the error, nothing is sent).
async fn run(world: &mut World, c: &Client, collection: &str) {
    let (status, made) = c.post(&format!("/api/collections/{collection}/runs"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["run"]["id"].as_str().unwrap().to_string();
    world.runs.push((collection.to_string(), id));
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
    // Forks, pull requests and runs: the lists under a collection.
    let [pw_coll, internal_coll, _, broadcast_coll, _] = <[String; 5]>::try_from(world.collections.clone()).unwrap();
    let gina_fork = fork(&mut world, &p.gina, &pw_coll, &globex_home).await;
    let alice_fork = fork(&mut world, &p.alice, &internal_coll, &internal).await;
    fork(&mut world, &p.alice, &broadcast_coll, &broadcast).await;
    fork(&mut world, &p.alice, &pw_coll, &p.pw).await;
    pull_request(&mut world, &p.gina, &gina_fork, &pw_coll, &p.alice).await;
    pull_request(&mut world, &p.alice, &alice_fork, &internal_coll, &bob).await;
    let target =
        json!({ "info": { "name": "Runs" }, "item": [{ "name": "R", "request": format!("{}/healthz", app.base) }] });
    for (c, ws) in [(&p.alice, &p.pw), (&p.alice, &broadcast)] {
        let (status, made) = c
            .post(&format!("/api/collections?workspace={ws}"), target.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{made}");
        world
            .collections
            .push(made["collection"]["id"].as_str().unwrap().to_string());
    }
    let runnable = world.collections[world.collections.len() - 2..].to_vec();
    run(&mut world, &p.alice, &runnable[0]).await;
    run(&mut world, &p.gina, &runnable[0]).await;
    run(&mut world, &greg, &runnable[1]).await;
    run(&mut world, &ivan, &runnable[1]).await;
    run(&mut world, &p.alice, &runnable[1]).await;

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
        let every: Vec<String> = world
            .collections
            .iter()
            .chain(world.forks.iter().map(|(_, f)| f))
            .cloned()
            .collect();
        let can = gettable(c, &every, |id| format!("/api/collections/{id}")).await;
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
    // The lists under collections; some of them show something to some
    // principals and hide some of it from others, or they prove little.
    let (mut shown, mut partial) = (0, 0);
    for (who, c) in principals {
        let n = nested_lists(&world, who, c).await;
        compared += n.compared;
        shown += n.shown;
        partial += n.partial;
    }
    assert!(compared >= 130, "only {compared} comparisons");
    assert!(
        shown >= 15 && partial >= 5,
        "{shown} lists showed something, {partial} hid part of it"
    );
}

/// The lists under each collection (its forks, its pull requests, the
/// caller's runs of it) and the caller's own forks, against GET of each
/// object.
async fn nested_lists(world: &World, who: &str, c: &Client) -> Nested {
    let mut n = Nested::default();
    let mut count = |all: usize, can: &BTreeSet<String>| {
        n.compared += 1;
        n.shown += usize::from(!can.is_empty());
        n.partial += usize::from(!can.is_empty() && can.len() < all);
    };
    let among = |pairs: &[(String, String)], key: &str| -> Vec<String> {
        pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    };
    for coll in &world.collections {
        let (status, _) = c.get(&format!("/api/collections/{coll}")).await;
        let path = |what: &str| format!("/api/collections/{coll}/{what}");
        if status == StatusCode::NOT_FOUND {
            // A hidden collection hides its lists too.
            for what in ["forks", "pull-requests", "runs"] {
                assert_eq!(
                    c.get(&path(what)).await.0,
                    StatusCode::NOT_FOUND,
                    "{who}: {what} of {coll}"
                );
            }
            continue;
        }
        let forks = among(&world.forks, coll);
        let can = gettable(c, &forks, |id| format!("/api/collections/{id}")).await;
        count(forks.len(), &can);
        let (status, page) = c.get(&path("forks")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let listed: BTreeSet<String> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["forkId"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(listed, can, "forks of {coll} for {who}");
        let prs: Vec<String> = world
            .pull_requests
            .iter()
            .filter(|(f, p, _)| f == coll || p == coll)
            .map(|(_, _, id)| id.clone())
            .collect();
        let can = gettable(c, &prs, |id| format!("/api/pull-requests/{id}")).await;
        count(prs.len(), &can);
        let (status, page) = c.get(&path("pull-requests")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(
            ids(page["data"].as_array().unwrap()),
            can,
            "pull requests of {coll} for {who}"
        );
        let runs = among(&world.runs, coll);
        let can = gettable(c, &runs, |id| format!("/api/runs/{id}")).await;
        count(runs.len(), &can);
        let (status, page) = c.get(&path("runs")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(ids(page["runs"].as_array().unwrap()), can, "runs of {coll} for {who}");
    }
    // The caller's own forks: each one listed passes GET.
    let (status, page) = c.get("/api/collections/collection-forks").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for f in page["data"].as_array().unwrap() {
        let id = f["forkId"].as_str().or(f["id"].as_str()).unwrap();
        assert_eq!(
            c.get(&format!("/api/collections/{id}")).await.0,
            StatusCode::OK,
            "{who}: {f}"
        );
    }
    n.compared += 1;
    n
}

/// What [`nested_lists`] compared: lists, lists that showed something, and
/// lists that showed part of what exists.
#[derive(Default)]
struct Nested {
    compared: usize,
    shown: usize,
    partial: usize,
}

/// A signed-in client of an existing account.
async fn app_user_client(app: &TestApp, email: &str) -> Client {
    let mut c = app.anonymous();
    assert_eq!(c.login(email, crate::helpers::PASSWORD).await.0, StatusCode::OK);
    c
}

crate::on_both_backends!(list_equals_get_for_every_principal_and_page_size);
