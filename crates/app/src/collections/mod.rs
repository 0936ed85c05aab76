//! Collections (R-COL-1..3) and the save nudge (R-UPD-2).
//!
//! A collection is stored as versioned nodes (the collection, folders,
//! requests, responses) whose bodies are content-addressed blobs. A write
//! adds new versions of the nodes it touches and closes the old ones, so one
//! request edit costs the size of that request, not of the collection; every
//! write makes a revision naming the elements it touched.

mod comments;
mod fork_views;
mod forks;
mod history;
mod items;
mod pull_request_views;
mod pull_requests;
mod roles;
mod whole;

use std::collections::{BTreeMap, HashSet};

use portico_domain::Error;
use portico_domain::collection::{FlatNode, NodeKind, NodeText};
use portico_domain::ids::{CollectionId, UserId};
use portico_domain::policy::{Action, Actor};
use portico_domain::workspace::WorkspaceKind;
use portico_store::{
    CollectionRecord, HIDDEN_NODE, Millis, NodeRecord, NodeWithBody, RevisionRecord, Tx, WorkspaceAccess,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub use comments::{CommentTarget, ElementCommentDraft};
pub use fork_views::{ForkDestinations, ForkStatus};
pub use forks::{ForkList, ForkView, MAX_FORK_LABEL, MergeBlocked, MergeStrategy, PullOutcome};
pub(crate) use forks::{detach, fork_label};
pub use history::{ChangeWithDiff, RevisionView};
pub use items::{ItemView, ItemWrite, Placement};
pub use pull_request_views::{Person, PullRequestDetail, PullRequestDraft, PullRequestRow};
pub use pull_requests::{MAX_REVIEWERS, PullRequestView, Review};
pub use whole::{CollectionInput, CollectionPatch, CollectionSummary};

use crate::Result;
use crate::workspaces::workspace_for_element;

/// The element type element roles and comments name collections by.
pub(crate) const ELEMENT: &str = "collection";

/// One element a revision touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ElementChange {
    /// `created`, `updated`, `moved` or `deleted`.
    pub action: String,
    /// `collection`, `folder`, `request` or `response`.
    pub element_type: String,
    pub element_id: String,
    pub name: String,
    /// Set in the save nudge's list, which spans collections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_id: Option<String>,
}

impl ElementChange {
    fn of(action: &str, node: &FlatNode) -> Self {
        Self::named(action, node.kind, &node.uid, node.name().unwrap_or_default())
    }

    fn named(action: &str, kind: NodeKind, uid: &str, name: &str) -> Self {
        Self {
            action: action.to_owned(),
            element_type: kind.to_string(),
            element_id: uid.to_owned(),
            name: name.to_owned(),
            collection_id: None,
        }
    }
}

/// What a revision records besides its author and time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RevisionNote {
    /// A sentence for the changelog ("Restored revision 3").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub changes: Vec<ElementChange>,
}

impl RevisionNote {
    pub(crate) fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// The outcome of a write: the collection's new head, and in a Partner
/// Workspace the suggestion to post an update (R-UPD-2).
#[derive(Debug, Clone)]
pub struct Saved {
    pub collection: CollectionRecord,
    /// True in Partner Workspaces: the client should offer "Post an update".
    pub post_update_suggested: bool,
    /// The element changes since the workspace's last update.
    pub element_changes: Vec<ElementChange>,
}

/// The most element changes the save nudge lists.
const MAX_SUGGESTED: usize = 100;

/// A change to a collection's tree, to be committed as one revision.
#[derive(Debug, Default)]
pub(crate) struct Edit {
    /// New node versions; their old versions (if any) are closed.
    pub nodes: Vec<NodeRecord>,
    /// Bodies of new versions, by hash.
    pub blobs: BTreeMap<String, String>,
    /// Nodes closed without a new version.
    pub removed: Vec<String>,
    pub changes: Vec<ElementChange>,
    pub note: Option<String>,
    /// The collection's new name, when its info changed.
    pub name: Option<String>,
    /// The edit lays a fork's tree anew over its layer (a pull): removed
    /// rows are only closed, never turned into hiding rows.
    pub rebased: bool,
}

impl Edit {
    /// Adds a version of a node with this body.
    pub fn put(&mut self, node: &FlatNode) {
        let (record, hash, body) = node_record(node);
        self.blobs.insert(hash, body);
        self.nodes.push(record);
    }

