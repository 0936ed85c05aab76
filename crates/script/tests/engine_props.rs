//! Issue 11: whatever a script does with the pm API — odd arguments, throws,
//! bad JSON, deep objects, unicode — the engine answers with an outcome (no
//! panic) and serves the next script of the run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{engine, test_script_with};
use portico_script::Scopes;
use proptest::prelude::*;
use serde_json::json;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A JavaScript value literal, some of them hostile.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("undefined".to_string()),
        Just("null".to_string()),
        Just("NaN".to_string()),
        Just("-0".to_string()),
        Just("{a: {b: [1, {c: null}]}}".to_string()),
        Just("[[[[[[[]]]]]]]".to_string()),
        Just("Symbol('s')".to_string()),
        Just("function () { throw new Error('inner'); }".to_string()),
        Just("new Proxy({}, {get() { throw new Error('trap'); }})".to_string()),
        Just("'\\u0000\\ud800{{x}}'".to_string()),
        Just("10n".to_string()),
        any::<i32>().prop_map(|n| n.to_string()),
        "[a-zA-Z0-9 {}$.]{0,12}".prop_map(|s| format!("{s:?}")),
    ]
}

fn statement() -> impl Strategy<Value = String> {
    let v = value;
    prop_oneof![
        (v(), v()).prop_map(|(a, b)| format!("pm.environment.set({a}, {b});")),
        (v(), v()).prop_map(|(a, b)| format!("pm.variables.set({a}, {b});")),
        v().prop_map(|a| format!("pm.globals.unset({a});")),
        v().prop_map(|a| format!("pm.collectionVariables.get({a});")),
        v().prop_map(|a| format!("pm.variables.replaceIn({a});")),
        (v(), v()).prop_map(|(a, b)| format!("pm.test({a}, function () {{ pm.expect({b}).to.be.ok; }});")),
        (v(), v()).prop_map(|(a, b)| format!("pm.expect({a}).to.deep.include({b});")),
        (v(), v()).prop_map(|(a, b)| format!("pm.expect({a}).to.have.jsonSchema({b});")),
        v().prop_map(|a| format!("pm.setNextRequest({a});")),
        v().prop_map(|a| format!("console.log({a}, {a});")),
        v().prop_map(|a| format!("pm.request.headers.add({a}); pm.request.url.query.upsert({a});")),
        v().prop_map(|a| format!("pm.request.url = {a};")),
        v().prop_map(|a| format!("pm.sendRequest({a}, function (e, r) {{ tests['cb'] = !!r; }});")),
        v().prop_map(|a| format!("setTimeout({a}, 1);")),
        v().prop_map(|a| format!("tests[{a}] = {a};")),
        v().prop_map(|a| format!("throw {a};")),
        Just("pm.response.json();".to_string()),
        Just("JSON.parse(responseBody).x.y.z;".to_string()),
        Just("CryptoJS.HmacSHA256(pm.request.url.toString(), 'k').toString();".to_string()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_script_gets_an_outcome_and_the_engine_goes_on(
        lines in prop::collection::vec(statement(), 1..8),
    ) {
        let mut e = engine();
        let mut scopes = Scopes::default();
        scopes.environment.insert("x".into(), json!("{{x}}"));
        let _ = test_script_with(&mut e, &lines.join("\n"), &mut scopes);
        let out = test_script_with(
            &mut e,
            "pm.test('after', () => pm.expect(pm.response.code).to.equal(200));",
            &mut scopes,
        );
        prop_assert!(out.error.is_none(), "{:?}", out.error);
        prop_assert_eq!(out.assertions.len(), 1);
        prop_assert!(out.assertions[0].passed);
    }
}
