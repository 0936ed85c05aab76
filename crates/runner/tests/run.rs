//! Issue 11 part 1: the runner against a local mock server — order, folder
//! selection, iterations with data files, scopes, dynamic variables, auth,
//! body modes, timeouts, redirects, cookies and the private-target guard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_runner::{Quiet, RunOptions, RunSummary, Runner, data};
use serde_json::{Value, json};
use support::mock::{self, Mock};

fn run(collection: &Value, options: RunOptions) -> RunSummary {
    let mut runner = Runner::new(options).unwrap();
    runner.run(collection, &mut Quiet).unwrap()
}

fn collection(items: Value) -> Value {
    json!({"info": {"name": "t", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": items})
}

fn get(name: &str, url: &str) -> Value {
    json!({"name": name, "request": {"method": "GET", "url": url}})
}

fn with_base(m: &Mock) -> RunOptions {
    let mut o = RunOptions::default();
    o.environment.insert("baseUrl".into(), json!(m.base));
    o
}

/// Issue 11 part 1: folder order, and `--folder` selection by name.
#[test]
fn requests_run_in_folder_order_and_folders_select() {
    let m = mock::start();
    let c = collection(json!([
        get("A", "{{baseUrl}}/a"),
        {"name": "F", "item": [get("B", "{{baseUrl}}/b"), {"name": "G", "item": [get("C", "{{baseUrl}}/c")]}]},
        get("D", "{{baseUrl}}/d"),
    ]));
    let s = run(&c, with_base(&m));
    assert_eq!(m.paths(), ["/a", "/b", "/c", "/d"]);
    assert!(s.passed());
    assert_eq!(s.requests.total, 4);
    assert_eq!(s.executions[2].path, ["F", "G"]);

    let m = mock::start();
    let mut o = with_base(&m);
    o.folders = vec!["G".into(), "A".into()];
    run(&c, o);
    assert_eq!(m.paths(), ["/a", "/c"]);

    let mut o = with_base(&m);
    o.folders = vec!["missing".into()];
    assert!(Runner::new(o).unwrap().run(&c, &mut Quiet).is_err());
}

/// Issue 11 part 1: iterations over CSV and JSON data files; rows set the data scope.
#[test]
fn iterations_follow_csv_and_json_rows() {
    let m = mock::start();
    let c = collection(json!([get("R", "{{baseUrl}}/item/{{id}}?name={{name}}")]));
    let mut o = with_base(&m);
    o.data = data::parse_data("id,name\n1,one\n2,\"t,wo\"\n").unwrap();
    let s = run(&c, o);
    assert_eq!(s.iterations.total, 2);
    let got: Vec<_> = m.received().iter().map(|r| (r.path.clone(), r.query.clone())).collect();
    assert_eq!(got[0], ("/item/1".into(), "name=one".into()));
    assert_eq!(got[1].0, "/item/2");
    assert!(got[1].1.starts_with("name=t,wo") || got[1].1.starts_with("name=t%2Cwo"));

    let m = mock::start();
    let mut o = with_base(&m);
    o.data = data::parse_data(r#"[{"id": 7, "name": "x"}, {"id": 8, "name": "y"}]"#).unwrap();
    o.iteration_count = Some(3);
    run(&c, o);
    // More iterations than rows: the last row is used again.
    assert_eq!(m.paths(), ["/item/7", "/item/8", "/item/8"]);
}

/// Issue 11 part 1: scope precedence data > environment > collection > globals.
#[test]
fn narrower_scopes_win() {
    let m = mock::start();
    let mut c = collection(json!([get(
        "R",
        "{{baseUrl}}/s?a={{a}}&b={{b}}&c={{c}}&d={{d}}&u={{unknown}}"
    )]));
    c["variable"] = json!([{"key": "a", "value": "collection"}, {"key": "b", "value": "collection"}, {"key": "c", "value": "collection"}]);
    let mut o = with_base(&m);
    for k in ["a", "b", "c", "d"] {
        o.globals.insert(k.into(), json!("global"));
    }
    o.environment.insert("a".into(), json!("env"));
    o.environment.insert("b".into(), json!("env"));
    o.data = vec![[("a".to_owned(), json!("data"))].into_iter().collect()];
    run(&c, o);
    let q = &m.received()[0].query;
    // Names no scope defines are sent as written.
    assert_eq!(q, "a=data&b=env&c=collection&d=global&u={{unknown}}");
}

/// Issue 11 part 1: dynamic variables in headers.
#[test]
fn dynamic_variables_are_fresh_values() {
    let m = mock::start();
    let c = collection(
        json!([{"name": "R", "request": {"method": "POST", "url": "{{baseUrl}}/d",
        "header": [{"key": "X-Guid", "value": "{{$guid}}"}, {"key": "X-Ts", "value": "{{$timestamp}}"},
                   {"key": "X-Int", "value": "{{$randomInt}}"}, {"key": "X-Off", "value": "x", "disabled": true}]}}]),
    );
    run(&c, with_base(&m));
    let r = &m.received()[0];
    assert!(uuid::Uuid::parse_str(r.header("x-guid").unwrap()).is_ok());
    assert!(r.header("x-ts").unwrap().parse::<u64>().unwrap() > 1_600_000_000);
    assert!(r.header("x-int").unwrap().parse::<u32>().unwrap() <= 1000);
    assert_eq!(r.header("x-off"), None);
}

fn auth_item(name: &str, url: &str, auth: Value) -> Value {
    json!({"name": name, "request": {"method": "GET", "url": url, "auth": auth}})
}

fn kv(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v, "type": "string"}))
            .collect(),
    )
}

