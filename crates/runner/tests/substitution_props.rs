//! Issue 11 part 1: `{{…}}` substitution on arbitrary templates and values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_runner::vars::{Random, substitute};
use portico_script::Scopes;
use proptest::prelude::*;
use serde_json::json;

fn scopes(pairs: &[(String, String)]) -> Scopes {
    let mut s = Scopes::default();
    for (i, (k, v)) in pairs.iter().enumerate() {
        let scope = match i % 5 {
            0 => &mut s.globals,
            1 => &mut s.collection,
            2 => &mut s.environment,
            3 => &mut s.data,
            _ => &mut s.local,
        };
        scope.insert(k.clone(), json!(v));
    }
    s
}

proptest! {
    /// Any template and any values, in any scope: no panic.
    #[test]
    fn never_panics(template in "\\PC{0,64}", pairs in proptest::collection::vec(("[a-z{}$]{0,6}", "\\PC{0,12}"), 0..6)) {
        let s = scopes(&pairs);
        let _ = substitute(&template, &s, &mut Random::new());
    }

    /// Strings without `{{` come back unchanged.
    #[test]
    fn identity_without_braces(template in "\\PC{0,64}", pairs in proptest::collection::vec(("[a-z]{1,6}", "\\PC{0,12}"), 0..6)) {
        prop_assume!(!template.contains("{{"));
        let s = scopes(&pairs);
        prop_assert_eq!(substitute(&template, &s, &mut Random::new()), template);
    }

    /// A defined name is replaced by its value wherever it appears.
    #[test]
    fn defined_names_are_replaced(prefix in "[^{}]{0,10}", name in "[a-z]{1,8}", value in "[^{}]{0,10}") {
        let s = scopes(&[(name.clone(), value.clone())]);
        let out = substitute(&format!("{prefix}{{{{{name}}}}}{prefix}"), &s, &mut Random::new());
        prop_assert_eq!(out, format!("{prefix}{value}{prefix}"));
    }
}

/// A value that refers to itself does not loop forever.
#[test]
fn self_reference_terminates() {
    let s = scopes(&[("a".into(), "{{a}}!".into())]);
    let out = substitute("{{a}}", &s, &mut Random::new());
    assert!(out.starts_with("{{a}}!"), "{out}");
}
