//! Pages over plain HTTP: sign-in redirects, CSRF refusals, the 404 page and
//! escaping.

use reqwest::StatusCode;
use serde_json::json;

use crate::Browser;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    r_sec_1_signed_out_visitors_are_sent_to_sign_in_and_back,
    r_sec_1_a_form_without_the_session_csrf_token_is_refused_and_writes_nothing,
    r_iso_3_a_workspace_the_viewer_may_not_see_is_a_404_page_like_a_missing_one,
    names_and_markdown_are_escaped_on_every_page,
    signing_up_and_out_through_the_forms,
    assets_are_embedded_and_cached_for_long,
);

async fn r_sec_1_signed_out_visitors_are_sent_to_sign_in_and_back(app: TestApp) {
    app.user("alice@acme.example", "Alice").await;
    let b = Browser::new(&app.base);
    let (status, location, _) = b.get("/workspaces/abc?tab=x").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/sign-in?next=/workspaces/abc%3Ftab%3Dx");
    let (status, location, _) = b.get("/workspaces").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/sign-in");
    let (status, _, body) = b.get("/sign-in?next=/workspaces/abc").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<label for=\"email\">Email</label>"), "{body}");

    // After signing in, back to the page asked for; never to another site.
    let (status, location, _) = b
        .post_form(
            "/sign-in",
            &[
                ("email", "alice@acme.example"),
                ("password", crate::helpers::PASSWORD),
                ("next", "/notifications"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/notifications");
    let b = Browser::new(&app.base);
    let (_, location, _) = b
        .post_form(
            "/sign-in",
            &[
                ("email", "alice@acme.example"),
                ("password", crate::helpers::PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(location, "/workspaces");

    // A wrong password shows the form again with the reason.
    let b = Browser::new(&app.base);
    let (status, _, body) = b
        .post_form(
            "/sign-in",
            &[("email", "alice@acme.example"), ("password", "wrong password")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("role=\"alert\""), "{body}");
    assert!(body.contains("value=\"alice@acme.example\""), "{body}");
}

async fn r_sec_1_a_form_without_the_session_csrf_token_is_refused_and_writes_nothing(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Core", "type": "team", "teamId": team } }),
        )
        .await;
    let id = ws["workspace"]["id"].as_str().unwrap().to_string();
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    let path = format!("/workspaces/{id}/updates");
    let update = [
        ("topic", "v2 is out"),
        ("description", "Read on"),
        ("category", "announcement"),
    ];

    let (status, _, body) = b.post_form(&path, &update).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let with_wrong: Vec<(&str, &str)> = update.iter().copied().chain([("csrf", "0123abcd")]).collect();
    let (status, _, _) = b.post_form(&path, &with_wrong).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = b.post_form("/sign-out", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = alice.get(&format!("/api/workspaces/{id}/updates")).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");

    // With the page's token the same form goes through.
    let csrf = b.csrf(&path).await;
    let with_token: Vec<(&str, &str)> = update.iter().copied().chain([("csrf", csrf.as_str())]).collect();
    let (status, location, body) = b.post_form(&path, &with_token).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with(&format!("{path}#update-")), "{location}");
    let (_, list) = alice.get(&format!("/api/workspaces/{id}/updates")).await;
    assert_eq!(list["data"][0]["topic"], "v2 is out");

    // A comment form without the token writes nothing either.
    let update_id = list["data"][0]["id"].as_i64().unwrap().to_string();
    let comments = format!("/workspaces/{id}/updates/{update_id}/comments");
    let (status, _, _) = b.post_form(&comments, &[("body", "First!")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = alice
        .get(&format!("/api/workspaces/{id}/updates/{update_id}/comments"))
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
}

async fn r_iso_3_a_workspace_the_viewer_may_not_see_is_a_404_page_like_a_missing_one(app: TestApp) {
    let alice = app.user("alice@acme.example", "Alice").await;
    app.user("mallory@evil.example", "Mallory").await;
    let team = app.team(&alice, "Acme").await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "Secret", "type": "private", "teamId": team } }),
        )
        .await;
    let id = ws["workspace"]["id"].as_str().unwrap().to_string();
    let b = Browser::new(&app.base);
    b.sign_in("mallory@evil.example").await;
    let (status, _, hidden) = b.get(&format!("/workspaces/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(hidden.contains("Not found"), "{hidden}");
    assert!(!hidden.contains("Secret"), "{hidden}");
    let (status, _, _) = b.get(&format!("/workspaces/{id}/updates")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let missing = ws["workspace"]["id"]
        .as_str()
        .unwrap()
        .replace(|c: char| c.is_ascii_hexdigit(), "0");
    let (status, _, absent) = b.get(&format!("/workspaces/{missing}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(hidden, absent, "a hidden workspace reads exactly like a missing one");
    let (status, _, _) = b.get("/workspaces/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn names_and_markdown_are_escaped_on_every_page(app: TestApp) {
    let alice = app.user("alice@acme.example", "<b>Alice</b>").await;
    let team = app.team(&alice, "Acme").await;
    let name = "<script>alert(1)</script>";
    let (status, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": name, "type": "team", "teamId": team, "about": "Hi <img src=x onerror=alert(2)>" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ws}");
    let id = ws["workspace"]["id"].as_str().unwrap().to_string();
    alice
        .post(
            &format!("/api/workspaces/{id}/updates"),
            json!({ "topic": "\"><script>alert(3)</script>", "description": "[x](javascript:alert(4))", "category": "bug_fix" }),
        )
        .await;
    let b = Browser::new(&app.base);
    b.sign_in("alice@acme.example").await;
    for path in [
        "/workspaces".to_string(),
        format!("/workspaces/{id}"),
        format!("/workspaces/{id}/updates"),
    ] {
        let (status, _, body) = b.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        for live in [
            "<script>alert",
            "<img src",
            "onerror=alert(2)>",
            "href=\"javascript:",
            "<b>Alice",
        ] {
            assert!(!body.contains(live), "{path} carries {live}: {body}");
        }
        assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path}: {body}");
    }
}

async fn signing_up_and_out_through_the_forms(app: TestApp) {
    let b = Browser::new(&app.base);
    let (status, location, body) = b
        .post_form(
            "/sign-up",
            &[("name", "Nora"), ("email", "nora@example.com"), ("password", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{location} {body}");
    assert!(body.contains("at least 8 characters"), "{body}");
    let (status, location, _) = b
        .post_form(
            "/sign-up",
            &[
                ("name", "Nora"),
                ("email", "nora@example.com"),
                ("password", "long enough"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/workspaces");
    let (status, _, body) = b.get("/workspaces").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Nora"), "{body}");
    assert!(body.contains("<main id=\"main\""), "{body}");

    let csrf = b.csrf("/workspaces").await;
    let (status, location, _) = b.post_form("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/sign-in");
    let (status, location, _) = b.get("/workspaces").await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/sign-in"));

    // A form posted from another site cannot sign anyone in.
    let res = b
        .http
        .post(format!("{}/sign-in", app.base))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", "nora@example.com"), ("password", "long enough")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn assets_are_embedded_and_cached_for_long(app: TestApp) {
    let b = Browser::new(&app.base);
    let (_, _, page) = b.get("/sign-in").await;
    let at = page.find("/assets/portico.css?v=").expect("stylesheet link");
    let href = page[at..].split('"').next().unwrap().to_string();
    let res = b.http.get(format!("{}{href}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    let res = b
        .http
        .get(format!("{}/assets/portico.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("EventSource"));
    let (status, _, _) = b.get("/assets/other.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
