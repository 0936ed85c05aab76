//! Single folders, requests and responses (R-COL-2): created, read, changed,
//! moved and deleted without sending the whole collection.

use portico_domain::Error;
use portico_domain::collection::{
    self, FlatNode, ItemKind, MAX_FOLDER_DEPTH, NodeKind, check_depth, flatten_item, response_node, slot,
};
use portico_domain::ids::CollectionId;
use portico_domain::policy::Action;
use portico_store::{CollectionRecord, Tx};
use serde_json::{Map, Value};

use super::{Edit, ElementChange, Saved, check_revision, collection_for, commit, flat, saved};
use crate::{App, Principal, Result, now};

/// Where an element goes: under `parent` (a folder, or for a response its
/// request; `None`: the top of the collection), at `index` among its
/// siblings (`None`: last).
#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub parent: Option<String>,
    pub index: Option<usize>,
}

/// A change to one element: new fields, a new place, or both.
#[derive(Debug, Clone, Default)]
pub struct ItemWrite {
    pub body: Option<Value>,
    /// A new holder (`Some(None)`: the top of the collection).
    pub parent: Option<Option<String>>,
    /// A new index among its (new) siblings.
    pub index: Option<usize>,
}

/// One element as the item endpoints show it.
#[derive(Debug, Clone)]
pub struct ItemView {
    pub kind: NodeKind,
    pub id: String,
    /// The folder (or, for a response, the request) holding it; `None` at
    /// the top of the collection.
    pub parent: Option<String>,
    /// Its own fields in Collection Format v2.1, without children.
    pub fields: Map<String, Value>,
    /// Its children in order: folders and requests of a folder, responses
    /// of a request.
    pub children: Vec<(NodeKind, String)>,
    pub collection: CollectionRecord,
}

fn missing(kind: NodeKind) -> Error {
    Error::not_found(match kind {
        NodeKind::Folder => "folder",
        NodeKind::Request => "request",
        NodeKind::Response => "response",
        NodeKind::Collection => "collection",
    })
}

/// The current element `uid` if it is of `kind`.
fn element(tx: &mut dyn Tx, id: CollectionId, kind: NodeKind, uid: &str) -> Result<FlatNode> {
    let node = tx.current_node(id, uid)?.ok_or_else(|| missing(kind))?;
    let node = flat(node)?;
    if node.kind != kind {
        return Err(missing(kind));
    }
    Ok(node)
}

/// How many folders hold the node `uid` (0 for the collection itself).
fn depth_of(tx: &mut dyn Tx, id: CollectionId, uid: &str, chain: &mut Vec<String>) -> Result<usize> {
    let mut depth = 0;
    let mut current = uid.to_owned();
    loop {
        chain.push(current.clone());
        let node = tx.current_node(id, &current)?.ok_or_else(Error::internal)?;
        match node.node.parent_uid {
            None => return Ok(depth),
            Some(parent) => {
                if node.node.kind == NodeKind::Folder.as_str() {
                    depth += 1;
                }
                if depth > MAX_FOLDER_DEPTH + 1 {
                    return Err(Error::internal());
                }
                current = parent;
            }
        }
    }
}

/// The node that will hold an element of `kind`, checked, with its depth
/// and the chain of its ancestors (itself first).
fn holder(
    tx: &mut dyn Tx,
    id: CollectionId,
    kind: NodeKind,
    parent: Option<&str>,
) -> Result<(String, usize, Vec<String>)> {
    let root = id.to_string();
    let uid = match (kind, parent) {
        (NodeKind::Response, None) => {
            return Err(Error::invalid(
                "parent_required",
                "Name the request the response belongs to.",
            ));
        }
        (_, None) => root,
        (_, Some(p)) => p.to_owned(),
    };
    let wanted = if kind == NodeKind::Response {
        NodeKind::Request
    } else {
        NodeKind::Folder
    };
    if uid != id.to_string() {
        let node = tx.current_node(id, &uid)?;
        if node.as_ref().map(|n| n.node.kind.as_str()) != Some(wanted.as_str()) {
            return Err(Error::invalid(
                "invalid_parent",
                format!("There is no {wanted} {uid} in this collection."),
            ));
        }
    }
    let mut chain = Vec::new();
    let depth = depth_of(tx, id, &uid, &mut chain)?;
    Ok((uid, depth, chain))
}

/// A position for a newcomer among the children of `parent`; when there is
/// no room, the siblings are renumbered into `edit`.
fn place_among(
    tx: &mut dyn Tx,
    id: CollectionId,
    parent: &str,
    index: Option<usize>,
    moving: Option<&str>,
    edit: &mut Edit,
) -> Result<i64> {
    let siblings: Vec<_> = tx
        .current_children(id, parent)?
        .into_iter()
        .filter(|n| Some(n.uid.as_str()) != moving)
        .collect();
    let positions: Vec<i64> = siblings.iter().map(|n| n.position).collect();
    let index = index.unwrap_or(siblings.len()).min(siblings.len());
    match slot(&positions, index) {
        Ok(position) => Ok(position),
        Err(fresh) => {
            let mut fresh = fresh.into_iter();
            let mut mine = 0;
            for (i, p) in (0..=siblings.len()).zip(fresh.by_ref()) {
                if i == index {
                    mine = p;
                } else {
                    let sibling = &siblings[if i < index { i } else { i - 1 }];
                    edit.place(sibling, parent, p);
                }
            }
            Ok(mine)
        }
    }
}

