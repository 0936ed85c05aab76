//! Issue 11: scripts are sandboxed — no file system, no process, no modules,
//! bounded time and memory per script — and one engine serves a whole run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use portico_script::{Engine, Limits, Scopes};

fn small_engine() -> Engine {
    Engine::new(Limits {
        time: Duration::from_millis(300),
        memory_bytes: 16 * 1024 * 1024,
    })
    .expect("engine")
}

/// A generous time limit, so that only the memory limit can stop a script
/// (even on a loaded machine).
fn memory_engine() -> Engine {
    Engine::new(Limits {
        time: Duration::from_secs(20),
        memory_bytes: 16 * 1024 * 1024,
    })
    .expect("engine")
}

fn still_works(e: &mut Engine) {
    let out = test_script_with(
        e,
        "pm.test('after', () => pm.expect(pm.response.code).to.equal(200));",
        &mut Scopes::default(),
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.assertions.len(), 1);
    assert!(out.assertions[0].passed);
}

/// Issue 11: `require` of modules or files fails; no fs, process, std, os, import.
#[test]
fn no_modules_no_host_objects() {
    let out = test_script("require('fs');");
    assert_eq!(
        out.error.as_deref(),
        Some("Error: require('fs') is not available: Portico scripts cannot load modules")
    );
    let out = test_script(
        "pm.test('no host objects', () => {\n\
           pm.expect(typeof std).to.equal('undefined');\n\
           pm.expect(typeof os).to.equal('undefined');\n\
           pm.expect(typeof process).to.equal('undefined');\n\
           pm.expect(typeof fetch).to.equal('undefined');\n\
           pm.expect(typeof XMLHttpRequest).to.equal('undefined');\n\
           pm.expect(typeof module).to.equal('undefined');\n\
           pm.expect(typeof print).to.equal('undefined');\n\
           pm.expect(typeof scriptArgs).to.equal('undefined');\n\
         });",
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.assertions[0].passed, "{:?}", out.assertions[0].error);
    // Dynamic import has no loader to reach files.
    let out = test_script(
        "let failed = null; import('/etc/passwd').then(() => { failed = false; }, (e) => { failed = true; });\n\
         setTimeout(() => pm.test('import rejected', () => pm.expect(failed).to.be.true), 0);",
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.assertions[0].passed, "{:?}", out.assertions[0].error);
}

