//! Tolerant import: take whatever the platform and its users have written,
//! refuse only a structure the item tree cannot be built from.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::model::{Collection, Item, ItemKind, Response, identity_of};
use super::v1;
use crate::Error;

/// How many folders may be nested in one another. Real collections stay far
/// below; the bound keeps recursion over the tree safe.
pub const MAX_FOLDER_DEPTH: usize = 64;

/// The refusal for structurally broken input: `what` and the JSON path of the
/// first place it was found.
pub(crate) fn broken(what: &str, path: &str) -> Error {
    Error::invalid("invalid_collection", format!("{what} at {path}"))
}

/// Parses and imports a collection sent as JSON text.
///
/// A syntax error is answered like any broken collection, at the root path
/// `$`, with the line and column the parser stopped at.
pub fn import_json(text: &str) -> Result<Collection, Error> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| broken(&format!("The collection is not valid JSON ({e})"), "$"))?;
    import_owned(value)
}

/// Imports a collection in Collection Format v2.1, v2.0 or v1, bare or in the
/// API envelope `{"collection": …}` (R-COL-1).
///
/// v2.x input is kept as it is, unknown fields included, so that
/// [`super::export`] gives it back equal as JSON; v1 input is converted to the
/// v2.1 structure. Only input whose item tree cannot be built is refused, with
/// `invalid_collection` naming the JSON path of the first problem.
pub fn import(value: &Value) -> Result<Collection, Error> {
    let (body, root) = match envelope(value) {
        Some(inner) => (inner, "$.collection"),
        None => (value, "$"),
    };
    let Value::Object(object) = body else {
        return Err(broken("A collection must be a JSON object", root));
    };
    if v1::is_v1(object) {
        let converted = v1::convert(object, root)?;
        return from_v2(converted, "$");
    }
    from_v2(object.clone(), root)
}

/// Like [`import`], but taking the value: a v2.x collection is taken apart
/// in place instead of copied first. On the 10,000-request benchmark file
/// (docs/benchmarks.md) that saves a quarter of the time and 45 % of the
/// peak memory.
pub fn import_owned(value: Value) -> Result<Collection, Error> {
    let (body, root) = match value {
        Value::Object(mut outer) if envelope_of(&outer).is_some() => {
            (outer.remove("collection").unwrap_or_default(), "$.collection")
        }
        other => (other, "$"),
    };
    let Value::Object(object) = body else {
        return Err(broken("A collection must be a JSON object", root));
    };
    if v1::is_v1(&object) {
        let converted = v1::convert(&object, root)?;
        return from_v2(converted, "$");
    }
    from_v2(object, root)
}

/// The collection inside an API envelope: an object whose `collection` key is
/// the only thing that makes it a collection.
fn envelope(value: &Value) -> Option<&Value> {
    envelope_of(value.as_object()?)
}

fn envelope_of(object: &Map<String, Value>) -> Option<&Value> {
    let inner = object.get("collection")?;
    let looks_bare = ["info", "item"].iter().any(|k| object.contains_key(*k)) || v1::is_v1(object);
    (!looks_bare).then_some(inner)
}

/// Builds the model from a v2.x collection object, taking it apart without
/// copying.
fn from_v2(mut rest: Map<String, Value>, root: &str) -> Result<Collection, Error> {
    let info = match rest.remove("info") {
        Some(Value::Object(info)) => Some(info),
        Some(other) => {
            rest.insert("info".to_owned(), other);
            None
        }
        None => None,
    };
    let mut ids = Ids::default();
    let (items, item_key) = match rest.remove("item") {
        Some(value) => (children(value, &format!("{root}.item"), 0, &mut ids)?, true),
        None => (Vec::new(), false),
    };
    Ok(Collection {
        info,
        items,
        item_key,
        rest,
    })
}

/// The ids seen so far with where they were, so that a duplicate can name
/// both places. Items and responses share one namespace because both are
/// addressed by uid.
#[derive(Default)]
pub(crate) struct Ids(HashMap<String, String>);

impl Ids {
    pub(crate) fn claim(&mut self, fields: &Map<String, Value>, path: &str) -> Result<(), Error> {
        let Some(Value::String(id)) = fields.get("id") else {
            return Ok(());
        };
        self.claim_id(id, path)
    }

    /// Claims the `id` of the object at `path` (nothing for an empty one).
    pub(crate) fn claim_id(&mut self, id: &str, path: &str) -> Result<(), Error> {
        if id.is_empty() {
            return Ok(());
        }
        let id_path = format!("{path}.id");
        if let Some(first) = self.0.get(id) {
            let message = format!("Duplicate id at {id_path}; the same id is at {first}");
            return Err(Error::invalid("invalid_collection", message));
        }
        self.0.insert(id.to_owned(), id_path);
        Ok(())
    }
}

/// The items of an `item` array found at `path`, inside `depth` folders.
fn children(value: Value, path: &str, depth: usize, ids: &mut Ids) -> Result<Vec<Item>, Error> {
    let Value::Array(values) = value else {
        return Err(broken("`item` must be an array", path));
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| item(value, &format!("{path}[{i}]"), depth, ids))
        .collect()
}

pub(crate) fn item(value: Value, path: &str, depth: usize, ids: &mut Ids) -> Result<Item, Error> {
    let Value::Object(mut fields) = value else {
        return Err(broken("An item must be a JSON object", path));
    };
    ids.claim(&fields, path)?;
    let kind = match fields.remove("item") {
        Some(_) if fields.contains_key("request") => {
            return Err(broken("An item cannot have both `item` and `request`", path));
        }
        Some(_) if depth >= MAX_FOLDER_DEPTH => {
            let what = format!("Folders are nested deeper than {MAX_FOLDER_DEPTH} levels");
            return Err(broken(&what, path));
        }
        Some(value) => ItemKind::Folder(children(value, &format!("{path}.item"), depth + 1, ids)?),
        None => request(&mut fields, path, ids)?,
    };
    let (uid, uid_assigned) = identity_of(&fields);
    Ok(Item {
        uid,
        uid_assigned,
        fields,
        kind,
    })
}

/// A request item: checks the `request` and takes out the `response` array.
fn request(fields: &mut Map<String, Value>, path: &str, ids: &mut Ids) -> Result<ItemKind, Error> {
    match fields.get("request") {
        None | Some(Value::String(_) | Value::Object(_)) => {}
        Some(_) => {
            return Err(broken(
                "A request must be a URL string or an object",
                &format!("{path}.request"),
            ));
        }
    }
    let Some(value) = fields.remove("response") else {
        return Ok(ItemKind::Request {
            responses: Vec::new(),
            response_key: false,
        });
    };
    let path = format!("{path}.response");
    let Value::Array(values) = value else {
        return Err(broken("`response` must be an array", &path));
    };
    let responses = values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let path = format!("{path}[{i}]");
            let Value::Object(fields) = value else {
                return Err(broken("A response must be a JSON object", &path));
            };
            ids.claim(&fields, &path)?;
            Ok(Response::new(fields))
        })
        .collect::<Result<_, Error>>()?;
    Ok(ItemKind::Request {
        responses,
        response_key: true,
    })
}
