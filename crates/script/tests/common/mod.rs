//! Shared fixtures for the script tests: an engine, a request, a response
//! and a fake `pm.sendRequest` transport (no network).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use portico_script::{Engine, Event, HttpRequest, HttpResponse, Info, Limits, Outcome, Scopes, Sender};

/// Answers every request with a canned response (or error) and records what was sent.
#[derive(Default)]
pub struct FakeSender {
    pub sent: Vec<HttpRequest>,
    pub fail: Option<String>,
}

impl Sender for FakeSender {
    fn send(&mut self, request: HttpRequest) -> Result<HttpResponse, String> {
        let url = request.url.clone();
        self.sent.push(request);
        if let Some(e) = &self.fail {
            return Err(e.clone());
        }
        Ok(HttpResponse {
            code: 201,
            status: "Created".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: format!(r#"{{"echo":"{url}","n":1}}"#).into_bytes(),
            response_time_ms: 7,
        })
    }
}

pub fn info(event: Event) -> Info {
    Info {
        event,
        iteration: 0,
        iteration_count: 1,
        request_name: "Get user".into(),
        request_id: "req-1".into(),
    }
}

pub fn request() -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        url: "https://api.example.com/v1/users?page=2&limit=10".into(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Trace".into(), "abc".into()),
        ],
        body: Some(br#"{"name":"Ada"}"#.to_vec()),
    }
}

pub fn response() -> HttpResponse {
    HttpResponse {
        code: 200,
        status: "OK".into(),
        headers: vec![
            ("Content-Type".into(), "application/json; charset=utf-8".into()),
            ("Set-Cookie".into(), "session=s3cr3t; Path=/".into()),
            ("X-Count".into(), "3".into()),
        ],
        body: br#"{"id":7,"name":"Ada","tags":["a","b"],"profile":{"age":36,"langs":["en","fr"]}}"#.to_vec(),
        response_time_ms: 42,
    }
}

pub fn engine() -> Engine {
    Engine::new(Limits::default()).expect("engine")
}

/// Runs a test script against [`response`].
pub fn test_script(source: &str) -> Outcome {
    let mut scopes = Scopes::default();
    test_script_with(&mut engine(), source, &mut scopes)
}

pub fn test_script_with(engine: &mut Engine, source: &str, scopes: &mut Scopes) -> Outcome {
    let mut req = request();
    let resp = response();
    engine.run(
        source,
        &info(Event::Test),
        scopes,
        &mut req,
        Some(&resp),
        &mut FakeSender::default(),
    )
}

/// Runs a pre-request script; returns the outcome and the request afterwards.
pub fn pre_request(source: &str, scopes: &mut Scopes) -> (Outcome, HttpRequest) {
    let mut req = request();
    let out = engine().run(
        source,
        &info(Event::PreRequest),
        scopes,
        &mut req,
        None,
        &mut FakeSender::default(),
    );
    (out, req)
}

/// The single assertion of an outcome: (passed, error message).
pub fn single(out: &Outcome) -> (bool, Option<String>) {
    assert!(out.error.is_none(), "script error: {:?}", out.error);
    assert_eq!(out.assertions.len(), 1, "assertions: {:?}", out.assertions);
    (out.assertions[0].passed, out.assertions[0].error.clone())
}

/// Asserts that `expr` (a chai chain) fails with exactly `message`.
pub fn fails_with(expr: &str, message: &str) {
    let out = test_script(&format!("pm.test('t', function () {{ {expr}; }});"));
    let (passed, error) = single(&out);
    assert!(!passed, "{expr} passed");
    assert_eq!(error.as_deref(), Some(message), "{expr}");
}

/// Asserts that `expr` (a chai chain) passes.
pub fn passes(expr: &str) {
    let out = test_script(&format!("pm.test('t', function () {{ {expr}; }});"));
    let (passed, error) = single(&out);
    assert!(passed, "{expr} failed: {error:?}");
}