/// Every uid in the subtree of `uid`, itself first, and the subtree's
/// height in folders.
fn subtree(tx: &mut dyn Tx, id: CollectionId, uid: &str) -> Result<(Vec<String>, usize)> {
    let mut out = vec![uid.to_owned()];
    let mut height = 0;
    let mut level = vec![uid.to_owned()];
    while !level.is_empty() {
        let mut next = Vec::new();
        let mut has_folder = false;
        for parent in &level {
            for child in tx.current_children(id, parent)? {
                has_folder |= child.kind == NodeKind::Folder.as_str();
                next.push(child.uid);
            }
        }
        if has_folder {
            height += 1;
        }
        out.extend(next.iter().cloned());
        level = next;
    }
    Ok((out, height))
}

/// Merges the fields sent for an element into its current ones: a field
/// given replaces the old one, `null` removes it. Requests also take the
/// flat fields of the reference API (`method`, `url`, `headerData`…).
fn merged(kind: NodeKind, current: &Map<String, Value>, sent: Value) -> Result<Map<String, Value>> {
    let Value::Object(sent) = sent else {
        return Err(Error::invalid(
            "invalid_collection",
            "The element must be a JSON object at $",
        ));
    };
    for key in ["item", "response"] {
        if sent.contains_key(key) {
            return Err(Error::invalid(
                "invalid_field",
                format!("`{key}` cannot be changed here: add, move or delete the children one by one."),
            ));
        }
    }
    let mut out = current.clone();
    let flat_request = kind == NodeKind::Request && !sent.contains_key("request") && is_flat_request(&sent);
    if flat_request {
        apply_flat_request(&mut out, &sent)?;
    } else {
        for (key, value) in sent {
            if key == "id" {
                continue;
            }
            if value.is_null() {
                out.remove(&key);
            } else {
                out.insert(key, value);
            }
        }
    }
    // The result must still be a well-formed element.
    let check = Value::Object(out.clone());
    match kind {
        NodeKind::Folder => {
            collection::folder_from_api(check)?;
        }
        NodeKind::Request => {
            collection::request_from_api(check)?;
        }
        NodeKind::Response => {
            collection::response_from_api(check)?;
        }
        NodeKind::Collection => {}
    }
    Ok(out)
}

const FLAT_TO_REQUEST: [(&str, &str); 10] = [
    ("method", "method"),
    ("url", "url"),
    ("headerData", "header"),
    ("headers", "header"),
    ("dataMode", "body"),
    ("rawModeData", "body"),
    ("data", "body"),
    ("graphqlModeData", "body"),
    ("dataOptions", "body"),
    ("auth", "auth"),
];

fn is_flat_request(sent: &Map<String, Value>) -> bool {
    FLAT_TO_REQUEST.iter().any(|(k, _)| sent.contains_key(*k))
}

