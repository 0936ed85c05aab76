//! Issue 11: the `pm` API of pre-request and test scripts — variables,
//! request, response, info, setNextRequest, sendRequest, console, timers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use portico_script::{Event, NextRequest, Scopes};
use serde_json::json;

fn scopes() -> Scopes {
    let mut s = Scopes::default();
    s.globals.insert("who".into(), json!("global"));
    s.globals.insert("g".into(), json!("G"));
    s.collection.insert("who".into(), json!("collection"));
    s.collection.insert("c".into(), json!("C"));
    s.environment.insert("who".into(), json!("environment"));
    s.environment.insert("baseUrl".into(), json!("https://api.example.com"));
    s.data.insert("who".into(), json!("data"));
    s.data.insert("d".into(), json!("D"));
    s
}

fn all_pass(out: &portico_script::Outcome) {
    assert!(out.error.is_none(), "script error: {:?}", out.error);
    assert!(!out.assertions.is_empty());
    for a in &out.assertions {
        assert!(a.passed, "{} failed: {:?}", a.name, a.error);
    }
}

/// Issue 11: pm.environment/globals/collectionVariables get, set, unset, has, clear, toObject; changes reach the scopes.
#[test]
fn scope_get_set_unset_clear() {
    let mut s = scopes();
    let out = test_script_with(
        &mut engine(),
        "pm.test('get', () => pm.expect(pm.environment.get('who')).to.equal('environment'));\n\
         pm.test('has', () => { pm.expect(pm.globals.has('g')).to.be.true; pm.expect(pm.globals.has('nope')).to.be.false; });\n\
         pm.environment.set('token', 'abc');\n\
         pm.environment.set('count', 3);\n\
         pm.environment.unset('baseUrl');\n\
         pm.collectionVariables.set('c2', 'C2');\n\
         pm.globals.clear();\n\
         pm.test('toObject', () => pm.expect(pm.environment.toObject()).to.eql({who: 'environment', token: 'abc', count: 3}));\n\
         pm.test('get after set', () => pm.expect(pm.environment.get('token')).to.equal('abc'));",
        &mut s,
    );
    all_pass(&out);
    assert_eq!(s.environment.get("token"), Some(&json!("abc")));
    assert_eq!(s.environment.get("count"), Some(&json!(3)));
    assert!(!s.environment.contains_key("baseUrl"));
    assert_eq!(s.collection.get("c2"), Some(&json!("C2")));
    assert_eq!(s.collection.get("c"), Some(&json!("C")));
    assert!(s.globals.is_empty());
    // Data (pm.iterationData) is read-only for the run.
    assert_eq!(s.data.get("d"), Some(&json!("D")));
}

/// Issue 11: pm.variables resolves local > data > environment > collection > globals; set writes local.
#[test]
fn variable_precedence() {
    let mut s = scopes();
    let mut e = engine();
    let out = test_script_with(
        &mut e,
        "pm.test('data wins over env', () => pm.expect(pm.variables.get('who')).to.equal('data'));\n\
         pm.test('collection', () => pm.expect(pm.variables.get('c')).to.equal('C'));\n\
         pm.test('globals', () => pm.expect(pm.variables.get('g')).to.equal('G'));\n\
         pm.test('has', () => pm.expect(pm.variables.has('d')).to.be.true);\n\
         pm.variables.set('who', 'local');\n\
         pm.test('local wins', () => pm.expect(pm.variables.get('who')).to.equal('local'));\n\
         pm.test('toObject', () => pm.expect(pm.variables.toObject()).to.include({who: 'local', g: 'G', c: 'C', d: 'D'}));\n\
         pm.test('iterationData', () => pm.expect(pm.iterationData.get('d')).to.equal('D'));",
        &mut s,
    );
    all_pass(&out);
    assert_eq!(s.local.get("who"), Some(&json!("local")));
    assert_eq!(s.environment.get("who"), Some(&json!("environment")));
    // Local variables live for the rest of the run: the next script sees them.
    let out = test_script_with(
        &mut e,
        "pm.test('still local', () => pm.expect(pm.variables.get('who')).to.equal('local'));",
        &mut s,
    );
    all_pass(&out);
}

/// Issue 11: replaceIn substitutes {{name}} through the scopes, leaves unknown names, nests.
#[test]
fn replace_in() {
    let mut s = scopes();
    s.environment.insert("path".into(), json!("{{baseUrl}}/v1"));
    let out = test_script_with(
        &mut engine(),
        "pm.test('variables', () => pm.expect(pm.variables.replaceIn('{{who}}-{{c}}-{{missing}}')).to.equal('data-C-{{missing}}'));\n\
         pm.test('nested', () => pm.expect(pm.variables.replaceIn('{{path}}/x')).to.equal('https://api.example.com/v1/x'));\n\
         pm.test('scope', () => pm.expect(pm.globals.replaceIn('{{who}}')).to.equal('global'));\n\
         pm.test('guid', () => pm.expect(pm.variables.replaceIn('{{$guid}}')).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/));\n\
         pm.test('timestamp', () => pm.expect(Number(pm.variables.replaceIn('{{$timestamp}}'))).to.be.above(1600000000));",
        &mut s,
    );
    all_pass(&out);
}

