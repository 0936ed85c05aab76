//! Pull requests in the browser over plain HTTP (R-PR-1): created from a
//! fork, listed on the parent, reviewed, declined for good or merged by an
//! editor of the parent; hidden from other partner teams (R-MULTI-3).

use reqwest::StatusCode;
use serde_json::json;

use crate::Browser;
use crate::forks::{fork, hidden, name_of, publish, rename, sandbox};
use crate::helpers::{Partnership, TestApp};
use crate::on_both_backends;

on_both_backends!(
    r_pr_1_a_pull_request_from_a_fork_appears_in_the_parents_list_with_its_diff,
    r_pr_1_a_reviewer_approves_and_a_non_reviewer_gets_no_approve_button,
    r_pr_1_its_author_edits_the_title_and_reviewers_and_nobody_else_may,
    r_pr_1_decline_is_final_and_a_later_merge_is_refused,
    r_pr_1_an_editor_merges_and_the_parent_shows_the_forks_change,
    r_pr_1_a_viewer_of_the_parent_sees_no_merge_and_a_forged_merge_is_refused,
    r_sec_1_pull_request_forms_without_the_csrf_token_are_refused,
    r_iso_3_a_pull_request_the_caller_may_not_see_is_not_found,
    r_multi_3_a_partner_does_not_see_another_partner_teams_pull_requests,
);

/// A partnership with Gina as `role`, the Orders API in the PW and Gina's
/// fork of it in Globex's Sandbox with "Get order" renamed "Fetch order".
struct Proposal {
    p: Partnership,
    coll: String,
    forked: String,
    alice: Browser,
    gina: Browser,
}