/// Applies flat request fields: only the parts of the request they name.
fn apply_flat_request(out: &mut Map<String, Value>, sent: &Map<String, Value>) -> Result<()> {
    let converted = collection::request_from_api(Value::Object(sent.clone()))?.fields;
    if let Some(name) = sent.get("name") {
        out.insert("name".into(), name.clone());
    }
    let request = out.entry("request").or_insert_with(|| Value::Object(Map::new()));
    if let Value::String(url) = request {
        *request = serde_json::json!({ "url": url.clone() });
    }
    let (Value::Object(request), Some(Value::Object(new))) = (request, converted.get("request")) else {
        return Ok(());
    };
    for (flat, key) in FLAT_TO_REQUEST {
        if sent.contains_key(flat) {
            match new.get(key) {
                Some(v) => request.insert(key.to_owned(), v.clone()),
                None => request.remove(key),
            };
        }
    }
    if sent.contains_key("description")
        && let Some(d) = new.get("description")
    {
        request.insert("description".into(), d.clone());
    }
    for key in ["event", "protocolProfileBehavior", "variable"] {
        if let Some(v) = converted.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    Ok(())
}

/// The view of an element after the transaction's changes.
fn view(tx: &mut dyn Tx, c: &CollectionRecord, node: FlatNode) -> Result<ItemView> {
    let root = c.id.to_string();
    let children = tx
        .current_children(c.id, &node.uid)?
        .into_iter()
        .map(|n| Ok((n.kind.parse::<NodeKind>()?, n.uid)))
        .collect::<Result<Vec<_>>>()?;
    Ok(ItemView {
        kind: node.kind,
        parent: node.parent.clone().filter(|p| *p != root),
        fields: collection::visible_fields(node.kind, &node.body),
        id: node.uid,
        children,
        collection: c.clone(),
    })
}

impl App {
    /// Adds a folder, a request or a response (with whatever it holds).
    pub async fn create_item(
        &self,
        who: &Principal,
        id: CollectionId,
        kind: NodeKind,
        body: Value,
        place: Placement,
        expected: Option<i64>,
    ) -> Result<(Saved, ItemView)> {
        let mut nodes = Vec::new();
        let height = match kind {
            NodeKind::Folder | NodeKind::Request => {
                let mut item = if kind == NodeKind::Folder {
                    collection::folder_from_api(body)?
                } else {
                    collection::request_from_api(body)?
                };
                if let ItemKind::Request { response_key, .. } = &mut item.kind {
                    *response_key = true;
                }
                let height = collection::folder_height(&item);
                flatten_item(&item, "", 0, &mut nodes);
                height
            }
            NodeKind::Response => {
                nodes.push(response_node(&collection::response_from_api(body)?, "", 0));
                0
            }
            NodeKind::Collection => return Err(Error::internal()),
        };
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                check_revision(&c, expected)?;
                let (parent, depth, _) = holder(tx, id, kind, place.parent.as_deref())?;
                check_depth(depth, height)?;
                let root = id.to_string();
                for n in &nodes {
                    if n.uid == root || tx.current_node(id, &n.uid)?.is_some() {
                        return Err(Error::invalid(
                            "duplicate_id",
                            format!("The id {} is already taken in this collection.", n.uid),
                        ));
                    }
                }
                let mut edit = Edit::default();
                let position = place_among(tx, id, &parent, place.index, None, &mut edit)?;
                nodes[0].parent = Some(parent);
                nodes[0].position = position;
                for n in &nodes {
                    edit.put(n);
                }
                edit.changes.push(ElementChange::of("created", &nodes[0]));
                let head = commit(tx, &access, &c, actor.user_id, at, edit)?;
                let view = view(tx, &head, nodes.swap_remove(0))?;
                Ok((saved(tx, &access, head)?, view))
            })
            .await
    }

    /// One element with its own fields and the ids of its children.
    pub async fn item(&self, who: &Principal, id: CollectionId, kind: NodeKind, uid: String) -> Result<ItemView> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (c, _) = collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                let node = element(tx, id, kind, &uid)?;
                view(tx, &c, node)
            })
            .await
    }

    /// Changes an element's fields, moves it, or both.
    pub async fn update_item(
        &self,
        who: &Principal,
        id: CollectionId,
        kind: NodeKind,
        uid: String,
        write: ItemWrite,
        expected: Option<i64>,
    ) -> Result<(Saved, ItemView)> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                check_revision(&c, expected)?;
                let mut node = element(tx, id, kind, &uid)?;
                let mut edit = Edit::default();
                let mut actions = Vec::new();
                if let Some(body) = write.body {
                    let body = merged(kind, &node.body, body)?;
                    if body != node.body {
                        node.body = body;
                        actions.push("updated");
                    }
                }
                if write.parent.is_some() || write.index.is_some() {
                    let root = id.to_string();
                    let target = write
                        .parent
                        .unwrap_or_else(|| node.parent.clone().filter(|p| *p != root));
                    let (parent, depth, chain) = holder(tx, id, kind, target.as_deref())?;
                    if chain.contains(&uid) {
                        return Err(Error::invalid(
                            "move_cycle",
                            "A folder cannot be moved into itself or one of its own folders.",
                        ));
                    }
                    if kind == NodeKind::Folder {
                        let (_, height) = subtree(tx, id, &uid)?;
                        check_depth(depth, height + 1)?;
                    }
                    let same_parent = node.parent.as_deref() == Some(parent.as_str());
                    node.position = place_among(tx, id, &parent, write.index, Some(&uid), &mut edit)?;
                    node.parent = Some(parent);
                    actions.push(if same_parent { "reordered" } else { "moved" });
                }
                if !actions.is_empty() {
                    edit.put(&node);
                    for action in actions {
                        edit.changes.push(ElementChange::of(action, &node));
                    }
                }
                let head = commit(tx, &access, &c, actor.user_id, at, edit)?;
                let view = view(tx, &head, node)?;
                Ok((saved(tx, &access, head)?, view))
            })
            .await
    }

    /// Deletes an element with everything it holds.
    pub async fn delete_item(
        &self,
        who: &Principal,
        id: CollectionId,
        kind: NodeKind,
        uid: String,
        expected: Option<i64>,
    ) -> Result<Saved> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                check_revision(&c, expected)?;
                let node = element(tx, id, kind, &uid)?;
                let (uids, _) = subtree(tx, id, &uid)?;
                let mut edit = Edit {
                    removed: uids,
                    ..Edit::default()
                };
                edit.changes.push(ElementChange::of("deleted", &node));
                let head = commit(tx, &access, &c, actor.user_id, at, edit)?;
                saved(tx, &access, head)
            })
            .await
    }
}
