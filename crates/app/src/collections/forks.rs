//! Forks and pulls (R-FORK-1..3).
//!
//! A fork is a new collection whose tree is its parent's tree at one
//! revision (its layer) with the fork's own node rows laid over it: making
//! one copies nothing but the collection node, whatever the size of the
//! collection, and an unchanged fork stores no node of its own. A pull
//! merges the parent's changes since the fork's base revision into the fork
//! (a three-way merge) and lays the result over the parent's new head, so
//! that the fork again stores only what differs.

use std::collections::{HashMap, HashSet};

use portico_domain::Error;
use portico_domain::collection::{
    ChangeKind, Conflict, FlatNode, ItemChange, NodeKind, POSITION_STEP, Resolutions, three_way_owned,
};
use portico_domain::ids::{CollectionId, WorkspaceId};
use portico_domain::policy::{Action, authorize_fork};
use portico_store::{CollectionRecord, ForkRecord, HIDDEN_NODE, Layer, NodeRecord, Tx, WorkspaceAccess};

use super::{Edit, ElementChange, collection_for, flat, node_record, tree, write_revision};
use crate::workspaces::{activity, facts_of, of_another_partner_team, visible_workspaces};
use crate::{App, Principal, Result, now};

/// Longest fork label, in characters.
pub const MAX_FORK_LABEL: usize = 255;

/// A fork with its collection.
#[derive(Debug, Clone)]
pub struct ForkView {
    pub fork: ForkRecord,
    pub collection: CollectionRecord,
}

/// A list of forks, with how many more exist that the caller may not see.
#[derive(Debug, Clone)]
pub struct ForkList {
    pub forks: Vec<ForkView>,
    pub hidden: usize,
}

/// What a pull did, or why it did nothing.
#[derive(Debug, Clone)]
pub struct PullOutcome {
    pub fork: CollectionRecord,
    pub parent_id: CollectionId,
    /// Conflicts left without a resolution: nothing was written.
    pub conflicts: Vec<Conflict>,
    /// What the pull changed in the fork.
    pub changes: Vec<ItemChange>,
}

impl App {
    /// Forks a collection into a workspace (R-FORK-1).
    pub async fn fork_collection(
        &self,
        who: &Principal,
        id: CollectionId,
        ws: WorkspaceId,
        label: &str,
    ) -> Result<(CollectionRecord, ForkRecord)> {
        let (c, f, _) = self.fork_collection_with(who, id, ws, label, Vec::new()).await?;
        Ok((c, f))
    }