    /// Adds a node already in its stored form, taking its text.
    pub fn put_text(&mut self, node: NodeText) {
        let hash = hex::encode(Sha256::digest(node.body.as_bytes()));
        self.nodes.push(NodeRecord {
            uid: node.uid,
            parent_uid: node.parent,
            position: node.position,
            kind: node.kind.to_string(),
            blob_hash: hash.clone(),
        });
        self.blobs.insert(hash, node.body);
    }

    /// Adds a version of a stored node at another place, body unchanged.
    pub fn place(&mut self, node: &NodeRecord, parent: &str, position: i64) {
        let mut moved = node.clone();
        moved.parent_uid = Some(parent.to_owned());
        moved.position = position;
        self.nodes.push(moved);
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.removed.is_empty()
    }
}

/// The stored form of a node: its record, the hash and the JSON text of
/// its body.
pub(crate) fn node_record(node: &FlatNode) -> (NodeRecord, String, String) {
    let body = serde_json::to_string(&node.body).unwrap_or_default();
    let hash = hex::encode(Sha256::digest(body.as_bytes()));
    let record = NodeRecord {
        uid: node.uid.clone(),
        parent_uid: node.parent.clone(),
        position: node.position,
        kind: node.kind.to_string(),
        blob_hash: hash.clone(),
    };
    (record, hash, body)
}

/// A stored node back as a [`FlatNode`].
pub(crate) fn flat(n: NodeWithBody) -> Result<FlatNode> {
    text(n)?.parse()
}

/// The tree of a collection at a revision (`None`: the head), parsed.
pub(crate) fn tree(tx: &mut dyn Tx, id: CollectionId, rev: Option<i64>) -> Result<Vec<FlatNode>> {
    tx.nodes_at(id, rev)?.into_iter().map(flat).collect()
}

/// A stored node as text, its body not parsed.
pub(crate) fn text(n: NodeWithBody) -> Result<NodeText> {
    Ok(NodeText {
        uid: n.node.uid,
        parent: n.node.parent_uid,
        position: n.node.position,
        kind: n.node.kind.parse()?,
        body: n.body,
    })
}

/// The name a collection goes by: its `info.name`, or a placeholder for
/// files without one.
pub(crate) fn name_of(root: &Map<String, Value>) -> String {
    root.get("info")
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| "Untitled collection".to_owned(), |n| n.chars().take(500).collect())
}

/// Loads a collection the actor may act on; anything they may not see is
/// "not found".
pub(crate) fn collection_for(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: CollectionId,
    action: Action,
) -> Result<(CollectionRecord, WorkspaceAccess)> {
    // Writers queue on the collection's row: one without If-Match applies
    // its change to the head it finds, never to a head read before another
    // writer's commit.
    let c = if action == Action::ViewWorkspace {
        tx.collection(id)?
    } else {
        tx.collection_for_update(id)?
    }
    .ok_or_else(|| Error::not_found("collection"))?;
    let access = access_to(tx, actor, &c, action)?;
    Ok((c, access))
}

/// The actor's access to a loaded collection's workspace, checked for
/// `action` with their role on the collection.
fn access_to(tx: &mut dyn Tx, actor: &Actor, c: &CollectionRecord, action: Action) -> Result<WorkspaceAccess> {
    let role = tx
        .element_role(ELEMENT, &c.id.to_string(), actor.user_id)?
        .and_then(|r| r.parse().ok());
    workspace_for_element(tx, actor, c.workspace_id, action, "collection", role)
}

