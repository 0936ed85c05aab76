//! Whole collections: import, list, read, replace, patch, delete.

use portico_domain::Error;
use portico_domain::collection::{self, FlatNode, NodeKind, NodeText};
use portico_domain::ids::{CollectionId, WorkspaceId};
use portico_domain::policy::Action;
use portico_store::CollectionRecord;
use serde_json::{Map, Value};

use super::{
    Edit, ElementChange, Saved, check_revision, collection_for, commit, edit_between, flat, name_of, saved, text,
    write_revision,
};
use crate::workspaces::{activity, listed_workspaces, workspace_for};
use crate::{App, Principal, Result, now};

/// A collection in a listing.
#[derive(Debug, Clone)]
pub struct CollectionSummary {
    pub record: CollectionRecord,
    /// How many forks it has, wherever they are.
    pub forks: usize,
}

/// What `PATCH /collections/{id}` may change: the info fields given are
/// merged into `info`; `variable`, `auth` and `event` are replaced.
#[derive(Debug, Clone, Default)]
pub struct CollectionPatch {
    pub info: Option<Map<String, Value>>,
    pub variable: Option<Value>,
    pub auth: Option<Value>,
    pub event: Option<Value>,
}

impl CollectionPatch {
    /// Reads the reference API's body `{"collection": {info, variable, auth,
    /// events}}`; any other field is refused.
    pub fn from_json(value: &Value) -> Result<Self> {
        let bad = |m: &str| Error::invalid("invalid_patch", m.to_owned());
        let body = value
            .get("collection")
            .and_then(Value::as_object)
            .ok_or_else(|| bad("Send {\"collection\": {…}} with info, variable, auth or events."))?;
        let mut patch = CollectionPatch::default();
        for (key, v) in body {
            match key.as_str() {
                "info" => {
                    let info = v.as_object().ok_or_else(|| bad("`info` must be an object."))?;
                    if info
                        .get("name")
                        .is_some_and(|n| n.as_str().is_none_or(|s| s.trim().is_empty()))
                    {
                        return Err(bad("`info.name` must be a non-empty string."));
                    }
                    patch.info = Some(info.clone());
                }
                "variable" | "variables" => {
                    if !v.is_array() {
                        return Err(bad("`variable` must be a list."));
                    }
                    patch.variable = Some(v.clone());
                }
                "auth" => {
                    if !(v.is_object() || v.is_null()) {
                        return Err(bad("`auth` must be an object or null."));
                    }
                    patch.auth = Some(v.clone());
                }
                "events" | "event" => {
                    if !v.is_array() {
                        return Err(bad("`events` must be a list."));
                    }
                    patch.event = Some(v.clone());
                }
                other => {
                    return Err(bad(&format!(
                        "`{other}` cannot be patched: use info, variable, auth or events."
                    )));
                }
            }
        }
        if patch.info.is_none() && patch.variable.is_none() && patch.auth.is_none() && patch.event.is_none() {
            return Err(bad("Send at least one of info, variable, auth or events."));
        }
        Ok(patch)
    }

    fn apply(self, body: &mut Map<String, Value>) {
        if let Some(info) = self.info {
            let target = body.entry("info").or_insert_with(|| Value::Object(Map::new()));
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(target) = target {
                target.extend(info);
            }
        }
        if let Some(v) = self.variable {
            body.insert("variable".into(), v);
        }
        match self.auth {
            Some(Value::Null) => {
                body.remove("auth");
            }
            Some(v) => {
                body.insert("auth".into(), v);
            }
            None => {}
        }
        if let Some(v) = self.event {
            body.insert("event".into(), v);
        }
    }
}

/// A collection as sent, in any supported format (R-COL-1).
#[derive(Debug, Clone)]
pub enum CollectionInput {
    /// Already parsed.
    Json(Value),
    /// The JSON text, parsed straight to the nodes to store: the way to
    /// import a large file (see `collection::import_nodes_slice`).
    Text(Vec<u8>),
}