/// Issue 11: the globals a script sees are the pm API, console, JSON, Math, Date, atob/btoa, timers and the language built-ins.
#[test]
fn only_the_documented_globals() {
    let out = test_script(
        "const allowed = ['console', 'atob', 'btoa', 'setTimeout', 'clearTimeout', 'setImmediate', 'setInterval', 'clearInterval', 'queueMicrotask', 'performance', 'structuredClone', '__portico'];\n\
         const extra = Object.getOwnPropertyNames(globalThis).filter(n => !allowed.includes(n) && !/^[A-Z]/.test(n) &&\n\
           !['globalThis', 'undefined', 'NaN', 'Infinity', 'eval', 'isNaN', 'isFinite', 'parseInt', 'parseFloat', 'escape', 'unescape',\n\
             'encodeURI', 'decodeURI', 'encodeURIComponent', 'decodeURIComponent', 'queueMicrotask', 'performance', 'navigator'].includes(n));\n\
         pm.test('globals', () => pm.expect(extra).to.eql([]));\n\
         pm.test('builtins', () => { pm.expect(JSON.parse('[1]')).to.eql([1]); pm.expect(Math.max(1, 2)).to.equal(2); pm.expect(new Date(0).toISOString()).to.equal('1970-01-01T00:00:00.000Z'); });",
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    for a in &out.assertions {
        assert!(a.passed, "{}: {:?}", a.name, a.error);
    }
}

/// Issue 11: an infinite loop is stopped by the time limit; the engine runs the next script.
#[test]
fn infinite_loop_is_stopped() {
    let mut e = small_engine();
    let out = test_script_with(
        &mut e,
        "pm.test('first', () => {}); while (true) {}",
        &mut Scopes::default(),
    );
    assert_eq!(
        out.error.as_deref(),
        Some("script stopped: it ran longer than the time limit of 300 ms")
    );
    // What the script recorded before it was stopped is kept.
    assert_eq!(out.assertions.len(), 1);
    still_works(&mut e);
    // A loop that catches errors cannot swallow the interruption.
    let out = test_script_with(
        &mut e,
        "for (;;) { try { while (true) {} } catch (err) {} }",
        &mut Scopes::default(),
    );
    assert!(out.error.as_deref().unwrap_or_default().contains("time limit"));
    // Nor can a timer callback or a promise chain run forever.
    let out = test_script_with(&mut e, "setTimeout(() => { for (;;) {} }, 1);", &mut Scopes::default());
    assert!(out.error.as_deref().unwrap_or_default().contains("time limit"));
    let out = test_script_with(
        &mut e,
        "const spin = () => { Promise.resolve().then(spin); }; spin();",
        &mut Scopes::default(),
    );
    assert!(
        out.error.as_deref().unwrap_or_default().contains("limit"),
        "{:?}",
        out.error
    );
    still_works(&mut e);
}

/// Issue 11: an allocation bomb is stopped by the memory limit; the engine runs the next script.
#[test]
fn memory_bomb_is_stopped() {
    let mut e = memory_engine();
    let out = test_script_with(
        &mut e,
        "const hog = []; while (true) { hog.push('x'.repeat(1 << 20) + hog.length); }",
        &mut Scopes::default(),
    );
    assert_eq!(
        out.error.as_deref(),
        Some("script stopped: it used more than the memory limit of 16777216 bytes")
    );
    still_works(&mut e);
    let out = test_script_with(
        &mut e,
        "const m = new Map(); for (let i = 0; ; i++) { m.set(i, new Array(4096).fill(i)); }",
        &mut Scopes::default(),
    );
    assert!(
        out.error.as_deref().unwrap_or_default().contains("memory limit"),
        "{:?}",
        out.error
    );
    still_works(&mut e);
}

/// Issue 11: runaway recursion ends in an error, not a crash.
#[test]
fn deep_recursion_is_an_error() {
    let mut e = small_engine();
    let out = test_script_with(
        &mut e,
        "function f(n) { return f(n + 1) + 1; } f(0);",
        &mut Scopes::default(),
    );
    let err = out.error.unwrap_or_default();
    assert!(err.contains("stack overflow") || err.contains("call stack"), "{err}");
    still_works(&mut e);
}

/// Issue 11: scripts run in a fresh scope — a script cannot see the previous script's
/// `let`/`var`/function declarations; a global assigned without a declaration
/// stays for the rest of the run, as in Postman (collections keep helpers that way).
#[test]
fn scripts_do_not_share_locals() {
    let mut e = engine();
    let mut s = Scopes::default();
    let out = test_script_with(
        &mut e,
        "let secret = 'a'; var old = 1; function helper() {} leaked = 2; pm.test('x', () => {});",
        &mut s,
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    let out = test_script_with(
        &mut e,
        "pm.test('fresh', () => {\n\
           pm.expect(typeof secret).to.equal('undefined');\n\
           pm.expect(typeof old).to.equal('undefined');\n\
           pm.expect(typeof helper).to.equal('undefined');\n\
           pm.expect(leaked).to.equal(2);\n\
         });",
        &mut s,
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.assertions[0].passed, "{:?}", out.assertions[0].error);
    // Declaring the same names again is no redeclaration error.
    let out = test_script_with(
        &mut e,
        "let secret = 'b'; var old = 2; pm.test('own', () => pm.expect(secret + old).to.equal('b2'));",
        &mut s,
    );
    assert!(out.error.is_none(), "{:?}", out.error);
    assert!(out.assertions[0].passed, "{:?}", out.assertions[0].error);
    // The same source runs again with fresh state (compiled once, called anew).
    for _ in 0..3 {
        let out = test_script_with(
            &mut e,
            "let n = 0; n++; pm.test('n', () => pm.expect(n).to.equal(1));",
            &mut s,
        );
        assert!(out.assertions[0].passed, "{:?}", out.assertions[0].error);
    }
}

/// Issue 11: the pm objects of one script are not the next script's (no state leaks through pm).
#[test]
fn pm_state_is_per_script() {
    let mut e = engine();
    let mut s = Scopes::default();
    let out = test_script_with(
        &mut e,
        "pm.mine = 1; pm.setNextRequest('x'); pm.test('a', () => {});",
        &mut s,
    );
    assert_eq!(out.assertions.len(), 1);
    let out = test_script_with(
        &mut e,
        "pm.test('b', () => pm.expect(pm.mine).to.be.undefined);",
        &mut s,
    );
    assert_eq!(out.assertions.len(), 1);
    assert!(out.assertions[0].passed);
    assert_eq!(out.next_request, portico_script::NextRequest::Unchanged);
    assert!(out.console.is_empty());
}

/// Issue 11: one engine serves a run; the runner may hand it to a worker thread.
#[test]
fn engine_moves_to_another_thread() {
    let mut e = engine();
    let out = std::thread::spawn(move || {
        test_script_with(
            &mut e,
            "pm.test('on a worker', () => pm.response.to.have.status(200));",
            &mut Scopes::default(),
        )
    })
    .join()
    .expect("worker");
    assert_eq!(out.assertions.len(), 1);
    assert!(out.assertions[0].passed);
}

/// Issue 11: only the engine's own limit errors are reported as limits; a
/// script's error that merely mentions them stays its own, and the tests
/// before a stopped promise chain are kept.
#[test]
fn limit_errors_are_the_engines_own() {
    let mut e = small_engine();
    let out = test_script_with(
        &mut e,
        "pm.test('t', () => {}); throw new Error('out of memory');",
        &mut Scopes::default(),
    );
    assert_eq!(out.error.as_deref(), Some("Error: out of memory"));
    assert_eq!(out.assertions.len(), 1);
    let out = test_script_with(
        &mut e,
        "pm.test('before', () => {}); Promise.resolve().then(() => { for (;;) {} });",
        &mut Scopes::default(),
    );
    assert!(
        out.error.as_deref().unwrap_or_default().contains("time limit"),
        "{:?}",
        out.error
    );
    assert_eq!(out.assertions.len(), 1);
    still_works(&mut e);
}