/// Issue 11: pm.response code, status, headers, json(), text(), responseTime, responseSize.
#[test]
fn response_object() {
    let out = test_script(
        "pm.test('code', () => pm.expect(pm.response.code).to.equal(200));\n\
         pm.test('status', () => pm.expect(pm.response.status).to.equal('OK'));\n\
         pm.test('header get is case-insensitive', () => pm.expect(pm.response.headers.get('content-type')).to.equal('application/json; charset=utf-8'));\n\
         pm.test('header has', () => { pm.expect(pm.response.headers.has('X-COUNT')).to.be.true; pm.expect(pm.response.headers.has('nope')).to.be.false; });\n\
         pm.test('header toObject', () => pm.expect(pm.response.headers.toObject()).to.have.property('x-count', '3'));\n\
         pm.test('header each', () => { const keys = []; pm.response.headers.each(h => keys.push(h.key)); pm.expect(keys).to.eql(['Content-Type', 'Set-Cookie', 'X-Count']); });\n\
         pm.test('json', () => pm.expect(pm.response.json().profile.langs[1]).to.equal('fr'));\n\
         pm.test('text', () => pm.expect(pm.response.text()).to.match(/^\\{\"id\":7/));\n\
         pm.test('time', () => pm.expect(pm.response.responseTime).to.equal(42));\n\
         pm.test('size', () => pm.expect(pm.response.responseSize).to.equal(pm.response.text().length));\n\
         pm.test('cookies', () => pm.expect(pm.cookies.get('session')).to.equal('s3cr3t'));",
    );
    all_pass(&out);
}

/// Issue 11: pm.response.to.have.status/header/jsonBody/body, to.be.ok/success/json and `.not` forms.
#[test]
fn response_assertions() {
    let ok = [
        "pm.response.to.have.status(200)",
        "pm.response.to.have.status('OK')",
        "pm.response.to.be.ok",
        "pm.response.to.be.success",
        "pm.response.to.not.be.error",
        "pm.response.to.not.be.clientError",
        "pm.response.to.not.be.serverError",
        "pm.response.to.not.be.notFound",
        "pm.response.to.have.header('X-Count')",
        "pm.response.to.have.header('x-count', '3')",
        "pm.response.to.not.have.header('X-Missing')",
        "pm.response.to.be.json",
        "pm.response.to.have.jsonBody()",
        "pm.response.to.have.jsonBody('profile.age')",
        "pm.response.to.have.jsonBody('name', 'Ada')",
        "pm.response.to.have.body()",
        "pm.response.to.not.have.body('x')",
        "pm.response.to.not.have.status(404)",
        "pm.expect(pm.response).to.have.status(200)",
    ];
    for expr in ok {
        passes(expr);
    }
    fails_with(
        "pm.response.to.have.status(201)",
        "expected response to have status code 201 but got 200",
    );
    fails_with(
        "pm.response.to.have.status('Created')",
        "expected response to have status reason 'Created' but got 'OK'",
    );
    fails_with(
        "pm.response.to.not.have.status(200)",
        "expected response to not have status code 200",
    );
    fails_with(
        "pm.response.to.be.error",
        "expected response code to be 4XX or 5XX but found 200",
    );
    fails_with(
        "pm.response.to.be.notFound",
        "expected response to have status reason 'NOT FOUND' but got 'OK'",
    );
    fails_with(
        "pm.response.to.be.clientError",
        "expected response code to be 4XX but found 200",
    );
    fails_with(
        "pm.response.to.be.serverError",
        "expected response code to be 5XX but found 200",
    );
    fails_with(
        "pm.response.to.not.be.ok",
        "expected response to not have status reason 'OK'",
    );
    fails_with(
        "pm.response.to.have.header('X-Missing')",
        "expected response to have header with key 'X-Missing'",
    );
    fails_with(
        "pm.response.to.have.header('X-Count', '4')",
        "expected 'X-Count' response header to be '4' but got '3'",
    );
    fails_with(
        "pm.response.to.have.body('nope')",
        "expected response body to equal 'nope' but got '{\"id\":7,\"name\":\"Ada\",\"tags\":[\"a\",\"b\"]…'",
    );
    fails_with(
        "pm.response.to.have.jsonBody('profile.height')",
        "expected { id: 7, name: 'Ada', …(2) } in response to contain property 'profile.height'",
    );
    fails_with(
        "pm.response.to.have.jsonBody('name', 'Bob')",
        "expected response body json at \"name\" to contain 'Bob' but got 'Ada'",
    );
    fails_with(
        "pm.expect(5).to.be.success",
        "expecting a postman response object but got 5",
    );
}

