//! Export: the model back to Collection Format v2.1 JSON.

use serde_json::{Map, Value};

use super::model::{Collection, Item, ItemKind, Response};

/// The collection as v2.1 JSON (R-COL-1).
///
/// For a v2.x import this is the input again, equal as JSON; for a v1 import
/// it is the converted structure. Ids made at import are left out, so a file
/// without ids comes back without ids.
pub fn export(collection: &Collection) -> Value {
    write(collection.clone(), false)
}

/// Like [`export`], but every item and response carries its uid as `id`, for
/// output that clients will use to address single items later.
///
/// Where the file had a non-string or empty `id`, it is replaced by the uid.
pub fn export_with_ids(collection: &Collection) -> Value {
    write(collection.clone(), true)
}

/// Like [`export`], taking the collection apart instead of copying it: for a
/// tree that is built only to be exported, this saves a copy of every body.
pub fn export_owned(collection: Collection) -> Value {
    write(collection, false)
}

/// Like [`export_with_ids`], taking the collection apart instead of copying
/// it (see [`export_owned`]).
pub fn export_with_ids_owned(collection: Collection) -> Value {
    write(collection, true)
}

fn write(collection: Collection, with_ids: bool) -> Value {
    let mut out = collection.rest;
    if let Some(info) = collection.info {
        out.insert("info".to_owned(), Value::Object(info));
    }
    if collection.item_key || !collection.items.is_empty() {
        out.insert("item".to_owned(), items(collection.items, with_ids));
    }
    Value::Object(out)
}

fn items(items: Vec<Item>, with_ids: bool) -> Value {
    items.into_iter().map(|item| self::item(item, with_ids)).collect()
}

fn item(item: Item, with_ids: bool) -> Value {
    let mut fields = item.fields;
    if with_ids && item.uid_assigned {
        add_id(&mut fields, item.uid.as_str());
    }
    match item.kind {
        ItemKind::Folder(children) => {
            fields.insert("item".to_owned(), items(children, with_ids));
        }
        ItemKind::Request {
            responses,
            response_key,
        } => {
            if response_key || !responses.is_empty() {
                let responses = responses.into_iter().map(|response| response_value(response, with_ids));
                fields.insert("response".to_owned(), responses.collect());
            }
        }
    }
    Value::Object(fields)
}

fn response_value(response: Response, with_ids: bool) -> Value {
    let mut fields = response.fields;
    if with_ids && response.uid_assigned {
        add_id(&mut fields, response.uid.as_str());
    }
    Value::Object(fields)
}

fn add_id(fields: &mut Map<String, Value>, uid: &str) {
    fields.insert("id".to_owned(), Value::String(uid.to_owned()));
}