    /// Forks a collection and, in the same transaction, environments along
    /// with it into the same workspace, under the same label; if any of them
    /// may not be forked, nothing is.
    pub async fn fork_collection_with(
        &self,
        who: &Principal,
        id: CollectionId,
        ws: WorkspaceId,
        label: &str,
        environments: Vec<portico_domain::ids::EnvironmentId>,
    ) -> Result<(CollectionRecord, ForkRecord, Vec<portico_store::EnvironmentRecord>)> {
        let label = fork_label(label)?;
        self.take_quota(crate::rate_limit::Quota::Forks, who, 1)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (source, source_access) = collection_for(tx, &actor, id, Action::Fork)?;
                let dest_access = tx
                    .workspace_access(ws, actor.user_id)?
                    .ok_or_else(|| Error::not_found("workspace"))?;
                authorize_fork(&actor, &facts_of(&source_access), &facts_of(&dest_access))?;
                let fork_id = CollectionId::generate();
                let record = CollectionRecord {
                    id: fork_id,
                    workspace_id: ws,
                    name: source.name.clone(),
                    revision: 1,
                    created_by: actor.user_id,
                    updated_by: actor.user_id,
                    created_at: at,
                    updated_at: at,
                };
                tx.insert_collection(&record)?;
                let root = tx.current_node(id, &id.to_string())?.ok_or_else(Error::internal)?;
                // A fork of a fork reads through the same layer, with a copy
                // of the changes its source made.
                let layer = layer_under(tx, &source)?;
                let own = if layer.layer_id == id {
                    Vec::new()
                } else {
                    tx.own_nodes(id)?
                };
                let (sid, fid) = (id.to_string(), fork_id.to_string());
                let mut nodes = vec![NodeRecord {
                    uid: fid.clone(),
                    parent_uid: None,
                    ..root.node
                }];
                nodes.extend(
                    own.into_iter()
                        .filter(|n| n.parent_uid.is_some() || n.kind == HIDDEN_NODE)
                        .map(|mut n| {
                            if n.parent_uid.as_deref() == Some(sid.as_str()) {
                                n.parent_uid = Some(fid.clone());
                            }
                            n
                        }),
                );
                tx.set_layer(fork_id, 1, Some(layer))?;
                let mut edit = Edit {
                    nodes,
                    note: Some(format!(
                        "Forked from \u{201c}{}\u{201d} as \u{201c}{label}\u{201d}",
                        source.name
                    )),
                    ..Edit::default()
                };
                edit.changes.push(ElementChange::named(
                    "created",
                    NodeKind::Collection,
                    &fid,
                    &source.name,
                ));
                write_revision(tx, fork_id, 1, actor.user_id, at, edit)?;
                let fork = ForkRecord {
                    collection_id: fork_id,
                    parent_id: id,
                    label,
                    base_revision: source.revision,
                    created_by: actor.user_id,
                    created_at: at,
                };
                tx.insert_fork(&fork)?;
                activity(
                    tx,
                    &dest_access,
                    actor.user_id,
                    "fork",
                    ("collection", fid, record.name.clone()),
                    at,
                )?;
                let mut envs = Vec::new();
                for env in environments {
                    let (saved, _) =
                        crate::environment_forks::fork_environment_in(tx, &actor, env, ws, fork.label.clone(), at)?;
                    envs.push(saved.record);
                }
                Ok((record, fork, envs))
            })
            .await
    }

    /// The forks of a collection the caller sees (R-FORK-2), filtered for
    /// multi-partner mode (R-MULTI-3).
    pub async fn collection_forks(&self, who: &Principal, id: CollectionId) -> Result<ForkList> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (_, access) = collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                let forks = tx.forks_of(id)?;
                let mut list = visible_forks(tx, &actor, forks)?;
                let mut kept = Vec::new();
                for f in std::mem::take(&mut list.forks) {
                    if of_another_partner_team(tx, &access, f.fork.created_by)? {
                        list.hidden += 1;
                    } else {
                        kept.push(f);
                    }
                }
                list.forks = kept;
                Ok(list)
            })
            .await
    }

    /// The forks the caller made.
    pub async fn my_collection_forks(&self, who: &Principal) -> Result<ForkList> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let forks = tx.forks_by(actor.user_id)?;
                visible_forks(tx, &actor, forks)
            })
            .await
    }

    /// Whether the fork's parent has changed since the fork was made or
    /// last pulled (R-FORK-2), with the fork record.
    pub async fn source_status(&self, who: &Principal, id: CollectionId) -> Result<(ForkRecord, bool)> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                let fork = tx.fork_of(id)?.ok_or_else(not_a_fork)?;
                let parent = tx.collection(fork.parent_id)?;
                let ahead = parent.is_some_and(|p| p.revision > fork.base_revision);
                Ok((fork, ahead))
            })
            .await
    }

    /// Pulls the parent's changes into a fork (R-FORK-3): a three-way merge
    /// against the fork's base revision. With conflicts left unresolved,
    /// nothing is written and they come back in the outcome.
    pub async fn pull_collection(
        &self,
        who: &Principal,
        id: CollectionId,
        resolutions: Resolutions,
        expected: Option<i64>,
    ) -> Result<PullOutcome> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (fork_c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                super::check_revision(&fork_c, expected)?;
                let fork = tx.fork_of(id)?.ok_or_else(not_a_fork)?;
                let (parent, _) = collection_for(tx, &actor, fork.parent_id, Action::ViewWorkspace)
                    .map_err(|_| Error::not_found("source collection"))?;
                let mut outcome = PullOutcome {
                    fork: fork_c.clone(),
                    parent_id: parent.id,
                    conflicts: Vec::new(),
                    changes: Vec::new(),
                };
                if parent.revision == fork.base_revision {
                    return Ok(outcome);
                }
                let base = tree(tx, parent.id, Some(fork.base_revision))?;
                let source = tree(tx, parent.id, None)?;
                let destination = tree(tx, id, None)?;
                let merged = three_way_owned(&base, &source, destination, &resolutions);
                if !merged.conflicts.is_empty() {
                    outcome.conflicts = merged.conflicts;
                    return Ok(outcome);
                }
                let note = "Pulled changes from the source collection";
                let head = lay_over(
                    tx,
                    &fork_c,
                    &parent,
                    source,
                    merged.nodes,
                    &merged.summary,
                    note,
                    actor.user_id,
                    at,
                )?;
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "pull",
                    ("collection", id.to_string(), head.name.clone()),
                    at,
                )?;
                outcome.fork = head;
                outcome.changes = merged.summary;
                Ok(outcome)
            })
            .await
    }
}

