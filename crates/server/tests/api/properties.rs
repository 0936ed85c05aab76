//! Object-property level (OWASP API3:2023): fields a caller may not set
//! are refused or ignored (mass assignment), and what a caller may not read
//! never appears in any answer, whatever the route (planted sentinels:
//! password hashes, token hashes, issued secrets, the emails of people the
//! caller may not see).

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Client, TestApp};

async fn owasp_api3_fields_a_caller_may_not_set_are_refused_or_ignored(app: TestApp) {
    let p = app.partnership("5").await;
    // Sign-up cannot make an operator.
    let res = app
        .anonymous()
        .post(
            "/api/auth/signup",
            json!({ "email": "mallory@evil.example", "name": "M", "password": crate::helpers::PASSWORD, "isServerAdmin": true }),
        )
        .await;
    if res.0 == StatusCode::CREATED {
        assert_eq!(res.1["user"]["isServerAdmin"], false, "{}", res.1);
    } else {
        assert_eq!(res.0, StatusCode::BAD_REQUEST, "{}", res.1);
    }
    // A team admin cannot change the plan (operators do).
    let got = p
        .alice
        .patch(&format!("/api/teams/{}", p.acme), json!({ "plan": "enterprise" }))
        .await;
    assert!(got.0.is_client_error(), "{}", got.1);
    let (_, team) = p.alice.get(&format!("/api/teams/{}", p.acme)).await;
    assert_eq!(team["team"]["plan"], "professional", "{team}");
    // Nobody creates a workspace in a team they are not in.
    let got = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Planted", "type": "team", "teamId": p.globex } }),
        )
        .await;
    assert!(got.0.is_client_error(), "{}", got.1);
    // A workspace cannot be moved to another team, nor its id changed.
    let got = p
        .alice
        .put(
            &format!("/api/workspaces/{}", p.pw),
            json!({ "workspace": { "name": "PW", "teamId": p.globex, "id": "00000000-0000-4000-8000-000000000000" } }),
        )
        .await;
    if got.0 == StatusCode::OK {
        assert_eq!(got.1["workspace"]["teamId"], p.acme.as_str(), "{}", got.1);
        assert_eq!(got.1["workspace"]["id"], p.pw.as_str(), "{}", got.1);
    } else {
        assert!(got.0.is_client_error(), "{}", got.1);
    }
    let (status, ws) = p.alice.get(&format!("/api/workspaces/{}", p.pw)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ws["workspace"]["teamId"], p.acme.as_str());
    let (_, globex) = p.gina.get("/api/workspaces").await;
    assert!(!globex.to_string().contains("Planted"), "{globex}");
    // A partner editor cannot make themselves admin or Partner Lead.
    for (path, role) in [("/user", "3"), ("/partner", "7"), ("/partner", "6")] {
        let got = p
            .gina
            .patch(
                &format!("/api/workspaces/{}/roles", p.pw),
                json!({ "roles": [{ "op": "add", "path": path, "value": [{ "id": p.gina.user_id, "role": role }] }] }),
            )
            .await;
        assert!(got.0.is_client_error(), "{path} {role}: {}", got.1);
    }
    let (_, roles) = p.alice.get(&format!("/api/workspaces/{}/roles", p.pw)).await;
    let held: Vec<&str> = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.to_string().contains(p.gina.user_id.as_str()))
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(held, vec!["5"], "{roles}");
    // An API key is always the caller's, whatever the body says.
    let got = p
        .gina
        .post("/api/me/api-keys", json!({ "name": "mine", "userId": p.alice.user_id }))
        .await;
    if got.0 == StatusCode::CREATED {
        let key = got.1["apiKey"]["key"].as_str().unwrap();
        let (_, me) = Client::with_api_key(&app.base, key).get("/api/me").await;
        assert_eq!(me["user"]["id"], p.gina.user_id.as_str(), "{me}");
    } else {
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    }
    // An update's author is whoever posts it.
    let got = p
        .gina
        .post(
            &format!("/api/workspaces/{}/updates", p.pw),
            json!({ "topic": "Mine", "category": "announcement", "createdBy": { "id": p.alice.user_id, "name": "Alice" } }),
        )
        .await;
    if got.0 == StatusCode::OK {
        assert_eq!(got.1["createdBy"]["id"], p.gina.user_id.as_str(), "{}", got.1);
    } else {
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{}", got.1);
    }
    // A developer cannot add admins to their team.
    let bob = app.user("bob@acme.example", "Bob").await;
    p.alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    let got = bob
        .patch(
            &format!("/api/teams/{}/members/{}", p.acme, bob.user_id),
            json!({ "roles": ["admin"] }),
        )
        .await;
    assert!(got.0.is_client_error(), "{}", got.1);
    let (_, me) = bob.get("/api/me").await;
    assert!(!me.to_string().contains("\"admin\""), "{me}");
}

