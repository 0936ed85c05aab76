//! Per-script cost of the sandbox (issue 11: the runner must stay ≥ 20×
//! faster than newman on 1,000 requests with one test script each).
//!
//! ```text
//! cargo bench -p portico-script --bench per_script
//! cargo test -p portico-script --bench per_script   # smoke run: 10 runs
//! ```
//!
//! Prints the cost of creating an engine and of running a one-`pm.test`
//! script 1,000 times (plus a typical four-test script). Timings are
//! measured here, never asserted; every script must pass.

use std::time::Instant;

use portico_script::{Engine, Event, HttpRequest, HttpResponse, Info, Limits, Scopes, Sender};

struct NoNetwork;

impl Sender for NoNetwork {
    fn send(&mut self, _request: HttpRequest) -> Result<HttpResponse, String> {
        Err("no network in benchmarks".into())
    }
}

fn main() -> Result<(), String> {
    // `cargo bench` passes `--bench`; `cargo test` runs this as a smoke run.
    let runs: u32 = if std::env::args().any(|a| a == "--bench") {
        1000
    } else {
        10
    };
    let t = Instant::now();
    let mut engine = Engine::new(Limits::default())?;
    let boot = t.elapsed();
    println!("engine start (runtime, context, prelude): {boot:?}");

    let info = Info {
        event: Event::Test,
        iteration: 0,
        iteration_count: 1,
        request_name: "Get user".into(),
        request_id: "r1".into(),
    };
    let response = HttpResponse {
        code: 200,
        status: "OK".into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: br#"{"id":7,"name":"Ada","tags":["a","b"]}"#.to_vec(),
        response_time_ms: 3,
    };
    let mut scopes = Scopes::default();
    scopes
        .environment
        .insert("baseUrl".into(), "http://localhost:8080".into());
    let scripts = [
        ("empty script (fixed cost)", ""),
        (
            "one pm.test",
            "pm.test('Status code is 200', function () { pm.response.to.have.status(200); });",
        ),
        (
            "typical (4 tests, json, env set)",
            "const body = pm.response.json();\n\
             pm.test('status', () => pm.response.to.have.status(200));\n\
             pm.test('id', () => pm.expect(body.id).to.be.a('number').and.to.equal(7));\n\
             pm.test('tags', () => pm.expect(body.tags).to.include('a').and.have.lengthOf(2));\n\
             pm.test('header', () => pm.response.to.have.header('Content-Type'));\n\
             pm.environment.set('userId', String(body.id));",
        ),
    ];
    // Warm-up (first garbage collections, the scripts' compilation) is not measured.
    for (round, (name, source)) in scripts.iter().cycle().take(scripts.len() * 2).enumerate() {
        let warm_up = round < scripts.len();
        let t = Instant::now();
        for _ in 0..if warm_up { runs / 10 } else { runs } {
            let mut request = HttpRequest {
                method: "GET".into(),
                url: "{{baseUrl}}/users/7".into(),
                headers: vec![("Accept".into(), "application/json".into())],
                body: None,
            };
            let out = engine.run(
                source,
                &info,
                &mut scopes,
                &mut request,
                Some(&response),
                &mut NoNetwork,
            );
            if out.error.is_some() || out.assertions.iter().any(|a| !a.passed) {
                return Err(format!("{name}: {out:?}"));
            }
        }
        if warm_up {
            continue;
        }
        let total = t.elapsed();
        println!("{name}: {runs} runs in {total:?}, {:?} per script", total / runs.max(1));
    }
    Ok(())
}
