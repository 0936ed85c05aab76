//! Fuzzing the importer (R-COL-1, R-SEC-2): arbitrary JSON values shaped like
//! collections, and arbitrary bytes, never panic; a refusal is always
//! `invalid_collection` naming a JSON path; the streaming import agrees with
//! the tree-building one; what is accepted exports and re-imports to itself.
//!
//! 256 cases per property in CI; `PROPTEST_CASES` sets more (the long mode,
//! docs/security.md).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{export, flatten, import, import_json, import_nodes_slice, import_owned};
use crate::error::ErrorKind;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Keys the importer looks at (v2.x, v1 and the envelope), and a few others.
const KEYS: &[&str] = &[
    "info",
    "item",
    "request",
    "response",
    "id",
    "name",
    "collection",
    "schema",
    "_postman_id",
    "folders",
    "requests",
    "order",
    "folders_order",
    "folder",
    "collectionId",
    "responses",
    "url",
    "method",
    "event",
    "variable",
    "auth",
    "description",
    "header",
    "body",
    "x",
];

const SCHEMAS: &[&str] = &[
    "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    "https://schema.getpostman.com/json/collection/v2.0.0/collection.json",
    "https://schema.getpostman.com/json/collection/v1.0.0/collection.json",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        // Few distinct strings, so that ids collide and folder/request
        // references point at something.
        prop::sample::select(vec!["", "a", "b", "c", "GET", "https://x.example/{{v}}"]).prop_map(|s| json!(s)),
        prop::sample::select(SCHEMAS).prop_map(|s| json!(s)),
        "\\PC{0,12}".prop_map(Value::String),
    ]
}

/// JSON values whose objects mostly use the importer's keys.
fn collection_like() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        let key = prop_oneof![
            6 => prop::sample::select(KEYS).prop_map(str::to_owned),
            1 => "\\PC{0,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..7)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Folders nested `depth` deep, around the importer's bound.
fn nested(depth: usize) -> Value {
    let mut item = json!({"name": "leaf", "request": "https://x.example"});
    for i in 0..depth {
        item = json!({"name": format!("f{i}"), "item": [item]});
    }
    json!({"info": {"name": "deep", "schema": SCHEMAS[0]}, "item": [item]})
}

/// A refusal is the domain's `invalid_collection` and names a JSON path.
fn check_refusal(e: &crate::Error) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.kind, ErrorKind::Invalid, "{:?}", e);
    prop_assert_eq!(e.code, "invalid_collection", "{:?}", e);
    prop_assert!(e.message.contains(" at $"), "no JSON path in {:?}", e.message);
    Ok(())
}

/// Imports `value` every way the product does and checks they agree.
fn check_value(value: &Value) -> Result<(), TestCaseError> {
    let by_ref = import(value);
    let owned = import_owned(value.clone());
    prop_assert_eq!(by_ref.as_ref().err(), owned.as_ref().err());
    match &by_ref {
        Err(e) => check_refusal(e)?,
        Ok(collection) => {
            // What was accepted exports, and the export imports to itself;
            // except a collection with neither `info` nor `item` but a
            // `collection` field, which reads as the API envelope
            // (docs/security.md).
            let exported = export(collection);
            let envelope_like = exported
                .as_object()
                .is_some_and(|o| o.contains_key("collection") && !o.contains_key("info") && !o.contains_key("item"));
            if !envelope_like {
                let again = import(&exported).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!(export(&again), exported);
            }
        }
    }
    // From text, as uploads arrive: the streaming import gives the nodes of
    // the tree-building one, or the same refusal.
    let text = value.to_string();
    let tree = import_json(&text).and_then(|c| flatten(&c, "root"));
    let streamed = import_nodes_slice(text.as_bytes(), "root");
    match (&tree, &streamed) {
        (Ok(nodes), Ok(streamed)) => prop_assert_eq!(nodes.len(), streamed.len()),
        (Err(a), Err(b)) => {
            check_refusal(a)?;
            prop_assert_eq!(&a.message, &b.message);
        }
        _ => prop_assert!(
            false,
            "tree {:?} but streamed {:?}",
            tree.as_ref().err(),
            streamed.as_ref().err()
        ),
    }
    // Text only refuses more (serde_json's nesting bound), never less.
    if tree.is_ok() {
        prop_assert!(by_ref.is_ok());
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn r_col_1_any_json_value_imports_or_is_refused_with_a_path(value in collection_like()) {
        check_value(&value)?;
    }

    #[test]
    fn r_col_1_a_collection_with_any_items_imports_or_is_refused_with_a_path(
        items in prop::collection::vec(collection_like(), 0..6),
        envelope in any::<bool>(),
        v1 in any::<bool>(),
    ) {
        let body = if v1 {
            json!({"id": "c", "name": "v1", "requests": items, "folders": [], "order": []})
        } else {
            json!({"info": {"name": "v2", "schema": SCHEMAS[0]}, "item": items})
        };
        let value = if envelope { json!({"collection": body}) } else { body };
        check_value(&value)?;
    }

    #[test]
    fn r_sec_2_any_bytes_import_or_are_refused_with_a_path(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = import_json(&text) {
            check_refusal(&e)?;
        }
        if let Err(e) = import_nodes_slice(&bytes, "root") {
            check_refusal(&e)?;
        }
    }

    #[test]
    fn r_sec_2_json_text_with_noise_imports_or_is_refused(value in collection_like(), cut in any::<prop::sample::Index>(), noise in "\\PC{0,4}") {
        // Truncated and spliced documents: the syntax errors of real uploads.
        let text = value.to_string();
        let at = cut.index(text.len() + 1);
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let broken = format!("{}{noise}", &text[..at]);
        if let Err(e) = import_json(&broken) {
            check_refusal(&e)?;
        }
        if let Err(e) = import_nodes_slice(broken.as_bytes(), "root") {
            check_refusal(&e)?;
        }
    }

    #[test]
    fn r_sec_2_folders_nested_past_the_bound_are_refused(depth in 0usize..200) {
        let value = nested(depth);
        check_value(&value)?;
        prop_assert_eq!(import(&value).is_ok(), depth <= super::MAX_FOLDER_DEPTH);
        // From text, serde_json's bound of 128 nested arrays and objects
        // comes first: a folder is two levels.
        prop_assert_eq!(import_json(&value.to_string()).is_ok(), depth <= 62);
    }
}
