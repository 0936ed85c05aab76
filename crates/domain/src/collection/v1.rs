//! Collection Format v1, converted to the v2.1 structure at import.
//!
//! A v1 file keeps flat `folders` and `requests` lists and orders them by id
//! (`order` for requests, `folders_order` for subfolders). The conversion
//! follows the platform's own converter: in each folder, subfolders come
//! before requests; at the top, folders before requests. Unlike that
//! converter it loses nothing: a folder or request no order list reaches is
//! appended at the top level, and one listed twice is placed once (the first
//! folder listing it wins over the top-level `order`), so ids stay unique.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::import::{MAX_FOLDER_DEPTH, broken};
use crate::Error;

mod fields;

use fields::{copy, copy_description, copy_shared, request_item};

/// The schema URL written into `info.schema` of converted collections.
pub const SCHEMA_V21: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";

/// A v1 collection has the flat lists and none of the v2 top-level keys.
pub(crate) fn is_v1(object: &Map<String, Value>) -> bool {
    !object.contains_key("item")
        && !object.contains_key("info")
        && ["requests", "order", "folders", "folders_order"]
            .iter()
            .any(|k| object.contains_key(*k))
}

/// Converts a v1 collection (found at JSON path `root`) to a v2.1 object.
pub(crate) fn convert(v1: &Map<String, Value>, root: &str) -> Result<Map<String, Value>, Error> {
    let mut source = Source::new(v1, root)?;
    let nested: HashSet<&str> = source
        .folders
        .iter()
        .map(|folder| id_list(folder.fields, "folders_order", &folder.path))
        .collect::<Result<Vec<_>, Error>>()?
        .into_iter()
        .flatten()
        .collect();
    let top_folders = id_list(v1, "folders_order", root)?
        .into_iter()
        .filter_map(|id| source.folder_by_id.get(id).copied())
        .chain(0..source.folders.len())
        .filter(|i| source.folders[*i].id().is_none_or(|id| !nested.contains(id)))
        .collect::<Vec<_>>();
    let top_requests = id_list(v1, "order", root)?;

    let mut items = Vec::new();
    for i in top_folders {
        source.place_folder(i, 0, &mut items)?;
    }
    // Folders reachable only through a cycle of `folders_order` lists.
    for i in 0..source.folders.len() {
        source.place_folder(i, 0, &mut items)?;
    }
    for id in top_requests {
        source.place_request_by_id(id, &mut items);
    }
    // Requests no order list places.
    for i in 0..source.requests.len() {
        source.place_request(i, &mut items);
    }

    let mut info = Map::new();
    copy(v1, "id", &mut info, "_postman_id");
    info.insert("name".to_owned(), v1.get("name").cloned().unwrap_or_else(|| json!("")));
    copy_description(v1, &mut info);
    info.insert("schema".to_owned(), json!(SCHEMA_V21));

    let mut out = Map::new();
    out.insert("info".to_owned(), Value::Object(info));
    out.insert("item".to_owned(), Value::Array(items));
    copy_shared(v1, &mut out);
    Ok(out)
}

/// A folder or a request of the v1 lists, with its JSON path for errors.
struct Entry<'a> {
    fields: &'a Map<String, Value>,
    path: String,
}

impl<'a> Entry<'a> {
    fn id(&self) -> Option<&'a str> {
        self.fields
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
    }
}

/// The v1 lists, indexed by id, with what has already been placed in the tree.
struct Source<'a> {
    folders: Vec<Entry<'a>>,
    requests: Vec<Entry<'a>>,
    folder_by_id: HashMap<&'a str, usize>,
    request_by_id: HashMap<&'a str, usize>,
    folder_placed: Vec<bool>,
    request_placed: Vec<bool>,
}

