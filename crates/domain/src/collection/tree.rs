//! A collection as a flat list of nodes, the shape it is stored in: the
//! collection itself, its folders, requests and responses, each with its own
//! JSON body (without children), its parent and its place among siblings.
//!
//! Storing nodes rather than whole files lets one request change without
//! rewriting the collection, and lets revisions, diffs and merges address
//! every element by its [`ItemUid`].

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::import::{MAX_FOLDER_DEPTH, broken};
use super::model::{Collection, Item, ItemKind, ItemUid, Response};
use crate::Error;

/// Distance between the positions of neighbouring siblings, so that an item
/// can be put between two others without renumbering them.
pub const POSITION_STEP: i64 = 1024;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Collection,
    Folder,
    Request,
    Response,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Collection => "collection",
            NodeKind::Folder => "folder",
            NodeKind::Request => "request",
            NodeKind::Response => "response",
        }
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NodeKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "collection" => NodeKind::Collection,
            "folder" => NodeKind::Folder,
            "request" => NodeKind::Request,
            "response" => NodeKind::Response,
            _ => return Err(Error::invalid("invalid_kind", format!("Unknown element kind '{s}'."))),
        })
    }
}

/// One node of the stored tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatNode {
    pub uid: String,
    /// `None` for the collection node only.
    pub parent: Option<String>,
    pub position: i64,
    pub kind: NodeKind,
    /// The node's own JSON object. A request whose file had a `response`
    /// array keeps an empty `response` array here as a marker, and the
    /// collection node an empty `item` array, so that export writes them back.
    pub body: Map<String, Value>,
}

impl FlatNode {
    /// The node's `name` (for the collection: `info.name`).
    pub fn name(&self) -> Option<&str> {
        match self.kind {
            NodeKind::Collection => self
                .body
                .get("info")
                .and_then(|i| i.get("name"))
                .and_then(Value::as_str),
            _ => self.body.get("name").and_then(Value::as_str),
        }
    }
}

/// The body of the collection node: every top-level field but the items.
pub fn root_body(collection: &Collection) -> Map<String, Value> {
    let mut body = collection.rest.clone();
    if let Some(info) = &collection.info {
        body.insert("info".to_owned(), Value::Object(info.clone()));
    }
    if collection.item_key {
        body.insert("item".to_owned(), Value::Array(Vec::new()));
    }
    body
}

/// The collection as nodes, the collection node first under uid `root`.
///
/// An item whose id equals `root` is refused: the two would be confused.
pub fn flatten(collection: &Collection, root: &str) -> Result<Vec<FlatNode>, Error> {
    flatten_owned(collection.clone(), root)
}

/// Like [`flatten`], taking the collection apart instead of copying it: for a
/// collection parsed only to be stored, this saves a copy of every body.
pub fn flatten_owned(collection: Collection, root: &str) -> Result<Vec<FlatNode>, Error> {
    let mut body = collection.rest;
    if let Some(info) = collection.info {
        body.insert("info".to_owned(), Value::Object(info));
    }
    if collection.item_key {
        body.insert("item".to_owned(), Value::Array(Vec::new()));
    }
    let mut out = vec![FlatNode {
        uid: root.to_owned(),
        parent: None,
        position: 0,
        kind: NodeKind::Collection,
        body,
    }];
    for (i, item) in collection.items.into_iter().enumerate() {
        push_item(item, root, position_at(i), &mut out);
    }
    if let Some(clash) = out.iter().skip(1).find(|n| n.uid == root) {
        return Err(broken(
            "An item has the id of the collection itself",
            &format!("item {}", clash.uid),
        ));
    }
    Ok(out)
}

/// The position of the `i`-th of freshly numbered siblings.
pub fn position_at(i: usize) -> i64 {
    (i64::try_from(i).unwrap_or(i64::MAX / POSITION_STEP - 1) + 1) * POSITION_STEP
}

/// Where to put a new sibling at `index` (clamped to the end) among
/// siblings at `positions` (ascending): `Ok(position)` when there is room
/// between the neighbours, or `Err(positions)` with fresh numbers for every
/// sibling and the newcomer (at `index`), when there is not.
pub fn slot(positions: &[i64], index: usize) -> Result<i64, Vec<i64>> {
    let index = index.min(positions.len());
    let before = if index == 0 { 0 } else { positions[index - 1] };
    let after = positions
        .get(index)
        .copied()
        .unwrap_or(before.saturating_add(2 * POSITION_STEP));
    if after - before >= 2 {
        return Ok(before + (after - before) / 2);
    }
    Err((0..=positions.len()).map(position_at).collect())
}