/// Issue 11 part 1: basic, bearer, digest (MD5, SHA-256) and OAuth 2.0 — the server checks the credentials.
#[test]
fn auth_types_the_server_accepts() {
    let m = mock::start();
    let c = collection(json!([
        auth_item(
            "basic",
            "{{baseUrl}}/basic-auth/ann/s3cret",
            json!({"type": "basic", "basic": kv(&[("username", "ann"), ("password", "{{pw}}")])})
        ),
        auth_item(
            "bearer",
            "{{baseUrl}}/bearer/tok",
            json!({"type": "bearer", "bearer": kv(&[("token", "tok")])})
        ),
        auth_item(
            "oauth2",
            "{{baseUrl}}/bearer/at",
            json!({"type": "oauth2", "oauth2": kv(&[("accessToken", "at"), ("addTokenTo", "header")])})
        ),
        auth_item(
            "digest",
            "{{baseUrl}}/digest-auth/dan/pw",
            json!({"type": "digest", "digest": kv(&[("username", "dan"), ("password", "pw")])})
        ),
        auth_item(
            "digest256",
            "{{baseUrl}}/digest-auth/dan/pw/SHA-256",
            json!({"type": "digest", "digest": kv(&[("username", "dan"), ("password", "pw"), ("algorithm", "SHA-256")])})
        ),
        auth_item(
            "wrong",
            "{{baseUrl}}/basic-auth/ann/s3cret",
            json!({"type": "basic", "basic": kv(&[("username", "ann"), ("password", "nope")])})
        ),
    ]));
    let mut o = with_base(&m);
    o.environment.insert("pw".into(), json!("s3cret"));
    let s = run(&c, o);
    let codes: Vec<_> = s
        .executions
        .iter()
        .map(|e| (e.name.as_str(), e.response.as_ref().unwrap().code))
        .collect();
    assert_eq!(
        codes,
        [
            ("basic", 200),
            ("bearer", 200),
            ("oauth2", 200),
            ("digest", 200),
            ("digest256", 200),
            ("wrong", 401)
        ]
    );
}