impl CollectionInput {
    /// A file as uploaded: a collection (JSON), or an OpenAPI 3.0/3.1
    /// document in JSON or YAML, turned into a collection. JSON that is not
    /// OpenAPI stays text, for the streaming import of large files.
    pub fn upload(bytes: Vec<u8>) -> Result<Self> {
        use portico_domain::openapi;
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let json = matches!(bytes.get(start), Some(b'{' | b'['));
        if json {
            // Only a document that names an OpenAPI version is parsed here.
            let mentions = |word: &[u8]| bytes.windows(word.len()).any(|w| w == word);
            if !(mentions(b"\"openapi\"") || mentions(b"\"swagger\"")) {
                return Ok(CollectionInput::Text(bytes));
            }
            let value: Value = serde_json::from_slice(&bytes)
                .map_err(|e| Error::invalid("invalid_json", format!("The file is not valid JSON: {e}.")))?;
            if openapi::is_openapi(&value) {
                return Ok(CollectionInput::Json(openapi::to_collection(&value)?));
            }
            return Ok(CollectionInput::Json(value));
        }
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Error::invalid("invalid_openapi", "The file is neither JSON nor UTF-8 YAML."))?;
        let value = openapi::parse_yaml(text)?;
        if openapi::is_openapi(&value) {
            return Ok(CollectionInput::Json(openapi::to_collection(&value)?));
        }
        Err(Error::invalid(
            "invalid_collection",
            "The file is neither a collection (JSON) nor an OpenAPI document.",
        ))
    }
}

impl From<Value> for CollectionInput {
    fn from(value: Value) -> Self {
        CollectionInput::Json(value)
    }
}

/// Parses a collection sent in any supported format (R-COL-1) and lays it
/// out as nodes under `id`.
fn nodes_of(value: Value, id: CollectionId) -> Result<Vec<FlatNode>> {
    let parsed = collection::import_owned(value)?;
    collection::flatten_owned(parsed, &id.to_string())
}

/// Like [`nodes_of`], each body as its stored text.
fn node_texts(input: CollectionInput, id: CollectionId) -> Result<Vec<NodeText>> {
    match input {
        CollectionInput::Json(value) => Ok(nodes_of(value, id)?.iter().map(NodeText::of).collect()),
        CollectionInput::Text(bytes) => Ok(collection::import_nodes_slice(&bytes, &id.to_string())?),
    }
}