/// Makes a collection stand alone before the collection it reads through
/// is deleted: at every revision, what it read through its layer becomes its
/// own rows, so that its whole history (and the base of forks of it) stays
/// as it was.
pub(crate) fn detach(tx: &mut dyn Tx, id: CollectionId) -> Result<()> {
    let Some(c) = tx.collection(id)? else { return Ok(()) };
    let layers = tx.layers(id)?;
    if layers.iter().all(|(_, l)| l.is_none()) {
        return Ok(());
    }
    let history = tx.node_history(id)?;
    let mut own: HashMap<&str, Vec<(i64, Option<i64>)>> = HashMap::new();
    for (n, from, to) in &history {
        own.entry(n.uid.as_str()).or_default().push((*from, *to));
    }
    let cid = id.to_string();
    let mut rows = Vec::new();
    for (i, (from, layer)) in layers.iter().enumerate() {
        let Some(layer) = layer else { continue };
        // The range of the collection's revisions this layer applies to.
        let until = layers.get(i + 1).map(|(next, _)| *next);
        let until = until.map_or(c.revision + 1, |u| u.min(c.revision + 1));
        if *from >= until {
            continue;
        }
        let lid = layer.layer_id.to_string();
        for n in tx.nodes_at(layer.layer_id, Some(layer.layer_rev))? {
            let mut node = n.node;
            if node.parent_uid.is_none() {
                continue;
            }
            if node.parent_uid.as_deref() == Some(lid.as_str()) {
                node.parent_uid = Some(cid.clone());
            }
            // The revisions of the range where no own row covers the node.
            let mut covered: Vec<(i64, i64)> = own
                .get(node.uid.as_str())
                .into_iter()
                .flatten()
                .map(|&(f, t)| (f.max(*from), t.unwrap_or(i64::MAX).min(until)))
                .filter(|(f, t)| f < t)
                .collect();
            covered.sort_unstable();
            let mut at = *from;
            for (f, t) in covered.into_iter().chain([(until, until)]) {
                if f > at {
                    let to = if f > c.revision { None } else { Some(f) };
                    rows.push((node.clone(), at, to));
                }
                at = at.max(t);
            }
        }
    }
    tx.insert_node_versions(id, &rows)?;
    tx.clear_layers(id)?;
    Ok(())
}

/// How a merge treats the fork afterwards (R-FORK-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeStrategy {
    /// The fork stays as it is.
    Default,
    /// The fork is then brought level with the merged parent.
    UpdateSourceWithDestination,
    /// The fork is deleted once merged.
    DeleteSource,
}

impl MergeStrategy {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "default" => Ok(MergeStrategy::Default),
            "updateSourceWithDestination" => Ok(MergeStrategy::UpdateSourceWithDestination),
            "deleteSource" => Ok(MergeStrategy::DeleteSource),
            _ => Err(Error::invalid(
                "invalid_strategy",
                "The strategy is `default`, `updateSourceWithDestination` or `deleteSource`.",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MergeStrategy::Default => "default",
            MergeStrategy::UpdateSourceWithDestination => "updateSourceWithDestination",
            MergeStrategy::DeleteSource => "deleteSource",
        }
    }
}

/// A merge that did not happen because the parent changed the same things
/// differently since the fork's base.
#[derive(Debug, Clone)]
pub struct MergeBlocked {
    pub conflicts: Vec<Conflict>,
}