/// Every GET operation of the document, with the ids of `ids` in its path;
/// answers the bodies of those that answered 200.
async fn read_everything(app: &TestApp, c: &Client, ids: &[(&str, String)]) -> String {
    let (_, doc) = app.anonymous().get("/api/openapi.json").await;
    let mut all = String::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || path == "/api/events" {
            continue;
        }
        let mut filled = path.clone();
        for (name, value) in ids {
            filled = filled.replace(&format!("{{{name}}}"), value);
        }
        if filled.contains('{') {
            continue;
        }
        let res = c.request(Method::GET, &filled).send().await.unwrap();
        if res.status() == StatusCode::OK {
            all.push_str(&res.text().await.unwrap());
            all.push('\n');
        }
    }
    all
}

async fn owasp_api3_no_answer_carries_hashes_secrets_or_hidden_people(app: TestApp) {
    let p = app.partnership("5").await;
    let bob = app.user("bob@acme.example", "Bob").await;
    p.alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "bob@acme.example", "roles": ["developer"] }),
        )
        .await;
    let (_, ws) = p
        .alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Broadcast", "type": "partner", "teamId": p.acme } }),
        )
        .await;
    let broadcast = ws["workspace"]["id"].as_str().unwrap().to_string();
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
    let doc = json!({ "info": { "name": "Shop" }, "item": [{ "id": "r1", "name": "R", "request": "https://x" }] });
    let (_, made) = p
        .alice
        .post(&format!("/api/collections?workspace={broadcast}"), doc)
        .await;
    let collection = made["collection"]["id"].as_str().unwrap().to_string();
    let (_, u) = p
        .alice
        .post(
            &format!("/api/workspaces/{broadcast}/updates"),
            json!({ "topic": "Hello partners", "category": "announcement" }),
        )
        .await;
    let update = u["id"].as_i64().unwrap().to_string();
    // Planted secrets: an API key and an open invitation of Alice's.
    let (_, key) = p.alice.post("/api/me/api-keys", json!({ "name": "planted" })).await;
    let alice_key = key["apiKey"]["key"].as_str().unwrap().to_string();
    let (_, inv) = p
        .alice
        .post(
            "/api/invitations",
            json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": broadcast, "roleId": "4", "target": { "emails": ["later@hooli.example"] } }),
        )
        .await;
    let invitation = inv["results"][0]["invitationLink"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let secrets = [
        alice_key.clone(),
        portico_app::crypto::token_hash(&alice_key),
        invitation.clone(),
        portico_app::crypto::token_hash(&invitation),
    ];
    let ids = [
        ("workspaceId", broadcast.clone()),
        ("collectionId", collection),
        ("updateId", update),
        ("teamId", p.acme.clone()),
        ("userId", greg.user_id.clone()),
    ];
    let readers: [(&str, &Client, &[&str]); 5] = [
        ("the publisher's admin", &p.alice, &[]),
        ("a developer of the publisher", &bob, &[]),
        // Partners see neither the publisher's other members nor another
        // partner team's people (R-ISO-2, R-MULTI-3).
        (
            "a partner editor",
            &p.gina,
            &["bob@acme.example", "greg@initech.example", "ivan@umbrella.example"],
        ),
        (
            "a partner viewer",
            &greg,
            &[
                "bob@acme.example",
                "ivan@umbrella.example",
                "Ivan",
                "gina@globex.example",
            ],
        ),
        (
            "another partner team's viewer",
            &ivan,
            &[
                "bob@acme.example",
                "greg@initech.example",
                "Greg",
                "gina@globex.example",
            ],
        ),
    ];
    for (who, c, hidden) in readers {
        let everything = read_everything(&app, c, &ids).await;
        assert!(everything.len() > 1_000, "{who} read too little to prove anything");
        assert!(!everything.contains("$argon2"), "{who} read a password hash");
        for s in &secrets {
            assert!(
                !everything.contains(s.as_str()),
                "{who} read a planted secret or its hash"
            );
        }
        for h in hidden {
            assert!(!everything.contains(h), "{who} read {h}");
        }
    }
}

crate::on_both_backends!(
    owasp_api3_fields_a_caller_may_not_set_are_refused_or_ignored,
    owasp_api3_no_answer_carries_hashes_secrets_or_hidden_people,
);