impl App {
    /// Imports a collection into a workspace (editors; R-COL-1).
    pub async fn create_collection(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        input: impl Into<CollectionInput>,
    ) -> Result<Saved> {
        let id = CollectionId::generate();
        let mut nodes = node_texts(input.into(), id)?.into_iter();
        let root = nodes.next().ok_or_else(Error::internal)?;
        let name = name_of(&root.clone().parse()?.body);
        let requests = nodes.as_slice().iter().filter(|n| n.kind == NodeKind::Request).count();
        let created = ElementChange::named("created", NodeKind::Collection, &root.uid, &name);
        let mut edit = Edit::default();
        edit.put_text(root);
        for node in nodes {
            edit.put_text(node);
        }
        edit.changes.push(created.clone());
        edit.note = Some(format!("Imported with {requests} requests"));
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws, Action::EditElements)?;
                let record = CollectionRecord {
                    id,
                    workspace_id: ws,
                    name,
                    revision: 1,
                    created_by: actor.user_id,
                    updated_by: actor.user_id,
                    created_at: at,
                    updated_at: at,
                };
                tx.insert_collection(&record)?;
                write_revision(tx, id, 1, actor.user_id, at, edit)?;
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "create",
                    ("collection", id.to_string(), record.name.clone()),
                    at,
                )?;
                let event = super::changed_event(&record, actor.user_id, &[created]);
                crate::integrations::emit(tx, &access, "collection_changed", event, at)?;
                saved(tx, &access, record)
            })
            .await
    }

    /// The collections of one workspace, or of every workspace the caller
    /// sees; `name` keeps only exact matches. An unknown workspace gives an
    /// empty list, as in the reference API.
    pub async fn list_collections(
        &self,
        who: &Principal,
        ws: Option<WorkspaceId>,
        name: Option<String>,
    ) -> Result<Vec<CollectionSummary>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let workspaces = listed_workspaces(tx, &actor, ws)?;
                let mut out = Vec::new();
                for w in workspaces {
                    for record in tx.collections_in(w)? {
                        if name.as_ref().is_none_or(|n| &record.name == n) {
                            let forks = tx.fork_count(record.id)?;
                            out.push(CollectionSummary { record, forks });
                        }
                    }
                }
                Ok(out)
            })
            .await
    }

    /// A collection in Collection Format v2.1 (JSON text), every element
    /// with its id so that it can be addressed later. `export` asks for the export right,
    /// which partner viewers lack (SPEC §3); reading needs only visibility.
    pub async fn collection(
        &self,
        who: &Principal,
        id: CollectionId,
        export: bool,
    ) -> Result<(CollectionRecord, String)> {
        if export {
            self.take_quota(crate::rate_limit::Quota::Exports, who, 1)?;
        }
        let actor = who.actor();
        let action = if export {
            Action::ExportElements
        } else {
            Action::ViewWorkspace
        };
        let (record, nodes) = self
            .store
            .read(move |tx| {
                let (c, _) = collection_for(tx, &actor, id, action)?;
                let nodes = tx.nodes_at(id, None)?;
                Ok::<_, Error>((c, nodes))
            })
            .await?;
        let nodes = nodes.into_iter().map(text).collect::<Result<Vec<_>>>()?;
        Ok((record, collection::export_text(&id.to_string(), &nodes, true)?))
    }

    /// A collection as an OpenAPI 3.1 document (an export: partner viewers
    /// lack the right).
    pub async fn collection_as_openapi(&self, who: &Principal, id: CollectionId) -> Result<(CollectionRecord, Value)> {
        let (record, text) = self.collection(who, id, true).await?;
        let value: Value = serde_json::from_str(&text).map_err(|_| Error::internal())?;
        Ok((record, portico_domain::openapi::from_collection(&value)))
    }

    /// Replaces a collection's contents (PUT). Elements whose ids match keep
    /// their identity and history; the others are created or deleted.
    pub async fn replace_collection(
        &self,
        who: &Principal,
        id: CollectionId,
        value: Value,
        expected: Option<i64>,
    ) -> Result<Saved> {
        let mut nodes = nodes_of(value, id)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                check_revision(&c, expected)?;
                let old = tx.nodes_at(id, None)?;
                // Items of a file without ids keep the identity they had
                // (matched by path and name), so that history, forks and
                // pulls see an edit rather than a deletion and an addition.
                let old_flat = old.iter().cloned().map(flat).collect::<Result<Vec<_>>>()?;
                collection::match_identities(&old_flat, &mut nodes);
                let edit = edit_between(old, &nodes)?;
                let head = commit(tx, &access, &c, actor.user_id, at, edit)?;
                saved(tx, &access, head)
            })
            .await
    }

    /// Changes the collection's info, variables, auth or scripts.
    pub async fn patch_collection(
        &self,
        who: &Principal,
        id: CollectionId,
        patch: CollectionPatch,
        expected: Option<i64>,
    ) -> Result<Saved> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                check_revision(&c, expected)?;
                let root = tx.current_node(id, &id.to_string())?.ok_or_else(Error::internal)?;
                let mut node = flat(root)?;
                let before = node.body.clone();
                patch.apply(&mut node.body);
                let mut edit = Edit::default();
                if node.body != before {
                    edit.put(&node);
                    edit.changes.push(ElementChange::of("updated", &node));
                    edit.name = Some(name_of(&node.body));
                }
                let head = commit(tx, &access, &c, actor.user_id, at, edit)?;
                saved(tx, &access, head)
            })
            .await
    }

    /// Deletes a collection with its history.
    pub async fn delete_collection(&self, who: &Principal, id: CollectionId) -> Result<CollectionRecord> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                for fork in tx.layered_on(id)? {
                    super::forks::detach(tx, fork)?;
                }
                tx.delete_collection(id)?;
                tx.delete_element_roles(super::ELEMENT, &id.to_string())?;
                let deleted = ElementChange {
                    action: "deleted".into(),
                    element_type: "collection".into(),
                    element_id: id.to_string(),
                    name: c.name.clone(),
                    collection_id: None,
                };
                let event = super::changed_event(&c, actor.user_id, &[deleted]);
                crate::integrations::emit(tx, &access, "collection_changed", event, at)?;
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "delete",
                    ("collection", id.to_string(), c.name.clone()),
                    at,
                )?;
                Ok(c)
            })
            .await
    }
}