/// Merges a fork into its parent inside a transaction: the fork's changes
/// since its base revision applied to the parent's head by a three-way
/// merge. The caller checked the rights. Conflicts write nothing.
pub(crate) fn merge_into_parent(
    tx: &mut dyn Tx,
    fork_c: &CollectionRecord,
    fork: &ForkRecord,
    parent: &CollectionRecord,
    parent_access: &WorkspaceAccess,
    author: portico_domain::ids::UserId,
    at: portico_store::Millis,
) -> Result<std::result::Result<CollectionRecord, MergeBlocked>> {
    let base = tree(tx, parent.id, Some(fork.base_revision))?;
    let theirs = tree(tx, fork_c.id, None)?;
    let current = tx.nodes_at(parent.id, None)?;
    let ours = current.iter().cloned().map(flat).collect::<Result<Vec<_>>>()?;
    let merged = three_way_owned(&base, &theirs, ours, &Resolutions::new());
    if !merged.conflicts.is_empty() {
        return Ok(Err(MergeBlocked {
            conflicts: merged.conflicts,
        }));
    }
    let mut edit = super::edit_between(current, &merged.nodes)?;
    edit.note = Some(format!("Merged the fork \u{201c}{}\u{201d}", fork.label));
    Ok(Ok(super::commit(tx, parent_access, parent, author, at, edit)?))
}

/// Brings a fork level with its parent's head: the fork then reads the
/// parent's tree with nothing of its own.
pub(crate) fn level_with_parent(
    tx: &mut dyn Tx,
    fork_c: &CollectionRecord,
    parent: &CollectionRecord,
    author: portico_domain::ids::UserId,
    at: portico_store::Millis,
) -> Result<CollectionRecord> {
    let parent_tree = tree(tx, parent.id, None)?;
    let mine = tree(tx, fork_c.id, None)?;
    // The parent's tree under the fork's own collection node.
    let (pid, fid) = (parent.id.to_string(), fork_c.id.to_string());
    let merged: Vec<FlatNode> = parent_tree
        .iter()
        .cloned()
        .map(|mut n| {
            if n.parent.is_none() {
                n.uid.clone_from(&fid);
            } else if n.parent.as_deref() == Some(pid.as_str()) {
                n.parent = Some(fid.clone());
            }
            n
        })
        .collect();
    let summary = portico_domain::collection::changes(&mine, &merged);
    let note = "Updated with the collection it was merged into";
    lay_over(tx, fork_c, parent, parent_tree, merged, &summary, note, author, at)
}

/// What a fork reads through when it follows `parent`'s head: the
/// parent's own layer if it has one (layers never nest), else the parent.
fn layer_under(tx: &mut dyn Tx, parent: &CollectionRecord) -> Result<Layer> {
    Ok(tx.layer_at(parent.id, None)?.unwrap_or(Layer {
        layer_id: parent.id,
        layer_rev: parent.revision,
    }))
}

/// Writes `merged` as the fork's next revision, laid over `parent`'s head
/// (`parent_tree`), and records that head as the fork's new base.
#[allow(clippy::too_many_arguments)]
fn lay_over(
    tx: &mut dyn Tx,
    fork_c: &CollectionRecord,
    parent: &CollectionRecord,
    parent_tree: Vec<FlatNode>,
    merged: Vec<FlatNode>,
    summary: &[ItemChange],
    note: &str,
    author: portico_domain::ids::UserId,
    at: portico_store::Millis,
) -> Result<CollectionRecord> {
    let layer = layer_under(tx, parent)?;
    let below = if layer.layer_id == parent.id {
        parent_tree
    } else {
        tree(tx, layer.layer_id, Some(layer.layer_rev))?
    };
    let mut edit = rebase(tx, fork_c, merged, &below, &layer, summary)?;
    edit.note = Some(note.to_owned());
    let mut head = fork_c.clone();
    head.revision += 1;
    head.updated_by = author;
    head.updated_at = at;
    if let Some(name) = &edit.name {
        head.name.clone_from(name);
    }
    if !tx.advance_collection_head(&head, fork_c.revision)? {
        return Err(super::stale(fork_c, fork_c.revision));
    }
    tx.set_layer(fork_c.id, head.revision, Some(layer))?;
    write_revision(tx, fork_c.id, head.revision, author, at, edit)?;
    tx.set_fork_base(fork_c.id, parent.revision)?;
    Ok(head)
}