impl<'a> Source<'a> {
    fn new(v1: &'a Map<String, Value>, root: &str) -> Result<Self, Error> {
        let folders = entries(v1, "folders", "A folder", root)?;
        let requests = entries(v1, "requests", "A request", root)?;
        let mut seen: HashMap<&str, String> = HashMap::new();
        let mut claim = |id: Option<&'a str>, path: &str| match id {
            Some(id) if seen.contains_key(id) => {
                let first = seen.get(id).map(String::as_str).unwrap_or_default();
                let message = format!("Duplicate id at {path}.id; the same id is at {first}");
                Err(Error::invalid("invalid_collection", message))
            }
            Some(id) => {
                seen.insert(id, format!("{path}.id"));
                Ok(())
            }
            None => Ok(()),
        };
        for entry in folders.iter().chain(&requests) {
            claim(entry.id(), &entry.path)?;
        }
        for request in &requests {
            for response in entries(request.fields, "responses", "A response", &request.path)? {
                claim(response.id(), &response.path)?;
            }
        }
        Ok(Self {
            folder_by_id: index(&folders),
            request_by_id: index(&requests),
            folder_placed: vec![false; folders.len()],
            request_placed: vec![false; requests.len()],
            folders,
            requests,
        })
    }

    /// Appends folder `i` with its subfolders and requests, unless it is
    /// already in the tree.
    fn place_folder(&mut self, i: usize, depth: usize, out: &mut Vec<Value>) -> Result<(), Error> {
        if self.folder_placed[i] {
            return Ok(());
        }
        self.folder_placed[i] = true;
        let fields = self.folders[i].fields;
        let path = self.folders[i].path.clone();
        if depth >= MAX_FOLDER_DEPTH {
            return Err(broken(
                &format!("Folders are nested deeper than {MAX_FOLDER_DEPTH} levels"),
                &path,
            ));
        }
        let mut children = Vec::new();
        for id in id_list(fields, "folders_order", &path)? {
            if let Some(&j) = self.folder_by_id.get(id) {
                self.place_folder(j, depth + 1, &mut children)?;
            }
        }
        for id in id_list(fields, "order", &path)? {
            self.place_request_by_id(id, &mut children);
        }
        let mut folder = Map::new();
        copy(fields, "id", &mut folder, "id");
        folder.insert(
            "name".to_owned(),
            fields.get("name").cloned().unwrap_or_else(|| json!("")),
        );
        copy_description(fields, &mut folder);
        copy_shared(fields, &mut folder);
        folder.insert("item".to_owned(), Value::Array(children));
        out.push(Value::Object(folder));
        Ok(())
    }

    fn place_request_by_id(&mut self, id: &str, out: &mut Vec<Value>) {
        if let Some(&i) = self.request_by_id.get(id) {
            self.place_request(i, out);
        }
    }

    fn place_request(&mut self, i: usize, out: &mut Vec<Value>) {
        if !self.request_placed[i] {
            self.request_placed[i] = true;
            out.push(request_item(self.requests[i].fields));
        }
    }
}

/// Where each id is in a v1 list; the first wins, as ids are unique by then.
fn index<'a>(list: &[Entry<'a>]) -> HashMap<&'a str, usize> {
    let mut by_id = HashMap::new();
    for (i, entry) in list.iter().enumerate() {
        if let Some(id) = entry.id() {
            by_id.entry(id).or_insert(i);
        }
    }
    by_id
}

/// The objects of the v1 list `key` of `parent`; absent or null is empty.
fn entries<'a>(parent: &'a Map<String, Value>, key: &str, what: &str, path: &str) -> Result<Vec<Entry<'a>>, Error> {
    let path = format!("{path}.{key}");
    match parent.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(values)) => values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let path = format!("{path}[{i}]");
                match value {
                    Value::Object(fields) => Ok(Entry { fields, path }),
                    _ => Err(broken(&format!("{what} must be a JSON object"), &path)),
                }
            })
            .collect(),
        Some(_) => Err(broken(&format!("`{key}` must be an array"), &path)),
    }
}

/// The ids of an order list; absent or null is empty, non-string ids are skipped.
fn id_list<'a>(parent: &'a Map<String, Value>, key: &str, path: &str) -> Result<Vec<&'a str>, Error> {
    match parent.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(ids)) => Ok(ids.iter().filter_map(Value::as_str).collect()),
        Some(_) => Err(broken(&format!("`{key}` must be an array"), &format!("{path}.{key}"))),
    }
}

/// A request in the flat v1 shape the platform's item endpoints take
/// (`name`, `method`, `url`, `headerData`, `dataMode`…) as a v2.1 item.
pub(crate) fn request_from_flat(fields: &Map<String, Value>) -> Value {
    request_item(fields)
}

/// A response in the flat v1 shape (`responseCode`, `headers`, `text`…) as a
/// v2.1 response.
pub(crate) fn response_from_flat(fields: &Map<String, Value>) -> Value {
    fields::response(fields)
}
