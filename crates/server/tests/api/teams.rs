//! Teams, plans, members, roles, captured domains, invitations, audit log.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

async fn creating_a_team_makes_the_creator_its_admin_on_the_default_plan(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let (status, body) = ada.post("/api/teams", json!({ "name": "Acme" })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["team"]["plan"], "free");
    assert_eq!(body["team"]["name"], "Acme");
    let id = body["team"]["id"].as_str().unwrap();
    let (_, me) = ada.get("/api/me").await;
    assert_eq!(
        me["user"]["teams"],
        json!([{ "id": id, "name": "Acme", "plan": "free", "roles": ["admin"] }])
    );
    let (_, members) = ada.get(&format!("/api/teams/{id}/members")).await;
    assert_eq!(members["members"][0]["email"], "ada@example.com");
    assert_eq!(members["members"][0]["roles"], json!(["admin"]));
    assert_eq!(members["members"][0]["isPartner"], false);
    assert_error(
        &ada.post("/api/teams", json!({ "name": "  " })).await,
        StatusCode::BAD_REQUEST,
        "invalid_name",
    );
}

async fn only_operators_change_a_team_plan(app: TestApp) {
    let ops = app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let team = app.team(&ada, "Acme").await;
    let path = format!("/api/teams/{team}");
    assert_error(
        &ada.patch(&path, json!({ "plan": "enterprise" })).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(
        &ops.patch(&path, json!({ "plan": "gold" })).await,
        StatusCode::BAD_REQUEST,
        "unknown_plan",
    );
    assert_error(
        &ops.patch(&path, json!({ "plan": "professional", "owner": "me" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
    );
    assert_eq!(
        ada.get(&path).await.1["team"]["plan"],
        "free",
        "a refused change was written"
    );
    let (status, body) = ops.patch(&path, json!({ "plan": "professional" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ada.get(&path).await.1["team"]["plan"], "professional");
    let (status, body) = ada.patch(&path, json!({ "name": "Acme Payments" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["team"]["name"], "Acme Payments");
}

async fn members_hold_several_roles_and_unknown_roles_are_refused(app: TestApp) {
    let ops = app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let team = app.team(&ada, "Acme").await;
    let members = format!("/api/teams/{team}/members");
    assert_error(
        &ada.post(&members, json!({ "email": "bob@example.com", "roles": ["owner"] }))
            .await,
        StatusCode::BAD_REQUEST,
        "unknown_role",
    );
    assert_error(
        &ada.post(&members, json!({ "email": "bob@example.com", "roles": [] }))
            .await,
        StatusCode::BAD_REQUEST,
        "roles_required",
    );
    assert_error(
        &ada.post(
            &members,
            json!({ "email": "bob@example.com", "roles": ["super_admin"] }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "role_requires_enterprise",
    );
    assert_eq!(
        bob.get(&format!("/api/teams/{team}")).await.0,
        StatusCode::NOT_FOUND,
        "a refused add made bob a member"
    );
    let (status, body) = ada
        .post(
            &members,
            json!({ "email": "BOB@example.com", "roles": ["developer", "partner_manager"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["member"]["roles"], json!(["developer", "partner_manager"]));
    assert_error(
        &ada.post(&members, json!({ "email": "bob@example.com", "roles": ["developer"] }))
            .await,
        StatusCode::CONFLICT,
        "already_member",
    );
    // A plain member may look, not manage.
    assert_eq!(bob.get(&members).await.0, StatusCode::OK);
    assert_error(
        &bob.patch(&format!("{members}/{}", ada.user_id), json!({ "roles": ["developer"] }))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    // super_admin becomes possible once the team is on enterprise.
    ops.patch(&format!("/api/teams/{team}"), json!({ "plan": "enterprise" }))
        .await;
    let (status, body) = ada
        .patch(
            &format!("{members}/{}", bob.user_id),
            json!({ "roles": ["super_admin", "billing"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["member"]["roles"], json!(["super_admin", "billing"]));
}

async fn an_invited_email_joins_by_its_link_once_and_only_with_its_own_account(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let team = app.team(&ada, "Acme").await;
    let (status, body) = ada
        .post(
            &format!("/api/teams/{team}/members"),
            json!({ "email": "new@example.com", "roles": ["developer"] }),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let link = body["invitationLink"].as_str().unwrap();
    let token = link
        .strip_prefix("http://portico.test/invitations/")
        .expect("link on the public URL");
    assert!(token.len() >= 32, "token too short for 128 bits: {token}");
    assert_eq!(body["invitation"]["status"], "open");

    let anon = app.anonymous();
    let (status, preview) = anon.get(&format!("/api/invitations/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["invitation"]["teamName"], "Acme");
    assert_eq!(preview["invitation"]["email"], "new@example.com");
    assert_error(
        &anon.get("/api/invitations/0000").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );

    let eve = app.user("eve@example.com", "Eve").await;
    assert_error(
        &eve.post(&format!("/api/invitations/{token}"), json!({})).await,
        StatusCode::FORBIDDEN,
        "invitation_email_mismatch",
    );
    assert_eq!(eve.get(&format!("/api/teams/{team}")).await.0, StatusCode::NOT_FOUND);

    let newbie = app.user("new@example.com", "Newbie").await;
    let (status, body) = newbie.post(&format!("/api/invitations/{token}"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["team"]["id"], team.as_str());
    let (_, me) = newbie.get("/api/me").await;
    assert_eq!(me["user"]["teams"][0]["roles"], json!(["developer"]));
    assert_error(
        &newbie.post(&format!("/api/invitations/{token}"), json!({})).await,
        StatusCode::CONFLICT,
        "invitation_used",
    );
    assert_eq!(
        anon.get(&format!("/api/invitations/{token}")).await.1["invitation"]["status"],
        "accepted"
    );
}

async fn r_iso_3_a_team_you_do_not_belong_to_answers_exactly_like_a_missing_one(app: TestApp) {
    let _ops = app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let eve = app.user("eve@example.com", "Eve").await;
    let team = app.team(&ada, "Acme").await;
    let missing = "00000000-0000-4000-8000-000000000000";
    let cases = [
        ("", "GET", json!(null)),
        ("", "PATCH", json!({ "name": "Taken over" })),
        ("/members", "GET", json!(null)),
        (
            "/members",
            "POST",
            json!({ "email": "eve@example.com", "roles": ["admin"] }),
        ),
        ("/domains", "POST", json!({ "domain": "evil.example" })),
    ];
    for (suffix, method, body) in cases {
        let call = |id: &str| {
            let path = format!("/api/teams/{id}{suffix}");
            let rb = eve.request(method.parse().unwrap(), &path);
            let rb = if method == "GET" { rb } else { rb.json(&body) };
            eve.send(rb)
        };
        let hidden = call(&team).await;
        let absent = call(missing).await;
        assert_error(&hidden, StatusCode::NOT_FOUND, "not_found");
        assert_eq!(hidden, absent, "{method} {suffix}");
    }
    assert_error(
        &eve.get("/api/teams/not-a-uuid").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert_eq!(
        ada.get(&format!("/api/teams/{team}/members")).await.1["members"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "eve got in"
    );
}

/// R-INV-2: a domain belongs to one team at most, and a team admin
/// captures only the domain of their own email address (so nobody can claim
/// another company's domain and pull its people into their team); the
/// operator captures any domain for any team.
async fn capture(c: &crate::helpers::Client, team: &str, domain: &str) -> (StatusCode, serde_json::Value) {
    c.post(&format!("/api/teams/{team}/domains"), json!({ "domain": domain }))
        .await
}

async fn a_domain_is_captured_by_one_team_only(app: TestApp) {
    let ops = app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@acme.example", "Ada").await;
    let gina = app.user("gina@globex.example", "Gina").await;
    let acme = app.team(&ada, "Acme").await;
    let globex = app.team(&gina, "Globex").await;
    let (status, body) = capture(&ada, &acme, "Acme.Example").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["domain"], "acme.example");
    assert_error(
        &capture(&ops, &globex, "acme.example").await,
        StatusCode::CONFLICT,
        "domain_already_captured",
    );
    assert_error(
        &capture(&gina, &globex, "initech.example").await,
        StatusCode::FORBIDDEN,
        "domain_not_yours",
    );
    assert_error(
        &capture(&gina, &globex, "not a domain").await,
        StatusCode::BAD_REQUEST,
        "invalid_domain",
    );
    assert_eq!(capture(&gina, &globex, "globex.example").await.0, StatusCode::CREATED);
    // Operators may capture any domain for any team.
    assert_eq!(capture(&ops, &globex, "initech.example").await.0, StatusCode::CREATED);
    assert_eq!(
        gina.get(&format!("/api/teams/{globex}")).await.1["team"]["domains"],
        json!(["globex.example", "initech.example"])
    );
    assert_eq!(
        ada.delete(&format!("/api/teams/{acme}/domains/acme.example")).await.0,
        StatusCode::NO_CONTENT
    );
    // Released, it is free again: but still not Gina's to take.
    assert_error(
        &capture(&gina, &globex, "acme.example").await,
        StatusCode::FORBIDDEN,
        "domain_not_yours",
    );
    assert_eq!(capture(&ops, &globex, "acme.example").await.0, StatusCode::CREATED);
    assert_eq!(
        ada.get(&format!("/api/teams/{acme}")).await.1["team"]["domains"],
        json!([])
    );
}

async fn the_last_admin_can_neither_leave_nor_be_demoted(app: TestApp) {
    let _ops = app.user("ops@example.com", "Olive").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let team = app.team(&ada, "Acme").await;
    let members = format!("/api/teams/{team}/members");
    ada.post(&members, json!({ "email": "bob@example.com", "roles": ["developer"] }))
        .await;
    assert_error(
        &ada.delete(&format!("{members}/{}", ada.user_id)).await,
        StatusCode::CONFLICT,
        "last_team_admin",
    );
    assert_error(
        &ada.patch(&format!("{members}/{}", ada.user_id), json!({ "roles": ["developer"] }))
            .await,
        StatusCode::CONFLICT,
        "last_team_admin",
    );
    ada.patch(&format!("{members}/{}", bob.user_id), json!({ "roles": ["admin"] }))
        .await;
    assert_eq!(
        ada.delete(&format!("{members}/{}", ada.user_id)).await.0,
        StatusCode::NO_CONTENT,
        "ada could not leave"
    );
    assert_eq!(ada.get(&format!("/api/teams/{team}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(bob.get(&members).await.1["members"].as_array().unwrap().len(), 1);
}

async fn member_lists_come_in_pages_of_at_most_100(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let team = app.team(&ada, "Acme").await;
    for i in 0..4 {
        let email = format!("m{i}@example.com");
        app.user(&email, "Member").await;
        ada.post(
            &format!("/api/teams/{team}/members"),
            json!({ "email": email, "roles": ["developer"] }),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (status, page) = ada.get(&format!("/api/teams/{team}/members?limit=2{q}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page["members"].as_array().unwrap().len() <= 2);
        seen.extend(
            page["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["email"].as_str().unwrap().to_string()),
        );
        match page["meta"]["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5, "a page repeated a member");
    assert_eq!(
        ada.get(&format!("/api/teams/{team}/members?limit=5000")).await.1["meta"]["limit"],
        100
    );
    assert_error(
        &ada.get(&format!("/api/teams/{team}/members?cursor=zz")).await,
        StatusCode::BAD_REQUEST,
        "invalid_cursor",
    );
    assert_error(
        &ada.get(&format!("/api/teams/{team}/members?limit=many")).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    );
}

async fn r_sec_3_team_changes_are_audited_and_only_admins_read_the_log(app: TestApp) {
    let ada = app.user("ada@example.com", "Ada").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let team = app.team(&ada, "Acme").await;
    ada.post(
        &format!("/api/teams/{team}/members"),
        json!({ "email": "bob@example.com", "roles": ["developer"] }),
    )
    .await;
    ada.post(
        &format!("/api/teams/{team}/members"),
        json!({ "email": "new@example.com", "roles": ["developer"] }),
    )
    .await;
    ada.post(
        &format!("/api/teams/{team}/domains"),
        json!({ "domain": "example.com" }),
    )
    .await;
    let (status, log) = ada.get("/api/audit/logs").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let actions: Vec<&str> = log["trails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["domain.capture", "member.invite", "member.add", "team.create"]
    );
    assert_eq!(log["trails"][2]["data"]["actor"]["id"], ada.user_id.as_str());
    assert_eq!(log["trails"][2]["data"]["targetId"], bob.user_id.as_str());
    let (_, filtered) = ada
        .get(&format!("/api/audit/logs?teamId={team}&action=member.add"))
        .await;
    assert_eq!(filtered["trails"].as_array().unwrap().len(), 1);
    let (_, page) = ada.get("/api/audit/logs?limit=3").await;
    let cursor = page["nextCursor"].as_str().unwrap();
    let (_, rest) = ada.get(&format!("/api/audit/logs?limit=3&cursor={cursor}")).await;
    assert_eq!(rest["trails"][0]["action"], "team.create");
    assert_error(
        &bob.get(&format!("/api/audit/logs?teamId={team}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    assert_error(&bob.get("/api/audit/logs").await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &ada.get("/api/audit/logs?since=yesterday").await,
        StatusCode::BAD_REQUEST,
        "invalid_time",
    );
    let (_, none) = ada.get("/api/audit/logs?since=2100-01-01").await;
    assert_eq!(none["trails"], json!([]));
}

crate::on_both_backends!(
    creating_a_team_makes_the_creator_its_admin_on_the_default_plan,
    only_operators_change_a_team_plan,
    members_hold_several_roles_and_unknown_roles_are_refused,
    an_invited_email_joins_by_its_link_once_and_only_with_its_own_account,
    r_iso_3_a_team_you_do_not_belong_to_answers_exactly_like_a_missing_one,
    a_domain_is_captured_by_one_team_only,
    the_last_admin_can_neither_leave_nor_be_demoted,
    member_lists_come_in_pages_of_at_most_100,
    r_sec_3_team_changes_are_audited_and_only_admins_read_the_log,
);
