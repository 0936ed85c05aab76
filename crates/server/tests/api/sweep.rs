//! R-ISO-3 over the whole API: for every route of `/api/openapi.json` that
//! takes an id, a principal who may not see the object gets exactly the
//! answer an id that does not exist gets: `404`, same body.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

const MISSING: &str = "00000000-0000-4000-8000-000000000000";

/// A valid body for routes that take one, so that the refusal comes from
/// visibility and not from the body's shape.
fn body_for(method: &Method, path: &str, someone: &str) -> Option<Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return None;
    }
    Some(match (method.as_str(), path) {
        ("PATCH", "/api/teams/{teamId}") => json!({ "name": "Taken" }),
        ("POST", "/api/teams/{teamId}/members") => json!({ "email": "z@z.example", "roles": ["developer"] }),
        ("PATCH", "/api/teams/{teamId}/members/{userId}") => json!({ "roles": ["developer"] }),
        ("POST", "/api/teams/{teamId}/domains") => json!({ "domain": "z.example" }),
        ("PUT", "/api/workspaces/{workspaceId}") => json!({ "workspace": { "name": "Taken" } }),
        ("POST", "/api/workspaces/{workspaceId}/approval") => json!({ "decision": "approve" }),
        ("POST", "/api/workspaces/{workspaceId}/updates") => json!({ "topic": "Hi", "category": "announcement" }),
        ("POST" | "PATCH" | "PUT", p) if p.contains("/comments") => json!({ "body": "Hi" }),
        ("PATCH", "/api/workspaces/{workspaceId}/roles") => {
            json!({ "roles": [{ "op": "add", "path": "/user", "value": [{ "id": someone, "role": "1" }] }] })
        }
        ("POST", "/api/collections/{collectionId}/restore") => json!({ "revision": 1 }),
        ("PATCH", "/api/collections/{collectionId}/roles") => json!({ "roles": [] }),
        ("POST", "/api/workspaces/{workspaceId}/integrations") => {
            json!({ "name": "Chat", "url": "https://93.184.216.34/hook", "events": ["comment_posted"] })
        }
        ("POST", "/api/collections/fork/{collectionId}") => json!({ "label": "Mine" }),
        ("POST", "/api/collections/{collectionId}/runs") => json!({}),
        ("PUT", "/api/teams/{teamId}/sign-in") => {
            json!({ "issuer": "https://idp.example", "clientId": "c", "clientSecret": "s" })
        }
        ("POST", "/api/collections/{collectionId}/pull-requests") => {
            json!({ "title": "T", "reviewers": [someone], "destinationId": MISSING })
        }
        ("POST", "/api/pull-requests/{pullRequestId}/tasks") => json!({ "action": "approve" }),
        ("PUT", "/api/pull-requests/{pullRequestId}") => json!({ "title": "T", "reviewers": [someone] }),
        ("PUT", "/api/teams/{teamId}/merge-checks") => {
            json!({ "requireApproval": true, "requireEditorApproval": false })
        }
        ("PUT", "/api/collections/{collectionId}/pulls") => json!({ "resolutions": [] }),
        ("POST", "/api/environments/{environmentId}/forks") => json!({ "forkName": "Mine" }),
        ("POST", "/api/environments/{environmentId}/pulls") => json!({}),
        ("POST", "/api/environments/{environmentId}/merges") => json!({ "source": MISSING }),
        ("PUT", "/api/collections/{collectionId}") => json!({ "info": { "name": "Taken" }, "item": [] }),
        ("PATCH", "/api/collections/{collectionId}") => json!({ "collection": { "info": { "name": "Taken" } } }),
        (_, p) if p.starts_with("/api/collections/") => json!({ "name": "Taken" }),
        ("PUT", "/api/environments/{environmentId}") => json!({ "environment": { "name": "Taken", "values": [] } }),
        ("PATCH", "/api/environments/{environmentId}") => {
            json!([{ "op": "replace", "path": "/name", "value": "Taken" }])
        }
        _ => json!({}),
    })
}

