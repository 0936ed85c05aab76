//! R-COL-1 on the real collections of the shared corpus, on tolerated odd
//! shapes, and on structurally broken input.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;
use crate::ErrorKind;

/// The corpus sits beside the repository clone, at `<parent>/shared/corpus`.
fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    assert!(
        dir.is_dir(),
        "the collection corpus is missing: expected the folder {} (`shared/` beside the repository clone)",
        dir.display()
    );
    dir
}

/// Every `*.json` file of the corpus, by file name, in name order.
pub(super) fn corpus() -> Vec<(String, Value)> {
    let dir = corpus_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the corpus at {} to hold its collections",
        dir.display()
    );
    paths
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
            (name, value)
        })
        .collect()
}

pub(super) fn corpus_file(name_contains: &str) -> Value {
    let mut found = corpus().into_iter().filter(|(name, _)| name.contains(name_contains));
    let (_, value) = found
        .next()
        .unwrap_or_else(|| panic!("no corpus file named like {name_contains}"));
    assert!(
        found.next().is_none(),
        "several corpus files named like {name_contains}"
    );
    value
}

/// The collection inside the API envelope, judged by the test on its own.
fn without_envelope(value: &Value) -> &Value {
    match value.as_object() {
        Some(object) if object.len() == 1 && object.contains_key("collection") => &object["collection"],
        _ => value,
    }
}

fn is_v1_file(value: &Value) -> bool {
    value.get("requests").is_some() && value.get("item").is_none()
}

/// Requests counted straight from the JSON: objects without an `item` array.
fn json_request_count(items: &Value) -> usize {
    let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|item| match item.get("item") {
            Some(children) => json_request_count(children),
            None => 1,
        })
        .sum()
}

#[test]
fn r_col_1_every_corpus_file_imports() {
    for (name, value) in corpus() {
        if let Err(e) = import(&value) {
            panic!("{name} was refused: {e}");
        }
    }
}

#[test]
fn r_col_1_every_corpus_file_round_trips_as_json() {
    let mut checked = 0;
    for (name, value) in corpus() {
        let input = without_envelope(&value);
        if is_v1_file(input) {
            continue;
        }
        let exported = export(&import(&value).unwrap());
        assert!(exported == *input, "{name}: export after import differs from the input");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} v2 files were checked");
}

#[test]
fn r_col_1_the_api_envelope_and_a_file_without_info_are_corpus_cases() {
    let corpus = corpus();
    assert!(
        corpus.iter().any(|(_, v)| without_envelope(v) != v),
        "no enveloped file in the corpus"
    );
    assert!(
        corpus
            .iter()
            .any(|(_, v)| v.get("info").is_none() && !is_v1_file(v) && v.get("collection").is_none())
    );
    assert!(corpus.iter().any(|(_, v)| is_v1_file(v)), "no v1 file in the corpus");
}

#[test]
fn r_col_1_items_with_an_id_keep_it_as_their_uid() {
    for (name, value) in corpus() {
        let collection = import(&value).unwrap();
        for (path, item) in collection.depth_first() {
            match item.fields.get("id").and_then(Value::as_str) {
                Some(id) => assert!(item.uid.as_str() == id && !item.uid_assigned, "{name} {path:?}"),
                None => assert!(item.uid_assigned, "{name} {path:?}"),
            }
        }
    }
}