impl App {
    /// Merges a fork into its parent (R-FORK-4), recorded as a task. Needs
    /// editor rights on the parent, and on the fork for the strategies that
    /// change it. A merge blocked by conflicts is a failed task: pull into
    /// the fork first and resolve them there.
    pub async fn merge_fork(
        &self,
        who: &Principal,
        source: CollectionId,
        destination: CollectionId,
        strategy: MergeStrategy,
    ) -> Result<portico_store::MergeTaskRecord> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let fork_action = match strategy {
                    MergeStrategy::Default => Action::ViewWorkspace,
                    _ => Action::EditElements,
                };
                let (fork_c, _) = collection_for(tx, &actor, source, fork_action)?;
                let fork = tx
                    .fork_of(source)?
                    .filter(|f| f.parent_id == destination)
                    .ok_or_else(|| {
                        Error::invalid("not_a_fork", "The source is not a fork of the destination collection.")
                    })?;
                let (parent, parent_access) = collection_for(tx, &actor, destination, Action::MergeIntoElement)?;
                let mut task = portico_store::MergeTaskRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    user_id: actor.user_id,
                    source_id: source,
                    destination_id: destination,
                    strategy: strategy.as_str().to_owned(),
                    status: "successful".to_owned(),
                    error: None,
                    created_at: at,
                };
                match merge_into_parent(tx, &fork_c, &fork, &parent, &parent_access, actor.user_id, at)? {
                    Err(blocked) => {
                        task.status = "failed".to_owned();
                        task.error = Some(format!(
                            "The collection changed {} field(s) differently since the fork was last in sync; \
                             pull into the fork, resolve the conflicts there, then merge again.",
                            blocked.conflicts.len()
                        ));
                    }
                    Ok(head) => {
                        activity(
                            tx,
                            &parent_access,
                            actor.user_id,
                            "merge",
                            ("collection", destination.to_string(), head.name.clone()),
                            at,
                        )?;
                        match strategy {
                            MergeStrategy::Default => {}
                            MergeStrategy::UpdateSourceWithDestination => {
                                level_with_parent(tx, &fork_c, &head, actor.user_id, at)?;
                            }
                            MergeStrategy::DeleteSource => {
                                for dependent in tx.layered_on(source)? {
                                    detach(tx, dependent)?;
                                }
                                tx.delete_collection(source)?;
                                tx.delete_element_roles(super::ELEMENT, &source.to_string())?;
                            }
                        }
                    }
                }
                tx.insert_merge_task(&task)?;
                Ok(task)
            })
            .await
    }

    /// A merge task of the caller's.
    pub async fn merge_task(&self, who: &Principal, id: String) -> Result<portico_store::MergeTaskRecord> {
        let user = who.actor().user_id;
        self.store
            .read(move |tx| {
                tx.merge_task(&id)?
                    .filter(|t| t.user_id == user)
                    .ok_or_else(|| Error::not_found("task"))
            })
            .await
    }
}

/// A fork's label, trimmed: 1 to [`MAX_FORK_LABEL`] characters.
pub(crate) fn fork_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > MAX_FORK_LABEL {
        return Err(Error::invalid(
            "invalid_fork_label",
            format!("A fork needs a label of 1 to {MAX_FORK_LABEL} characters."),
        ));
    }
    Ok(label.to_owned())
}

pub(super) fn not_a_fork() -> Error {
    Error::invalid("not_a_fork", "This collection is not a fork.")
}

/// The forks whose collections the caller may see, and how many others.
fn visible_forks(tx: &mut dyn Tx, actor: &portico_domain::policy::Actor, forks: Vec<ForkRecord>) -> Result<ForkList> {
    let seen: HashSet<WorkspaceId> = visible_workspaces(tx, actor)?
        .into_iter()
        .map(|a| a.workspace.id)
        .collect();
    let mut list = ForkList {
        forks: Vec::new(),
        hidden: 0,
    };
    for fork in forks {
        match tx.collection(fork.collection_id)? {
            Some(c) if seen.contains(&c.workspace_id) => list.forks.push(ForkView { fork, collection: c }),
            Some(_) => list.hidden += 1,
            None => {}
        }
    }
    Ok(list)
}

