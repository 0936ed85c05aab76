//! R-COL-1 for Collection Format v1 files, converted to v2.1 at import.

use serde_json::{Value, json};

use super::tests::corpus_file;
use super::*;
use crate::ErrorKind;

/// A folder tree as `name` or `name[children…]`, read from v2 JSON.
fn tree(items: &Value) -> Vec<String> {
    let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let name = item["name"].as_str().unwrap_or_default();
            match item.get("item") {
                Some(children) => format!("{name}[{}]", tree(children).join(",")),
                None => name.to_owned(),
            }
        })
        .collect()
}

/// The same tree read from the v1 lists: each folder's `folders_order`, then
/// its `order`; at the top, `folders_order`, then `order`.
fn v1_tree(v1: &Value) -> Vec<String> {
    let by_id = |list: &str, id: &Value| {
        v1[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == *id)
            .unwrap()
            .clone()
    };
    fn walk(node: &Value, by_id: &dyn Fn(&str, &Value) -> Value) -> Vec<String> {
        let folders = node["folders_order"].as_array().unwrap().iter().map(|id| {
            let folder = by_id("folders", id);
            format!(
                "{}[{}]",
                folder["name"].as_str().unwrap(),
                walk(&folder, by_id).join(",")
            )
        });
        let requests = node["order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| by_id("requests", id)["name"].as_str().unwrap().to_owned());
        folders.chain(requests).collect()
    }
    walk(v1, &by_id)
}

#[test]
fn r_col_1_the_v1_corpus_file_converts_with_all_its_requests_and_folders() {
    let v1 = corpus_file("multi-level-folders-v1");
    let collection = import(&v1).unwrap();
    let exported = export(&collection);

    assert_eq!(collection.request_count(), v1["requests"].as_array().unwrap().len());
    assert_eq!(tree(&exported["item"]), v1_tree(&v1));
    assert_eq!(
        exported["info"],
        json!({"_postman_id": v1["id"], "name": v1["name"], "description": v1["description"], "schema": SCHEMA_V21})
    );
    // v1 ids become the items' ids, and so their uids.
    for request in v1["requests"].as_array().unwrap() {
        let (_, item) = collection.find(request["id"].as_str().unwrap()).unwrap();
        assert_eq!(item.name(), request["name"].as_str());
    }
}

#[test]
fn r_col_1_the_v1_corpus_file_converts_to_the_tree_of_its_v2_twin() {
    let exported = export(&import(&corpus_file("multi-level-folders-v1")).unwrap());
    let twin = corpus_file("multi-level-folders-v2");
    assert_eq!(tree(&exported["item"]), tree(&twin["item"]));

    let requests = |v: &Value| {
        let collection = import(v).unwrap();
        collection
            .depth_first()
            .filter(|(_, item)| !item.is_folder())
            .map(|(_, item)| {
                let r = &item.fields["request"];
                let listens: Vec<Value> = item.fields["event"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["listen"].clone())
                    .collect();
                (
                    item.name().unwrap().to_owned(),
                    r["method"].clone(),
                    r["url"].clone(),
                    listens,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(requests(&exported), requests(&twin));
}

#[test]
fn r_col_1_v1_request_fields_become_v2_request_fields() {
    let v1 = json!({
        "id": "c1", "name": "v1", "order": ["r1"],
        "requests": [
            {"id": "r1", "name": "raw", "method": "POST", "url": "https://example.com/a",
             "headers": "Content-Type: application/json\n// X-Off: 1\n\nX-Colon: a:b\n",
             "dataMode": "raw", "rawModeData": "{\"a\":1}", "description": "about r1",
             "preRequestScript": "one\ntwo", "tests": "t",
             "responses": [{"id": "s1", "name": "ok", "responseCode": {"code": 200, "name": "OK"},
                            "headers": [{"key": "A", "value": "b"}], "text": "{}", "time": 12}]},
            {"id": "r2", "name": "form", "method": "POST", "url": "https://example.com/b", "headers": "",
             "dataMode": "params", "data": [{"key": "k", "value": "v", "enabled": false}, {"value": "no key"},
                                            {"key": "f", "value": "file.txt", "type": "file"}]},
            {"id": "r3", "name": "urlencoded", "url": "u", "dataMode": "urlencoded", "data": [{"key": "q", "value": "1"}]},
            {"name": "no id, in no list", "url": "u", "data": [], "rawModeData": ""}
        ]
    });
    let exported = export(&import(&v1).unwrap());
    assert_eq!(
        tree(&exported["item"]),
        ["raw", "form", "urlencoded", "no id, in no list"]
    );

    let raw = &exported["item"][0];
    assert_eq!(
        raw["request"],
        json!({"method": "POST", "url": "https://example.com/a", "description": "about r1",
               "header": [{"key": "Content-Type", "value": "application/json"},
                          {"key": "X-Off", "value": "1", "disabled": true},
                          {"key": "X-Colon", "value": "a:b"}],
               "body": {"mode": "raw", "raw": "{\"a\":1}"}})
    );
    assert_eq!(raw["event"][0]["listen"], "prerequest");
    assert_eq!(raw["event"][0]["script"]["exec"], json!(["one", "two"]));
    assert_eq!(raw["event"][1]["listen"], "test");
    assert_eq!(
        raw["response"],
        json!([{"id": "s1", "name": "ok", "status": "OK", "code": 200, "header": [{"key": "A", "value": "b"}],
                "body": "{}", "responseTime": 12}])
    );

    assert_eq!(
        exported["item"][1]["request"]["body"],
        json!({"mode": "formdata", "formdata": [{"key": "k", "value": "v", "disabled": true},
                                                {"key": "f", "src": "file.txt", "type": "file"}]})
    );
    assert_eq!(
        exported["item"][2]["request"]["body"],
        json!({"mode": "urlencoded", "urlencoded": [{"key": "q", "value": "1"}]})
    );
    assert!(exported["item"][3]["request"].get("body").is_none());
    assert!(exported["item"][3].get("id").is_none());
}

#[test]
fn r_col_1_v1_order_lists_that_repeat_or_loop_lose_nothing() {
    let v1 = json!({
        "name": "loops", "folders_order": ["a"], "order": ["r1", "r1"],
        "folders": [
            {"id": "a", "name": "A", "folders_order": ["b"], "order": ["r1"]},
            {"id": "b", "name": "B", "folders_order": ["a"], "order": []},
            {"id": "c", "name": "C"}
        ],
        "requests": [{"id": "r1", "name": "R1", "url": "u"}, {"id": "r2", "name": "R2", "url": "u"}]
    });
    let collection = import(&v1).unwrap();
    // `a` and `b` are each other's subfolders: neither is a top folder, so the
    // leftover pass places `a` (first in the list) with `b` inside it.
    assert_eq!(tree(&export(&collection)["item"]), ["C[]", "A[B[],R1]", "R2"]);
}

#[test]
fn r_col_1_a_v1_file_in_the_api_envelope_imports() {
    let v1 = corpus_file("multi-level-folders-v1");
    let collection = import(&json!({ "collection": v1 })).unwrap();
    assert_eq!(export(&collection), export(&import(&v1).unwrap()));
}

fn assert_broken(input: Value, path: &str) {
    let error = import(&input).unwrap_err();
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
}

#[test]
fn r_col_1_a_broken_v1_file_is_refused_with_the_json_path() {
    assert_broken(json!({"requests": {}}), "$.requests");
    assert_broken(json!({"requests": [{"id": "r"}, 3]}), "$.requests[1]");
    assert_broken(json!({"folders": [{"id": "f", "order": "r"}]}), "$.folders[0].order");
    assert_broken(json!({"order": 1, "requests": []}), "$.order");
    assert_broken(json!({"requests": [{"id": "r"}, {"id": "r"}]}), "$.requests[1].id");
    assert_broken(
        json!({"folders": [{"id": "x"}], "requests": [{"id": "x"}]}),
        "$.requests[0].id",
    );
    assert_broken(
        json!({"requests": [{"id": "r", "responses": [{"id": "r"}]}]}),
        "$.requests[0].responses[0].id",
    );
    assert_broken(json!({"collection": {"requests": 1}}), "$.collection.requests");
}

#[test]
fn r_col_1_v1_folders_nested_deeper_than_64_levels_are_refused() {
    let chain = |levels: usize| {
        let folders: Vec<Value> = (0..levels)
            .map(|i| json!({"id": format!("f{i}"), "name": i, "folders_order": if i + 1 < levels { json!([format!("f{}", i + 1)]) } else { json!([]) }}))
            .collect();
        json!({"name": "deep", "folders_order": ["f0"], "folders": folders, "requests": []})
    };
    assert!(import(&chain(MAX_FOLDER_DEPTH)).is_ok());
    assert_broken(chain(MAX_FOLDER_DEPTH + 1), &format!("$.folders[{MAX_FOLDER_DEPTH}]"));
    assert_broken(chain(100), &format!("$.folders[{MAX_FOLDER_DEPTH}]"));
}
