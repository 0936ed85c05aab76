//! Many writers at once (issue "Security and reliability", concurrency):
//! editors racing on one request with `If-Match`, admins racing on one
//! person's role, and a partner accepting one invitation from twenty
//! places. Every answer is a success or a clear conflict, never a `5xx` or
//! "database is locked", and no acknowledged write is lost.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Client, PASSWORD, TestApp};

const WRITERS: usize = 16;
const ROUNDS: usize = 5;

/// `n` more signed-in clients of the same account.
async fn sessions(app: &TestApp, email: &str, n: usize) -> Vec<Client> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut c = app.anonymous();
        assert_eq!(c.login(email, PASSWORD).await.0, StatusCode::OK);
        out.push(c);
    }
    out
}

/// Alice's team workspace with a one-request collection; answers (team,
/// workspace, collection).
async fn workspace_with_collection(app: &TestApp, alice: &Client) -> (String, String, String) {
    let team = app.team(alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Internal", "type": "team", "teamId": team } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let doc = json!({ "info": { "name": "Shop" }, "item": [{ "id": "r-list", "name": "List", "request": "https://x/orders" }] });
    let (status, made) = alice.post(&format!("/api/collections?workspace={ws}"), doc).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    (team, ws, made["collection"]["id"].as_str().unwrap().to_string())
}

/// R-COL-2: sixteen editors each read the request and write it back with
/// `If-Match`, five rounds each, all at once. Each write either applies
/// (its revision is new and in the changelog) or answers `409`; the
/// request ends as the newest applied write left it.
async fn r_col_2_sixteen_editors_racing_with_if_match_lose_no_update(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let (_, _, id) = workspace_with_collection(&app, &alice).await;
    let editors = sessions(&app, "alice@acme.example", WRITERS).await;
    let path = format!("/api/collections/{id}/requests/r-list");
    let runs = editors.iter().enumerate().map(|(i, c)| {
        let path = path.clone();
        async move {
            let mut outcomes = Vec::new();
            for round in 0..ROUNDS {
                let res = c.request(Method::GET, &path).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                let etag = res.headers()["etag"].to_str().unwrap().to_string();
                let name = format!("writer {i} round {round}");
                let put = c
                    .request(Method::PUT, &path)
                    .header("if-match", etag)
                    .json(&json!({ "name": name }));
                let (status, body) = c.send(put).await;
                outcomes.push((status, body, name));
            }
            outcomes
        }
    });
    let outcomes: Vec<(StatusCode, Value, String)> = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .collect();
    let mut applied = Vec::new();
    for (status, body, name) in &outcomes {
        match *status {
            StatusCode::OK => applied.push((body["revision"].as_i64().unwrap(), name.clone())),
            StatusCode::CONFLICT => assert_eq!(body["error"]["name"], "revision_conflict", "{body}"),
            other => panic!("a writer got {other}: {body}"),
        }
    }
    assert!(!applied.is_empty(), "no write applied");
    // Each applied write made its own revision: 2, 3, … with no gap or repeat.
    applied.sort();
    let revisions: Vec<i64> = applied.iter().map(|(r, _)| *r).collect();
    let expected: Vec<i64> = (2..2 + applied.len() as i64).collect();
    assert_eq!(revisions, expected, "revisions of the applied writes");
    let (_, changelog) = alice.get(&format!("/api/collections/{id}/changelog?limit=100")).await;
    let logged: BTreeSet<i64> = changelog["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(logged.len(), applied.len() + 1, "{changelog}");
    // The newest applied write is what the request says now.
    let (_, request) = alice.get(&path).await;
    assert_eq!(
        request["data"]["name"].as_str().or(request["name"].as_str()),
        Some(applied.last().unwrap().1.as_str()),
        "{request}"
    );
}

/// Sixteen admins change one member's workspace role at once, half to
/// editor and half to viewer: every change answers 200, and the member
/// ends holding exactly one role, one of those asked for.
async fn sixteen_admins_changing_one_role_at_once_leave_exactly_one_role(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    let (team, ws, _) = workspace_with_collection(&app, &alice).await;
    let (status, body) = alice
        .post(
            &format!("/api/teams/{team}/members"),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let admins = sessions(&app, "alice@acme.example", WRITERS).await;
    let path = format!("/api/workspaces/{ws}/roles");
    let changes = admins.iter().enumerate().map(|(i, c)| {
        let role = if i % 2 == 0 { "2" } else { "1" };
        c.patch(
            &path,
            json!({ "roles": [{ "op": "add", "path": "/user", "value": [{ "id": bob.user_id, "role": role }] }] }),
        )
    });
    for (status, body) in futures_util::future::join_all(changes).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, roles) = alice.get(&path).await;
    let held: Vec<&str> = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["user"].as_array().unwrap().iter().any(|u| *u == bob.user_id.as_str()))
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(held.len(), 1, "{roles}");
    assert!(["1", "2"].contains(&held[0]), "{roles}");
    // Bob sees the workspace with that role.
    let (status, _) = bob.get(&format!("/api/workspaces/{ws}")).await;
    assert_eq!(status, StatusCode::OK);
}

/// R-INV-1: one invitation, accepted from twenty sessions of the invitee at
/// once: exactly one acceptance wins; the others are refused with a clear
/// 4xx; the partner holds one role and the partnership exists once.
async fn r_inv_1_twenty_parallel_accepts_of_one_invitation_have_exactly_one_winner(app: TestApp) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    app.user("gina@globex.example", "Gina").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
        .await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme } }),
        )
        .await;
    let pw = ws["workspace"]["id"].as_str().unwrap().to_string();
    let token = crate::helpers::invitation_token(&alice, &pw, "gina@globex.example", "4").await;
    let ginas = sessions(&app, "gina@globex.example", 20).await;
    let accept = format!("/api/invitations/{token}");
    let accepts = ginas
        .iter()
        .enumerate()
        .map(|(i, c)| c.post(&accept, json!({ "newTeamName": format!("Globex {i}") })));
    let answers = futures_util::future::join_all(accepts).await;
    let winners = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(winners, 1, "{answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK || status.is_client_error(),
            "an accept answered {status}: {body}"
        );
        if status.is_client_error() {
            assert!(body["error"]["name"].is_string(), "{body}");
        }
    }
    // One team was made (the winner's), one partnership, one role.
    let (_, me) = ginas[0].get("/api/me").await;
    assert_eq!(me["user"]["teams"].as_array().unwrap().len(), 1, "{me}");
    let (_, roles) = alice.get(&format!("/api/workspaces/{pw}/roles")).await;
    let gina_id = me["user"]["id"].as_str().unwrap();
    let held: usize = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partner"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|u| *u == gina_id)
                .count()
        })
        .sum();
    assert_eq!(held, 1, "{roles}");
    let (_, partnerships) = alice.get(&format!("/api/teams/{acme}/partnerships")).await;
    assert_eq!(partnerships.to_string().matches("Globex").count(), 1, "{partnerships}");
}

crate::on_both_backends!(
    r_col_2_sixteen_editors_racing_with_if_match_lose_no_update,
    sixteen_admins_changing_one_role_at_once_leave_exactly_one_role,
    r_inv_1_twenty_parallel_accepts_of_one_invitation_have_exactly_one_winner,
);