/// An item and everything under it as nodes, appended to `out`.
pub fn flatten_item(item: &Item, parent: &str, position: i64, out: &mut Vec<FlatNode>) {
    push_item(item.clone(), parent, position, out);
}

/// [`flatten_item`] on an item it may take apart.
fn push_item(item: Item, parent: &str, position: i64, out: &mut Vec<FlatNode>) {
    let mut body = item.fields;
    let (kind, children, responses) = match item.kind {
        ItemKind::Folder(children) => (NodeKind::Folder, children, Vec::new()),
        ItemKind::Request {
            responses,
            response_key,
        } => {
            if response_key {
                body.insert("response".to_owned(), Value::Array(Vec::new()));
            }
            (NodeKind::Request, Vec::new(), responses)
        }
    };
    let uid = item.uid.to_string();
    out.push(FlatNode {
        uid: uid.clone(),
        parent: Some(parent.to_owned()),
        position,
        kind,
        body,
    });
    for (i, child) in children.into_iter().enumerate() {
        push_item(child, &uid, position_at(i), out);
    }
    for (i, response) in responses.into_iter().enumerate() {
        out.push(FlatNode {
            uid: response.uid.to_string(),
            parent: Some(uid.clone()),
            position: position_at(i),
            kind: NodeKind::Response,
            body: response.fields,
        });
    }
}

/// A response as a node.
pub fn response_node(response: &Response, parent: &str, position: i64) -> FlatNode {
    FlatNode {
        uid: response.uid.to_string(),
        parent: Some(parent.to_owned()),
        position,
        kind: NodeKind::Response,
        body: response.fields.clone(),
    }
}

/// The collection a set of nodes describes, from the node `root` down.
/// Nodes not reachable from it are left out; siblings come in position order.
pub fn assemble(root: &str, nodes: Vec<FlatNode>) -> Result<Collection, Error> {
    let mut children: HashMap<String, Vec<FlatNode>> = HashMap::new();
    let mut top = None;
    for node in nodes {
        match &node.parent {
            None if node.uid == root => top = Some(node),
            None => {}
            Some(parent) => children.entry(parent.clone()).or_default().push(node),
        }
    }
    for siblings in children.values_mut() {
        siblings.sort_by(|a, b| (a.position, &a.uid).cmp(&(b.position, &b.uid)));
    }
    let top = top.ok_or_else(Error::internal)?;
    let mut rest = top.body;
    let item_key = rest.remove("item").is_some();
    let info = match rest.remove("info") {
        Some(Value::Object(info)) => Some(info),
        Some(other) => {
            rest.insert("info".to_owned(), other);
            None
        }
        None => None,
    };
    let items = build_children(root, &mut children, 0)?;
    Ok(Collection {
        info,
        items,
        item_key,
        rest,
    })
}

fn build_children(
    parent: &str,
    children: &mut HashMap<String, Vec<FlatNode>>,
    depth: usize,
) -> Result<Vec<Item>, Error> {
    if depth > MAX_FOLDER_DEPTH + 1 {
        return Err(Error::internal());
    }
    let Some(nodes) = children.remove(parent) else {
        return Ok(Vec::new());
    };
    let mut items = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node.kind {
            NodeKind::Folder => {
                let kids = build_children(&node.uid, children, depth + 1)?;
                items.push(item_of(node, ItemKind::Folder(kids)));
            }
            NodeKind::Request => {
                let mut node = node;
                let response_key = node.body.remove("response").is_some();
                let responses = children
                    .remove(&node.uid)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|n| n.kind == NodeKind::Response)
                    .map(response_of)
                    .collect();
                items.push(item_of(
                    node,
                    ItemKind::Request {
                        responses,
                        response_key,
                    },
                ));
            }
            NodeKind::Collection | NodeKind::Response => {}
        }
    }
    Ok(items)
}

/// Whether a body's own `id` is the uid, i.e. the uid was not made up.
fn assigned(body: &Map<String, Value>, uid: &str) -> bool {
    body.get("id").and_then(Value::as_str) != Some(uid)
}

fn item_of(node: FlatNode, kind: ItemKind) -> Item {
    Item {
        uid_assigned: assigned(&node.body, &node.uid),
        uid: ItemUid::new(node.uid),
        fields: node.body,
        kind,
    }
}

fn response_of(node: FlatNode) -> Response {
    Response {
        uid_assigned: assigned(&node.body, &node.uid),
        uid: ItemUid::new(node.uid),
        fields: node.body,
    }
}

