//! OpenAPI import and export (issue "Team sign-in with OpenID Connect, and
//! OpenAPI 3 import/export", part 3 and 4): a YAML or JSON OpenAPI document
//! posted to `POST /api/collections` becomes a collection with one request
//! per operation; `GET /api/collections/{id}?format=openapi` exports one;
//! bad documents get a clear 400 or 413 and nothing is written.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp, assert_error};

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn reference_text() -> String {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/postman-api-openapi.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                out.insert((m.to_string(), path.clone()));
            }
        }
    }
    out
}

async fn post_text(c: &Client, ws: &str, content_type: &str, body: String) -> (StatusCode, Value) {
    c.send(
        c.request(reqwest::Method::POST, &format!("/api/collections?workspace={ws}"))
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

fn count_requests(items: &Value) -> usize {
    items
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            if i.get("item").is_some() {
                count_requests(&i["item"])
            } else {
                1
            }
        })
        .sum()
}

async fn collections_in(c: &Client, ws: &str) -> usize {
    let (_, list) = c.get(&format!("/api/collections?workspace={ws}")).await;
    list["collections"].as_array().unwrap().len()
}

async fn openapi_yaml_imports_to_one_request_per_operation_and_exports_back(app: TestApp) {
    let p = app.partnership("4").await;
    let text = reference_text();
    let doc = portico_domain::openapi::parse_yaml(&text).unwrap();
    let ops = operations(&doc);
    assert!(ops.len() >= 250, "{} operations", ops.len());
    let (status, saved) = post_text(&p.alice, &p.pw, "application/yaml", text).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let id = saved["collection"]["id"].as_str().unwrap().to_string();
    let (_, got) = p.alice.get(&format!("/api/collections/{id}")).await;
    assert_eq!(got["collection"]["info"]["name"], "Postman API");
    assert_eq!(count_requests(&got["collection"]["item"]), ops.len());
    // The same document as JSON, sent as JSON.
    let (status, saved) = post_text(&p.alice, &p.pw, "application/json", doc.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    // Export as OpenAPI 3.1: the same operations.
    let (status, exported) = p.alice.get(&format!("/api/collections/{id}?format=openapi")).await;
    assert_eq!(status, StatusCode::OK, "{exported}");
    assert_eq!(exported["openapi"], "3.1.0");
    assert_eq!(operations(&exported), ops);
    // A partner viewer may read the collection but not export it.
    let got = p.gina.get(&format!("/api/collections/{id}?format=openapi")).await;
    assert_error(&got, StatusCode::FORBIDDEN, "forbidden");
    let got = p.alice.get(&format!("/api/collections/{id}?format=wsdl")).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "invalid_format");
}

async fn bad_openapi_documents_get_a_clear_4xx_and_write_nothing(app: TestApp) {
    let p = app.partnership("4").await;
    let before = collections_in(&p.alice, &p.pw).await;
    let mut bomb = String::from(
        "openapi: 3.1.0\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = "a".to_string();
    for n in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        bomb.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n.to_string();
    }
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        ("application/yaml", bomb, StatusCode::BAD_REQUEST, "invalid_openapi"),
        ("application/yaml", "openapi: [unclosed".to_string(), StatusCode::BAD_REQUEST, "invalid_openapi"),
        (
            "application/json",
            json!({ "openapi": "3.1.0", "paths": { "/a": { "get": { "parameters": [{ "$ref": "https://evil.example/p.yml" }] } } } }).to_string(),
            StatusCode::BAD_REQUEST,
            "openapi_remote_ref",
        ),
        (
            "application/yaml",
            "openapi: 3.1.0\ncomponents:\n  parameters:\n    A: {$ref: '#/components/parameters/B'}\n    B: {$ref: '#/components/parameters/A'}\npaths:\n  /a:\n    get:\n      parameters: [{$ref: '#/components/parameters/A'}]\n".to_string(),
            StatusCode::BAD_REQUEST,
            "openapi_ref_cycle",
        ),
        ("application/yaml", "swagger: '2.0'\npaths: {}\n".to_string(), StatusCode::BAD_REQUEST, "openapi_version_unsupported"),
        ("application/yaml", "just: a yaml map\n".to_string(), StatusCode::BAD_REQUEST, "invalid_collection"),
    ];
    for (content_type, body, status, code) in cases {
        let got = post_text(&p.alice, &p.pw, content_type, body).await;
        assert_error(&got, status, code);
    }
    // 50 MB of YAML is refused before it is read.
    let huge = format!(
        "openapi: 3.1.0\ninfo: {{title: big}}\nx-padding: \"{}\"\npaths: {{}}\n",
        "a".repeat(50 * 1024 * 1024)
    );
    // The server answers 413 and closes as soon as the size is known; the
    // client may still be writing, and then sees the connection close.
    let sent = p
        .alice
        .request(reqwest::Method::POST, &format!("/api/collections?workspace={}", p.pw))
        .header("content-type", "application/yaml")
        .body(huge)
        .send()
        .await;
    if let Ok(res) = sent {
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert_eq!(collections_in(&p.alice, &p.pw).await, before);
    // The server is unharmed.
    let (status, _) = p.alice.get("/api/me").await;
    assert_eq!(status, StatusCode::OK);
}

crate::on_both_backends!(
    openapi_yaml_imports_to_one_request_per_operation_and_exports_back,
    bad_openapi_documents_get_a_clear_4xx_and_write_nothing,
);