async fn proposal(app: &TestApp, role: &str) -> Proposal {
    let p = app.partnership(role).await;
    if role == "4" {
        // A partner viewer forks into her own team when it is on a paid plan.
        let mut ops = app.anonymous();
        ops.login("ops@portico.example", crate::helpers::PASSWORD).await;
        let (status, body) = ops
            .patch(&format!("/api/teams/{}", p.globex), json!({ "plan": "basic" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let coll = publish(&p).await;
    let ws = sandbox(&p).await;
    let gina = Browser::new(&app.base);
    gina.sign_in("gina@globex.example").await;
    let forked = fork(&gina, &coll, &ws).await;
    rename(&gina, &forked, "1", "Fetch order").await;
    let alice = Browser::new(&app.base);
    alice.sign_in("alice@acme.example").await;
    Proposal {
        p,
        coll,
        forked,
        alice,
        gina,
    }
}

/// Opens a pull request from the fork through its form; answers its id.
async fn open_pr(x: &Proposal, reviewers: &[&str]) -> String {
    let (status, _, page) = x
        .gina
        .get(&format!("/collections/{}/pull-requests/new", x.forked))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for r in reviewers {
        assert!(
            page.contains(&format!("name=\"reviewer\" value=\"{r}\"")),
            "{r} is offered: {page}"
        );
    }
    let mut form = vec![
        ("csrf", hidden(&page, "csrf")),
        ("destination", hidden(&page, "destination")),
        ("title", "Rename <Get order>".to_string()),
        ("description", "A **clearer** name.".to_string()),
    ];
    form.extend(reviewers.iter().map(|r| ("reviewer", r.to_string())));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, body) = x
        .gina
        .post_form(&format!("/collections/{}/pull-requests", x.forked), &form)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    location
        .strip_prefix("/pull-requests/")
        .expect("the pull request's page")
        .to_string()
}

/// Posts a review action from the pull request's page as `b`.
async fn act(b: &Browser, id: &str, action: &str) -> (StatusCode, String) {
    let csrf = b.csrf("/account").await;
    let (status, _, body) = b
        .post_form(
            &format!("/pull-requests/{id}/review"),
            &[("csrf", &csrf), ("action", action)],
        )
        .await;
    (status, body)
}

async fn status_of(b: &Browser, id: &str) -> String {
    let (status, _, page) = b.get(&format!("/pull-requests/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let at = page.find("data-status=\"").expect("a status") + 13;
    page[at..].split('"').next().unwrap().to_string()
}

async fn r_pr_1_a_pull_request_from_a_fork_appears_in_the_parents_list_with_its_diff(app: TestApp) {
    let x = proposal(&app, "5").await;
    let (_, _, page) = x.gina.get(&format!("/collections/{}", x.forked)).await;
    assert!(
        page.contains(&format!("href=\"/collections/{}/pull-requests/new\"", x.forked)),
        "{page}"
    );
    let id = open_pr(&x, &[&x.p.alice.user_id]).await;

    let (status, _, page) = x.alice.get(&format!("/collections/{}", x.coll)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("data-pull-request=\"{id}\"")), "{page}");
    assert!(page.contains("Rename &lt;Get order&gt;"), "{page}");
    assert!(page.contains("data-status=\"open\""), "{page}");

    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("<h1>Rename &lt;Get order&gt;</h1>"), "{page}");
    assert!(page.contains("<strong>clearer</strong>"), "{page}");
    // The diff labels the item and names the changed field.
    assert!(
        page.contains("data-change=\"modification\" data-uid=\"get-order\""),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"badge change-modification\">Modification</span>"),
        "{page}"
    );
    assert!(page.contains("<code>name</code>"), "{page}");
    assert!(
        page.contains("<code>Get order</code>") && page.contains("<code>Fetch order</code>"),
        "{page}"
    );

    // Comments from both sides.
    let csrf = hidden(&page, "csrf");
    let (status, location, body) = x
        .alice
        .post_form(
            &format!("/pull-requests/{id}/comments"),
            &[("csrf", &csrf), ("body", "Looks *good* & fine")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(
        location.starts_with(&format!("/pull-requests/{id}#comment-")),
        "{location}"
    );
    let (_, _, page) = x.gina.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("Looks <em>good</em> &amp; fine"), "{page}");
}

async fn r_pr_1_a_reviewer_approves_and_a_non_reviewer_gets_no_approve_button(app: TestApp) {
    let x = proposal(&app, "5").await;
    let id = open_pr(&x, &[&x.p.alice.user_id]).await;

    // Gina wrote it and does not review it: no Approve, and a forged one is
    // refused with the reason.
    let (_, _, page) = x.gina.get(&format!("/pull-requests/{id}")).await;
    assert!(!page.contains(">Approve</button>"), "{page}");
    let (status, body) = act(&x.gina, &id, "approve").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("Only the pull request"), "{body}");
    assert_eq!(status_of(&x.alice, &id).await, "open");

    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains(">Approve</button>"), "{page}");
    let (status, body) = act(&x.alice, &id, "approve").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&x.alice, &id).await, "approved");
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains(">Unapprove</button>"), "{page}");
    let (_, _, list) = x.gina.get(&format!("/collections/{}", x.coll)).await;
    assert!(list.contains("data-status=\"approved\""), "{list}");

    act(&x.alice, &id, "unapprove").await;
    assert_eq!(status_of(&x.alice, &id).await, "open");
}