/// The fields of a node as users see them: without the markers of
/// [`FlatNode::body`].
pub fn visible_fields(kind: NodeKind, body: &Map<String, Value>) -> Map<String, Value> {
    let mut fields = body.clone();
    match kind {
        NodeKind::Request => {
            fields.remove("response");
        }
        NodeKind::Collection => {
            fields.remove("item");
        }
        NodeKind::Folder | NodeKind::Response => {}
    }
    fields
}

/// One field that differs between two versions of a node.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    /// Dotted path of the field (`request.url.raw`); objects are compared
    /// field by field, arrays and other values as a whole.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Value>,
}

/// The fields that differ between two versions of a node's body (either may
/// be absent: created or deleted).
pub fn diff(kind: NodeKind, old: Option<&Map<String, Value>>, new: Option<&Map<String, Value>>) -> Vec<FieldChange> {
    let empty = Map::new();
    let old = visible_fields(kind, old.unwrap_or(&empty));
    let new = visible_fields(kind, new.unwrap_or(&empty));
    let mut out = Vec::new();
    diff_objects("", &old, &new, &mut out);
    out
}

fn diff_objects(prefix: &str, old: &Map<String, Value>, new: &Map<String, Value>, out: &mut Vec<FieldChange>) {
    let mut keys: Vec<&String> = old.keys().chain(new.keys().filter(|k| !old.contains_key(*k))).collect();
    keys.sort();
    for key in keys {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (old.get(key), new.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            (Some(Value::Object(a)), Some(Value::Object(b))) => diff_objects(&path, a, b, out),
            (a, b) => out.push(FieldChange {
                path,
                from: a.cloned(),
                to: b.cloned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::collection::{export, import};

    #[test]
    fn r_col_1_a_collection_survives_flattening_and_assembly() {
        let file = json!({
            "info": {"name": "Shop", "schema": "x"},
            "item": [
                {"name": "Orders", "item": [
                    {"id": "r1", "name": "List", "request": {"method": "GET", "url": "https://x/orders"},
                     "response": [{"id": "e1", "name": "ok", "code": 200}]},
                    {"name": "Nested", "item": []}
                ]},
                {"name": "Ping", "request": "https://x/ping"}
            ],
            "variable": [{"key": "base"}]
        });
        let collection = import(&file).unwrap_or_else(|e| panic!("{e}"));
        let nodes = flatten(&collection, "c1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(nodes.len(), 6);
        let mut shuffled = nodes.clone();
        shuffled.reverse();
        let back = assemble("c1", shuffled).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(export(&back), file);
        assert_eq!(back.find("r1").map(|(p, _)| p), Some(vec![0, 0]));
        // Ids made up at import stay the same through storage.
        let orders = &collection.items[0].uid;
        assert_eq!(&back.items[0].uid, orders);
    }

    #[test]
    fn r_col_1_an_item_may_not_take_the_collections_id() {
        let file = json!({"item": [{"id": "c1", "name": "x", "request": "u"}]});
        let collection = import(&file).unwrap_or_else(|e| panic!("{e}"));
        let err = flatten(&collection, "c1").err().map(|e| e.code);
        assert_eq!(err, Some("invalid_collection"));
    }

    #[test]
    fn r_col_2_new_siblings_go_between_their_neighbours() {
        assert_eq!(slot(&[], 0), Ok(1024));
        assert_eq!(slot(&[1024, 2048], 1), Ok(1536));
        assert_eq!(slot(&[1024, 2048], 0), Ok(512));
        assert_eq!(slot(&[1024, 2048], 9), Ok(3072));
        assert_eq!(slot(&[5, 6], 1), Err(vec![1024, 2048, 3072]));
    }

    #[test]
    fn r_col_3_diffs_name_the_fields_that_changed() {
        let old =
            json!({"name": "A", "request": {"method": "GET", "url": {"raw": "x", "host": ["x"]}}, "response": []});
        let new = json!({"name": "A", "request": {"method": "POST", "url": {"raw": "x", "host": ["y"]}}});
        let changes = diff(NodeKind::Request, old.as_object(), new.as_object());
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["request.method", "request.url.host"]);
        assert_eq!(changes[0].from, Some(json!("GET")));
        assert_eq!(changes[0].to, Some(json!("POST")));
        let created = diff(NodeKind::Folder, None, json!({"name": "F"}).as_object());
        assert_eq!(created.len(), 1);
        assert_eq!(created[0].from, None);
    }
}
