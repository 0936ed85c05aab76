//! Issue 11: `{{name}}` substitution through the engine (`pm.variables.replaceIn`)
//! with arbitrary templates, names and values: no panic, no engine error, and
//! for brace-free values exactly the one-pass substitution newman does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::{engine, test_script_with};
use portico_script::{Scopes, replace_in as substitute_like_scripts};
use proptest::prelude::*;
use serde_json::{Value, json};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The reference: `/\{\{([^{}]+)\}\}/g` replaced once, unknown names kept.
fn substitute(template: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("{{") {
            let name_len = after.find(['{', '}']).unwrap_or(after.len());
            if name_len > 0 && after[name_len..].starts_with("}}") {
                let name = &after[..name_len];
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push_str("{{");
                        out.push_str(name);
                        out.push_str("}}");
                    }
                }
                rest = &after[name_len + 2..];
                continue;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_. -]{0,8}"
}

fn fragment(names: Vec<String>) -> impl Strategy<Value = String> {
    let known = proptest::sample::select(names).prop_map(|n| format!("{{{{{n}}}}}"));
    prop_oneof![
        3 => known,
        1 => name().prop_map(|n| format!("{{{{{n}}}}}")),
        2 => "[^{}]{0,6}",
        1 => Just("{{".to_string()),
        1 => Just("}}".to_string()),
        1 => Just("{".to_string()),
        1 => Just("{{}}".to_string()),
    ]
}

fn case() -> impl Strategy<Value = (BTreeMap<String, String>, String)> {
    prop::collection::btree_map(name(), "[^{}]{0,10}", 1..5).prop_flat_map(|vars| {
        let names: Vec<String> = vars.keys().cloned().collect();
        let template = prop::collection::vec(fragment(names), 0..8).prop_map(|p| p.concat());
        (Just(vars), template)
    })
}

thread_local! {
    /// One engine for all cases of a thread, as a run has one.
    static ENGINE: std::cell::RefCell<portico_script::Engine> = std::cell::RefCell::new(engine());
}

fn replace_in(vars: &BTreeMap<String, String>, template: &str) -> Result<String, String> {
    let mut scopes = Scopes::default();
    for (k, v) in vars {
        scopes.environment.insert(k.clone(), json!(v));
    }
    scopes.globals.insert("__tpl".into(), json!(template));
    let out = ENGINE.with(|e| {
        test_script_with(
            &mut e.borrow_mut(),
            "pm.globals.set('__out', pm.variables.replaceIn(pm.globals.get('__tpl')));",
            &mut scopes,
        )
    });
    if let Some(e) = out.error {
        return Err(e);
    }
    match scopes.globals.get("__out") {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(format!("no string result: {other:?}")),
    }
}

proptest! {
    #![proptest_config(config())]

    /// Issue 11: brace-free values substitute exactly like newman's one pass.
    #[test]
    fn replace_in_matches_one_pass_substitution((vars, template) in case()) {
        let got = replace_in(&vars, &template);
        prop_assert_eq!(got, Ok(substitute(&template, &vars)), "template {:?}", template);
    }

    /// Issue 11: the runner's substitution (`portico_script::replace_in`) gives what
    /// `pm.variables.replaceIn` gives, for any template and values, nested ones included.
    #[test]
    fn rust_replace_in_matches_the_engine(
        vars in prop::collection::btree_map("[a-c]{1,2}", prop_oneof![
            "[a-c{}]{0,8}".prop_map(|s| json!(s)),
            any::<i32>().prop_map(|n| json!(n)),
            Just(json!(1.5)),
            Just(json!(null)),
            Just(json!(true)),
            Just(json!([1, null, "x"])),
            Just(json!({"a": 1})),
        ], 0..5),
        template in prop::collection::vec(prop_oneof![
            "[a-c]{1,2}".prop_map(|n| format!("{{{{{n}}}}}")),
            "[a-c{} ]{0,4}",
        ], 0..6).prop_map(|p| p.concat()),
    ) {
        let mut scopes = Scopes::default();
        for (k, v) in &vars {
            scopes.environment.insert(k.clone(), v.clone());
        }
        let expected = substitute_like_scripts(&template, &scopes);
        scopes.globals.insert("__tpl".into(), json!(template));
        let out = ENGINE.with(|e| {
            test_script_with(
                &mut e.borrow_mut(),
                "pm.globals.set('__out', pm.variables.replaceIn(pm.globals.get('__tpl')));",
                &mut scopes,
            )
        });
        prop_assert!(out.error.is_none(), "{:?}", out.error);
        prop_assert_eq!(scopes.globals.get("__out"), Some(&json!(expected)), "template {:?}", template);
    }

    /// Issue 11: any template and any values (braces, unicode, nesting) come back
    /// as a string, with no engine error.
    #[test]
    fn replace_in_never_fails(
        vars in prop::collection::btree_map("\\PC{0,6}", "\\PC{0,12}", 0..5),
        template in "\\PC{0,40}",
    ) {
        let got = replace_in(&vars, &template);
        prop_assert!(got.is_ok(), "{:?}", got);
    }
}

/// Issue 11: values that point at each other resolve in turn, and a cycle stops.
#[test]
fn nested_and_cyclic_values() {
    let mut vars = BTreeMap::new();
    vars.insert("a".to_string(), "{{b}}!".to_string());
    vars.insert("b".to_string(), "B".to_string());
    vars.insert("x".to_string(), "{{y}}".to_string());
    vars.insert("y".to_string(), "{{x}}".to_string());
    assert_eq!(replace_in(&vars, "{{a}}").as_deref(), Ok("B!"));
    let cyclic = replace_in(&vars, "{{x}}").unwrap();
    assert!(cyclic == "{{x}}" || cyclic == "{{y}}", "{cyclic}");
}

/// Issue 11: the runner's substitution resolves scopes in order and makes up dynamic values.
#[test]
fn rust_replace_in_scopes_and_dynamic_values() {
    let mut s = Scopes::default();
    s.globals.insert("who".into(), json!("global"));
    s.environment.insert("who".into(), json!("environment"));
    s.environment.insert("base".into(), json!("https://{{host}}"));
    s.collection.insert("host".into(), json!("api.example.com"));
    s.local.insert("n".into(), json!(5));
    assert_eq!(
        substitute_like_scripts("{{base}}/{{who}}/{{n}}/{{nope}}", &s),
        "https://api.example.com/environment/5/{{nope}}"
    );
    let iso = substitute_like_scripts("{{$isoTimestamp}}", &s);
    assert_eq!(iso.len(), 24, "{iso}");
    assert!(
        iso.starts_with("20") && iso.ends_with('Z') && iso.as_bytes()[10] == b'T',
        "{iso}"
    );
    let guid = substitute_like_scripts("{{$guid}}", &s);
    assert_eq!(guid.len(), 36);
    assert_ne!(guid, substitute_like_scripts("{{$guid}}", &s));
    let n: u32 = substitute_like_scripts("{{$randomInt}}", &s).parse().unwrap();
    assert!(n <= 1000);
    assert!(substitute_like_scripts("{{$timestamp}}", &s).parse::<u64>().unwrap() > 1_600_000_000);
    assert_eq!(
        substitute_like_scripts("{{$unknownDynamic}}", &s),
        "{{$unknownDynamic}}"
    );
}