async fn r_pr_1_decline_is_final_and_a_later_merge_is_refused(app: TestApp) {
    let x = proposal(&app, "5").await;
    let id = open_pr(&x, &[&x.p.alice.user_id]).await;
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(
        page.contains("data-confirm=\"Decline this pull request? This is final"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let (status, _, body) = x
        .alice
        .post_form(
            &format!("/pull-requests/{id}/review"),
            &[("csrf", &csrf), ("action", "decline"), ("comment", "Not <now>")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("data-status=\"declined\""), "{page}");
    assert!(page.contains("Reason: Not &lt;now&gt;"), "{page}");
    assert!(
        !page.contains(">Merge</button>") && !page.contains(">Approve</button>"),
        "{page}"
    );

    let (status, body) = act(&x.alice, &id, "merge").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("The pull request is declined: nothing more can be done with it."),
        "{body}"
    );
    assert_eq!(name_of(&x.p.alice, &x.coll).await, "Get order");
}

async fn r_pr_1_an_editor_merges_and_the_parent_shows_the_forks_change(app: TestApp) {
    let x = proposal(&app, "5").await;
    let id = open_pr(&x, &[&x.p.alice.user_id]).await;
    // The team requires an approval: Merge waits for it, saying why.
    let (status, body) =
        x.p.alice
            .put(
                &format!("/api/teams/{}/merge-checks", x.p.acme),
                json!({"requireApproval": true, "requireEditorApproval": false}),
            )
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(
        page.contains("disabled aria-describedby=\"merge-why\">Merge</button>"),
        "{page}"
    );
    assert!(page.contains("The team requires an approval before merging."), "{page}");
    let (status, body) = act(&x.alice, &id, "merge").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    act(&x.alice, &id, "approve").await;
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("value=\"merge\""), "{page}");
    let (status, body) = act(&x.alice, &id, "merge").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&x.gina, &id).await, "merged");
    let (_, _, page) = x.alice.get(&format!("/collections/{}", x.coll)).await;
    assert!(page.contains("Fetch order"), "{page}");
    assert_eq!(name_of(&x.p.alice, &x.coll).await, "Fetch order");
}

async fn r_pr_1_a_viewer_of_the_parent_sees_no_merge_and_a_forged_merge_is_refused(app: TestApp) {
    // Gina views the PW and forks into her paid team; she reviews her own
    // proposal with Alice.
    let x = proposal(&app, "4").await;
    let id = open_pr(&x, &[&x.p.alice.user_id, &x.p.gina.user_id]).await;
    let (_, _, page) = x.gina.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains(">Approve</button>"), "{page}");
    assert!(!page.contains(">Merge</button>"), "{page}");
    let (status, body) = act(&x.gina, &id, "merge").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(status_of(&x.alice, &id).await, "open");
    assert_eq!(name_of(&x.p.alice, &x.coll).await, "Get order");
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains(">Merge</button>"), "{page}");
}