async fn r_iso_3_every_route_with_an_id_answers_404_alike_for_hidden_and_missing_objects(app: TestApp) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let gina = app.user("gina@globex.example", "Gina").await;
    let eve = app.user("eve@evil.example", "Eve").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
        .await;
    let globex = app.team(&gina, "Globex").await;
    app.team(&eve, "Evil").await;
    alice
        .post(
            &format!("/api/teams/{acme}/domains"),
            json!({ "domain": "acme.example" }),
        )
        .await;
    let make = |name: &str, kind: &str| json!({ "workspace": { "name": name, "type": kind, "teamId": acme } });
    let (_, pw) = alice.post("/api/workspaces", make("PW", "partner")).await;
    let pw = pw["workspace"]["id"].as_str().unwrap().to_string();
    let (_, internal) = alice.post("/api/workspaces", make("Internal", "team")).await;
    let internal = internal["workspace"]["id"].as_str().unwrap().to_string();
    let invite = |email: &str| json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": pw, "roleId": "4", "target": { "emails": [email] } });
    let (_, sent) = alice.post("/api/invitations", invite("gina@globex.example")).await;
    let token = sent["results"][0]["invitationLink"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        gina.post(&format!("/api/invitations/{token}"), json!({ "teamId": globex }))
            .await
            .0,
        StatusCode::OK
    );
    let (_, pending) = alice.post("/api/invitations", invite("later@globex.example")).await;
    assert_eq!(pending["results"][0]["status"], "EMAIL_SENT");
    let (_, inv) = alice.get(&format!("/api/workspaces/{pw}/invitations")).await;
    let invitation = inv["invitations"][0]["id"].as_str().unwrap().to_string();
    let (_, key) = alice.post("/api/me/api-keys", json!({ "name": "k" })).await;
    let key = key["apiKey"]["id"].as_str().unwrap().to_string();

    // A collection in each workspace, with a folder, a request and a response.
    let mut collections = std::collections::HashMap::new();
    let mut environments = std::collections::HashMap::new();
    for ws in [&pw, &internal] {
        let shop = json!({ "info": { "name": "Shop" }, "item": [
            { "id": "f1", "name": "F", "item": [] },
            { "id": "r1", "name": "R", "request": "https://x", "response": [{ "id": "e1", "name": "E" }] }
        ] });
        let (status, made) = alice.post(&format!("/api/collections?workspace={ws}"), shop).await;
        assert_eq!(status, StatusCode::OK, "{made}");
        collections.insert(ws.clone(), made["collection"]["id"].as_str().unwrap().to_string());
        let env = json!({ "environment": { "name": "Env", "values": [] } });
        let (status, made) = alice.post(&format!("/api/environments?workspace={ws}"), env).await;
        assert_eq!(status, StatusCode::OK, "{made}");
        environments.insert(ws.clone(), made["environment"]["id"].as_str().unwrap().to_string());
    }
    let (status, hook) = alice
        .post(
            &format!("/api/workspaces/{internal}/integrations"),
            json!({ "name": "Chat", "url": "https://93.184.216.34/hook", "events": ["comment_posted"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let hook = hook["integration"]["id"].as_str().unwrap().to_string();
    let (_, doc) = app.anonymous().get("/api/openapi.json").await;
    let mut checked = 0;
    // Gina is a partner: the internal workspace and the team are hidden from
    // her. Eve is an outsider: everything of Acme is hidden from her.
    for (who, hidden_ws) in [(&gina, &internal), (&eve, &internal), (&eve, &pw)] {
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.contains('{') || path.contains("{token}") {
                continue;
            }
            for method in item.as_object().unwrap().keys() {
                let method: Method = method.to_uppercase().parse().unwrap();
                let fill = |team: &str, ws: &str, user: &str, key: &str, inv: &str, domain: &str| {
                    path.replace("{teamId}", team)
                        .replace("{workspaceId}", ws)
                        .replace("{userId}", user)
                        .replace("{keyId}", key)
                        .replace("{invitationId}", inv)
                        .replace("{domain}", domain)
                        .replace("{updateId}", "1")
                        .replace("{commentId}", "1")
                        .replace("{collectionId}", collections.get(ws).map_or(MISSING, String::as_str))
                        .replace("{environmentId}", environments.get(ws).map_or(MISSING, String::as_str))
                        .replace("{integrationId}", if ws == internal { &hook } else { MISSING })
                        .replace("{folderId}", "f1")
                        .replace("{requestId}", "r1")
                        .replace("{responseId}", "e1")
                        .replace("{taskId}", MISSING)
                        .replace("{pullRequestId}", MISSING)
                };
                // Partner resources are looked up by the partner's id; the
                // others by an Acme member's.
                let user = if path.starts_with("/api/partners/") {
                    &gina.user_id
                } else {
                    &alice.user_id
                };
                let hidden = fill(&acme, hidden_ws, user, &key, &invitation, "acme.example");
                let missing = fill(MISSING, MISSING, MISSING, MISSING, MISSING, "missing.example");
                let call = |p: String| {
                    // A fork names its destination in the query.
                    let p = if path.starts_with("/api/collections/fork/")
                        || (path.ends_with("/forks") && method == Method::POST)
                    {
                        format!("{p}?workspace={MISSING}")
                    } else {
                        p
                    };
                    let rb = who.request(method.clone(), &p);
                    let rb = match body_for(&method, path, &eve.user_id) {
                        Some(b) => rb.json(&b),
                        None => rb,
                    };
                    who.send(rb)
                };
                let a = call(hidden).await;
                let b = call(missing).await;
                assert_eq!(
                    a.0,
                    StatusCode::NOT_FOUND,
                    "{method} {path} as {}: {}",
                    who.user_id,
                    a.1
                );
                assert_eq!(a, b, "{method} {path}: hidden and missing differ");
                checked += 1;
            }
        }
    }
    assert!(checked >= 60, "only {checked} route checks");
    // Nothing was changed by all those attempts.
    let (_, ws) = alice.get(&format!("/api/workspaces/{internal}")).await;
    assert_eq!(ws["workspace"]["name"], "Internal");
}

crate::on_both_backends!(r_iso_3_every_route_with_an_id_answers_404_alike_for_hidden_and_missing_objects);