#[test]
fn r_col_1_ids_added_on_export_are_the_uids_and_survive_a_reimport() {
    for (name, value) in corpus() {
        let collection = import(&value).unwrap();
        let with_ids = export_with_ids(&collection);
        let again = import(&with_ids).unwrap();
        let uids = |c: &Collection| {
            c.depth_first()
                .flat_map(|(_, item)| {
                    std::iter::once(item.uid.clone()).chain(item.responses().iter().map(|r| r.uid.clone()))
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(uids(&collection), uids(&again), "{name}");
        assert!(again.depth_first().all(|(_, item)| !item.uid_assigned), "{name}");
        assert_eq!(export(&again), with_ids, "{name}");
    }
}

#[test]
fn r_col_1_request_count_matches_the_json() {
    for (name, value) in corpus() {
        let input = without_envelope(&value);
        if is_v1_file(input) {
            continue;
        }
        let collection = import(&value).unwrap();
        assert_eq!(collection.request_count(), json_request_count(&input["item"]), "{name}");
    }
}

#[test]
fn items_are_walked_depth_first_with_their_paths_and_found_by_uid() {
    let mut collection = import(&corpus_file("multi-level-folders-v2")).unwrap();
    let walk: Vec<(Vec<usize>, &str)> = collection
        .depth_first()
        .map(|(p, item)| (p, item.name().unwrap()))
        .collect();
    let expected: Vec<(Vec<usize>, &str)> = vec![
        (vec![0], "F1"),
        (vec![0, 0], "F1.R1"),
        (vec![0, 1], "F1.R2"),
        (vec![0, 2], "F1.R3"),
        (vec![1], "F2"),
        (vec![1, 0], "F2.F3"),
        (vec![1, 0, 0], "F2.F3.R1"),
        (vec![1, 1], "F4"),
        (vec![1, 2], "F2.R1"),
        (vec![2], "R1"),
    ];
    assert_eq!(walk, expected);
    assert_eq!(collection.request_count(), 6);

    let uid = collection.item_at(&[1, 0, 0]).unwrap().uid.clone();
    let (path, found) = collection.find(uid.as_str()).unwrap();
    assert_eq!((path, found.name()), (vec![1, 0, 0], Some("F2.F3.R1")));
    assert!(collection.find("no-such-uid").is_none());
    assert!(collection.item_at(&[2, 0]).is_none(), "a request has no children");
    assert!(collection.item_at(&[]).is_none());

    collection
        .item_at_mut(&[1, 0, 0])
        .unwrap()
        .fields
        .insert("name".into(), json!("renamed"));
    assert_eq!(export(&collection)["item"][1]["item"][0]["item"][0]["name"], "renamed");
}

#[test]
fn responses_are_found_by_uid() {
    let collection = import(&corpus_file("echo-v2")).unwrap();
    let (path, item) = collection
        .depth_first()
        .find(|(_, item)| !item.responses().is_empty())
        .unwrap();
    let response = &item.responses()[0];
    let (found_path, index, found) = collection.find_response(response.uid.as_str()).unwrap();
    assert_eq!((found_path, index), (path, 0));
    assert_eq!(found, response);
    assert!(
        collection.find_response(item.uid.as_str()).is_none(),
        "an item uid is not a response uid"
    );
}

#[test]
fn r_col_1_odd_shapes_the_platform_writes_are_kept() {
    let input = json!({
        "info": {"name": "odd", "schema": "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"},
        "auth": {"type": "basic", "basic": {"username": "u", "password": "p"}},
        "event": {"listen": "test", "script": {"exec": "single string"}},
        "x-unknown": [1, {"deep": null}],
        "item": [
            {"name": "string request", "request": "https://example.com/{{path}}"},
            {"name": "no request at all", "description": null},
            {"id": 42, "name": "numeric id", "request": {"url": {"raw": "x", "host": ["x"]}, "method": "PATCH",
             "auth": {"type": "vendor-specific", "vendor-specific": [{"key": "k", "value": 1}]},
             "body": {"mode": "graphql", "graphql": {"query": "{ a }"}},
             "description": {"content": "md", "type": "text/markdown"}},
             "response": [{"name": "saved", "code": 200, "unknown": true}]},
            {"id": "", "name": "empty id", "item": [], "response": "kept as a folder field"},
            {"name": "empty folder", "item": [], "x-folder": {}}
        ]
    });
    let collection = import(&input).unwrap();
    assert_eq!(export(&collection), input);
    assert_eq!(collection.request_count(), 3);

    let with_ids = export_with_ids(&collection);
    assert_eq!(with_ids["item"][2]["id"], json!(collection.items[2].uid.as_str()));
    assert!(with_ids["item"][3]["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(with_ids["item"][2]["response"][0]["id"].is_string());
}

#[test]
fn r_col_1_minimal_files_round_trip() {
    for input in [
        json!({}),
        json!({"info": {"name": "no items"}}),
        json!({"info": "not an object", "item": []}),
        json!({"item": [{"name": "r", "request": {}, "response": []}]}),
    ] {
        assert_eq!(export(&import(&input).unwrap()), input);
    }
}

#[test]
fn r_col_1_the_api_envelope_is_unwrapped() {
    let inner = json!({"info": {"name": "c"}, "item": [{"name": "r", "request": "https://example.com"}]});
    let collection = import(&json!({ "collection": inner })).unwrap();
    assert_eq!(export(&collection), inner);
    // A bare collection may carry an unknown `collection` field of its own.
    let bare = json!({"info": {"name": "c"}, "item": [], "collection": {"x": 1}});
    assert_eq!(export(&import(&bare).unwrap()), bare);
}

#[test]
fn new_items_get_their_identity_from_their_id_field() {
    let mut fields = serde_json::Map::new();
    fields.insert("id".into(), json!("abc"));
    let item = Item::request(fields, vec![]);
    assert_eq!((item.uid.as_str(), item.uid_assigned), ("abc", false));
    let folder = Item::folder(serde_json::Map::new(), vec![item]);
    assert!(folder.uid_assigned && folder.is_folder());
    assert_ne!(ItemUid::generate(), ItemUid::generate());
}

/// Asserts a refusal as invalid input naming `path` as where it was found.
#[test]
fn r_col_1_import_owned_is_import_without_the_copy() {
    for (name, value) in corpus() {
        let borrowed = import(&value).unwrap();
        let owned = import_owned(value).unwrap();
        // Plain export leaves out the uids made up at import, which are random.
        assert_eq!(
            export(&owned),
            export(&borrowed),
            "{name}: import_owned differs from import"
        );
        let kept: Vec<_> = borrowed
            .depth_first()
            .filter(|(_, i)| !i.uid_assigned)
            .map(|(_, i)| i.uid.clone())
            .collect();
        let kept_owned: Vec<_> = owned
            .depth_first()
            .filter(|(_, i)| !i.uid_assigned)
            .map(|(_, i)| i.uid.clone())
            .collect();
        assert_eq!(kept_owned, kept, "{name}: ids from the file differ");
    }
    let enveloped = json!({"collection": {"info": {"name": "E"}, "item": [{"name": "r", "request": "u"}]}});
    assert_eq!(
        export(&import_owned(enveloped.clone()).unwrap()),
        export(&import(&enveloped).unwrap())
    );
    for input in [
        json!([]),
        json!("collection"),
        json!(null),
        json!({"collection": []}),
        json!({"item": {}}),
    ] {
        let borrowed = import(&input).unwrap_err();
        assert_eq!(import_owned(input).unwrap_err().message, borrowed.message);
    }
}

#[test]
fn r_col_1_owned_flatten_and_export_give_what_the_borrowing_ones_give() {
    for (name, value) in corpus() {
        let collection = import(&value).unwrap();
        let nodes = flatten(&collection, "root").unwrap();
        assert_eq!(flatten_owned(collection.clone(), "root").unwrap(), nodes, "{name}");
        assert_eq!(export_owned(collection.clone()), export(&collection), "{name}");
        assert_eq!(
            export_with_ids_owned(collection.clone()),
            export_with_ids(&collection),
            "{name}"
        );
        let back = assemble("root", nodes).unwrap();
        assert_eq!(export_with_ids_owned(back), export_with_ids(&collection), "{name}");
    }
}

fn assert_broken(result: Result<Collection, crate::Error>, path: &str) -> String {
    let error = result.unwrap_err();
    assert_eq!(
        (error.kind, error.code),
        (ErrorKind::Invalid, "invalid_collection"),
        "{error}"
    );
    assert!(
        error.message.contains(&format!(" at {path}")),
        "{path} not in: {}",
        error.message
    );
    error.message
}

#[test]
fn r_col_1_truncated_json_is_refused_at_the_root() {
    let message = assert_broken(import_json(r#"{"info": {"name": "x"}, "item": ["#), "$");
    assert!(message.contains("line 1"), "{message}");
    assert_broken(import_json(""), "$");
    assert!(import_json(r#"{"item": []}"#).is_ok());
}

#[test]
fn r_col_1_input_that_is_not_an_object_is_refused() {
    for input in [json!([]), json!("collection"), json!(null), json!(5)] {
        assert!(assert_broken(import(&input), "$").ends_with(" at $"));
    }
    assert!(assert_broken(import(&json!({"collection": []})), "$.collection").ends_with(" at $.collection"));
}

#[test]
fn r_col_1_a_broken_item_tree_is_refused_with_the_json_path() {
    let cases = [
        (json!({"item": {}}), "$.item"),
        (json!({"item": [{"item": []}, 7]}), "$.item[1]"),
        (json!({"item": [{"item": "x"}]}), "$.item[0].item"),
        (
            json!({"item": [{"item": [{"item": [], "request": "u"}]}]}),
            "$.item[0].item[0]",
        ),
        (json!({"item": [{"request": 12}]}), "$.item[0].request"),
        (json!({"item": [{"request": null}]}), "$.item[0].request"),
        (
            json!({"item": [{"request": "u", "response": {}}]}),
            "$.item[0].response",
        ),
        (
            json!({"item": [{"request": "u", "response": [{}, "x"]}]}),
            "$.item[0].response[1]",
        ),
        (
            json!({"collection": {"item": [{"item": 1}]}}),
            "$.collection.item[0].item",
        ),
    ];
    for (input, path) in cases {
        let message = assert_broken(import(&input), path);
        assert!(message.ends_with(&format!(" at {path}")), "{message}");
    }
}

#[test]
fn r_col_1_duplicate_ids_are_refused_naming_both_places() {
    let input = json!({"item": [
        {"id": "a", "item": []},
        {"id": "f", "item": [{"id": "a", "request": "u"}]}
    ]});
    let message = assert_broken(import(&input), "$.item[1].item[0].id");
    assert!(message.contains("$.item[0].id"), "{message}");

    let response_clash = json!({"item": [{"id": "a", "request": "u", "response": [{"id": "a"}]}]});
    assert_broken(import(&response_clash), "$.item[0].response[0].id");
}

/// `levels` folders nested in one another around one request.
fn nested_folders(levels: usize) -> Value {
    let mut item = json!({"name": "deepest", "request": "https://example.com"});
    for _ in 0..levels {
        item = json!({"name": "folder", "item": [item]});
    }
    json!({"info": {"name": "deep"}, "item": [item]})
}

#[test]
fn r_col_1_folders_nested_deeper_than_64_levels_are_refused() {
    let deepest_allowed = nested_folders(MAX_FOLDER_DEPTH);
    assert_eq!(export(&import(&deepest_allowed).unwrap()), deepest_allowed);

    let one_too_many = format!("${}", ".item[0]".repeat(MAX_FOLDER_DEPTH + 1));
    let message = assert_broken(import(&nested_folders(MAX_FOLDER_DEPTH + 1)), &one_too_many);
    assert!(message.ends_with(&one_too_many));
    assert_broken(import(&nested_folders(100)), &one_too_many);
}

#[test]
fn r_col_1_json_text_nested_100_folders_deep_is_refused_by_the_parser() {
    let text = serde_json::to_string(&nested_folders(100)).unwrap();
    let message = assert_broken(import_json(&text), "$");
    assert!(message.contains("recursion limit"), "{message}");
}