/// Issue 11 part 1: API key (header and query), AWS SigV4 headers, and auth inheritance with noauth.
#[test]
fn api_key_aws_and_inheritance() {
    let m = mock::start();
    let mut c = collection(json!([
        {"name": "H", "request": {"method": "GET", "url": "{{baseUrl}}/h"}},
        auth_item("Q", "{{baseUrl}}/q", json!({"type": "apikey", "apikey": kv(&[("key", "api_key"), ("value", "k1"), ("in", "query")])})),
        auth_item("N", "{{baseUrl}}/n", json!({"type": "noauth"})),
        auth_item("A", "{{baseUrl}}/aws?b=2&a=1", json!({"type": "awsv4", "awsv4": kv(&[("accessKey", "AKID"), ("secretKey", "secret"), ("region", "eu-west-1"), ("service", "execute-api")])})),
    ]));
    c["auth"] = json!({"type": "apikey", "apikey": kv(&[("key", "X-Api-Key"), ("value", "k0"), ("in", "header")])});
    run(&c, with_base(&m));
    let r = m.received();
    assert_eq!(r[0].header("x-api-key"), Some("k0"));
    assert_eq!(r[1].query, "api_key=k1");
    assert_eq!(r[1].header("x-api-key"), None);
    assert_eq!(r[2].header("x-api-key"), None);
    assert_eq!(r[2].header("authorization"), None);
    let aws = r[3].header("authorization").unwrap();
    assert!(aws.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"), "{aws}");
    assert!(
        aws.contains("/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature="),
        "{aws}"
    );
    assert!(r[3].header("x-amz-date").is_some());
}

/// Issue 11 part 1: every body mode reaches the server as sent by the platform.
#[test]
fn every_body_mode() {
    let m = mock::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("up.txt"), "file content").unwrap();
    let post = |name: &str, body: Value| json!({"name": name, "request": {"method": "POST", "url": "{{baseUrl}}/echo", "body": body}});
    let c = collection(json!([
        post(
            "raw",
            json!({"mode": "raw", "raw": "{\"v\": \"{{v}}\"}", "options": {"raw": {"language": "json"}}})
        ),
        post(
            "urlencoded",
            json!({"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "{{v}} x"}, {"key": "off", "value": "1", "disabled": true}, {"key": "b&", "value": "é"}]})
        ),
        post(
            "formdata",
            json!({"mode": "formdata", "formdata": [{"key": "t", "value": "{{v}}", "type": "text"}, {"key": "f", "src": "up.txt", "type": "file"}]})
        ),
        post("file", json!({"mode": "file", "file": {"src": "up.txt"}})),
        post(
            "graphql",
            json!({"mode": "graphql", "graphql": {"query": "{ user(id: \"{{v}}\") { name } }", "variables": "{\"n\": \"{{v}}\"}"}})
        ),
    ]));
    let mut o = with_base(&m);
    o.environment.insert("v".into(), json!("val"));
    o.working_dir = Some(dir.path().to_owned());
    let s = run(&c, o);
    assert!(s.passed(), "{:?}", s.executions);
    let r = m.received();
    assert_eq!(r[0].body_text(), "{\"v\": \"val\"}");
    assert_eq!(r[0].header("content-type"), Some("application/json"));
    assert_eq!(r[1].body_text(), "a=val+x&b%26=%C3%A9");
    assert_eq!(r[1].header("content-type"), Some("application/x-www-form-urlencoded"));
    let ct = r[2].header("content-type").unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let form = r[2].body_text();
    assert!(form.contains("name=\"t\"\r\n\r\nval\r\n"), "{form}");
    assert!(form.contains("name=\"f\"; filename=\"up.txt\""), "{form}");
    assert!(form.contains("file content"), "{form}");
    assert_eq!(r[3].body_text(), "file content");
    let g: Value = serde_json::from_slice(&r[4].body).unwrap();
    assert_eq!(
        g,
        json!({"query": "{ user(id: \"val\") { name } }", "variables": {"n": "val"}})
    );

    // Without a working directory (server runs) file bodies are refused.
    let m2 = mock::start();
    let s = run(&c, with_base(&m2));
    assert!(
        s.executions[2]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("not allowed")
    );
    assert!(!s.passed());
}

/// Issue 11 part 1: a request over its timeout errors; the run fails.
#[test]
fn timeouts_error_the_request() {
    let m = mock::start();
    let c = collection(json!([
        get("slow", "{{baseUrl}}/delay/3000"),
        get("next", "{{baseUrl}}/after")
    ]));
    let mut o = with_base(&m);
    o.timeout_request = Some(std::time::Duration::from_millis(200));
    let s = run(&c, o);
    assert!(
        s.executions[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("timed out"),
        "{:?}",
        s.executions[0].error
    );
    assert_eq!(s.executions[1].response.as_ref().map(|r| r.code), Some(200));
    assert_eq!(s.requests.failed, 1);
    assert!(!s.passed());
}

/// Issue 11 part 1: redirects are followed, or not with ignore-redirects.
#[test]
fn redirects_followed_or_ignored() {
    let m = mock::start();
    let c = collection(json!([get("r", "{{baseUrl}}/redirect/2")]));
    let s = run(&c, with_base(&m));
    assert_eq!(s.executions[0].response.as_ref().unwrap().code, 200);
    assert_eq!(m.paths(), ["/redirect/2", "/redirect/1", "/echo"]);

    let m = mock::start();
    let mut o = with_base(&m);
    o.follow_redirects = false;
    let s = run(&c, o);
    assert_eq!(s.executions[0].response.as_ref().unwrap().code, 302);
    assert_eq!(m.paths(), ["/redirect/2"]);
}

/// Issue 11 part 1: cookies set by a response go with the next requests of the run.
#[test]
fn cookies_are_kept_across_requests() {
    let m = mock::start();
    let c = collection(json!([
        get("set", "{{baseUrl}}/cookies/set?session=abc"),
        get("get", "{{baseUrl}}/cookies")
    ]));
    run(&c, with_base(&m));
    assert_eq!(m.received()[1].header("cookie"), Some("session=abc"));
    // A new run starts with an empty jar.
    let m2 = mock::start();
    run(&collection(json!([get("get", "{{baseUrl}}/cookies")])), with_base(&m2));
    assert_eq!(m2.received()[0].header("cookie"), None);
}

/// Issue 11 part 4 (server runs): private, loopback and link-local targets
/// are refused — by IP literal, by name, IPv6, and on a redirect hop.
#[test]
fn private_targets_are_refused_when_not_allowed() {
    let m = mock::start();
    let port = m.port;
    let c = collection(json!([
        get("v4", &format!("http://127.0.0.1:{port}/v4")),
        get("name", &format!("http://localhost:{port}/name")),
        get("v6", &format!("http://[::1]:{port}/v6")),
        get("link-local", "http://169.254.169.254/latest/meta-data"),
        get("private", "http://10.0.0.1/"),
    ]));
    let mut o = RunOptions {
        allow_private_targets: false,
        ..RunOptions::default()
    };
    o.timeout_request = Some(std::time::Duration::from_secs(2));
    let s = run(&c, o);
    for e in &s.executions {
        let err = e.error.as_deref().unwrap_or_default();
        assert!(err.contains("refused"), "{}: {err:?}", e.name);
    }
    assert!(m.paths().is_empty(), "{:?}", m.paths());

    // An allowed address works; a redirect from it to another loopback
    // address is refused on the hop.
    let c = collection(json!([
        get("ok", &format!("http://127.0.0.1:{port}/ok")),
        get(
            "hop",
            &format!("http://127.0.0.1:{port}/redirect-to?url=http://127.0.0.2:{port}/inside")
        ),
    ]));
    let o = RunOptions {
        allow_private_targets: false,
        allowed_private_targets: vec!["127.0.0.1".parse().unwrap()],
        ..RunOptions::default()
    };
    let s = run(&c, o);
    assert_eq!(s.executions[0].response.as_ref().map(|r| r.code), Some(200));
    let err = s.executions[1].error.as_deref().unwrap_or_default();
    assert!(err.contains("refused"), "{err:?}");
    assert_eq!(m.paths(), ["/ok", "/redirect-to"]);

    // The CLI default allows them.
    let s = run(
        &collection(json!([get("v4", &format!("http://127.0.0.1:{port}/v4"))])),
        RunOptions::default(),
    );
    assert!(s.passed());
}

fn scripted(name: &str, url: &str, pre: &[&str], test: &[&str]) -> Value {
    json!({"name": name, "id": format!("id-{name}"), "request": {"method": "GET", "url": url},
           "event": [{"listen": "prerequest", "script": {"exec": pre}}, {"listen": "test", "script": {"exec": test}}]})
}

/// Issue 11 part 1: pre-request scripts change the request before it is
/// substituted and sent; pm.sendRequest goes through the run's client;
/// setNextRequest jumps by id; a throwing script fails the run.
#[test]
fn scripts_shape_the_request_and_the_flow() {
    let m = mock::start();
    let c = collection(json!([
        scripted(
            "pre",
            "{{baseUrl}}/pre?a=1",
            &[
                "pm.request.headers.add({key: 'X-Pre', value: '{{v}}'});",
                "pm.request.url.addQueryParams([{key: 'b', value: '{{v}}'}]);",
                "pm.sendRequest(pm.environment.get('baseUrl') + '/side', (err, res) => { pm.variables.set('side', String(res.code)); });"
            ],
            &[
                "pm.test('side request answered', () => pm.expect(pm.variables.get('side')).to.eql('200'));",
                "pm.execution.setNextRequest('id-last');"
            ]
        ),
        scripted("skipped", "{{baseUrl}}/skipped", &[], &[]),
        scripted(
            "last",
            "{{baseUrl}}/last",
            &[],
            &["throw new Error('broken test script');"]
        ),
    ]));
    let mut o = with_base(&m);
    o.environment.insert("v".into(), json!("vee"));
    let s = run(&c, o);
    let r = m.received();
    let paths: Vec<_> = r.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, ["/side", "/pre", "/last"]);
    assert_eq!(r[1].header("x-pre"), Some("vee"));
    assert_eq!(r[1].query, "a=1&b=vee");
    assert_eq!(s.assertions, portico_runner::Count { total: 1, failed: 0 });
    assert_eq!(s.test_scripts.failed, 1);
    assert!(s.executions[1].script_errors[0].message.contains("broken test script"));
    assert!(!s.passed());
}

/// Issue 11 part 1: `pm.execution.skipRequest()` in a pre-request script
/// keeps the request from being sent; the run goes on.
#[test]
fn skip_request_is_not_sent() {
    let m = mock::start();
    let c = collection(json!([
        scripted(
            "skip me",
            "{{baseUrl}}/skipped",
            &["pm.execution.skipRequest();"],
            &["pm.test('never', () => {});"]
        ),
        scripted(
            "sent",
            "{{baseUrl}}/sent",
            &[],
            &["pm.test('sent', () => pm.response.to.have.status(200));"]
        ),
    ]));
    let s = run(&c, with_base(&m));
    assert_eq!(m.paths(), ["/sent"]);
    assert!(s.executions[0].skipped);
    assert_eq!(s.requests.total, 1);
    assert_eq!(s.assertions, portico_runner::Count { total: 1, failed: 0 });
    assert!(s.passed());
}

/// Issue 11 part 1: variables go into requests as `pm.variables.replaceIn` puts them (JavaScript's String(value)).
#[test]
fn substitution_matches_replace_in() {
    let m = mock::start();
    let c = collection(json!([scripted(
        "r",
        "{{baseUrl}}/v?n={{n}}&b={{b}}&o={{o}}&e={{$randomEmail}}",
        &[],
        &[
            "pm.test('same as replaceIn', () => pm.expect(pm.request.url.toString()).to.include(pm.variables.replaceIn('n={{n}}&b={{b}}&o={{o}}')));"
        ]
    )]));
    let mut o = with_base(&m);
    o.environment.insert("n".into(), json!(1.5));
    o.environment.insert("b".into(), json!(true));
    o.environment.insert("o".into(), json!([1, 2]));
    let s = run(&c, o);
    let q = &m.received()[0].query;
    assert!(q.starts_with("n=1.5&b=true&o=1,2&e="), "{q}");
    assert!(q.contains("%40") || q.contains('@'), "{q}");
    assert!(s.passed(), "{:?}", s.executions[0].assertions);
}

/// Issue 11 part 1: `protocolProfileBehavior` of an item or folder changes
/// redirects for its requests only; cookies stay shared.
#[test]
fn protocol_profile_behavior_per_request() {
    let m = mock::start();
    let mut no_follow = get("no follow", "{{baseUrl}}/redirect/1");
    no_follow["protocolProfileBehavior"] = json!({"followRedirects": false});
    let c = collection(json!([
        get("cookie", "{{baseUrl}}/cookies/set?k=v"),
        no_follow,
        {"name": "F", "protocolProfileBehavior": {"maxRedirects": 1}, "item": [get("too many", "{{baseUrl}}/redirect/3")]},
        get("follow", "{{baseUrl}}/redirect/1"),
    ]));
    let s = run(&c, with_base(&m));
    let codes: Vec<_> = s
        .executions
        .iter()
        .map(|e| e.response.as_ref().map(|r| r.code))
        .collect();
    assert_eq!(codes, [Some(200), Some(302), None, Some(200)]);
    assert!(
        s.executions[2]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("redirect"),
        "{:?}",
        s.executions[2].error
    );
    let r = m.received();
    assert_eq!(r[1].path, "/redirect/1");
    assert_eq!(r[1].header("cookie"), Some("k=v"));
}

/// Issue 11 part 1: digest with realm and nonce given in the collection
/// answers at once (no 401 round trip); AWS SigV4 sends the session token.
#[test]
fn digest_without_round_trip_and_aws_session_token() {
    let m = mock::start();
    let c = collection(json!([
        auth_item(
            "digest",
            "{{baseUrl}}/digest-auth/dan/pw",
            json!({"type": "digest", "digest": kv(&[
            ("username", "dan"), ("password", "pw"), ("realm", "mock@portico"), ("nonce", "mock-nonce-1"), ("qop", "auth")])})
        ),
        auth_item(
            "aws",
            "{{baseUrl}}/aws",
            json!({"type": "awsv4", "awsv4": kv(&[
            ("accessKey", "AKID"), ("secretKey", "s"), ("sessionToken", "TOKEN"), ("service", "s3")])})
        ),
    ]));
    let s = run(&c, with_base(&m));
    assert_eq!(s.executions[0].response.as_ref().map(|r| r.code), Some(200));
    let r = m.received();
    assert_eq!(r.len(), 2, "{:?}", m.paths());
    assert_eq!(r[1].header("x-amz-security-token"), Some("TOKEN"));
    assert!(r[1].header("x-amz-content-sha256").is_some());
    let aws = r[1].header("authorization").unwrap();
    assert!(
        aws.contains(
            "/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"
        ),
        "{aws}"
    );
}

/// Issue 11 part 3: `--bail` stops the run at the first failure.
#[test]
fn bail_stops_at_the_first_failure() {
    let m = mock::start();
    let c = collection(json!([
        get("ok", "{{baseUrl}}/one"),
        scripted(
            "fails",
            "{{baseUrl}}/two",
            &[],
            &["pm.test('fails', () => pm.expect(1).to.eql(2));"]
        ),
        get("never", "{{baseUrl}}/three"),
    ]));
    let mut o = with_base(&m);
    o.bail = true;
    o.iteration_count = Some(2);
    let s = run(&c, o);
    assert_eq!(m.paths(), ["/one", "/two"]);
    assert!(s.bailed);
    assert_eq!(s.iterations, portico_runner::Count { total: 1, failed: 1 });
}

/// Issue 11 (server runs): a response larger than the run's bound fails
/// its request instead of filling the server's memory.
#[test]
fn responses_over_the_bound_fail_the_request() {
    let m = mock::start();
    let port = m.port;
    let c = collection(json!([
        get("small", &format!("http://127.0.0.1:{port}/bytes/500")),
        get("large", &format!("http://127.0.0.1:{port}/bytes/5000")),
    ]));
    let s = run(
        &c,
        RunOptions {
            max_response_bytes: Some(1000),
            ..RunOptions::default()
        },
    );
    assert_eq!(s.executions[0].response.as_ref().map(|r| r.size), Some(500));
    let err = s.executions[1].error.as_deref().unwrap_or_default();
    assert!(err.contains("larger than 1000 bytes"), "{err:?}");
    assert!(s.executions[1].response.is_none());
}