/// Whether the actor may do `action` on a collection, for pages that
/// offer it: the same check as [`collection_for`], without queueing on the
/// collection's row.
pub(crate) fn collection_allows(tx: &mut dyn Tx, actor: &Actor, c: &CollectionRecord, action: Action) -> Result<bool> {
    match access_to(tx, actor, c, action) {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.kind,
                portico_domain::ErrorKind::NotFound | portico_domain::ErrorKind::Forbidden
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Refuses a write based on a revision that is no longer the head (R-COL-2).
pub(crate) fn check_revision(c: &CollectionRecord, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(e) if e != c.revision => Err(stale(c, e)),
        _ => Ok(()),
    }
}

pub(crate) fn stale(c: &CollectionRecord, expected: i64) -> Error {
    Error::conflict(
        "revision_conflict",
        format!(
            "The collection changed since revision {expected}: it is at revision {}. Reload it and apply your change again.",
            c.revision
        ),
    )
}

/// Writes the edit as the next revision, if the head is still where the
/// caller read it.
pub(crate) fn commit(
    tx: &mut dyn Tx,
    access: &WorkspaceAccess,
    c: &CollectionRecord,
    author: UserId,
    at: Millis,
    edit: Edit,
) -> Result<CollectionRecord> {
    if edit.is_empty() {
        return Ok(c.clone());
    }
    let mut head = c.clone();
    head.revision += 1;
    head.updated_by = author;
    head.updated_at = at;
    if let Some(name) = &edit.name {
        head.name.clone_from(name);
    }
    if !tx.advance_collection_head(&head, c.revision)? {
        return Err(stale(c, c.revision));
    }
    let event = changed_event(&head, author, &edit.changes);
    write_revision(tx, c.id, head.revision, author, at, edit)?;
    crate::integrations::emit(tx, access, "collection_changed", event, at)?;
    Ok(head)
}

/// Stores the edit as revision `rev`: its blobs, its node versions and the
/// revision's row with its note and changes.
pub(crate) fn write_revision(
    tx: &mut dyn Tx,
    id: CollectionId,
    rev: i64,
    author: UserId,
    at: Millis,
    edit: Edit,
) -> Result<()> {
    write_nodes(tx, id, rev, &edit)?;
    tx.insert_revision(&RevisionRecord {
        collection_id: id,
        revision: rev,
        author,
        created_at: at,
        changes: serde_json::to_string(&RevisionNote {
            note: edit.note,
            changes: edit.changes,
        })
        .map_err(|_| Error::internal())?,
    })?;
    Ok(())
}

/// What webhooks are told of a change to a collection.
pub(crate) fn changed_event(c: &CollectionRecord, author: UserId, changes: &[ElementChange]) -> Value {
    serde_json::json!({
        "collectionId": c.id.to_string(),
        "name": c.name,
        "revision": c.revision,
        "author": author.to_string(),
        "changes": changes.iter().take(50).collect::<Vec<_>>(),
    })
}

/// Stores the edit's blobs and node versions at revision `rev`.
pub(crate) fn write_nodes(tx: &mut dyn Tx, id: CollectionId, rev: i64, edit: &Edit) -> Result<()> {
    let blobs: Vec<(String, String)> = edit.blobs.iter().map(|(h, b)| (h.clone(), b.clone())).collect();
    tx.put_blobs(&blobs)?;
    let mut closed: Vec<String> = edit.nodes.iter().map(|n| n.uid.clone()).collect();
    closed.extend(edit.removed.iter().cloned());
    tx.close_nodes(id, &closed, rev)?;
    tx.insert_nodes(id, rev, &edit.nodes)?;
    if !edit.rebased && !edit.removed.is_empty() && tx.layer_at(id, None)?.is_some() {
        // A fork deleting what it reads through its layer hides it.
        let hidden: Vec<NodeRecord> = edit
            .removed
            .iter()
            .map(|uid| NodeRecord {
                uid: uid.clone(),
                parent_uid: None,
                position: 0,
                kind: HIDDEN_NODE.to_owned(),
                blob_hash: HIDDEN_NODE.to_owned(),
            })
            .collect();
        tx.insert_nodes(id, rev, &hidden)?;
    }
    Ok(())
}

/// The edit that turns the stored tree `old` into `new` (a whole
/// replacement or a restore).
pub(crate) fn edit_between(old: Vec<NodeWithBody>, new: &[FlatNode]) -> Result<Edit> {
    let mut before: BTreeMap<String, NodeWithBody> = old.into_iter().map(|n| (n.node.uid.clone(), n)).collect();
    let mut edit = Edit::default();
    for node in new {
        let (record, hash, body) = node_record(node);
        match before.remove(&node.uid) {
            None => {
                edit.changes.push(ElementChange::of("created", node));
                edit.blobs.insert(hash, body);
                edit.nodes.push(record);
            }
            Some(old) if old.node == record => {}
            // The same body stored in another spelling (an import keeps
            // the file's key order): equal as JSON, nothing changed.
            Some(old)
                if old.node.blob_hash != record.blob_hash
                    && NodeRecord {
                        blob_hash: record.blob_hash.clone(),
                        ..old.node.clone()
                    } == record
                    && serde_json::from_str::<Map<String, Value>>(&old.body).is_ok_and(|b| b == node.body) => {}
            Some(old) => {
                if old.node.blob_hash != record.blob_hash || old.node.kind != record.kind {
                    edit.changes.push(ElementChange::of("updated", node));
                    if node.kind == NodeKind::Collection {
                        edit.name = Some(name_of(&node.body));
                    }
                } else if old.node.parent_uid != record.parent_uid {
                    edit.changes.push(ElementChange::of("moved", node));
                }
                edit.blobs.insert(hash, body);
                edit.nodes.push(record);
            }
        }
    }
    let removed: HashSet<String> = before.keys().cloned().collect();
    for (uid, old) in before {
        let parent_gone = old.node.parent_uid.as_ref().is_some_and(|p| removed.contains(p));
        if !parent_gone {
            edit.changes.push(ElementChange::of("deleted", &flat(old)?));
        }
        edit.removed.push(uid);
    }
    Ok(edit)
}

/// The outcome of a write, with the save nudge for Partner Workspaces.
pub(crate) fn saved(tx: &mut dyn Tx, access: &WorkspaceAccess, collection: CollectionRecord) -> Result<Saved> {
    let (post_update_suggested, element_changes) = suggestion(tx, access)?;
    Ok(Saved {
        collection,
        post_update_suggested,
        element_changes,
    })
}

/// The save nudge of a workspace (R-UPD-2): in a Partner Workspace, the
/// element changes of its collections and environments since its newest
/// update.
pub(crate) fn suggestion(tx: &mut dyn Tx, access: &WorkspaceAccess) -> Result<(bool, Vec<ElementChange>)> {
    let ws = &access.workspace;
    if ws.kind != WorkspaceKind::Partner {
        return Ok((false, Vec::new()));
    }
    let since = tx.last_update_at(ws.id)?.unwrap_or(0);
    let mut revisions: Vec<Noted> = tx
        .workspace_revisions_since(ws.id, since, 200)?
        .into_iter()
        .map(|r| Noted {
            at: (r.created_at, r.revision),
            collection: Some(r.collection_id.to_string()),
            changes: r.changes,
        })
        .collect();
    revisions.extend(
        tx.environment_revisions_since(ws.id, since, 200)?
            .into_iter()
            .map(|r| Noted {
                at: (r.created_at, r.revision),
                collection: None,
                changes: r.changes,
            }),
    );
    Ok((true, merge_changes(revisions)))
}

/// A revision's change list with when it was made and, for collections,
/// which one.
struct Noted {
    at: (Millis, i64),
    collection: Option<String>,
    changes: String,
}

/// The element changes of several revisions, one entry per element, newest
/// name and action first; an element created and deleted since drops out.
fn merge_changes(mut revisions: Vec<Noted>) -> Vec<ElementChange> {
    revisions.sort_by_key(|r| r.at);
    let mut order: Vec<(String, String)> = Vec::new();
    let mut by_element: BTreeMap<(String, String), ElementChange> = BTreeMap::new();
    for r in revisions {
        for mut change in RevisionNote::parse(&r.changes).changes {
            change.collection_id.clone_from(&r.collection);
            let key = (change.element_type.clone(), change.element_id.clone());
            match by_element.get(&key).map(|c| c.action.as_str()) {
                Some("created") if change.action == "deleted" => {
                    by_element.remove(&key);
                }
                Some("created") => {
                    change.action = "created".into();
                    by_element.insert(key, change);
                }
                Some(_) => {
                    by_element.insert(key, change);
                }
                None => {
                    order.push(key.clone());
                    by_element.insert(key, change);
                }
            }
        }
    }
    let mut out: Vec<ElementChange> = order.into_iter().filter_map(|k| by_element.remove(&k)).collect();
    out.reverse();
    out.truncate(MAX_SUGGESTED);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(n: i64, changes: &[(&str, &str)]) -> Noted {
        let note = RevisionNote {
            note: None,
            changes: changes
                .iter()
                .map(|(action, id)| ElementChange {
                    action: (*action).into(),
                    element_type: "request".into(),
                    element_id: (*id).into(),
                    name: format!("{id} at {n}"),
                    collection_id: None,
                })
                .collect(),
        };
        Noted {
            at: (n, n),
            collection: Some(CollectionId::generate().to_string()),
            changes: serde_json::to_string(&note).unwrap_or_default(),
        }
    }

    #[test]
    fn r_upd_2_the_nudge_lists_each_element_once_newest_first() {
        let list = merge_changes(vec![
            rev(1, &[("created", "a"), ("created", "b")]),
            rev(2, &[("updated", "a"), ("deleted", "b"), ("updated", "c")]),
        ]);
        let got: Vec<(&str, &str, &str)> = list
            .iter()
            .map(|c| (c.action.as_str(), c.element_id.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(got, [("updated", "c", "c at 2"), ("created", "a", "a at 2")]);
    }
}