async fn r_sec_1_pull_request_forms_without_the_csrf_token_are_refused(app: TestApp) {
    let x = proposal(&app, "5").await;
    let alice = x.p.alice.user_id.clone();
    let (status, _, body) = x
        .gina
        .post_form(
            &format!("/collections/{}/pull-requests", x.forked),
            &[("destination", &x.coll), ("title", "Sneaky"), ("reviewer", &alice)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("This form has expired"), "{body}");
    let id = open_pr(&x, &[&alice]).await;
    for (path, form) in [
        (format!("/pull-requests/{id}/review"), [("action", "approve")]),
        (format!("/pull-requests/{id}/comments"), [("body", "hi")]),
    ] {
        let (status, _, _) = x.alice.post_form(&path, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(status_of(&x.alice, &id).await, "open");
    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("No comments yet."), "{page}");
    let (_, _, list) = x.alice.get(&format!("/collections/{}", x.coll)).await;
    assert!(!list.contains("Sneaky"), "{list}");
}

async fn r_iso_3_a_pull_request_the_caller_may_not_see_is_not_found(app: TestApp) {
    let x = proposal(&app, "5").await;
    let id = open_pr(&x, &[&x.p.alice.user_id]).await;
    app.user("eve@else.example", "Eve").await;
    let eve = Browser::new(&app.base);
    eve.sign_in("eve@else.example").await;
    let (status, _, body) = eve.get(&format!("/pull-requests/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(!body.contains("Rename"), "{body}");
    let (missing, _, _) = eve.get("/pull-requests/00000000-0000-4000-8000-000000000000").await;
    let (malformed, _, _) = eve.get("/pull-requests/not-an-id").await;
    assert_eq!((missing, malformed), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    let (status, _) = act(&eve, &id, "approve").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = eve.get(&format!("/collections/{}/pull-requests/new", x.forked)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn r_multi_3_a_partner_does_not_see_another_partner_teams_pull_requests(app: TestApp) {
    let x = proposal(&app, "4").await;
    // The PW goes multi-partner and Henry of Initech joins it as a partner.
    let henry = app.user("henry@initech.example", "Henry").await;
    let initech = app.team(&henry, "Initech").await;
    let (status, body) =
        x.p.alice
            .put(
                &format!("/api/workspaces/{}", x.p.pw),
                json!({ "workspace": { "multiPartner": true } }),
            )
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, inv) = x
        .p
        .alice
        .post(
            "/api/invitations",
            json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": x.p.pw, "roleId": "4",
                    "target": { "emails": ["henry@initech.example"] } }),
        )
        .await;
    let token = inv["results"][0]["invitationLink"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("an invitation link")
        .to_string();
    let (status, body) = henry
        .post(&format!("/api/invitations/{token}"), json!({ "teamId": initech }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Gina may not pick Henry as a reviewer: she does not see him.
    let (_, _, page) = x
        .gina
        .get(&format!("/collections/{}/pull-requests/new", x.forked))
        .await;
    assert!(!page.contains(&henry.user_id), "{page}");
    let id = open_pr(&x, &[&x.p.alice.user_id]).await;

    let b = Browser::new(&app.base);
    b.sign_in("henry@initech.example").await;
    let (status, _, page) = b.get(&format!("/collections/{}", x.coll)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(!page.contains(&id) && !page.contains("Rename"), "{page}");
    let (status, _, _) = b.get(&format!("/pull-requests/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = act(&b, &id, "approve").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The publisher sees it.
    let (_, _, page) = x.alice.get(&format!("/collections/{}", x.coll)).await;
    assert!(page.contains(&format!("data-pull-request=\"{id}\"")), "{page}");
}

async fn r_pr_1_its_author_edits_the_title_and_reviewers_and_nobody_else_may(app: TestApp) {
    let x = proposal(&app, "5").await;
    let alice = x.p.alice.user_id.clone();
    let gina = x.p.gina.user_id.clone();
    let id = open_pr(&x, &[&alice]).await;
    act(&x.alice, &id, "approve").await;

    let (_, _, page) = x.alice.get(&format!("/pull-requests/{id}")).await;
    assert!(!page.contains("Edit this pull request"), "{page}");
    let (_, _, page) = x.gina.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("Edit this pull request"), "{page}");
    assert!(page.contains("value=\"Rename &lt;Get order&gt;\""), "{page}");
    assert!(
        page.contains(&format!("name=\"reviewer\" value=\"{alice}\" checked")),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("title", "Rename to Fetch order"),
        ("description", "Clearer."),
        ("reviewer", alice.as_str()),
        ("reviewer", gina.as_str()),
    ];
    let (status, _, body) = x.gina.post_form(&format!("/pull-requests/{id}/edit"), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = x.gina.get(&format!("/pull-requests/{id}")).await;
    assert!(page.contains("<h1>Rename to Fetch order</h1>"), "{page}");
    assert!(page.contains(&format!("data-reviewer=\"{gina}\"")), "{page}");
    // Alice's approval stays.
    assert!(page.contains("data-status=\"approved\""), "{page}");

    // No reviewer at all is refused with the reason.
    let (status, _, body) = x
        .gina
        .post_form(
            &format!("/pull-requests/{id}/edit"),
            &[("csrf", csrf.as_str()), ("title", "None")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("1 to 50 reviewers"), "{body}");

    // Alice is no author.
    let csrf = x.alice.csrf("/account").await;
    let (status, _, body) = x
        .alice
        .post_form(
            &format!("/pull-requests/{id}/edit"),
            &[
                ("csrf", csrf.as_str()),
                ("title", "Mine now"),
                ("reviewer", alice.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("Only the author changes a pull request."), "{body}");
}