/// Issue 11: pm.request in a pre-request script — URL, query, headers, body, method changes reach the request.
#[test]
fn pre_request_changes_reach_the_request() {
    let mut s = scopes();
    let (out, req) = pre_request(
        "pm.test('url', () => { pm.expect(pm.request.url.toString()).to.equal('https://api.example.com/v1/users?page=2&limit=10'); pm.expect(pm.request.url.getHost()).to.equal('api.example.com'); pm.expect(pm.request.url.getPath()).to.equal('/v1/users'); pm.expect(pm.request.url.query.get('page')).to.equal('2'); pm.expect(pm.request.url.query.toObject()).to.eql({page: '2', limit: '10'}); });\n\
         pm.test('method', () => pm.expect(pm.request.method).to.equal('POST'));\n\
         pm.test('headers', () => { pm.expect(pm.request.headers.get('content-type')).to.equal('application/json'); pm.expect(pm.request.headers.has('X-Trace')).to.be.true; });\n\
         pm.test('body', () => { pm.expect(pm.request.body.mode).to.equal('raw'); pm.expect(JSON.parse(pm.request.body.raw).name).to.equal('Ada'); });\n\
         pm.test('info', () => { pm.expect(pm.info.eventName).to.equal('prerequest'); pm.expect(pm.info.requestName).to.equal('Get user'); pm.expect(pm.info.requestId).to.equal('req-1'); pm.expect(pm.info.iteration).to.equal(0); pm.expect(pm.info.iterationCount).to.equal(1); });\n\
         pm.request.url.query.upsert({key: 'page', value: '3'});\n\
         pm.request.url.query.add({key: 'sort', value: 'name'});\n\
         pm.request.url.query.remove('limit');\n\
         pm.request.headers.add({key: 'Authorization', value: 'Bearer t'});\n\
         pm.request.headers.upsert({key: 'x-trace', value: 'xyz'});\n\
         pm.request.headers.remove('Content-Type');\n\
         pm.request.body.raw = JSON.stringify({name: 'Grace'});\n\
         pm.request.method = 'PUT';",
        &mut s,
    );
    all_pass(&out);
    assert_eq!(req.method, "PUT");
    assert_eq!(req.url, "https://api.example.com/v1/users?page=3&sort=name");
    assert_eq!(
        req.headers,
        vec![
            ("X-Trace".to_string(), "xyz".to_string()),
            ("Authorization".to_string(), "Bearer t".to_string()),
        ]
    );
    assert_eq!(req.body.as_deref(), Some(br#"{"name":"Grace"}"#.as_slice()));
}

/// Issue 11: assigning a new URL string, and an untouched request staying byte-for-byte as it was.
#[test]
fn request_url_assignment_and_untouched_request() {
    let mut s = scopes();
    let (out, req) = pre_request("pm.request.url = '{{baseUrl}}/health';", &mut s);
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(req.url, "{{baseUrl}}/health");
    let (out, req) = pre_request("pm.environment.set('a', pm.request.url.toString());", &mut s);
    assert!(out.error.is_none());
    assert_eq!(req, request());
    assert_eq!(s.environment.get("a"), Some(&json!(request().url)));
}

/// Issue 11: pm.setNextRequest(name | null) and legacy postman.setNextRequest.
#[test]
fn set_next_request() {
    let out = test_script("pm.setNextRequest('Delete user');");
    assert_eq!(out.next_request, NextRequest::Named("Delete user".into()));
    let out = test_script("pm.setNextRequest(null);");
    assert_eq!(out.next_request, NextRequest::Stop);
    let out = test_script("postman.setNextRequest('Login');");
    assert_eq!(out.next_request, NextRequest::Named("Login".into()));
    let out = test_script("pm.execution.setNextRequest('A'); pm.setNextRequest('B');");
    assert_eq!(out.next_request, NextRequest::Named("B".into()));
    let out = test_script("pm.test('x', () => {});");
    assert_eq!(out.next_request, NextRequest::Unchanged);
}

/// Issue 11: pm.execution.skipRequest() in a pre-request script.
#[test]
fn skip_request() {
    let (out, _) = pre_request("pm.execution.skipRequest();", &mut Scopes::default());
    assert!(out.skip_request);
    let (out, _) = pre_request("pm.environment.set('a', 1);", &mut Scopes::default());
    assert!(!out.skip_request);
}

/// Issue 11: pm.test.skip records a skipped assertion; legacy tests[...] record assertions.
#[test]
fn skipped_and_legacy_tests() {
    let out = test_script(
        "pm.test.skip('later', () => { throw new Error('not run'); });\n\
         tests['Status code is 200'] = responseCode.code === 200;\n\
         tests['Body has Bob'] = responseBody.has ? false : responseBody.indexOf('Bob') !== -1;",
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.assertions.len(), 3);
    assert!(out.assertions[0].skipped);
    assert_eq!(out.assertions[0].name, "later");
    assert_eq!(out.assertions[1].name, "Status code is 200");
    assert!(out.assertions[1].passed);
    assert_eq!(out.assertions[2].name, "Body has Bob");
    assert!(!out.assertions[2].passed);
}

/// Issue 11: legacy sandbox globals (responseBody, responseCode, responseHeaders, responseTime,
/// postman.*Variable, environment, globals, data, iteration).
#[test]
fn legacy_globals() {
    let mut s = scopes();
    let out = test_script_with(
        &mut engine(),
        "pm.test('responseBody', () => pm.expect(JSON.parse(responseBody).id).to.equal(7));\n\
         pm.test('responseCode', () => pm.expect(responseCode).to.eql({code: 200, name: 'OK', detail: 'OK'}));\n\
         pm.test('responseHeaders', () => pm.expect(responseHeaders['X-Count']).to.equal('3'));\n\
         pm.test('responseTime', () => pm.expect(responseTime).to.equal(42));\n\
         pm.test('environment', () => pm.expect(environment.who).to.equal('environment'));\n\
         pm.test('globals', () => pm.expect(globals.g).to.equal('G'));\n\
         pm.test('data', () => pm.expect(data.d).to.equal('D'));\n\
         pm.test('iteration', () => pm.expect(iteration).to.equal(0));\n\
         pm.test('request', () => { pm.expect(request.method).to.equal('POST'); pm.expect(request.headers['x-trace']).to.equal('abc'); });\n\
         pm.test('getEnvironmentVariable', () => pm.expect(postman.getEnvironmentVariable('who')).to.equal('environment'));\n\
         pm.test('getGlobalVariable', () => pm.expect(postman.getGlobalVariable('g')).to.equal('G'));\n\
         pm.test('getResponseHeader', () => pm.expect(postman.getResponseHeader('x-count')).to.equal('3'));\n\
         postman.setEnvironmentVariable('legacy', 5);\n\
         postman.setGlobalVariable('lg', 'x');\n\
         postman.clearEnvironmentVariable('who');",
        &mut s,
    );
    all_pass(&out);
    assert_eq!(s.environment.get("legacy"), Some(&json!("5")));
    assert_eq!(s.globals.get("lg"), Some(&json!("x")));
    assert!(!s.environment.contains_key("who"));
}

/// Issue 11: pm.sendRequest goes through the Sender and calls back with a pm.response-like object.
#[test]
fn send_request_calls_back() {
    let mut s = scopes();
    let mut sender = FakeSender::default();
    let mut req = request();
    let resp = response();
    let out = engine().run(
        "pm.sendRequest('https://auth.example.com/token', function (err, res) {\n\
           pm.test('no error', () => pm.expect(err).to.be.null);\n\
           pm.test('code', () => pm.expect(res.code).to.equal(201));\n\
           pm.test('json', () => pm.expect(res.json().echo).to.equal('https://auth.example.com/token'));\n\
           pm.test('assert', () => res.to.have.status(201));\n\
           pm.environment.set('token', 'from-' + res.json().n);\n\
           pm.sendRequest({url: 'https://auth.example.com/second', method: 'POST', header: [{key: 'X-A', value: '1'}], body: {mode: 'raw', raw: 'hello'}}, function (err2, res2) {\n\
             pm.test('second', () => pm.expect(res2.code).to.equal(201));\n\
           });\n\
         });",
        &info(Event::Test),
        &mut s,
        &mut req,
        Some(&resp),
        &mut sender,
    );
    all_pass(&out);
    assert_eq!(out.assertions.len(), 5);
    assert_eq!(s.environment.get("token"), Some(&json!("from-1")));
    assert_eq!(sender.sent.len(), 2);
    assert_eq!(sender.sent[0].method, "GET");
    assert_eq!(sender.sent[1].method, "POST");
    assert_eq!(sender.sent[1].headers, vec![("X-A".to_string(), "1".to_string())]);
    assert_eq!(sender.sent[1].body.as_deref(), Some(b"hello".as_slice()));
}

/// Issue 11: a failing pm.sendRequest passes an error to the callback.
#[test]
fn send_request_error() {
    let mut sender = FakeSender {
        fail: Some("connection refused".into()),
        ..FakeSender::default()
    };
    let mut req = request();
    let out = engine().run(
        "pm.sendRequest('https://down.example.com/', (err, res) => {\n\
           pm.test('error', () => { pm.expect(err.message).to.equal('connection refused'); pm.expect(res).to.be.undefined; });\n\
         });",
        &info(Event::PreRequest),
        &mut Scopes::default(),
        &mut req,
        None,
        &mut sender,
    );
    all_pass(&out);
}

/// Issue 11: setTimeout callbacks run before the script's outcome is returned, in delay order;
/// promises settle too.
#[test]
fn timers_and_promises_run_before_returning() {
    let out = test_script(
        "const order = [];\n\
         setTimeout(() => order.push('late'), 50);\n\
         setTimeout((x) => order.push(x), 10, 'early');\n\
         const id = setTimeout(() => order.push('cancelled'), 5); clearTimeout(id);\n\
         Promise.resolve().then(() => order.push('promise'));\n\
         setTimeout(() => pm.test('order', () => pm.expect(order).to.eql(['promise', 'early', 'late'])), 100);",
    );
    all_pass(&out);
}

/// Issue 11: console.log/info/warn/error lines land in the outcome.
#[test]
fn console_output() {
    let out = test_script(
        "console.log('hello', 42, {a: [1, 'x']}); console.info('i'); console.warn('w'); console.error(new Error('bad'));",
    );
    assert!(out.error.is_none());
    assert_eq!(out.console, vec!["hello 42 { a: [ 1, 'x' ] }", "i", "w", "Error: bad"]);
}

/// Issue 11: atob/btoa round trip.
#[test]
fn base64() {
    let out = test_script(
        "pm.test('btoa', () => pm.expect(btoa('user:pass')).to.equal('dXNlcjpwYXNz'));\n\
         pm.test('atob', () => pm.expect(atob('dXNlcjpwYXNz')).to.equal('user:pass'));\n\
         pm.test('padding', () => pm.expect(atob(btoa('ab'))).to.equal('ab'));",
    );
    all_pass(&out);
}

/// Issue 11: a script that throws outside pm.test reports the error and keeps the assertions before it.
#[test]
fn script_errors_are_reported() {
    let out = test_script("pm.test('before', () => {}); undefinedFunction();");
    assert_eq!(out.assertions.len(), 1);
    assert_eq!(
        out.error.as_deref(),
        Some("ReferenceError: undefinedFunction is not defined")
    );
    let out = test_script("pm.test('x', () => {");
    assert!(
        out.error.as_deref().unwrap_or_default().starts_with("SyntaxError"),
        "{:?}",
        out.error
    );
}

/// Issue 11: setInterval runs until cleared (on the virtual clock, interleaved with timeouts);
/// promise callbacks run between timers.
#[test]
fn intervals_and_microtasks_between_timers() {
    let out = test_script(
        "const seen = [];\n\
         let n = 0;\n\
         const id = setInterval(() => { n++; seen.push('tick' + n); if (n === 3) clearInterval(id); }, 10);\n\
         setTimeout(() => { seen.push('t15'); Promise.resolve().then(() => seen.push('micro')); }, 15);\n\
         setTimeout(() => seen.push('t16'), 16);\n\
         setTimeout(() => pm.test('order', () => pm.expect(seen).to.eql(['tick1', 't15', 'micro', 't16', 'tick2', 'tick3'])), 100);",
    );
    all_pass(&out);
}

/// Issue 11: top-level await (with pm.sendRequest's promise form) and async test functions.
#[test]
fn top_level_await_and_async_tests() {
    let mut sender = FakeSender::default();
    let mut req = request();
    let resp = response();
    let out = engine().run(
        "const res = await pm.sendRequest('https://auth.example.com/token');\n\
         pm.test('awaited', () => pm.expect(res.code).to.equal(201));\n\
         pm.test('async fn', async () => { const r = await pm.sendRequest('https://x.example.com/'); pm.expect(r.json().n).to.equal(1); });\n\
         pm.test('async failure is not awaited (as in Postman)', async () => { await null; pm.expect(1).to.equal(2); });\n\
         pm.test('done callback', (done) => { setTimeout(() => { pm.expect(true).to.be.true; done(); }, 5); });",
        &info(Event::Test),
        &mut Scopes::default(),
        &mut req,
        Some(&resp),
        &mut sender,
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    let results: Vec<(&str, bool)> = out.assertions.iter().map(|a| (a.name.as_str(), a.passed)).collect();
    assert_eq!(
        results,
        vec![
            ("awaited", true),
            ("async fn", true),
            ("async failure is not awaited (as in Postman)", true),
            ("done callback", true)
        ]
    );
    assert_eq!(sender.sent.len(), 2);
    // A rejected top-level await is the script's error.
    let out = test_script("await Promise.reject(new TypeError('nope'));");
    assert_eq!(out.error.as_deref(), Some("TypeError: nope"));
}

/// Issue 11: JSON Schema checks as public collections write them — chai-postman's
/// jsonSchema on a response or a value, and the legacy tv4.validate.
#[test]
fn json_schema_checks() {
    let out = test_script(
        "const schema = {\n\
           type: 'object', required: ['id', 'name'],\n\
           properties: {\n\
             id: {type: 'integer', minimum: 1},\n\
             name: {type: 'string', minLength: 1, pattern: '^[A-Z]'},\n\
             tags: {type: 'array', items: {type: 'string'}, uniqueItems: true},\n\
             profile: {$ref: '#/definitions/profile'}\n\
           },\n\
           definitions: {profile: {type: 'object', properties: {age: {type: 'number', maximum: 150}, langs: {type: 'array', minItems: 1}}, additionalProperties: false}}\n\
         };\n\
         pm.test('response', () => pm.response.to.have.jsonSchema(schema));\n\
         pm.test('value', () => pm.expect(pm.response.json().profile).to.have.jsonSchema(schema.definitions.profile));\n\
         pm.test('tv4', () => pm.expect(tv4.validate(pm.response.json(), schema)).to.be.true);\n\
         tests['legacy tv4'] = tv4.validate(JSON.parse(responseBody), schema);\n\
         const strict = {type: 'object', required: ['email'], properties: {id: {type: 'string'}}};\n\
         pm.test('missing property', () => pm.response.to.have.jsonSchema({type: 'object', required: ['email']}));\n\
         pm.test('wrong type', () => pm.expect({id: 7}).to.have.jsonSchema({properties: {id: {type: 'string'}}}));\n\
         pm.test('oneOf / anyOf / not', () => { pm.expect(5).to.have.jsonSchema({anyOf: [{type: 'string'}, {type: 'integer'}]}); pm.expect(5).to.not.have.jsonSchema({not: {type: 'integer'}}); pm.expect(5).to.have.jsonSchema({oneOf: [{minimum: 1}, {maximum: 3}]}); });\n\
         pm.test('tv4 error', () => { pm.expect(tv4.validate({a: 1}, strict)).to.be.false; pm.expect(tv4.error.message).to.equal(\"should have required property 'email'\"); });",
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    let results: Vec<(&str, bool)> = out.assertions.iter().map(|a| (a.name.as_str(), a.passed)).collect();
    assert_eq!(
        results,
        vec![
            ("response", true),
            ("value", true),
            ("tv4", true),
            ("missing property", false),
            ("wrong type", false),
            ("oneOf / anyOf / not", true),
            ("tv4 error", true),
            ("legacy tv4", true),
        ],
        "{:?}",
        out.assertions
    );
    assert_eq!(
        out.assertions[3].error.as_deref(),
        Some(
            "expected data to satisfy schema but found following errors: \ndata should have required property 'email'"
        )
    );
    assert_eq!(
        out.assertions[4].error.as_deref(),
        Some("expected data to satisfy schema but found following errors: \ndata.id should be string")
    );
}

/// Issue 11: legacy `tests[...]` failures and pm.test edge cases read as in Postman's sandbox.
#[test]
fn legacy_and_edge_case_results() {
    let out = test_script(
        "tests['zero'] = 0; tests['empty'] = ''; tests['null'] = null;\n\
         pm.test('no function');\n\
         pm.test('thrown string', () => { throw 'oops'; });",
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    let got: Vec<(&str, bool, bool, Option<&str>)> = out
        .assertions
        .iter()
        .map(|a| (a.name.as_str(), a.passed, a.skipped, a.error.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("no function", true, false, None),
            ("thrown string", false, false, None),
            ("zero", false, false, Some("expected 0 to be truthy")),
            ("empty", false, false, Some("expected  to be truthy")),
            ("null", false, false, Some("expected null to be truthy")),
        ]
    );
}

/// Issue 11: jsonSchema reports every error in ajv's words and order, and checks formats,
/// as Postman's sandbox (ajv 6) does.
#[test]
fn json_schema_all_errors_and_formats() {
    fails_with(
        "pm.expect({n: 5}).to.have.jsonSchema({properties: {n: {minimum: 6, maximum: 2, multipleOf: 2}}, additionalProperties: false, required: ['m']})",
        "expected data to satisfy schema but found following errors: \ndata should have required property 'm', data.n should be <= 2, data.n should be >= 6, data.n should be multiple of 2",
    );
    fails_with(
        "pm.expect({a: [1, 'x']}).to.have.jsonSchema({properties: {a: {type: 'array', items: {type: 'number'}}}})",
        "expected data to satisfy schema but found following errors: \ndata.a[1] should be number",
    );
    fails_with(
        "pm.expect({d: 'not-a-date', e: 'a@b.co'}).to.have.jsonSchema({properties: {d: {type: 'string', format: 'date-time'}, e: {format: 'email'}}})",
        "expected data to satisfy schema but found following errors: \ndata.d should match format \"date-time\"",
    );
    passes(
        "pm.expect({d: '2024-01-02T03:04:05Z', u: '123e4567-e89b-12d3-a456-426614174000', ip: '10.0.0.1'}).to.have.jsonSchema({properties: {d: {format: 'date-time'}, u: {format: 'uuid'}, ip: {format: 'ipv4'}}})",
    );
}

/// Issue 11: replaceIn puts values in as Postman does — String(value), '' for undefined.
#[test]
fn replace_in_value_forms() {
    let out = test_script(
        "pm.variables.set('n', null); pm.variables.set('u', undefined); pm.variables.set('num', 5);\n\
         pm.variables.set('arr', [1, 2]); pm.variables.set('obj', {a: 1}); pm.variables.set('nested', '{{num}}-{{n}}');\n\
         pm.test('forms', () => pm.expect(pm.variables.replaceIn('{{n}}|{{u}}|{{num}}|{{arr}}|{{obj}}|{{nested}}|{{}}|{{ num }}'))\n\
           .to.equal('null||5|1,2|[object Object]|5-null|{{}}|{{ num }}'));",
    );
    all_pass(&out);
}

/// Issue 11: the CryptoJS global for request signing (values checked against
/// crypto-js in Postman's sandbox).
#[test]
fn crypto_js_hashes_hmacs_and_encoders() {
    let out = test_script(
        "const C = CryptoJS;\n\
         pm.test('md5', () => pm.expect(C.MD5('hello wörld ✓').toString()).to.equal('59682f3bbc7df5556eaeda0f7b48aa70'));\n\
         pm.test('sha1', () => pm.expect(C.SHA1('abc').toString()).to.equal('a9993e364706816aba3e25717850c26c9cd0d89d'));\n\
         pm.test('sha256', () => pm.expect(C.SHA256('abc').toString(C.enc.Hex)).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'));\n\
         pm.test('sha512', () => pm.expect(C.SHA512('abc').toString()).to.equal('ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'));\n\
         pm.test('hmac256', () => { const h = C.HmacSHA256('message', 'secret'); pm.expect(h.toString()).to.equal('8b5f48702995c1598c573db1e21866a9b825d4a794d169d7060a03605796360b'); pm.expect(C.enc.Base64.stringify(h)).to.equal('i19IcCmVwVmMVz2x4hhmqbgl1KeU0WnXBgoDYFeWNgs='); });\n\
         pm.test('hmac1/md5', () => { pm.expect(C.HmacSHA1('m', 'k').toString()).to.equal('772b71c8a2997e768be01d9711e4a4f34a24ef33'); pm.expect(C.HmacMD5('m', 'k').toString()).to.equal('ed7e724d3a91554aaa2043041d9c5305'); });\n\
         pm.test('encoders', () => { pm.expect(C.enc.Base64.stringify(C.enc.Utf8.parse('user:päss'))).to.equal('dXNlcjpww6Rzcw=='); pm.expect(C.enc.Base64.parse('dXNlcjpwYXNz').toString(C.enc.Utf8)).to.equal('user:pass'); pm.expect(C.enc.Hex.parse('6869').toString(C.enc.Utf8)).to.equal('hi'); });",
    );
    all_pass(&out);
}

/// Issue 11: repeated header and query names read as in postman-collection.
#[test]
fn repeated_names_in_lists() {
    let mut req = request();
    req.url = "http://x.example.com/?a=1&a=2&b".into();
    let mut resp = response();
    resp.headers = vec![
        ("X-A".into(), "1".into()),
        ("x-a".into(), "2".into()),
        ("Content-Type".into(), "text/plain".into()),
    ];
    let out = engine().run(
        "pm.test('headers', () => { pm.expect(pm.response.headers.get('X-A')).to.equal('2'); pm.expect(pm.response.headers.toObject()).to.eql({'x-a': ['1', '2'], 'content-type': 'text/plain'}); pm.expect(pm.response.headers.count()).to.equal(3); });\n\
         pm.test('query', () => { pm.expect(pm.request.url.query.get('a')).to.equal('2'); pm.expect(pm.request.url.query.toObject()).to.eql({a: ['1', '2'], b: ''}); pm.expect(pm.request.url.toString()).to.equal('http://x.example.com/?a=1&a=2&b'); });",
        &info(Event::Test),
        &mut Scopes::default(),
        &mut req,
        Some(&resp),
        &mut FakeSender::default(),
    );
    all_pass(&out);
}

/// Issue 11: the `_` global is lodash 3 as in Postman's sandbox (results checked against it).
#[test]
fn lodash_global() {
    let out = test_script(
        "const users = [{n: 'b', a: 2, active: true}, {n: 'a', a: 1, active: false}];\n\
         pm.test('collections', () => { pm.expect(_.map(users, 'n')).to.eql(['b', 'a']); pm.expect(_.find(users, {n: 'a'}).a).to.equal(1); pm.expect(_.filter(users, 'active', false).length).to.equal(1); pm.expect(_.sortBy(users, 'a')[0].n).to.equal('a'); pm.expect(_.groupBy([6.1, 4.2, 6.3], Math.floor)).to.eql({4: [4.2], 6: [6.1, 6.3]}); });\n\
         pm.test('objects', () => { pm.expect(_.get({a: [{b: 3}]}, 'a[0].b')).to.equal(3); pm.expect(_.has({a: {b: 1}}, 'a.b')).to.be.true; pm.expect(_.isEqual({a: [1]}, {a: [1]})).to.be.true; pm.expect(_.pick({a: 1, b: 2}, 'a')).to.eql({a: 1}); pm.expect(_.merge({a: {x: 1}}, {a: {y: 2}})).to.eql({a: {x: 1, y: 2}}); });\n\
         pm.test('lodash 3', () => { pm.expect(_.VERSION).to.equal('3.10.2'); pm.expect(_.capitalize('fRED')).to.equal('FRED'); pm.expect(_.max([])).to.equal(-Infinity); pm.expect(_.range(-4)).to.eql([]); pm.expect(_.keyBy).to.be.undefined; pm.expect(_.indexBy([{id: 'x'}], 'id')).to.eql({x: {id: 'x'}}); });\n\
         pm.test('strings', () => { pm.expect(_.camelCase('__FOO_BAR__')).to.equal('fooBar'); pm.expect(_.padLeft('7', 3, '0')).to.equal('007'); pm.expect(_.escape('<a>')).to.equal('&lt;a&gt;'); });",
    );
    all_pass(&out);
}

/// Issue 11: the legacy xml2Json global reads XML the way Postman's does (xml2js,
/// no arrays for single children, attributes under "$", text under "_").
#[test]
fn xml2json_global() {
    let out = test_script(
        "pm.test('soap', () => { const j = xml2Json('<?xml version=\"1.0\"?><soap:Envelope xmlns:soap=\"http://s\"><soap:Body><m:R><m:V>42</m:V></m:R></soap:Body></soap:Envelope>'); pm.expect(j['soap:Envelope']['soap:Body']['m:R']['m:V']).to.equal('42'); pm.expect(j['soap:Envelope'].$).to.eql({'xmlns:soap': 'http://s'}); });\n\
         pm.test('repeated and mixed', () => pm.expect(xml2Json('<root><item id=\"1\">x</item><item id=\"2\">y</item><empty/><n>  5 </n></root>')).to.eql({root: {item: [{_: 'x', $: {id: '1'}}, {_: 'y', $: {id: '2'}}], empty: '', n: '5'}}));\n\
         pm.test('entities and cdata', () => { pm.expect(xml2Json('<a>&amp;&lt;&#65;</a>')).to.eql({a: '&<A'}); pm.expect(xml2Json('<a><![CDATA[<x>]]></a>')).to.eql({a: '<x>'}); });\n\
         pm.test('not xml', () => { pm.expect(xml2Json('not xml')).to.be.undefined; pm.expect(xml2Json('')).to.be.null; });",
    );
    all_pass(&out);
}

/// Issue 11: URL and URLSearchParams as in Node (which Postman's sandbox runs on).
#[test]
fn url_and_search_params() {
    let out = test_script(
        "const u = new URL(pm.request.url.toString());\n\
         pm.test('parts', () => { pm.expect(u.host).to.equal('api.example.com'); pm.expect(u.pathname).to.equal('/v1/users'); pm.expect(u.searchParams.get('page')).to.equal('2'); pm.expect(u.origin).to.equal('https://api.example.com'); });\n\
         u.searchParams.set('page', '3'); u.searchParams.append('q', 'a b&c');\n\
         pm.test('edit', () => pm.expect(u.href).to.equal('https://api.example.com/v1/users?page=3&limit=10&q=a+b%26c'));\n\
         pm.test('normalise', () => pm.expect(new URL('HTTP://User:Pw@Example.COM:80/a/./b/../c?x=1 2#h h').href).to.equal('http://User:Pw@example.com/a/c?x=1%202#h%20h'));\n\
         pm.test('relative', () => pm.expect(new URL('other', 'https://h.com/base/x').href).to.equal('https://h.com/base/other'));\n\
         pm.test('params', () => { const p = new URLSearchParams({a: '1', b: 'x y'}); p.append('c', '~!*()'); pm.expect(p.toString()).to.equal('a=1&b=x+y&c=%7E%21*%28%29'); pm.expect(new URLSearchParams('?q=a+b&r=%2B').get('r')).to.equal('+'); });\n\
         pm.test('invalid', () => pm.expect(() => new URL('not a url')).to.throw());",
    );
    all_pass(&out);
}

/// Issue 11: require() gives the bundled modules Portico has (lodash 4, crypto-js, tv4,
/// uuid, url, atob/btoa, chai) and refuses the others.
#[test]
fn require_of_bundled_modules() {
    let out = test_script(
        "const lodash = require('lodash'); const C = require('crypto-js'); const { v4 } = require('uuid'); const { URL } = require('url');\n\
         pm.test('lodash 4', () => { pm.expect(lodash.VERSION).to.equal('4.17.21'); pm.expect(lodash.keyBy([{id: 'a'}], 'id')).to.eql({a: {id: 'a'}}); pm.expect(lodash.capitalize('fRED')).to.equal('Fred'); pm.expect(lodash.range(-2)).to.eql([0, -1]); pm.expect(lodash.filter([{a: {b: 1}}, {a: {b: 2}}], ['a.b', 2])).to.eql([{a: {b: 2}}]); });\n\
         pm.test('crypto-js', () => pm.expect(C.SHA256('abc').toString()).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'));\n\
         pm.test('uuid', () => pm.expect(v4()).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4/));\n\
         pm.test('url', () => pm.expect(new URL('https://a.b/c').pathname).to.equal('/c'));\n\
         pm.test('chai', () => require('chai').expect(1).to.equal(1));\n\
         pm.test('others', () => pm.expect(() => require('moment')).to.throw(\"require('moment') is not available: Portico scripts cannot load modules\"));",
    );
    all_pass(&out);
}

/// Issue 11: scripts may declare the names of the legacy globals themselves
/// (`const data = pm.response.json()` is common).
#[test]
fn scripts_may_redeclare_legacy_names() {
    let out = test_script(
        "const data = pm.response.json(); const _ = require('lodash'); let tests = 1; const request = 'r';\n\
         const environment = {}; let responseBody = null; const postman = 2; const iteration = 'i'; const CryptoJS = 3;\n\
         pm.test('own names', () => { pm.expect(data.id).to.equal(7); pm.expect(_.VERSION).to.equal('4.17.21'); pm.expect(tests + request).to.equal('1r'); });",
    );
    all_pass(&out);
    let out =
        test_script("const data = await Promise.resolve(5); pm.test('async', () => pm.expect(data).to.equal(5));");
    all_pass(&out);
}

/// Issue 11: Buffer, TextEncoder/TextDecoder and structuredClone as in Node
/// (Basic auth headers and base64 payloads are built with them).
#[test]
fn buffer_text_encoding_and_clone() {
    let out = test_script(
        "pm.test('base64', () => { pm.expect(Buffer.from('user:päss').toString('base64')).to.equal('dXNlcjpww6Rzcw=='); pm.expect(Buffer.from('dXNlcjpww6Rzcw', 'base64').toString()).to.equal('user:päss'); });\n\
         pm.test('hex', () => { pm.expect(Buffer.from('hi ✓').toString('hex')).to.equal('686920e29c93'); pm.expect(Buffer.from([0xff, 0x41]).toString()).to.equal('\\ufffdA'); });\n\
         pm.test('text', () => { pm.expect(new TextDecoder().decode(new TextEncoder().encode('ü✓'))).to.equal('ü✓'); pm.expect(Buffer.byteLength('✓')).to.equal(3); });\n\
         pm.test('clone', () => { const o = {a: [1, {b: new Date(0)}]}; const c = structuredClone(o); pm.expect(c).to.eql(o); pm.expect(c.a).to.not.equal(o.a); });\n\
         pm.test('module', () => pm.expect(require('buffer').Buffer).to.equal(Buffer));",
    );
    all_pass(&out);
}

/// Issue 11: without a reason phrase from the server (HTTP/2), the status is the
/// standard one Postman puts in, so `to.be.ok` and `to.have.status('Created')` hold.
#[test]
fn missing_reason_phrase_is_filled_in() {
    let mut req = request();
    let mut resp = response();
    resp.status = String::new();
    let out = engine().run(
        "pm.test('ok', () => { pm.response.to.be.ok; pm.expect(pm.response.status).to.equal('OK'); pm.expect(pm.response.reason()).to.equal('OK'); });",
        &info(Event::Test),
        &mut Scopes::default(),
        &mut req,
        Some(&resp),
        &mut FakeSender::default(),
    );
    all_pass(&out);
}
