//! Single elements sent to the item endpoints: a folder, a request or a
//! response, in Collection Format v2.1 or in the flat shape of the platform's
//! item API (`method`, `url`, `headerData`, `responseCode`…).

use serde_json::{Map, Value};

use super::import::{Ids, MAX_FOLDER_DEPTH, broken, item};
use super::model::{Item, ItemKind, Response};
use super::v1;
use crate::Error;

/// Keys that mark a request in the flat shape of the platform's item API.
const FLAT_REQUEST_KEYS: [&str; 9] = [
    "method",
    "url",
    "headerData",
    "headers",
    "queryParams",
    "dataMode",
    "rawModeData",
    "data",
    "graphqlModeData",
];

fn object(value: Value) -> Result<Map<String, Value>, Error> {
    match value {
        Value::Object(o) => Ok(o),
        _ => Err(broken("The element must be a JSON object", "$")),
    }
}

/// A folder with whatever it holds.
pub fn folder_from_api(value: Value) -> Result<Item, Error> {
    let mut fields = object(value)?;
    if fields.contains_key("request") {
        return Err(broken("A folder cannot have a `request`", "$.request"));
    }
    fields.entry("item").or_insert_with(|| Value::Array(Vec::new()));
    item(Value::Object(fields), "$", 0, &mut Ids::default())
}

/// A request with its saved responses.
pub fn request_from_api(value: Value) -> Result<Item, Error> {
    let fields = object(value)?;
    if fields.contains_key("item") {
        return Err(broken("A request cannot have an `item` list", "$.item"));
    }
    let flat = !fields.contains_key("request") && FLAT_REQUEST_KEYS.iter().any(|k| fields.contains_key(*k));
    let value = if flat {
        v1::request_from_flat(&fields)
    } else {
        Value::Object(fields)
    };
    item(value, "$", 0, &mut Ids::default())
}

/// A saved response.
pub fn response_from_api(value: Value) -> Result<Response, Error> {
    let fields = object(value)?;
    let flat = ["responseCode", "text"].iter().any(|k| fields.contains_key(*k))
        && !["code", "body"].iter().any(|k| fields.contains_key(*k));
    let fields = if flat {
        object(v1::response_from_flat(&fields))?
    } else {
        fields
    };
    Ids::default().claim(&fields, "$")?;
    Ok(Response::new(fields))
}

/// How many levels of folders an item holds (0 for a request).
pub fn folder_height(item: &Item) -> usize {
    match &item.kind {
        ItemKind::Folder(children) => 1 + children.iter().map(folder_height).max().unwrap_or(0),
        ItemKind::Request { .. } => 0,
    }
}

/// Refuses to put a subtree `height` folders tall under a folder at `depth`.
pub fn check_depth(depth: usize, height: usize) -> Result<(), Error> {
    if depth + height > MAX_FOLDER_DEPTH {
        return Err(Error::invalid(
            "too_deep",
            format!("Folders may be nested at most {MAX_FOLDER_DEPTH} levels deep."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn r_col_2_a_flat_request_becomes_a_v21_item() {
        let r = request_from_api(
            json!({"name": "Get", "method": "GET", "url": "https://x/y", "headerData": [{"key": "A", "value": "1"}]}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.fields["request"]["method"], json!("GET"));
        assert_eq!(r.fields["request"]["url"], json!("https://x/y"));
        let v21 = request_from_api(json!({"name": "P", "request": {"method": "POST", "url": "u"}}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v21.fields["request"]["method"], json!("POST"));
    }

    #[test]
    fn r_col_2_kinds_are_checked() {
        assert!(request_from_api(json!({"name": "F", "item": []})).is_err());
        assert!(folder_from_api(json!({"name": "F", "request": "u"})).is_err());
        assert!(folder_from_api(json!("F")).is_err());
        let f = folder_from_api(json!({"name": "F"})).unwrap_or_else(|e| panic!("{e}"));
        assert!(f.is_folder());
        let dup = json!({"name": "F", "item": [{"id": "a", "request": "u"}, {"id": "a", "request": "u"}]});
        assert!(folder_from_api(dup).is_err());
    }
}