/// The edit that makes the fork's tree `merged` when laid over `below`
/// (the tree of `layer`): the fork keeps own rows only for what differs,
/// and hides what `merged` dropped. Every current own row is closed.
fn rebase(
    tx: &mut dyn Tx,
    fork: &CollectionRecord,
    merged: Vec<FlatNode>,
    below: &[FlatNode],
    layer: &Layer,
    summary: &[ItemChange],
) -> Result<Edit> {
    let fid = fork.id.to_string();
    let lid = layer.layer_id.to_string();
    let below_by_uid: HashMap<&str, &FlatNode> = below
        .iter()
        .filter(|n| n.parent.is_some())
        .map(|n| (n.uid.as_str(), n))
        .collect();
    let merged = keep_layer_positions(merged, &below_by_uid, &fid, &lid);
    let mut edit = Edit {
        rebased: true,
        ..Edit::default()
    };
    // Every own row goes; what must differ from the layer comes back.
    edit.removed = tx.own_nodes(fork.id)?.into_iter().map(|n| n.uid).collect();
    let mut kept: HashSet<&str> = HashSet::new();
    for node in &merged {
        kept.insert(node.uid.as_str());
        let same = node.parent.is_some()
            && below_by_uid.get(node.uid.as_str()).is_some_and(|b| {
                let parent = if b.parent.as_deref() == Some(lid.as_str()) {
                    Some(fid.as_str())
                } else {
                    b.parent.as_deref()
                };
                parent == node.parent.as_deref()
                    && b.position == node.position
                    && b.kind == node.kind
                    && b.body == node.body
            });
        if !same {
            let (record, hash, body) = node_record(node);
            edit.blobs.insert(hash, body);
            edit.nodes.push(record);
        }
        if node.parent.is_none() {
            edit.name = Some(super::name_of(&node.body));
        }
    }
    for uid in below_by_uid.keys() {
        if !kept.contains(uid) {
            edit.nodes.push(NodeRecord {
                uid: (*uid).to_owned(),
                parent_uid: None,
                position: 0,
                kind: HIDDEN_NODE.to_owned(),
                blob_hash: HIDDEN_NODE.to_owned(),
            });
        }
    }
    edit.changes = summary
        .iter()
        .map(|c| {
            let action = match c.change {
                ChangeKind::Addition => "created",
                ChangeKind::Deletion => "deleted",
                ChangeKind::Modification if c.fields.is_empty() => "moved",
                ChangeKind::Modification => "updated",
            };
            ElementChange::named(action, c.kind, &c.uid, c.name.as_deref().unwrap_or_default())
        })
        .collect();
    Ok(edit)
}

/// Gives merged nodes the positions they have in the layer wherever the
/// order allows, so that a node the merge only renumbered needs no own row.
fn keep_layer_positions(
    mut merged: Vec<FlatNode>,
    below: &HashMap<&str, &FlatNode>,
    fork: &str,
    layer: &str,
) -> Vec<FlatNode> {
    let mut siblings: HashMap<Option<String>, Vec<usize>> = HashMap::new();
    for (i, n) in merged.iter().enumerate() {
        siblings.entry(n.parent.clone()).or_default().push(i);
    }
    for (parent, mut kids) in siblings {
        let Some(parent) = parent else { continue };
        kids.sort_by_key(|&i| merged[i].position);
        // Positions in the layer, for children that sit under the same
        // parent there; anchors are those that keep increasing.
        let layer_pos: Vec<Option<i64>> = kids
            .iter()
            .map(|&i| {
                let b = below.get(merged[i].uid.as_str())?;
                let bp = b.parent.as_deref().map(|p| if p == layer { fork } else { p });
                (bp == Some(parent.as_str())).then_some(b.position)
            })
            .collect();
        let mut anchors = vec![None; kids.len()];
        let mut last = i64::MIN;
        for (k, p) in layer_pos.iter().enumerate() {
            if let Some(p) = *p
                && p > last
            {
                anchors[k] = Some(p);
                last = p;
            }
        }
        // Between two anchors, the others share the gap evenly; with no room,
        // keep the merge's own fresh numbering for this parent.
        let mut positions = Vec::with_capacity(kids.len());
        let mut k = 0;
        let mut prev = 0i64;
        let mut fits = true;
        while k < kids.len() {
            if let Some(p) = anchors[k] {
                positions.push(p);
                prev = p;
                k += 1;
                continue;
            }
            let start = k;
            while k < kids.len() && anchors[k].is_none() {
                k += 1;
            }
            let span = POSITION_STEP * (k - start + 1) as i64;
            let next = anchors.get(k).copied().flatten().unwrap_or(prev + span);
            if start == 0 {
                prev = next - span;
            }
            let gap = (next - prev) / (k - start + 1) as i64;
            if gap < 1 {
                fits = false;
                break;
            }
            for j in 0..(k - start) {
                positions.push(prev + gap * (j as i64 + 1));
            }
        }
        if fits {
            for (&i, p) in kids.iter().zip(positions) {
                merged[i].position = p;
            }
        }
    }
    merged
}
