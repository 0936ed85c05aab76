//! Merging stored collection trees: the three-way merge of a pull
//! (R-FORK-3), the per-item diff of pull requests and previews (R-PR-1), and
//! the matching of re-imported items onto the identities they had, so that a
//! publisher's re-import of the next version of an API merges item by item.
//!
//! Everything works on [`FlatNode`]s matched by uid. The collection node of a
//! tree (its first node without a parent) is matched with the other trees'
//! collection node whatever its uid, since a fork's collection has its own
//! id; the merged collection node keeps the destination's uid, and locations
//! shown in conflicts name it by that uid.
//!
//! # How a pull merges
//!
//! Source is the parent collection (the changes pulled in), destination the
//! fork being updated, base the parent revision the fork was last in sync
//! with.
//!
//! - **Fields.** An item's body is merged per top-level key (`name`,
//!   `description`, `auth`, …). Inside `request`, when it is an object on both
//!   sides (and in the base, if the base has it), per key of `request`
//!   (`request.method`, `request.url`, `request.header`, `request.body`,
//!   `request.auth`, …, each key as a whole). `event`, when every side that
//!   has it holds an array of objects with distinct `listen` strings, is
//!   merged per kind of script (`event.test`, `event.prerequest`), so a new
//!   test on one side and a new pre-request script on the other both apply;
//!   otherwise it is one field. A field changed on one side takes that side's
//!   value; changed identically on both it is taken; changed differently it is
//!   a conflict.
//! - **Location.** The parent is merged like a field, with the path
//!   `location`: moved on one side only → that move; moved to the same parent
//!   on both → that parent; moved to different parents on both → a conflict.
//!   Moves on both sides that would put items inside each other (a cycle) are
//!   conflicts on the location of the items involved.
//! - **Existence.** Added on one side → added, with its subtree. Deleted on
//!   one side and unchanged on the other → deleted. Deleted on one side while
//!   the other side changed it — its body or its parent, anything in its
//!   subtree, an item added or moved into it — is a conflict on its existence
//!   (the empty path), reported once, on the topmost such item, with the
//!   uids of what the keeping side changed in it in `changed_inside`.
//!   Resolving it with the deleting side deletes it and everything inside it
//!   that only the keeping side has; resolving it with the keeping side keeps
//!   it with the changed parts of its subtree (the parts that were not
//!   changed stay deleted, as the deleting side wants).
//! - **No orphans.** An item both sides keep is never dropped: when the
//!   parent chosen for it is gone (after a resolution), it goes to the other
//!   side's parent, the base parent, or the nearest kept ancestor, in that
//!   order. An item only one side has is kept only with its parent.
//! - **Order.** The children of each merged parent get fresh positions
//!   ([`position_at`]). Siblings that kept their place on both sides (their
//!   parent and a longest run of their base order, per side) are anchors, in
//!   base order. Every other child is placed by the side that decided its
//!   location, right after the item that precedes it on that side (an anchor
//!   or another item that side placed). When both sides placed items after the
//!   same anchor, the two runs are ordered by the uid of their first item, so
//!   that the result does not depend on which side is which. An item both
//!   sides moved within the same parent takes the destination's place.
//! - **Conflicts** carry the three values; `nodes` holds the destination's
//!   value for every unresolved one (the preview of a pull), and callers
//!   refuse to write while [`MergeOutcome::conflicts`] is not empty.
//!   Resolutions whose key matches no conflict are ignored. (An item that is
//!   a folder on one side and a request on the other conflicts on `kind`.)

use std::collections::{HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::tree::{FieldChange, FlatNode, NodeKind, diff, position_at};

/// Index of an item in the union of the trees of one operation.
type Id = u32;

const NONE: Id = Id::MAX;
/// The collection node, in every tree.
const ROOT: Id = 0;

/// Which side of a merge wins a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Source,
    Destination,
}

/// What a conflict is about: an item and a field path (`request.method`,
/// `name`, `event.test`, `location`, or the empty path for the item's
/// existence).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConflictKey {
    pub uid: String,
    pub path: String,
}

/// The caller's choices for conflicts, by [`ConflictKey`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolutions {
    by_uid: HashMap<String, HashMap<String, Side>>,
}

impl Resolutions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the side for a conflict; returns the previous choice.
    pub fn insert(&mut self, uid: impl Into<String>, path: impl Into<String>, side: Side) -> Option<Side> {
        self.by_uid.entry(uid.into()).or_default().insert(path.into(), side)
    }

    pub fn get(&self, uid: &str, path: &str) -> Option<Side> {
        self.by_uid.get(uid)?.get(path).copied()
    }

    pub fn len(&self) -> usize {
        self.by_uid.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every choice, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (ConflictKey, Side)> + '_ {
        self.by_uid.iter().flat_map(|(uid, paths)| {
            paths.iter().map(|(path, side)| {
                (
                    ConflictKey {
                        uid: uid.clone(),
                        path: path.clone(),
                    },
                    *side,
                )
            })
        })
    }
}

impl FromIterator<(ConflictKey, Side)> for Resolutions {
    fn from_iter<I: IntoIterator<Item = (ConflictKey, Side)>>(iter: I) -> Self {
        let mut out = Self::new();
        out.extend(iter);
        out
    }
}

impl Extend<(ConflictKey, Side)> for Resolutions {
    fn extend<I: IntoIterator<Item = (ConflictKey, Side)>>(&mut self, iter: I) {
        for (key, side) in iter {
            self.insert(key.uid, key.path, side);
        }
    }
}

fn kind_name<S: Serializer>(kind: &NodeKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.as_str())
}

/// A field, a location or an existence that the two sides changed
/// differently. Values are `None` where a side has no such field (or no such
/// item); a location is `{"parent": uid, "index": i}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub uid: String,
    #[serde(serialize_with = "kind_name")]
    pub kind: NodeKind,
    /// The item's name (the destination's, else the source's, else the base's).
    pub name: Option<String>,
    /// `request.method`, `name`, `event.test`, `location`, or empty (the
    /// item's existence).
    pub path: String,
    pub base: Option<Value>,
    pub source: Option<Value>,
    pub destination: Option<Value>,
    /// For an existence conflict: the uids of the items in its subtree that
    /// the side keeping it changed, added or moved in (itself included when
    /// its own body or parent changed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed_inside: Vec<String>,
    /// The side chosen by the [`Resolutions`]; `None` while unresolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Side>,
}

impl Conflict {
    pub fn key(&self) -> ConflictKey {
        ConflictKey {
            uid: self.uid.clone(),
            path: self.path.clone(),
        }
    }
}

/// What happened to an item between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Addition,
    Deletion,
    Modification,
}

/// Where an item sits: its parent's uid and its index among its siblings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    pub parent: Option<String>,
    pub index: usize,
}

/// A change of location: `from` is `None` for an addition, `to` for a
/// deletion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationChange {
    pub from: Option<Location>,
    pub to: Option<Location>,
}

/// One item's change between two trees (R-PR-1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemChange {
    pub change: ChangeKind,
    pub uid: String,
    #[serde(serialize_with = "kind_name")]
    pub kind: NodeKind,
    pub name: Option<String>,
    /// The fields that differ ([`diff`]): every top-level field for an
    /// addition or a deletion.
    pub fields: Vec<FieldChange>,
    /// For a modification, only when the item moved: to another parent, or
    /// within its parent otherwise than by its siblings coming and going.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<LocationChange>,
}

/// The result of [`three_way`].
#[derive(Debug, Clone, PartialEq)]
pub struct MergeOutcome {
    /// The merged tree, collection node first, parents before children,
    /// siblings freshly numbered. Unresolved conflicts hold the destination's
    /// value.
    pub nodes: Vec<FlatNode>,
    /// Conflicts without a resolution: while any remain, nothing is written.
    pub conflicts: Vec<Conflict>,
    /// Conflicts the [`Resolutions`] settled, with the side chosen.
    pub resolved: Vec<Conflict>,
    /// What the merge changes in the destination, item by item.
    pub summary: Vec<ItemChange>,
}

impl MergeOutcome {
    /// True when no conflict is left unresolved.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Indexing

/// The collection node of a tree: its first parentless collection node, or
/// else its first parentless node.
fn root_of(nodes: &[FlatNode]) -> Option<usize> {
    nodes
        .iter()
        .position(|n| n.parent.is_none() && n.kind == NodeKind::Collection)
        .or_else(|| nodes.iter().position(|n| n.parent.is_none()))
}

/// The uids of the items of several trees, as dense ids; the collection nodes
/// are all [`ROOT`].
struct Ids<'a> {
    map: HashMap<&'a str, Id>,
    uids: Vec<&'a str>,
}

impl<'a> Ids<'a> {
    fn with_capacity(n: usize) -> Self {
        let mut uids = Vec::with_capacity(n + 1);
        uids.push("");
        Self {
            map: HashMap::with_capacity(n),
            uids,
        }
    }

    /// Interns the uids of a tree; returns each node's id ([`ROOT`] for its
    /// collection node). `guide`, a tree added before with its ids, saves
    /// hashing the uids that come in the same order as there (the common
    /// case: versions of one collection).
    fn add(&mut self, nodes: &'a [FlatNode], guide: Option<(&[FlatNode], &[Id])>) -> Vec<Id> {
        let root = root_of(nodes);
        let mut out = Vec::with_capacity(nodes.len());
        // Where each id sits in the guide, to follow it again after a miss.
        let mut guide_at = Vec::new();
        if let Some((_, ids)) = guide {
            guide_at = vec![NONE; self.len()];
            for (i, &id) in ids.iter().enumerate() {
                if id != ROOT && (id as usize) < guide_at.len() {
                    guide_at[id as usize] = i as u32;
                }
            }
        }
        let mut cursor = 0;
        for (i, node) in nodes.iter().enumerate() {
            if Some(i) == root {
                out.push(ROOT);
                continue;
            }
            if let Some((guide_nodes, guide_ids)) = guide
                && cursor < guide_nodes.len()
                && guide_ids[cursor] != ROOT
                && guide_nodes[cursor].uid == node.uid
            {
                out.push(guide_ids[cursor]);
                cursor += 1;
                continue;
            }
            let next = self.uids.len() as Id;
            let id = *self.map.entry(node.uid.as_str()).or_insert(next);
            if id == next {
                self.uids.push(node.uid.as_str());
            }
            if let Some(&at) = guide_at.get(id as usize)
                && at != NONE
            {
                cursor = at as usize + 1;
            }
            out.push(id);
        }
        out
    }

    fn get(&self, uid: &str) -> Option<Id> {
        self.map.get(uid).copied()
    }

    fn len(&self) -> usize {
        self.uids.len()
    }
}

/// One tree over the ids of an [`Ids`]: only the nodes reachable from its
/// collection node count (as for [`super::assemble`]), the first of several
/// nodes with one uid wins.
struct Tree<'a> {
    nodes: &'a [FlatNode],
    root: Option<usize>,
    /// Id → index in `nodes`, `NONE` when the tree does not hold it.
    at: Vec<u32>,
    parent: Vec<Id>,
    /// Id → index among its siblings.
    index: Vec<u32>,
    /// Id → rank in `order`.
    pre: Vec<u32>,
    /// Every id the tree holds, depth first, the collection first.
    order: Vec<Id>,
    /// The children of `p` are `kids[kid_start[p]..kid_start[p + 1]]`, in
    /// sibling order.
    kid_start: Vec<u32>,
    kids: Vec<Id>,
}

impl<'a> Tree<'a> {
    /// The tree of `nodes`, whose ids [`Ids::add`] gave.
    fn build(nodes: &'a [FlatNode], node_ids: &[Id], ids: &Ids<'_>) -> Self {
        let n = ids.len();
        let root = root_of(nodes);
        let root_uid = root.map(|r| nodes[r].uid.as_str());
        let mut at = vec![NONE; n];
        let mut parent = vec![NONE; n];
        if let Some(r) = root {
            at[ROOT as usize] = r as u32;
        }
        // The ancestors of the previous node: in depth-first input, a
        // node's parent is one of them, found without hashing.
        let mut path: Vec<(&str, Id)> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let id = node_ids[i];
            if Some(i) == root {
                path.clear();
                path.push((node.uid.as_str(), ROOT));
                continue;
            }
            let Some(p) = node.parent.as_deref() else { continue };
            if id == ROOT || at[id as usize] != NONE {
                continue;
            }
            while path.last().is_some_and(|(uid, _)| *uid != p) {
                path.pop();
            }
            let pid = match path.last() {
                Some(&(_, pid)) => pid,
                None => {
                    let pid = if Some(p) == root_uid {
                        ROOT
                    } else {
                        match ids.get(p) {
                            Some(pid) => pid,
                            None => continue,
                        }
                    };
                    path.push((p, pid));
                    pid
                }
            };
            at[id as usize] = i as u32;
            parent[id as usize] = pid;
            path.push((node.uid.as_str(), id));
        }
        // Children lists, counting sort by parent then sibling order.
        let mut kid_start = vec![0u32; n + 1];
        for id in 1..n {
            if at[id] != NONE {
                kid_start[parent[id] as usize + 1] += 1;
            }
        }
        for p in 0..n {
            kid_start[p + 1] += kid_start[p];
        }
        let mut fill = kid_start.clone();
        let mut kids = vec![NONE; kid_start[n] as usize];
        for id in 1..n {
            if at[id] != NONE {
                let p = parent[id] as usize;
                kids[fill[p] as usize] = id as Id;
                fill[p] += 1;
            }
        }
        for p in 0..n {
            let group = &mut kids[kid_start[p] as usize..kid_start[p + 1] as usize];
            if group.len() > 1 {
                group.sort_by(|&a, &b| {
                    let (na, nb) = (&nodes[at[a as usize] as usize], &nodes[at[b as usize] as usize]);
                    (na.position, &na.uid).cmp(&(nb.position, &nb.uid))
                });
            }
        }
        // Depth first from the collection node.
        let mut order = Vec::with_capacity(n);
        let mut index = vec![0u32; n];
        let mut pre = vec![NONE; n];
        if root.is_some() {
            let mut stack = vec![ROOT];
            while let Some(u) = stack.pop() {
                pre[u as usize] = order.len() as u32;
                order.push(u);
                let group = &kids[kid_start[u as usize] as usize..kid_start[u as usize + 1] as usize];
                for (i, &c) in group.iter().enumerate() {
                    index[c as usize] = i as u32;
                }
                stack.extend(group.iter().rev());
            }
        }
        for id in 1..n {
            if at[id] != NONE && pre[id] == NONE {
                at[id] = NONE;
                parent[id] = NONE;
            }
        }
        Self {
            nodes,
            root,
            at,
            parent,
            index,
            pre,
            order,
            kid_start,
            kids,
        }
    }

    fn has(&self, u: Id) -> bool {
        self.at[u as usize] != NONE
    }

    fn node(&self, u: Id) -> Option<&'a FlatNode> {
        let i = self.at[u as usize];
        (i != NONE).then(|| &self.nodes[i as usize])
    }

    fn body(&self, u: Id) -> Option<&'a Map<String, Value>> {
        self.node(u).map(|n| &n.body)
    }

    fn kids(&self, u: Id) -> &[Id] {
        if !self.has(u) {
            return &[];
        }
        &self.kids[self.kid_start[u as usize] as usize..self.kid_start[u as usize + 1] as usize]
    }

    fn root_uid(&self) -> Option<&'a str> {
        self.root.map(|r| self.nodes[r].uid.as_str())
    }
}

/// Cheap equality of bodies: the same map, or equal ones.
fn same(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Which elements of `seq` form a longest strictly increasing subsequence
/// (deterministically the one patience sorting finds).
fn lis_mask(seq: &[u32]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![usize::MAX; seq.len()];
    for (i, &v) in seq.iter().enumerate() {
        let at = tails.partition_point(|&t| seq[t] < v);
        if at > 0 {
            prev[i] = tails[at - 1];
        }
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut mask = vec![false; seq.len()];
    let mut i = tails.last().copied().unwrap_or(usize::MAX);
    while i != usize::MAX {
        mask[i] = true;
        i = prev[i];
    }
    mask
}

/// The items of `new` that kept their place relative to `old`: the same
/// parent, and among the siblings that had that parent in `old` too, part of
/// a longest run in `old`'s order. The others moved.
fn stays(new: &Tree<'_>, old: &Tree<'_>) -> Vec<bool> {
    let mut stay = vec![false; new.at.len()];
    let mut seq = Vec::new();
    let mut who = Vec::new();
    for &p in &new.order {
        seq.clear();
        who.clear();
        for &c in new.kids(p) {
            if old.has(c) && old.parent[c as usize] == p {
                seq.push(old.index[c as usize]);
                who.push(c);
            }
        }
        if seq.is_empty() {
            continue;
        }
        for (i, keep) in lis_mask(&seq).into_iter().enumerate() {
            if keep {
                stay[who[i] as usize] = true;
            }
        }
    }
    stay
}

fn uid_of<'a>(ids: &Ids<'a>, root_uid: &'a str, u: Id) -> &'a str {
    if u == ROOT { root_uid } else { ids.uids[u as usize] }
}

fn location(ids: &Ids<'_>, tree: &Tree<'_>, root_uid: &str, u: Id) -> Option<Location> {
    if !tree.has(u) {
        return None;
    }
    let p = tree.parent[u as usize];
    let parent = match p {
        NONE => None,
        ROOT => Some(root_uid.to_owned()),
        p => Some(ids.uids[p as usize].to_owned()),
    };
    Some(Location {
        parent,
        index: tree.index[u as usize] as usize,
    })
}

fn location_value(ids: &Ids<'_>, tree: &Tree<'_>, root_uid: &str, u: Id) -> Option<Value> {
    location(ids, tree, root_uid, u).map(|l| serde_json::json!({"parent": l.parent, "index": l.index}))
}

// ---------------------------------------------------------------------------
// Two-way diff

/// The per-item differences from `old` to `new` (R-PR-1): additions and
/// modifications in `new`'s tree order, then deletions in `old`'s. A
/// modification lists the fields that differ ([`diff`]) and, when the item
/// moved, its location change. Locations name the collection node by its uid
/// in `new`.
pub fn changes(old: &[FlatNode], new: &[FlatNode]) -> Vec<ItemChange> {
    let mut ids = Ids::with_capacity(new.len() + old.len() / 8);
    let new_ids = ids.add(new, None);
    let old_ids = ids.add(old, Some((new, &new_ids)));
    let old_tree = Tree::build(old, &old_ids, &ids);
    let new_tree = Tree::build(new, &new_ids, &ids);
    diff_trees(&ids, &old_tree, &new_tree, None)
}

/// [`changes`] on built trees; `maybe_changed[u]` false promises that `u`'s
/// body is the same in both.
fn diff_trees(ids: &Ids<'_>, old: &Tree<'_>, new: &Tree<'_>, maybe_changed: Option<&[bool]>) -> Vec<ItemChange> {
    let root_uid = new.root_uid().or(old.root_uid()).unwrap_or("");
    let stay = stays(new, old);
    let mut out = Vec::new();
    for &u in &new.order {
        let Some(node) = new.node(u) else { continue };
        let uid = uid_of(ids, root_uid, u).to_owned();
        let Some(before) = old.node(u) else {
            out.push(ItemChange {
                change: ChangeKind::Addition,
                uid,
                kind: node.kind,
                name: node.name().map(str::to_owned),
                fields: diff(node.kind, None, Some(&node.body)),
                location: Some(LocationChange {
                    from: None,
                    to: location(ids, new, root_uid, u),
                }),
            });
            continue;
        };
        let maybe = maybe_changed.is_none_or(|m| m[u as usize]);
        let fields = if maybe && !same(&before.body, &node.body) {
            diff(node.kind, Some(&before.body), Some(&node.body))
        } else {
            Vec::new()
        };
        // A body known to be unchanged may not be there (`three_way_owned`).
        let named = if maybe { node } else { before };
        let moved = u != ROOT && !stay[u as usize];
        if fields.is_empty() && !moved {
            continue;
        }
        out.push(ItemChange {
            change: ChangeKind::Modification,
            uid,
            kind: node.kind,
            name: named.name().map(str::to_owned),
            fields,
            location: moved.then(|| LocationChange {
                from: location(ids, old, root_uid, u),
                to: location(ids, new, root_uid, u),
            }),
        });
    }
    for &u in &old.order {
        if new.has(u) {
            continue;
        }
        let Some(node) = old.node(u) else { continue };
        out.push(ItemChange {
            change: ChangeKind::Deletion,
            uid: uid_of(ids, old.root_uid().unwrap_or(root_uid), u).to_owned(),
            kind: node.kind,
            name: node.name().map(str::to_owned),
            fields: diff(node.kind, Some(&node.body), None),
            location: Some(LocationChange {
                from: location(ids, old, root_uid, u),
                to: None,
            }),
        });
    }
    out
}

// ---------------------------------------------------------------------------
// Three-way merge

/// Merges `source`'s changes since `base` into `destination` (R-FORK-3); see
/// the module documentation for the rules.
pub fn three_way(
    base: &[FlatNode],
    source: &[FlatNode],
    destination: &[FlatNode],
    resolutions: &Resolutions,
) -> MergeOutcome {
    merge_trees(base, source, destination, resolutions, false).0
}

/// [`three_way`] taking the destination apart: the bodies the merge keeps
/// from it are moved into the result instead of copied, which is most of the
/// cost of merging a large collection that changed little.
pub fn three_way_owned(
    base: &[FlatNode],
    source: &[FlatNode],
    mut destination: Vec<FlatNode>,
    resolutions: &Resolutions,
) -> MergeOutcome {
    let (mut outcome, moved) = merge_trees(base, source, &destination, resolutions, true);
    for (to, from) in moved {
        outcome.nodes[to].body = std::mem::take(&mut destination[from].body);
    }
    outcome
}

/// The merge; with `take_destination`, the nodes whose body is the
/// destination's get an empty one, listed with the destination's index.
fn merge_trees(
    base: &[FlatNode],
    source: &[FlatNode],
    destination: &[FlatNode],
    resolutions: &Resolutions,
    take_destination: bool,
) -> (MergeOutcome, Vec<(usize, usize)>) {
    let mut ids = Ids::with_capacity(destination.len() + 256);
    let d_ids = ids.add(destination, None);
    let s_ids = ids.add(source, Some((destination, &d_ids)));
    let b_ids = ids.add(base, Some((destination, &d_ids)));
    let b = Tree::build(base, &b_ids, &ids);
    let s = Tree::build(source, &s_ids, &ids);
    let d = Tree::build(destination, &d_ids, &ids);
    let Some(root_uid) = d.root_uid().or(s.root_uid()) else {
        let empty = MergeOutcome {
            nodes: Vec::new(),
            conflicts: Vec::new(),
            resolved: Vec::new(),
            summary: Vec::new(),
        };
        return (empty, Vec::new());
    };
    let mut m = Merge::new(&ids, &b, &s, &d, resolutions, root_uid);
    m.take_destination = take_destination;
    m.existence(Which::S);
    m.existence(Which::D);
    m.bodies();
    m.locations();
    m.break_cycles();
    let (nodes, shape) = m.emit();
    let merged = Tree { nodes: &nodes, ..shape };
    let summary = diff_trees(&ids, &d, &merged, Some(&m.touched));
    let mut conflicts = std::mem::take(&mut m.conflicts);
    conflicts.sort_by_key(|c| (c.0, c.1));
    let (resolved, conflicts): (Vec<Conflict>, Vec<Conflict>) = conflicts
        .into_iter()
        .map(|(_, _, c)| c)
        .partition(|c| c.resolution.is_some());
    let outcome = MergeOutcome {
        nodes,
        conflicts,
        resolved,
        summary,
    };
    (outcome, m.moved)
}

/// One of the two sides that changed the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    S,
    D,
}

impl Which {
    fn other(self) -> Self {
        match self {
            Which::S => Which::D,
            Which::D => Which::S,
        }
    }

    fn side(self) -> Side {
        match self {
            Which::S => Side::Source,
            Which::D => Side::Destination,
        }
    }
}

/// Whose list places an item among its merged siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Kept its place on both sides: ordered by the base.
    Anchor,
    S,
    D,
    B,
    /// None of the lists has it under its merged parent: last, by uid.
    End,
}

/// How an item's parent was decided, for breaking cycles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// By the merge rules.
    Free,
    /// By a resolution.
    Pinned,
    /// Destination's parent (or nearest kept ancestor): unresolved conflicts.
    Forced,
    /// Only one side has the item: that side's parent.
    OneSided,
}

enum Body<'a> {
    /// The destination's, at this index of its nodes.
    Destination(u32),
    Borrowed(&'a Map<String, Value>),
    Owned(Map<String, Value>),
}

struct Merge<'m, 'a> {
    ids: &'m Ids<'a>,
    b: &'m Tree<'a>,
    s: &'m Tree<'a>,
    d: &'m Tree<'a>,
    res: &'m Resolutions,
    root_uid: &'a str,
    kept: Vec<bool>,
    parent: Vec<Id>,
    place: Vec<Place>,
    how: Vec<How>,
    bodies: Vec<Option<Body<'a>>>,
    kinds: Vec<NodeKind>,
    /// Bodies that may differ from the destination's.
    touched: Vec<bool>,
    /// With their rank (tree order) and the kind of path, for sorting.
    conflicts: Vec<(u64, u8, Conflict)>,
    /// Whether `emit` leaves the destination's bodies to be moved in (see
    /// [`three_way_owned`]), and which: (index in the output, index in the
    /// destination).
    take_destination: bool,
    moved: Vec<(usize, usize)>,
}

/// Which value a field takes.
enum Pick<'v> {
    /// The destination's (also for unresolved conflicts).
    Keep,
    /// Another one (`None`: the field goes).
    Take(Option<&'v Value>),
}

impl<'m, 'a> Merge<'m, 'a> {
    fn new(
        ids: &'m Ids<'a>,
        b: &'m Tree<'a>,
        s: &'m Tree<'a>,
        d: &'m Tree<'a>,
        res: &'m Resolutions,
        root_uid: &'a str,
    ) -> Self {
        let n = ids.len();
        let mut kept = vec![false; n];
        kept[ROOT as usize] = true;
        for (u, keep) in kept.iter_mut().enumerate().skip(1) {
            *keep = s.at[u] != NONE && d.at[u] != NONE;
        }
        Self {
            ids,
            b,
            s,
            d,
            res,
            root_uid,
            kept,
            parent: vec![NONE; n],
            place: vec![Place::End; n],
            how: vec![How::Free; n],
            bodies: (0..n).map(|_| None).collect(),
            kinds: vec![NodeKind::Request; n],
            touched: vec![false; n],
            conflicts: Vec::new(),
            take_destination: false,
            moved: Vec::new(),
        }
    }

    fn tree(&self, w: Which) -> &'m Tree<'a> {
        match w {
            Which::S => self.s,
            Which::D => self.d,
        }
    }

    fn uid(&self, u: Id) -> &'a str {
        uid_of(self.ids, self.root_uid, u)
    }

    fn node(&self, u: Id) -> Option<&'a FlatNode> {
        self.d.node(u).or_else(|| self.s.node(u)).or_else(|| self.b.node(u))
    }

    /// Records a conflict; returns its resolution.
    fn conflict(&mut self, u: Id, path: &str, values: [Option<Value>; 3], changed_inside: Vec<String>) -> Option<Side> {
        let uid = self.uid(u);
        let resolution = self.res.get(uid, path);
        let node = self.node(u);
        let n = self.ids.len() as u64;
        let rank = if self.d.has(u) {
            u64::from(self.d.pre[u as usize])
        } else if self.s.has(u) {
            n + u64::from(self.s.pre[u as usize])
        } else {
            2 * n + u64::from(self.b.pre[u as usize])
        };
        let class = match path {
            "" => 0,
            "location" => 2,
            _ => 1,
        };
        let [base, source, destination] = values;
        self.conflicts.push((
            rank,
            class,
            Conflict {
                uid: uid.to_owned(),
                kind: node.map_or(NodeKind::Request, |n| n.kind),
                name: node.and_then(FlatNode::name).map(str::to_owned),
                path: path.to_owned(),
                base,
                source,
                destination,
                changed_inside,
                resolution,
            },
        ));
        resolution
    }

    /// Existence of the items only side `k` has (added on `k`, or deleted on
    /// the other side): see the module documentation.
    fn existence(&mut self, k: Which) {
        let (kt, other, b) = (self.tree(k), self.tree(k.other()), self.b);
        let n = self.ids.len();
        // Bottom-up: which items deleted on the other side `k` changed.
        let mut flag = vec![false; n];
        let mut dirty = vec![false; n];
        for &u in kt.order.iter().rev() {
            if u == ROOT {
                continue;
            }
            let ui = u as usize;
            let in_base = b.has(u);
            let moved = in_base && kt.parent[ui] != b.parent[ui];
            let deleted = in_base && !other.has(u);
            if deleted {
                dirty[ui] = flag[ui] || moved || own_change(kt, b, u);
            }
            if !in_base || moved || (deleted && dirty[ui]) {
                flag[kt.parent[ui] as usize] = true;
            }
        }
        // Top-down: decide, by the topmost changed deleted item of each region.
        let mut region = vec![NONE; n];
        let mut region_keeps = vec![false; n];
        for &u in &kt.order {
            if u == ROOT || other.has(u) {
                continue;
            }
            let ui = u as usize;
            let p = kt.parent[ui];
            let p_absent = p != ROOT && !other.has(p);
            let inherited = if p_absent { region[p as usize] } else { NONE };
            let parent_kept = !p_absent || self.kept[p as usize];
            let keep = if !b.has(u) {
                region[ui] = inherited;
                true
            } else if dirty[ui] {
                let r = if inherited == NONE { u } else { inherited };
                region[ui] = r;
                if r == u {
                    let inside = self.changed_inside(k, u);
                    let values = [
                        b.body(u).map(|m| Value::Object(m.clone())),
                        self.s.body(u).map(|m| Value::Object(m.clone())),
                        self.d.body(u).map(|m| Value::Object(m.clone())),
                    ];
                    let side = self.conflict(u, "", values, inside).unwrap_or(Side::Destination);
                    region_keeps[ui] = side == k.side();
                }
                region_keeps[r as usize]
            } else {
                false
            };
            self.kept[ui] = keep && parent_kept;
        }
    }

    /// What side `k` changed in the subtree of `top`, an item the other side
    /// deleted.
    fn changed_inside(&self, k: Which, top: Id) -> Vec<String> {
        let (kt, other, b) = (self.tree(k), self.tree(k.other()), self.b);
        let mut out = Vec::new();
        let mut stack = vec![top];
        while let Some(u) = stack.pop() {
            let ui = u as usize;
            let in_base = b.has(u);
            let moved = in_base && kt.parent[ui] != b.parent[ui];
            let absent = !other.has(u);
            let changed = !in_base || moved || (absent && own_change(kt, b, u));
            if changed {
                out.push(self.uid(u).to_owned());
            }
            if absent {
                stack.extend(kt.kids(u).iter().rev());
            }
        }
        out
    }

    fn bodies(&mut self) {
        for u in 0..self.ids.len() as Id {
            let ui = u as usize;
            if !self.kept[ui] {
                continue;
            }
            let (sn, dn) = (self.s.node(u), self.d.node(u));
            let (body, kind, touched) = match (sn, dn) {
                (Some(sn), Some(dn)) => {
                    let kind = self.merge_kind(u, sn.kind, dn.kind);
                    let (body, touched) = self.merge_body(u, self.b.body(u), &sn.body, &dn.body);
                    (body, kind, touched || kind != dn.kind)
                }
                (Some(sn), None) => (Body::Borrowed(&sn.body), sn.kind, true),
                (None, Some(dn)) => (Body::Destination(self.d.at[ui]), dn.kind, false),
                (None, None) => match self.b.node(u) {
                    Some(bn) => (Body::Borrowed(&bn.body), bn.kind, true),
                    None => continue,
                },
            };
            self.bodies[ui] = Some(body);
            self.kinds[ui] = kind;
            self.touched[ui] = touched;
        }
    }

    fn merge_kind(&mut self, u: Id, s: NodeKind, d: NodeKind) -> NodeKind {
        if s == d {
            return d;
        }
        let b = self.b.node(u).map(|n| n.kind);
        if b == Some(d) {
            return s;
        }
        if b == Some(s) {
            return d;
        }
        let name = |k: Option<NodeKind>| k.map(|k| Value::String(k.as_str().to_owned()));
        match self.conflict(u, "kind", [name(b), name(Some(s)), name(Some(d))], Vec::new()) {
            Some(Side::Source) => s,
            _ => d,
        }
    }

    /// The merged body, and whether it may differ from the destination's.
    fn merge_body(
        &mut self,
        u: Id,
        bb: Option<&'a Map<String, Value>>,
        sb: &'a Map<String, Value>,
        db: &'a Map<String, Value>,
    ) -> (Body<'a>, bool) {
        if let Some(bb) = bb {
            if same(sb, bb) {
                return (Body::Destination(self.d.at[u as usize]), false);
            }
            if same(db, bb) {
                return (Body::Borrowed(sb), true);
            }
        }
        if same(sb, db) {
            return (Body::Destination(self.d.at[u as usize]), false);
        }
        match self.merge_fields(u, "", bb, sb, db) {
            Some(merged) => (Body::Owned(merged), true),
            None => (Body::Destination(self.d.at[u as usize]), false),
        }
    }

    /// Merges two objects key by key (`request` and `event` one level deeper
    /// at the top); `None` when the result is the destination's.
    fn merge_fields(
        &mut self,
        u: Id,
        prefix: &str,
        bb: Option<&'a Map<String, Value>>,
        sb: &'a Map<String, Value>,
        db: &'a Map<String, Value>,
    ) -> Option<Map<String, Value>> {
        let mut keys: Vec<&'a str> = sb
            .keys()
            .chain(db.keys())
            .chain(bb.into_iter().flat_map(Map::keys))
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut out: Option<Map<String, Value>> = None;
        for key in keys {
            let (vb, vs, vd) = (bb.and_then(|m| m.get(key)), sb.get(key), db.get(key));
            if vs == vd {
                continue;
            }
            let path = format!("{prefix}{key}");
            let taken = if prefix.is_empty() && key == "request" {
                match (vb, vs, vd) {
                    (None | Some(Value::Object(_)), Some(Value::Object(rs)), Some(Value::Object(rd))) => {
                        let rb = vb.and_then(Value::as_object);
                        self.merge_fields(u, "request.", rb, rs, rd)
                            .map(|merged| Some(Value::Object(merged)))
                    }
                    _ => self.pick_owned(u, &path, vb, vs, vd),
                }
            } else if prefix.is_empty() && key == "event" {
                match self.merge_events(u, vb, vs, vd) {
                    Some(merged) => merged.map(Some),
                    None => self.pick_owned(u, &path, vb, vs, vd),
                }
            } else {
                self.pick_owned(u, &path, vb, vs, vd)
            };
            if let Some(value) = taken {
                let out = out.get_or_insert_with(|| db.clone());
                match value {
                    Some(v) => {
                        out.insert(key.to_owned(), v);
                    }
                    // `retain` keeps the other keys in order, with or
                    // without serde_json's `preserve_order`.
                    None => out.retain(|k, _| k != key),
                }
            }
        }
        out
    }

    /// The field rule; `Some(value)` when the result is not the destination's.
    fn pick_owned(
        &mut self,
        u: Id,
        path: &str,
        vb: Option<&Value>,
        vs: Option<&Value>,
        vd: Option<&Value>,
    ) -> Option<Option<Value>> {
        match self.pick(u, path, vb, vs, vd) {
            Pick::Keep => None,
            Pick::Take(v) => Some(v.cloned()),
        }
    }

    fn pick<'v>(
        &mut self,
        u: Id,
        path: &str,
        vb: Option<&'v Value>,
        vs: Option<&'v Value>,
        vd: Option<&'v Value>,
    ) -> Pick<'v> {
        if vs == vd || vs == vb {
            return Pick::Keep;
        }
        if vd == vb {
            return Pick::Take(vs);
        }
        let values = [vb.cloned(), vs.cloned(), vd.cloned()];
        match self.conflict(u, path, values, Vec::new()) {
            Some(Side::Source) => Pick::Take(vs),
            _ => Pick::Keep,
        }
    }

    /// `event` per `listen` kind; `None` when some side's `event` is not a
    /// list of scripts with distinct kinds (then it is one field), else the
    /// merged list when it is not the destination's.
    fn merge_events(
        &mut self,
        u: Id,
        vb: Option<&'a Value>,
        vs: Option<&'a Value>,
        vd: Option<&'a Value>,
    ) -> Option<Option<Value>> {
        let ls = listeners(vs?)?;
        let ld = listeners(vd?)?;
        let lb = match vb {
            Some(v) => listeners(v)?,
            None => Vec::new(),
        };
        let find = |list: &[(&'a str, &'a Value)], kind: &str| list.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v);
        let mut kinds: Vec<&'a str> = lb.iter().chain(&ls).chain(&ld).map(|(k, _)| *k).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut merged: Vec<(&'a str, &'a Value)> = Vec::with_capacity(kinds.len());
        for kind in kinds {
            let (eb, es, ed) = (find(&lb, kind), find(&ls, kind), find(&ld, kind));
            let chosen = match self.pick(u, &format!("event.{kind}"), eb, es, ed) {
                Pick::Keep => ed,
                Pick::Take(v) => v,
            };
            if let Some(v) = chosen {
                merged.push((kind, v));
            }
        }
        // Order: the side that reordered its kinds, else the base's; kinds
        // none of them orders go last, by name (already sorted).
        let seq = |list: &[(&'a str, &'a Value)]| list.iter().map(|(k, _)| *k).collect::<Vec<_>>();
        let (sb, ss, sd) = (seq(&lb), seq(&ls), seq(&ld));
        let template = if ss == sb {
            sd
        } else if sd == sb || ss == sd {
            ss
        } else {
            sb
        };
        merged.sort_by_key(|(k, _)| template.iter().position(|t| t == k).unwrap_or(usize::MAX));
        let list: Vec<&Value> = merged.iter().map(|(_, v)| *v).collect();
        let unchanged = ld.len() == list.len() && ld.iter().zip(&list).all(|((_, a), b)| a == b);
        Some((!unchanged).then(|| Value::Array(list.into_iter().cloned().collect())))
    }

    /// Parents: see the module documentation.
    fn locations(&mut self) {
        let (b, s, d) = (self.b, self.s, self.d);
        let stay_s = stays(s, b);
        let stay_d = stays(d, b);
        for u in 1..self.ids.len() as Id {
            let ui = u as usize;
            if !self.kept[ui] {
                continue;
            }
            match (s.has(u), d.has(u)) {
                (true, true) => {
                    let (ps, pd) = (s.parent[ui], d.parent[ui]);
                    let pb = if b.has(u) { b.parent[ui] } else { NONE };
                    if ps == pd {
                        let place = if stay_s[ui] && stay_d[ui] {
                            Place::Anchor
                        } else if stay_d[ui] {
                            Place::S
                        } else {
                            Place::D
                        };
                        self.settle(u, ps, place, How::Free);
                    } else if ps == pb {
                        self.settle(u, pd, Place::D, How::Free);
                    } else if pd == pb {
                        self.settle(u, ps, Place::S, How::Free);
                    } else {
                        self.location_conflict(u);
                    }
                }
                (true, false) => {
                    self.parent[ui] = s.parent[ui];
                    self.place[ui] = Place::S;
                    self.how[ui] = How::OneSided;
                }
                (false, true) => {
                    self.parent[ui] = d.parent[ui];
                    self.place[ui] = Place::D;
                    self.how[ui] = How::OneSided;
                }
                (false, false) => {
                    // Kept only in a broken tree: under the collection.
                    self.parent[ui] = ROOT;
                    self.place[ui] = Place::End;
                    self.how[ui] = How::OneSided;
                }
            }
        }
    }

    /// Records a location conflict on `u` (once) and places it by its
    /// resolution, or by the destination while unresolved.
    fn location_conflict(&mut self, u: Id) {
        // Called once per item: by `locations`, or for an item still `Free`
        // by `break_cycles`.
        let values = [
            location_value(self.ids, self.b, self.root_uid, u),
            location_value(self.ids, self.s, self.root_uid, u),
            location_value(self.ids, self.d, self.root_uid, u),
        ];
        let side = self.conflict(u, "location", values, Vec::new());
        let ui = u as usize;
        match side {
            Some(Side::Source) => self.settle(u, self.s.parent[ui], Place::S, How::Pinned),
            Some(Side::Destination) => self.settle(u, self.d.parent[ui], Place::D, How::Pinned),
            None => self.force(u),
        }
    }

    /// Puts an item both sides have under `parent`, or, when that is gone,
    /// under the other side's parent, the base parent, or the nearest kept
    /// ancestor.
    fn settle(&mut self, u: Id, parent: Id, place: Place, how: How) {
        let ui = u as usize;
        self.how[ui] = how;
        if parent != NONE && self.kept[parent as usize] {
            self.parent[ui] = parent;
            self.place[ui] = place;
            return;
        }
        let (ps, pd) = (self.s.parent[ui], self.d.parent[ui]);
        let pb = if self.b.has(u) { self.b.parent[ui] } else { NONE };
        let candidates = [(pd, Place::D), (ps, Place::S), (pb, Place::B)];
        if let Some(&(p, place)) = candidates.iter().find(|(p, _)| *p != NONE && self.kept[*p as usize]) {
            self.parent[ui] = p;
            self.place[ui] = place;
            return;
        }
        let p = self
            .kept_ancestor(self.d, pd)
            .or_else(|| self.kept_ancestor(self.s, ps))
            .unwrap_or(ROOT);
        self.parent[ui] = p;
        self.place[ui] = Place::End;
    }

    /// The destination's parent, or its nearest kept ancestor there.
    fn force(&mut self, u: Id) {
        let ui = u as usize;
        self.how[ui] = How::Forced;
        let pd = self.d.parent[ui];
        let p = self.kept_ancestor(self.d, pd).unwrap_or(ROOT);
        self.parent[ui] = p;
        self.place[ui] = if p == pd { Place::D } else { Place::End };
    }

    fn kept_ancestor(&self, tree: &Tree<'_>, mut p: Id) -> Option<Id> {
        while p != NONE {
            if self.kept[p as usize] {
                return Some(p);
            }
            p = tree.parent[p as usize];
        }
        None
    }

    /// Cycles made of moves from both sides become location conflicts; while
    /// unresolved (or resolved into a cycle again) the destination's parents
    /// hold, which cannot form a cycle.
    fn break_cycles(&mut self) {
        let limit = 2 * self.ids.len() + 2;
        for _ in 0..limit {
            let cycles = self.cycles();
            if cycles.is_empty() {
                return;
            }
            for cycle in cycles {
                let both = |m: &Self, u: Id| m.s.has(u) && m.d.has(u);
                let mut progress = false;
                for &u in &cycle {
                    let ui = u as usize;
                    if both(self, u) && self.how[ui] == How::Free {
                        if self.s.parent[ui] != self.d.parent[ui] {
                            self.location_conflict(u);
                        } else {
                            self.force(u);
                        }
                        progress = true;
                    }
                }
                if !progress {
                    for &u in &cycle {
                        if both(self, u) && self.how[u as usize] == How::Pinned {
                            let uid = self.uid(u);
                            for (_, _, c) in &mut self.conflicts {
                                if c.uid == uid && c.path == "location" {
                                    c.resolution = None;
                                }
                            }
                            self.force(u);
                            progress = true;
                        }
                    }
                }
                if !progress {
                    self.parent[cycle[0] as usize] = ROOT;
                    self.place[cycle[0] as usize] = Place::End;
                }
            }
        }
    }

    /// The cycles of the merged parent links.
    fn cycles(&self) -> Vec<Vec<Id>> {
        let n = self.ids.len();
        let mut state = vec![0u8; n];
        state[ROOT as usize] = 2;
        let mut out = Vec::new();
        let mut path = Vec::new();
        for u in 1..n {
            if !self.kept[u] || state[u] != 0 {
                continue;
            }
            path.clear();
            let mut v = u as Id;
            loop {
                if v == NONE || state[v as usize] == 2 {
                    break;
                }
                if state[v as usize] == 1 {
                    if let Some(at) = path.iter().position(|&x| x == v) {
                        out.push(path[at..].to_vec());
                    }
                    break;
                }
                state[v as usize] = 1;
                path.push(v);
                v = self.parent[v as usize];
            }
            for &x in &path {
                state[x as usize] = 2;
            }
        }
        out
    }

    /// The merged children of `p` in order: anchors in base order, each
    /// followed by the runs of items each side placed after it.
    fn order_children(&self, p: Id, kids: &[Id], slot: &mut [u32]) -> Vec<Id> {
        let mut anchors: Vec<Id> = kids
            .iter()
            .copied()
            .filter(|&c| self.place[c as usize] == Place::Anchor)
            .collect();
        anchors.sort_by_key(|&c| self.b.index[c as usize]);
        for (i, &a) in anchors.iter().enumerate() {
            slot[a as usize] = i as u32 + 1;
        }
        let mut runs: Vec<[Vec<Id>; 3]> = (0..=anchors.len()).map(|_| Default::default()).collect();
        for (which, tree, place) in [(0, self.s, Place::S), (1, self.d, Place::D), (2, self.b, Place::B)] {
            let mut current = 0;
            for &c in tree.kids(p) {
                let ci = c as usize;
                if !self.kept[ci] || self.parent[ci] != p {
                    continue;
                }
                if self.place[ci] == Place::Anchor {
                    current = slot[ci] as usize;
                } else if self.place[ci] == place {
                    runs[current][which].push(c);
                }
            }
        }
        let mut out = Vec::with_capacity(kids.len());
        for (i, mut group) in runs.into_iter().enumerate() {
            if i > 0 {
                out.push(anchors[i - 1]);
            }
            group.sort_by(|a, b| {
                let first = |r: &Vec<Id>| r.first().map(|&c| self.ids.uids[c as usize]);
                first(a).cmp(&first(b))
            });
            for run in group {
                out.extend(run);
            }
        }
        for &a in &anchors {
            slot[a as usize] = 0;
        }
        if out.len() < kids.len() {
            let placed: HashSet<Id> = out.iter().copied().collect();
            let mut rest: Vec<Id> = kids.iter().copied().filter(|c| !placed.contains(c)).collect();
            rest.sort_by_key(|&c| self.ids.uids[c as usize]);
            out.extend(rest);
        }
        out
    }

    /// The merged nodes, depth first, freshly numbered, and their tree
    /// (with no nodes: the caller gives it the returned ones).
    fn emit(&mut self) -> (Vec<FlatNode>, Tree<'static>) {
        let n = self.ids.len();
        let mut kid_start = vec![0u32; n + 1];
        for u in 1..n {
            if self.kept[u] {
                kid_start[self.parent[u] as usize + 1] += 1;
            }
        }
        for p in 0..n {
            kid_start[p + 1] += kid_start[p];
        }
        let mut fill = kid_start.clone();
        let mut kids = vec![NONE; kid_start[n] as usize];
        for u in 1..n {
            if self.kept[u] {
                let p = self.parent[u] as usize;
                kids[fill[p] as usize] = u as Id;
                fill[p] += 1;
            }
        }
        let mut slot = vec![0u32; n];
        let mut index = vec![0u32; n];
        for p in 0..n {
            let (lo, hi) = (kid_start[p] as usize, kid_start[p + 1] as usize);
            if lo == hi {
                continue;
            }
            let ordered = self.order_children(p as Id, &kids[lo..hi], &mut slot);
            for (i, &c) in ordered.iter().enumerate() {
                index[c as usize] = i as u32;
            }
            kids[lo..hi].copy_from_slice(&ordered);
        }
        let mut at = vec![NONE; n];
        let mut parent = vec![NONE; n];
        let mut order = Vec::with_capacity(kids.len() + 1);
        let mut out = Vec::with_capacity(kids.len() + 1);
        let root = self.d.node(ROOT).or_else(|| self.s.node(ROOT));
        let mut stack: Vec<Id> = vec![ROOT];
        while let Some(u) = stack.pop() {
            let ui = u as usize;
            at[ui] = out.len() as u32;
            order.push(u);
            let body = match self.bodies[ui].take() {
                Some(Body::Destination(i)) if self.take_destination => {
                    self.moved.push((out.len(), i as usize));
                    Map::new()
                }
                Some(Body::Destination(i)) => self.d.nodes[i as usize].body.clone(),
                Some(Body::Borrowed(m)) => m.clone(),
                Some(Body::Owned(m)) => m,
                None => Map::new(),
            };
            let node = if u == ROOT {
                FlatNode {
                    uid: self.root_uid.to_owned(),
                    parent: None,
                    position: root.map_or(0, |r| r.position),
                    kind: root.map_or(NodeKind::Collection, |r| r.kind),
                    body,
                }
            } else {
                parent[ui] = self.parent[ui];
                FlatNode {
                    uid: self.uid(u).to_owned(),
                    parent: Some(self.uid(self.parent[ui]).to_owned()),
                    position: position_at(index[ui] as usize),
                    kind: self.kinds[ui],
                    body,
                }
            };
            out.push(node);
            stack.extend(kids[kid_start[ui] as usize..kid_start[ui + 1] as usize].iter().rev());
        }
        let shape = Tree {
            nodes: &[],
            root: Some(0),
            pre: at.clone(),
            at,
            parent,
            index,
            order,
            kid_start,
            kids,
        };
        (out, shape)
    }
}

/// Whether side `t` changed an item's own body or kind since the base.
fn own_change(t: &Tree<'_>, b: &Tree<'_>, u: Id) -> bool {
    match (t.node(u), b.node(u)) {
        (Some(x), Some(y)) => x.kind != y.kind || !same(&x.body, &y.body),
        _ => true,
    }
}

/// The entries of an `event` list by `listen` kind, if it is a list of
/// objects with distinct string kinds.
fn listeners(v: &Value) -> Option<Vec<(&str, &Value)>> {
    let list = v.as_array()?;
    let mut out: Vec<(&str, &Value)> = Vec::with_capacity(list.len());
    for entry in list {
        let kind = entry.get("listen")?.as_str()?;
        if out.iter().any(|(k, _)| *k == kind) {
            return None;
        }
        out.push((kind, entry));
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Identities of re-imported content

/// What tells siblings apart beyond kind and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Detail<'a> {
    Nothing,
    Method(&'a str),
    Code(i64),
}

fn method_of(body: &Map<String, Value>) -> Option<&str> {
    match body.get("request")? {
        Value::Object(r) => r.get("method").and_then(Value::as_str),
        Value::String(_) => Some("GET"),
        _ => None,
    }
}

fn url_of(body: &Map<String, Value>) -> Option<&str> {
    match body.get("request")? {
        Value::Object(r) => match r.get("url")? {
            Value::String(u) => Some(u),
            Value::Object(u) => u.get("raw").and_then(Value::as_str),
            _ => None,
        },
        Value::String(u) => Some(u),
        _ => None,
    }
}

fn detail(node: &FlatNode) -> Detail<'_> {
    match node.kind {
        NodeKind::Request => method_of(&node.body).map_or(Detail::Nothing, Detail::Method),
        NodeKind::Response => node
            .body
            .get("code")
            .and_then(Value::as_i64)
            .map_or(Detail::Nothing, Detail::Code),
        _ => Detail::Nothing,
    }
}

/// Whether a node's uid was made up at import: its body has no non-empty
/// string `id`, or one that differs from the uid.
fn made_up(node: &FlatNode) -> bool {
    match node.body.get("id") {
        Some(Value::String(id)) if !id.is_empty() => *id != node.uid,
        _ => true,
    }
}

fn children_by_parent(nodes: &[FlatNode], root: usize) -> HashMap<&str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if i == root {
            continue;
        }
        if let Some(p) = node.parent.as_deref() {
            out.entry(p).or_default().push(i);
        }
    }
    for group in out.values_mut() {
        group.sort_by(|&a, &b| (nodes[a].position, &nodes[a].uid).cmp(&(nodes[b].position, &nodes[b].uid)));
    }
    out
}

/// Gives the items of `new` whose uid was made up at import (see
/// [`made_up`]) the uid of the item of `old` they stand for, so that a whole
/// new version of a collection, from a file without item ids, diffs and
/// merges item by item.
///
/// Matching goes down from the collection node, sibling group by sibling
/// group: a new item matches an old child of the old item its parent stands
/// for with the same kind and name, and for a request the same method (for a
/// response the same code); failing that the same kind and name; failing
/// that, for a request, the same method and URL (a renamed request).
/// Duplicates match in order. The collection node keeps its uid; a new item
/// whose uid is already one of `old` keeps it; no new item takes a uid
/// another new item has. The `parent` of children follows their parent's new
/// uid. Bodies are not touched.
pub fn match_identities(old: &[FlatNode], new: &mut [FlatNode]) {
    let (Some(old_root), Some(new_root)) = (root_of(old), root_of(new)) else {
        return;
    };
    let renames: Vec<(usize, String)> = {
        let new_ref: &[FlatNode] = new;
        let old_uids: HashSet<&str> = old.iter().map(|n| n.uid.as_str()).collect();
        let candidate: Vec<bool> = new_ref
            .iter()
            .enumerate()
            .map(|(i, n)| i != new_root && made_up(n) && !old_uids.contains(n.uid.as_str()))
            .collect();
        let mut used: HashSet<&str> = new_ref
            .iter()
            .enumerate()
            .filter(|(i, _)| !candidate[*i])
            .map(|(_, n)| n.uid.as_str())
            .collect();
        let old_kids = children_by_parent(old, old_root);
        let new_kids = children_by_parent(new_ref, new_root);
        let mut renames = Vec::new();
        // (uid of the new parent in `new`, uid it stands for in `old`)
        let mut queue: Vec<(&str, &str)> = vec![(new_ref[new_root].uid.as_str(), old[old_root].uid.as_str())];
        let mut visited: HashSet<&str> = HashSet::new();
        while let Some((new_parent, old_parent)) = queue.pop() {
            if !visited.insert(new_parent) {
                continue;
            }
            let Some(kids) = new_kids.get(new_parent) else { continue };
            let olds: &[usize] = old_kids.get(old_parent).map_or(&[], Vec::as_slice);
            let mut matched: Vec<Option<usize>> = vec![None; kids.len()];
            let mut taken = vec![false; olds.len()];
            type Key<'k> = (NodeKind, Option<&'k str>, Detail<'k>, Option<&'k str>);
            let passes: [fn(&FlatNode) -> Option<Key<'_>>; 3] = [
                |n| Some((n.kind, n.name(), detail(n), None)),
                |n| Some((n.kind, n.name(), Detail::Nothing, None)),
                |n| match n.kind {
                    NodeKind::Request => Some((n.kind, None, detail(n), Some(url_of(&n.body)?))),
                    _ => None,
                },
            ];
            if !olds.is_empty() {
                for key_of in passes {
                    let mut pool: HashMap<Key<'_>, VecDeque<usize>> = HashMap::new();
                    for (j, &o) in olds.iter().enumerate() {
                        if taken[j] || used.contains(old[o].uid.as_str()) {
                            continue;
                        }
                        if let Some(key) = key_of(&old[o]) {
                            pool.entry(key).or_default().push_back(j);
                        }
                    }
                    if pool.is_empty() {
                        break;
                    }
                    for (i, &k) in kids.iter().enumerate() {
                        if !candidate[k] || matched[i].is_some() {
                            continue;
                        }
                        let Some(key) = key_of(&new_ref[k]) else { continue };
                        if let Some(j) = pool.get_mut(&key).and_then(VecDeque::pop_front) {
                            taken[j] = true;
                            used.insert(old[olds[j]].uid.as_str());
                            matched[i] = Some(olds[j]);
                        }
                    }
                }
            }
            for (i, &k) in kids.iter().enumerate() {
                let stands_for = match matched[i] {
                    Some(o) => {
                        renames.push((k, old[o].uid.clone()));
                        old[o].uid.as_str()
                    }
                    None => new_ref[k].uid.as_str(),
                };
                queue.push((new_ref[k].uid.as_str(), stands_for));
            }
        }
        renames
    };
    if renames.is_empty() {
        return;
    }
    let mut map: HashMap<String, String> = HashMap::with_capacity(renames.len());
    for (i, uid) in renames {
        let before = std::mem::replace(&mut new[i].uid, uid.clone());
        map.insert(before, uid);
    }
    for node in new.iter_mut() {
        if let Some(p) = node.parent.as_mut()
            && let Some(to) = map.get(p.as_str())
        {
            p.clone_from(to);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::collection::{flatten_owned, import};

    fn root(uid: &str) -> FlatNode {
        FlatNode {
            uid: uid.to_owned(),
            parent: None,
            position: 0,
            kind: NodeKind::Collection,
            body: obj(json!({"info": {"name": "Shop", "schema": "x"}, "item": []})),
        }
    }

    fn obj(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn folder(uid: &str, parent: &str, name: &str) -> FlatNode {
        FlatNode {
            uid: uid.to_owned(),
            parent: Some(parent.to_owned()),
            position: 0,
            kind: NodeKind::Folder,
            body: obj(json!({"name": name, "description": format!("All about {name}")})),
        }
    }

    fn request(uid: &str, parent: &str, name: &str, method: &str, url: &str) -> FlatNode {
        FlatNode {
            uid: uid.to_owned(),
            parent: Some(parent.to_owned()),
            position: 0,
            kind: NodeKind::Request,
            body: obj(json!({
                "name": name,
                "request": {"method": method, "url": {"raw": url}, "header": [{"key": "Accept", "value": "*/*"}]},
                "event": [{"listen": "test", "script": {"exec": ["pm.test('ok')"]}}],
                "response": []
            })),
        }
    }

    /// Positions by order in the list among siblings.
    fn numbered(mut nodes: Vec<FlatNode>) -> Vec<FlatNode> {
        let mut next: HashMap<Option<String>, usize> = HashMap::new();
        for node in &mut nodes {
            let i = next.entry(node.parent.clone()).or_default();
            node.position = if node.parent.is_none() { 0 } else { position_at(*i) };
            *i += 1;
        }
        nodes
    }

    /// Orders[List, Create], Users[Get user], Ping.
    fn base() -> Vec<FlatNode> {
        numbered(vec![
            root("c"),
            folder("f1", "c", "Orders"),
            request("r1", "f1", "List", "GET", "/orders"),
            request("r2", "f1", "Create", "POST", "/orders"),
            folder("f2", "c", "Users"),
            request("r3", "f2", "Get user", "GET", "/users/1"),
            request("r4", "c", "Ping", "GET", "/ping"),
        ])
    }

    fn find<'n>(nodes: &'n [FlatNode], uid: &str) -> Option<&'n FlatNode> {
        nodes.iter().find(|n| n.uid == uid)
    }

    fn must<'n>(nodes: &'n [FlatNode], uid: &str) -> &'n FlatNode {
        find(nodes, uid).unwrap_or_else(|| panic!("{uid} is missing"))
    }

    /// Sets (or with `None` removes) a field: `name`, `request.method`,
    /// `event.test`…
    fn set(nodes: &mut [FlatNode], uid: &str, path: &str, value: Option<Value>) {
        let node = nodes
            .iter_mut()
            .find(|n| n.uid == uid)
            .unwrap_or_else(|| panic!("{uid} is missing"));
        set_field(&mut node.body, path, value);
    }

    fn set_field(body: &mut Map<String, Value>, path: &str, value: Option<Value>) {
        if let Some(kind) = path.strip_prefix("event.") {
            let list = body.entry("event").or_insert_with(|| json!([]));
            let Value::Array(list) = list else {
                panic!("event is not a list")
            };
            let at = list.iter().position(|e| e["listen"] == kind);
            match (at, value) {
                (Some(i), Some(v)) => list[i] = v,
                (None, Some(v)) => list.push(v),
                (Some(i), None) => {
                    list.remove(i);
                }
                (None, None) => {}
            }
            return;
        }
        let (target, key) = match path.split_once('.') {
            Some((outer, inner)) => match body.get_mut(outer) {
                Some(Value::Object(o)) => (o, inner),
                _ => panic!("{outer} is not an object"),
            },
            None => (body, path),
        };
        match value {
            Some(v) => {
                target.insert(key.to_owned(), v);
            }
            None => {
                target.remove(key);
            }
        }
    }

    fn value_at(body: &Map<String, Value>, path: &str) -> Option<Value> {
        if let Some(kind) = path.strip_prefix("event.") {
            return body
                .get("event")?
                .as_array()?
                .iter()
                .find(|e| e["listen"] == kind)
                .cloned();
        }
        match path.split_once('.') {
            Some((outer, inner)) => body.get(outer)?.get(inner).cloned(),
            None => body.get(path).cloned(),
        }
    }

    fn kids(nodes: &[FlatNode], parent: &str) -> Vec<String> {
        let mut out: Vec<&FlatNode> = nodes.iter().filter(|n| n.parent.as_deref() == Some(parent)).collect();
        out.sort_by(|a, b| (a.position, &a.uid).cmp(&(b.position, &b.uid)));
        out.into_iter().map(|n| n.uid.clone()).collect()
    }

    /// Removes an item and everything under it.
    fn remove(nodes: &mut Vec<FlatNode>, uid: &str) {
        let mut gone: HashSet<String> = HashSet::from([uid.to_owned()]);
        loop {
            let before = gone.len();
            for n in nodes.iter() {
                if n.parent.as_ref().is_some_and(|p| gone.contains(p)) {
                    gone.insert(n.uid.clone());
                }
            }
            if gone.len() == before {
                break;
            }
        }
        nodes.retain(|n| !gone.contains(&n.uid));
    }

    /// Puts an item (new or not) at `index` under `parent`, renumbering the
    /// siblings.
    fn put(nodes: &mut Vec<FlatNode>, item: FlatNode, parent: &str, index: usize) {
        let uid = item.uid.clone();
        nodes.retain(|n| n.uid != uid);
        let mut siblings = kids(nodes, parent);
        siblings.insert(index.min(siblings.len()), uid.clone());
        let mut item = item;
        item.parent = Some(parent.to_owned());
        nodes.push(item);
        for (i, s) in siblings.iter().enumerate() {
            if let Some(n) = nodes.iter_mut().find(|n| &n.uid == s) {
                n.position = position_at(i);
            }
        }
    }

    fn move_to(nodes: &mut Vec<FlatNode>, uid: &str, parent: &str, index: usize) {
        let item = must(nodes, uid).clone();
        put(nodes, item, parent, index);
    }

    /// An item as placed: parent, index among siblings, kind, body.
    type Placed = (Option<String>, usize, &'static str, Map<String, Value>);

    /// The tree as uid → where and what each item is.
    fn shape(nodes: &[FlatNode]) -> BTreeMap<String, Placed> {
        let mut out = BTreeMap::new();
        for n in nodes {
            let index = match &n.parent {
                Some(p) => kids(nodes, p).iter().position(|k| *k == n.uid).unwrap_or(usize::MAX),
                None => 0,
            };
            out.insert(
                n.uid.clone(),
                (n.parent.clone(), index, n.kind.as_str(), n.body.clone()),
            );
        }
        out
    }

    /// Collection node first, uids unique, every parent before its children.
    fn check_valid(nodes: &[FlatNode]) {
        assert!(!nodes.is_empty(), "no collection node");
        assert_eq!(nodes[0].kind, NodeKind::Collection);
        assert_eq!(nodes[0].parent, None);
        let mut seen = HashSet::new();
        for (i, n) in nodes.iter().enumerate() {
            assert!(seen.insert(n.uid.as_str()), "{} twice", n.uid);
            match &n.parent {
                None => assert_eq!(i, 0, "{} has no parent", n.uid),
                Some(p) => assert!(seen.contains(p.as_str()), "{} comes before its parent {p}", n.uid),
            }
        }
    }

    fn merge(b: &[FlatNode], s: &[FlatNode], d: &[FlatNode]) -> MergeOutcome {
        merge_with(b, s, d, &Resolutions::new())
    }

    /// Both entry points, which must agree; the tree is checked.
    fn merge_with(b: &[FlatNode], s: &[FlatNode], d: &[FlatNode], res: &Resolutions) -> MergeOutcome {
        let out = three_way(b, s, d, res);
        check_valid(&out.nodes);
        assert_eq!(three_way_owned(b, s, d.to_vec(), res), out);
        out
    }

    fn paths(change: &ItemChange) -> Vec<&str> {
        change.fields.iter().map(|f| f.path.as_str()).collect()
    }

    fn one(side: Side, conflicts: &[Conflict]) -> Resolutions {
        conflicts.iter().map(|c| (c.key(), side)).collect()
    }

    #[test]
    fn r_fork_3_edits_of_different_request_keys_merge_without_conflict() {
        let b = base();
        let mut s = b.clone();
        set(&mut s, "r1", "request.method", Some(json!("PUT")));
        let mut d = b.clone();
        set(&mut d, "r1", "request.url", Some(json!({"raw": "/orders?all=1"})));
        let out = merge(&b, &s, &d);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        let r1 = must(&out.nodes, "r1");
        assert_eq!(r1.body["request"]["method"], json!("PUT"));
        assert_eq!(r1.body["request"]["url"], json!({"raw": "/orders?all=1"}));
        assert_eq!(r1.body["request"]["header"], b[2].body["request"]["header"]);
        assert_eq!(out.summary.len(), 1);
        assert_eq!(out.summary[0].change, ChangeKind::Modification);
        assert_eq!(paths(&out.summary[0]), ["request.method"]);
        // Nothing moved: the tree is the destination's.
        assert_eq!(kids(&out.nodes, "c"), ["f1", "f2", "r4"]);
        assert_eq!(kids(&out.nodes, "f1"), ["r1", "r2"]);
    }

    #[test]
    fn r_fork_3_the_same_change_on_both_sides_is_taken_without_conflict() {
        let b = base();
        let mut s = b.clone();
        let mut d = b.clone();
        for side in [&mut s, &mut d] {
            set(side, "r2", "name", Some(json!("Create order")));
            set(side, "r2", "request.header", Some(json!([])));
            move_to(side, "r4", "f2", 0);
        }
        set(&mut d, "r2", "description", Some(json!("Fork's note")));
        let out = merge(&b, &s, &d);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(shape(&out.nodes), shape(&d));
        assert!(out.summary.is_empty(), "{:?}", out.summary);
    }

    #[test]
    fn r_fork_3_a_move_on_one_side_and_an_edit_on_the_other_both_apply() {
        let b = base();
        let mut s = b.clone();
        move_to(&mut s, "r1", "f2", 0);
        let mut d = b.clone();
        set(&mut d, "r1", "name", Some(json!("All orders")));
        let out = merge(&b, &s, &d);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(kids(&out.nodes, "f2"), ["r1", "r3"]);
        assert_eq!(kids(&out.nodes, "f1"), ["r2"]);
        assert_eq!(must(&out.nodes, "r1").body["name"], json!("All orders"));
        let moved = out
            .summary
            .iter()
            .find(|c| c.uid == "r1")
            .unwrap_or_else(|| panic!("r1 not in the summary"));
        let location = moved.location.clone().unwrap_or_else(|| panic!("no location change"));
        assert_eq!(location.from.and_then(|l| l.parent).as_deref(), Some("f1"));
        assert_eq!(
            location.to,
            Some(Location {
                parent: Some("f2".into()),
                index: 0
            })
        );
    }

    #[test]
    fn r_fork_3_different_edits_of_one_field_are_a_conflict_with_all_three_values() {
        let b = base();
        let mut s = b.clone();
        set(&mut s, "r1", "request.method", Some(json!("PUT")));
        set(&mut s, "r1", "name", Some(json!("Replace")));
        let mut d = b.clone();
        set(&mut d, "r1", "request.method", Some(json!("PATCH")));
        let out = merge(&b, &s, &d);
        assert_eq!(out.conflicts.len(), 1);
        let c = &out.conflicts[0];
        assert_eq!(
            (c.uid.as_str(), c.kind, c.path.as_str()),
            ("r1", NodeKind::Request, "request.method")
        );
        assert_eq!(c.name.as_deref(), Some("List"));
        assert_eq!(c.base, Some(json!("GET")));
        assert_eq!(c.source, Some(json!("PUT")));
        assert_eq!(c.destination, Some(json!("PATCH")));
        assert_eq!(c.resolution, None);
        // The preview holds the destination's value, and the rest merges.
        let r1 = must(&out.nodes, "r1");
        assert_eq!(r1.body["request"]["method"], json!("PATCH"));
        assert_eq!(r1.body["name"], json!("Replace"));
        let wire = serde_json::to_value(c).unwrap_or_default();
        assert_eq!(wire["kind"], json!("request"));
        assert_eq!(wire["path"], json!("request.method"));
        assert_eq!(wire["source"], json!("PUT"));
    }

    #[test]
    fn r_fork_3_resolutions_pick_either_side() {
        let b = base();
        let mut s = b.clone();
        set(&mut s, "r1", "request.method", Some(json!("PUT")));
        set(&mut s, "f1", "description", None);
        let mut d = b.clone();
        set(&mut d, "r1", "request.method", Some(json!("PATCH")));
        set(&mut d, "f1", "description", Some(json!("Fork's")));
        let first = merge(&b, &s, &d);
        assert_eq!(first.conflicts.len(), 2);
        // The existing order is tree order: f1 before r1.
        assert_eq!(first.conflicts[0].uid, "f1");
        assert_eq!(first.conflicts[0].source, None);

        let out = merge_with(&b, &s, &d, &one(Side::Source, &first.conflicts));
        assert!(out.is_clean());
        assert_eq!(out.resolved.len(), 2);
        assert!(out.resolved.iter().all(|c| c.resolution == Some(Side::Source)));
        assert_eq!(must(&out.nodes, "r1").body["request"]["method"], json!("PUT"));
        assert!(!must(&out.nodes, "f1").body.contains_key("description"));

        let out = merge_with(&b, &s, &d, &one(Side::Destination, &first.conflicts));
        assert!(out.is_clean());
        assert_eq!(must(&out.nodes, "r1").body["request"]["method"], json!("PATCH"));
        assert_eq!(must(&out.nodes, "f1").body["description"], json!("Fork's"));
        assert!(out.summary.is_empty());

        // A resolution for one conflict leaves the other one open.
        let mut partial = Resolutions::new();
        partial.insert("r1", "request.method", Side::Source);
        let out = merge_with(&b, &s, &d, &partial);
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].uid, "f1");
        assert_eq!(out.resolved.len(), 1);
    }

    #[test]
    fn r_fork_3_a_deletion_applies_when_the_other_side_left_the_item_alone() {
        let b = base();
        let mut s = b.clone();
        remove(&mut s, "f1");
        let mut d = b.clone();
        set(&mut d, "r4", "name", Some(json!("Health")));
        set(&mut d, "r3", "request.method", Some(json!("HEAD")));
        let out = merge(&b, &s, &d);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert!(find(&out.nodes, "f1").is_none() && find(&out.nodes, "r1").is_none());
        assert_eq!(kids(&out.nodes, "c"), ["f2", "r4"]);
        assert_eq!(must(&out.nodes, "r4").body["name"], json!("Health"));
        let deleted: Vec<&str> = out
            .summary
            .iter()
            .filter(|c| c.change == ChangeKind::Deletion)
            .map(|c| c.uid.as_str())
            .collect();
        assert_eq!(deleted, ["f1", "r1", "r2"]);
    }

    #[test]
    fn r_fork_3_deleted_on_one_side_and_edited_on_the_other_is_a_conflict() {
        let b = base();
        for source_deletes in [true, false] {
            let mut deleting = b.clone();
            remove(&mut deleting, "r3");
            let mut editing = b.clone();
            set(&mut editing, "r3", "name", Some(json!("Get a user")));
            let (s, d) = if source_deletes {
                (&deleting, &editing)
            } else {
                (&editing, &deleting)
            };
            let out = merge(&b, s, d);
            assert_eq!(out.conflicts.len(), 1, "{:?}", out.conflicts);
            let c = &out.conflicts[0];
            assert_eq!((c.uid.as_str(), c.path.as_str()), ("r3", ""));
            assert_eq!(c.base, Some(Value::Object(b[5].body.clone())));
            let edited = Some(Value::Object(must(&editing, "r3").body.clone()));
            let (want_s, want_d) = if source_deletes { (None, edited) } else { (edited, None) };
            assert_eq!((&c.source, &c.destination), (&want_s, &want_d));
            // The preview is the destination's.
            assert_eq!(find(&out.nodes, "r3").is_some(), source_deletes);

            let out = merge_with(&b, s, d, &one(Side::Source, &out.conflicts));
            assert_eq!(find(&out.nodes, "r3").is_some(), !source_deletes);
            let out = merge_with(&b, s, d, &one(Side::Destination, &merge(&b, s, d).conflicts));
            assert!(out.is_clean());
            assert_eq!(find(&out.nodes, "r3").is_some(), source_deletes);
            if source_deletes {
                assert_eq!(must(&out.nodes, "r3").body["name"], json!("Get a user"));
            }
        }
    }

    #[test]
    fn r_fork_3_an_item_added_under_a_folder_deleted_on_the_other_side_is_never_an_orphan() {
        let b = base();
        let mut s = b.clone();
        remove(&mut s, "f2");
        let mut d = b.clone();
        put(
            &mut d,
            request("r5", "f2", "Delete user", "DELETE", "/users/1"),
            "f2",
            1,
        );
        let out = merge(&b, &s, &d);
        assert_eq!(out.conflicts.len(), 1, "{:?}", out.conflicts);
        let c = &out.conflicts[0];
        assert_eq!((c.uid.as_str(), c.kind, c.path.as_str()), ("f2", NodeKind::Folder, ""));
        assert_eq!(c.changed_inside, ["r5"]);
        assert_eq!(c.source, None);
        // Preview (destination): the folder stays with what the fork added;
        // the request only the source deleted goes.
        assert_eq!(kids(&out.nodes, "f2"), ["r5"]);

        let gone = merge_with(&b, &s, &d, &one(Side::Source, &out.conflicts));
        assert!(gone.is_clean());
        for uid in ["f2", "r3", "r5"] {
            assert!(find(&gone.nodes, uid).is_none(), "{uid} survived");
        }
        let kept = merge_with(&b, &s, &d, &one(Side::Destination, &out.conflicts));
        assert_eq!(kids(&kept.nodes, "f2"), ["r5"]);

        // The other way round: the preview (destination) has no folder, so
        // no request either, and nothing dangles.
        let out = merge(&b, &d, &s);
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].destination, None);
        assert!(find(&out.nodes, "f2").is_none() && find(&out.nodes, "r5").is_none());
        let kept = merge_with(&b, &d, &s, &one(Side::Source, &out.conflicts));
        assert_eq!(kids(&kept.nodes, "f2"), ["r5"]);

        // An item moved into a folder the other side deleted is not lost
        // when the deletion wins: it stays where the other side has it.
        let mut s = b.clone();
        move_to(&mut s, "r4", "f2", 0);
        let mut d = b.clone();
        remove(&mut d, "f2");
        let out = merge(&b, &s, &d);
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].changed_inside, ["r4"]);
        assert_eq!(must(&out.nodes, "r4").parent.as_deref(), Some("c"));
        let kept = merge_with(&b, &s, &d, &one(Side::Source, &out.conflicts));
        assert_eq!(kids(&kept.nodes, "f2"), ["r4"]);
    }

    #[test]
    fn r_fork_3_an_edited_response_keeps_its_request_deleted_on_the_other_side_in_conflict() {
        let mut b = base();
        let response = FlatNode {
            uid: "e1".into(),
            parent: Some("r1".into()),
            position: position_at(0),
            kind: NodeKind::Response,
            body: obj(json!({"name": "200", "code": 200, "body": "[]"})),
        };
        b.push(response);
        let mut s = b.clone();
        remove(&mut s, "r1");
        let mut d = b.clone();
        set(&mut d, "e1", "body", Some(json!("[{\"id\": 1}]")));
        let out = merge(&b, &s, &d);
        let keys: Vec<(&str, &str)> = out
            .conflicts
            .iter()
            .map(|c| (c.uid.as_str(), c.path.as_str()))
            .collect();
        assert_eq!(keys, [("r1", "")]);
        assert_eq!(out.conflicts[0].changed_inside, ["e1"]);
        let gone = merge_with(&b, &s, &d, &one(Side::Source, &out.conflicts));
        assert!(find(&gone.nodes, "r1").is_none() && find(&gone.nodes, "e1").is_none());
        let kept = merge_with(&b, &s, &d, &one(Side::Destination, &out.conflicts));
        assert_eq!(kids(&kept.nodes, "r1"), ["e1"]);
    }

    #[test]
    fn r_fork_3_an_item_both_sides_added_merges_like_any_other() {
        let b = base();
        let mut s = b.clone();
        put(&mut s, request("new", "f1", "Export", "GET", "/orders.csv"), "f1", 2);
        let mut d = b.clone();
        let mut theirs = request("new", "f2", "Export", "GET", "/orders.csv");
        theirs.body.insert("description".into(), json!("CSV"));
        put(&mut d, theirs, "f2", 1);
        let out = merge(&b, &s, &d);
        let c: Vec<(&str, Option<&Value>, Option<&Value>)> = out
            .conflicts
            .iter()
            .map(|c| (c.path.as_str(), c.base.as_ref(), c.source.as_ref()))
            .collect();
        assert_eq!(c, [("location", None, Some(&json!({"parent": "f1", "index": 2})))]);
        // The fields only one side gave are taken.
        assert_eq!(must(&out.nodes, "new").body["description"], json!("CSV"));
        let mut same = b.clone();
        put(&mut same, request("new", "f1", "Export", "GET", "/orders.csv"), "f1", 2);
        let out = merge(&b, &s, &same);
        assert!(out.is_clean() && out.summary.is_empty());
    }

    #[test]
    fn r_fork_3_moves_to_different_folders_conflict_on_location() {
        let b = base();
        let mut s = b.clone();
        move_to(&mut s, "r4", "f1", 0);
        let mut d = b.clone();
        move_to(&mut d, "r4", "f2", 1);
        let out = merge(&b, &s, &d);
        assert_eq!(out.conflicts.len(), 1);
        let c = &out.conflicts[0];
        assert_eq!((c.uid.as_str(), c.path.as_str()), ("r4", "location"));
        assert_eq!(c.base, Some(json!({"parent": "c", "index": 2})));
        assert_eq!(c.source, Some(json!({"parent": "f1", "index": 0})));
        assert_eq!(c.destination, Some(json!({"parent": "f2", "index": 1})));
        assert_eq!(kids(&out.nodes, "f2"), ["r3", "r4"]);
        let out = merge_with(&b, &s, &d, &one(Side::Source, &out.conflicts));
        assert_eq!(kids(&out.nodes, "f1"), ["r4", "r1", "r2"]);
    }

    #[test]
    fn r_fork_3_crossed_folder_moves_make_no_cycle() {
        let b = base();
        let mut s = b.clone();
        move_to(&mut s, "f1", "f2", 0);
        let mut d = b.clone();
        move_to(&mut d, "f2", "f1", 0);
        let out = merge(&b, &s, &d);
        let keys: Vec<(&str, &str)> = out
            .conflicts
            .iter()
            .map(|c| (c.uid.as_str(), c.path.as_str()))
            .collect();
        assert_eq!(keys, [("f1", "location"), ("f2", "location")]);
        assert_eq!(shape(&out.nodes), shape(&d));

        let out = merge_with(&b, &s, &d, &one(Side::Source, &out.conflicts));
        assert!(out.is_clean());
        assert_eq!(shape(&out.nodes), shape(&s));

        // Choices that make the cycle again stay open.
        let mut res = Resolutions::new();
        res.insert("f1", "location", Side::Source);
        res.insert("f2", "location", Side::Destination);
        let out = merge_with(&b, &s, &d, &res);
        assert!(!out.is_clean());
    }

    #[test]
    fn r_fork_3_siblings_keep_their_place() {
        let b = base();
        let mut s = b.clone();
        put(
            &mut s,
            request("a", "f1", "Archive", "POST", "/orders/archive"),
            "f1",
            1,
        );
        let mut d = b.clone();
        put(&mut d, request("z", "f1", "Zap", "DELETE", "/orders"), "f1", 2);
        let out = merge(&b, &s, &d);
        assert_eq!(kids(&out.nodes, "f1"), ["r1", "a", "r2", "z"]);
        assert_eq!(shape(&merge(&b, &d, &s).nodes), shape(&out.nodes));
        let positions: Vec<i64> = ["r1", "a", "r2", "z"]
            .iter()
            .map(|u| must(&out.nodes, u).position)
            .collect();
        assert_eq!(
            positions,
            [position_at(0), position_at(1), position_at(2), position_at(3)]
        );

        // A reorder on one side and an addition on the other.
        let mut s = b.clone();
        move_to(&mut s, "r2", "f1", 0);
        let out = merge(&b, &s, &d);
        assert_eq!(kids(&out.nodes, "f1"), ["r2", "r1", "z"]);
    }

    #[test]
    fn r_fork_3_scripts_merge_per_event_kind() {
        let b = base();
        let test = json!({"listen": "test", "script": {"exec": ["pm.test('201')"]}});
        let pre = json!({"listen": "prerequest", "script": {"exec": ["pm.variables.set('a', 1)"]}});
        let mut s = b.clone();
        set(&mut s, "r2", "event.test", Some(test.clone()));
        let mut d = b.clone();
        set(&mut d, "r2", "event.prerequest", Some(pre.clone()));
        let out = merge(&b, &s, &d);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(must(&out.nodes, "r2").body["event"], json!([test, pre]));

        let mut d2 = b.clone();
        set(&mut d2, "r2", "event.test", None);
        let out = merge(&b, &s, &d2);
        assert_eq!(out.conflicts.len(), 1);
        assert_eq!(out.conflicts[0].path, "event.test");
        assert_eq!(out.conflicts[0].source, Some(test));
        assert_eq!(out.conflicts[0].destination, None);
    }

    #[test]
    fn r_fork_3_a_fork_with_its_own_collection_uid_merges() {
        let b = base();
        let mut s = b.clone();
        put(&mut s, request("r5", "c", "Version", "GET", "/version"), "c", 3);
        move_to(&mut s, "r1", "c", 0);
        set(&mut s, "c", "info", Some(json!({"name": "Shop v2", "schema": "x"})));
        let mut d = b.clone();
        d[0].uid = "fork".into();
        for n in &mut d {
            if n.parent.as_deref() == Some("c") {
                n.parent = Some("fork".into());
            }
        }
        move_to(&mut d, "r4", "f2", 0);
        let out = merge(&b, &s, &d);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        assert_eq!(out.nodes[0].uid, "fork");
        assert_eq!(out.nodes[0].body["info"]["name"], json!("Shop v2"));
        assert_eq!(kids(&out.nodes, "fork"), ["r1", "f1", "f2", "r5"]);
        assert_eq!(kids(&out.nodes, "f2"), ["r4", "r3"]);
        let root_change = out.summary.iter().find(|c| c.kind == NodeKind::Collection);
        assert_eq!(root_change.map(|c| c.uid.as_str()), Some("fork"));
    }

    #[test]
    fn r_fork_3_the_summary_says_what_changes_in_the_destination() {
        let b = base();
        let mut s = b.clone();
        put(
            &mut s,
            request("r5", "f1", "Cancel", "POST", "/orders/1/cancel"),
            "f1",
            2,
        );
        remove(&mut s, "r4");
        set(&mut s, "r1", "request.method", Some(json!("HEAD")));
        move_to(&mut s, "r3", "f1", 0);
        let mut d = b.clone();
        set(&mut d, "r2", "name", Some(json!("New order")));
        let out = merge(&b, &s, &d);
        assert!(out.is_clean());
        let got: Vec<(ChangeKind, &str, Vec<&str>, bool)> = out
            .summary
            .iter()
            .map(|c| (c.change, c.uid.as_str(), paths(c), c.location.is_some()))
            .collect();
        assert_eq!(
            got,
            [
                (ChangeKind::Modification, "r3", vec![], true),
                (ChangeKind::Modification, "r1", vec!["request.method"], false),
                (ChangeKind::Addition, "r5", vec!["event", "name", "request"], true),
                (ChangeKind::Deletion, "r4", vec!["event", "name", "request"], true),
            ]
        );
    }

    #[test]
    fn r_pr_1_changes_are_labelled_addition_deletion_or_modification() {
        let old = base();
        let mut new = old.clone();
        put(&mut new, folder("f3", "c", "Admin"), "c", 0);
        put(&mut new, request("r5", "f3", "Audit", "GET", "/audit"), "f3", 0);
        remove(&mut new, "r2");
        set(
            &mut new,
            "r1",
            "request.url",
            Some(json!({"raw": "/orders", "query": []})),
        );
        move_to(&mut new, "r4", "f2", 0);
        let list = changes(&old, &new);
        let got: Vec<(ChangeKind, &str)> = list.iter().map(|c| (c.change, c.uid.as_str())).collect();
        assert_eq!(
            got,
            [
                (ChangeKind::Addition, "f3"),
                (ChangeKind::Addition, "r5"),
                (ChangeKind::Modification, "r1"),
                (ChangeKind::Modification, "r4"),
                (ChangeKind::Deletion, "r2"),
            ]
        );
        assert_eq!(paths(&list[2]), ["request.url.query"]);
        assert_eq!(list[2].location, None);
        let moved = list[3].location.clone().unwrap_or_else(|| panic!("r4 moved"));
        assert_eq!(
            moved.from,
            Some(Location {
                parent: Some("c".into()),
                index: 2
            })
        );
        assert_eq!(
            moved.to,
            Some(Location {
                parent: Some("f2".into()),
                index: 0
            })
        );
        let wire = serde_json::to_value(&list).unwrap_or_default();
        assert_eq!(wire[0]["change"], json!("addition"));
        assert_eq!(wire[0]["kind"], json!("folder"));
        assert_eq!(wire[0]["name"], json!("Admin"));
        assert_eq!(wire[3]["change"], json!("modification"));
        assert_eq!(wire[4]["change"], json!("deletion"));
        // Siblings coming and going do not move the others.
        assert!(changes(&old, &old).is_empty());
        let mut fewer = old.clone();
        remove(&mut fewer, "f1");
        assert!(changes(&old, &fewer).iter().all(|c| c.change == ChangeKind::Deletion));
    }

    fn flat(file: &Value, root: &str) -> Vec<FlatNode> {
        let collection = import(file).unwrap_or_else(|e| panic!("{e}"));
        flatten_owned(collection, root).unwrap_or_else(|e| panic!("{e}"))
    }

    fn uid_named(nodes: &[FlatNode], name: &str) -> String {
        let mut found = nodes.iter().filter(|n| n.name() == Some(name));
        let node = found.next().unwrap_or_else(|| panic!("no {name}"));
        assert!(found.next().is_none(), "several {name}");
        node.uid.clone()
    }

    fn api(version: u32) -> Value {
        let mut orders = vec![
            json!({"name": "List", "request": {"method": "GET", "url": "https://x/orders"}}),
            json!({"name": "Create", "request": {"method": "POST", "url": "https://x/orders"}}),
            json!({"name": "Get", "request": {"method": "GET", "url": "https://x/orders/:id"}}),
        ];
        if version == 2 {
            orders[2]["name"] = json!("Get one");
            orders.push(json!({"name": "Delete", "request": {"method": "DELETE", "url": "https://x/orders/:id"}}));
        }
        json!({"info": {"name": "API", "version": version}, "item": [
            {"name": "Orders", "item": orders},
            {"name": "Ping", "request": "https://x/ping"}
        ]})
    }

    #[test]
    fn r_fork_3_match_identities_keys_a_reimport_without_ids_onto_the_old_items() {
        let old = flat(&api(1), "col");
        let mut new = flat(&api(2), "col");
        let old_uids: HashSet<String> = old.iter().map(|n| n.uid.clone()).collect();
        assert!(new.iter().skip(1).all(|n| !old_uids.contains(&n.uid)));
        match_identities(&old, &mut new);
        for name in ["Orders", "List", "Create", "Ping"] {
            assert_eq!(uid_named(&new, name), uid_named(&old, name), "{name}");
        }
        // Renamed: the same method and URL in the same folder.
        assert_eq!(uid_named(&new, "Get one"), uid_named(&old, "Get"));
        // Added: a uid of its own, under the matched folder.
        let delete = uid_named(&new, "Delete");
        assert!(!old_uids.contains(&delete));
        assert_eq!(must(&new, &delete).parent, Some(uid_named(&old, "Orders")));
        assert_eq!(new[0].uid, "col");
        check_valid(&new);

        // A fork that edited the renamed request pulls the new version item
        // by item.
        let mut fork = old.clone();
        let get = uid_named(&old, "Get");
        set(&mut fork, &get, "description", Some(json!("Our note")));
        let out = merge(&old, &new, &fork);
        assert!(out.is_clean(), "{:?}", out.conflicts);
        let merged = must(&out.nodes, &get);
        assert_eq!(merged.body["name"], json!("Get one"));
        assert_eq!(merged.body["description"], json!("Our note"));
        let got: Vec<(ChangeKind, Option<&str>)> = out.summary.iter().map(|c| (c.change, c.name.as_deref())).collect();
        assert_eq!(
            got,
            [
                (ChangeKind::Modification, Some("API")),
                (ChangeKind::Modification, Some("Get one")),
                (ChangeKind::Addition, Some("Delete")),
            ]
        );
    }

    #[test]
    fn r_fork_3_match_identities_keeps_real_ids_and_never_reuses_a_uid() {
        let old = numbered(vec![
            root("c"),
            folder("f", "c", "F"),
            request("a", "f", "X", "GET", "/x"),
            request("b", "f", "X", "GET", "/x"),
            request("p", "c", "P", "GET", "/p"),
        ]);
        let mut with_id = request("a", "f-new", "X", "GET", "/x");
        with_id.body.insert("id".into(), json!("a"));
        let mut new = numbered(vec![
            root("c2"),
            folder("f-new", "c2", "F"),
            request("n1", "f-new", "X", "GET", "/x"),
            with_id,
            request("n2", "f-new", "X", "GET", "/x"),
            request("n3", "c2", "P", "POST", "/p"),
        ]);
        match_identities(&old, &mut new);
        let uids: Vec<&str> = new.iter().map(|n| n.uid.as_str()).collect();
        // The collection keeps its uid; "a" is taken by the item whose id it
        // is, so the first duplicate gets "b" and the second none; P matches
        // by name although its method changed.
        assert_eq!(uids, ["c2", "f", "b", "a", "n2", "p"]);
        let parents: Vec<Option<&str>> = new.iter().map(|n| n.parent.as_deref()).collect();
        assert_eq!(parents, [None, Some("c2"), Some("f"), Some("f"), Some("f"), Some("c2")]);
    }

    #[test]
    fn r_fork_3_real_collections_merge_with_themselves_and_rematch() {
        for (name, file) in super::super::tests::corpus() {
            let Ok(collection) = import(&file) else { continue };
            let Ok(nodes) = flatten_owned(collection, "root") else {
                continue;
            };
            let out = merge(&nodes, &nodes, &nodes);
            assert!(out.is_clean() && out.summary.is_empty(), "{name}");
            assert_eq!(shape(&out.nodes), shape(&nodes), "{name}");
            // A re-import gets fresh uids for items without ids; matching
            // gives every one back.
            let Ok(again) = import(&file) else { continue };
            let Ok(mut again) = flatten_owned(again, "root") else {
                continue;
            };
            match_identities(&nodes, &mut again);
            assert_eq!(shape(&again), shape(&nodes), "{name}");
        }
    }

    /// Random trees and edit scripts (R-FORK-3 merge laws).
    mod laws {
        use proptest::prelude::*;

        use super::*;

        const REQUEST_FIELDS: [&str; 7] = [
            "name",
            "description",
            "request.method",
            "request.url",
            "request.header",
            "event.test",
            "event.prerequest",
        ];
        const FOLDER_FIELDS: [&str; 2] = ["name", "description"];
        /// Fields each side edits in the disjoint law.
        const SOURCE_FIELDS: [&str; 3] = ["name", "request.method", "event.test"];
        const DESTINATION_FIELDS: [&str; 4] = ["description", "request.url", "request.header", "event.prerequest"];

        #[derive(Debug, Clone)]
        enum Op {
            Edit { item: usize, field: usize, value: u8 },
            Add { parent: usize, index: usize, folder: bool },
            Delete { item: usize },
            Move { item: usize, parent: usize, index: usize },
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                3 => (any::<usize>(), any::<usize>(), 0u8..4).prop_map(|(item, field, value)| Op::Edit { item, field, value }),
                1 => (any::<usize>(), any::<usize>(), any::<bool>()).prop_map(|(parent, index, folder)| Op::Add { parent, index, folder }),
                1 => any::<usize>().prop_map(|item| Op::Delete { item }),
                2 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(item, parent, index)| Op::Move { item, parent, index }),
            ]
        }

        fn ops() -> impl Strategy<Value = Vec<Op>> {
            prop::collection::vec(op(), 0..7)
        }

        fn make_request(uid: &str, parent: &str, seed: usize) -> FlatNode {
            let mut node = request(uid, parent, &format!("Request {seed}"), "GET", &format!("/r/{seed}"));
            if seed % 2 == 1 {
                set_field(
                    &mut node.body,
                    "event.prerequest",
                    Some(json!({"listen": "prerequest", "script": {"exec": [format!("pre {seed}")]}})),
                );
            }
            if seed.is_multiple_of(3) {
                node.body.remove("description");
            } else {
                node.body.insert("description".into(), json!(format!("About {seed}")));
            }
            node
        }

        /// A base tree: each entry adds a folder or a request at the end of
        /// a container picked among the ones made so far.
        fn base_tree() -> impl Strategy<Value = Vec<FlatNode>> {
            prop::collection::vec((any::<bool>(), any::<usize>()), 0..14).prop_map(|spec| {
                let mut nodes = vec![root("root")];
                for (i, (is_folder, pick)) in spec.into_iter().enumerate() {
                    let holders = containers(&nodes);
                    let parent = holders[pick % holders.len()].clone();
                    let uid = format!("n{i}");
                    let node = if is_folder {
                        folder(&uid, &parent, &format!("Folder {i}"))
                    } else {
                        make_request(&uid, &parent, i)
                    };
                    let at = kids(&nodes, &parent).len();
                    put(&mut nodes, node, &parent, at);
                }
                nodes
            })
        }

        /// Items in tree order.
        fn items(nodes: &[FlatNode]) -> Vec<String> {
            let mut out = Vec::new();
            let mut stack = vec!["root".to_owned()];
            while let Some(u) = stack.pop() {
                if u != "root" {
                    out.push(u.clone());
                }
                stack.extend(kids(nodes, &u).into_iter().rev());
            }
            out
        }

        fn containers(nodes: &[FlatNode]) -> Vec<String> {
            let mut out = vec!["root".to_owned()];
            out.extend(
                items(nodes)
                    .into_iter()
                    .filter(|u| must(nodes, u).kind == NodeKind::Folder),
            );
            out
        }

        fn top_of(nodes: &[FlatNode], uid: &str) -> String {
            let mut u = uid.to_owned();
            loop {
                match must(nodes, &u).parent.as_deref() {
                    Some("root") | None => return u,
                    Some(p) => u = p.to_owned(),
                }
            }
        }

        fn within(nodes: &[FlatNode], uid: &str, ancestor: &str) -> bool {
            let mut u = Some(uid.to_owned());
            while let Some(x) = u {
                if x == ancestor {
                    return true;
                }
                u = find(nodes, &x).and_then(|n| n.parent.clone());
            }
            false
        }

        /// Edits one of `fields` (those a folder has, for a folder).
        fn edit(node: &mut FlatNode, fields: &[&str], field: usize, value: u8, tag: &str) {
            let allowed: Vec<&str> = fields
                .iter()
                .copied()
                .filter(|f| node.kind != NodeKind::Folder || FOLDER_FIELDS.contains(f))
                .collect();
            if allowed.is_empty() {
                return;
            }
            let path = allowed[field % allowed.len()];
            set_field(&mut node.body, path, field_value(path, value, tag));
        }

        fn field_value(path: &str, v: u8, tag: &str) -> Option<Value> {
            let text = format!("{tag}{v}");
            match path {
                "description" if v == 0 => None,
                "request.url" => Some(json!({"raw": format!("/x/{text}")})),
                "request.header" if v == 0 => Some(json!([])),
                "request.header" => Some(json!([{"key": "X", "value": text}])),
                "event.test" | "event.prerequest" if v == 0 => None,
                "event.test" => Some(json!({"listen": "test", "script": {"exec": [text]}})),
                "event.prerequest" => Some(json!({"listen": "prerequest", "script": {"exec": [text]}})),
                _ => Some(json!(text)),
            }
        }

        /// Which items a side may change structurally: all, or only those
        /// under its own top-level items (and never move top-level ones).
        enum Scope {
            All,
            Group(HashSet<String>),
        }

        impl Scope {
            fn fields(&self, tag: &str) -> &'static [&'static str] {
                match (self, tag) {
                    (Scope::All, _) => &REQUEST_FIELDS,
                    (Scope::Group(_), "s") => &SOURCE_FIELDS,
                    (Scope::Group(_), _) => &DESTINATION_FIELDS,
                }
            }

            fn owns(&self, nodes: &[FlatNode], uid: &str) -> bool {
                match self {
                    Scope::All => true,
                    Scope::Group(tops) => uid != "root" && tops.contains(&top_of(nodes, uid)),
                }
            }
        }

        /// Applies a script; new items are `{tag}{n}`, edited values carry
        /// `value_tag`.
        fn apply(nodes: &mut Vec<FlatNode>, script: &[Op], scope: &mut Scope, tag: &str, value_tag: &str) {
            for (n, op) in script.iter().enumerate() {
                let all = items(nodes);
                let owned: Vec<String> = all.iter().filter(|u| scope.owns(nodes, u)).cloned().collect();
                match *op {
                    Op::Edit { item, field, value } => {
                        if owned.is_empty() {
                            continue;
                        }
                        let uid = owned[item % owned.len()].clone();
                        let fields = scope.fields(tag);
                        if let Some(node) = nodes.iter_mut().find(|x| x.uid == uid) {
                            edit(node, fields, field, value, value_tag);
                        }
                    }
                    Op::Add {
                        parent,
                        index,
                        folder: is_folder,
                    } => {
                        let mut holders: Vec<String> = containers(nodes);
                        if let Scope::Group(_) = scope {
                            holders.retain(|h| h == "root" || scope.owns(nodes, h));
                        }
                        let holder = holders[parent % holders.len()].clone();
                        let uid = format!("{tag}{n}");
                        let node = if is_folder {
                            folder(&uid, &holder, &format!("New folder {tag}{n}"))
                        } else {
                            make_request(&uid, &holder, 100 + n)
                        };
                        if holder == "root"
                            && let Scope::Group(tops) = scope
                        {
                            tops.insert(uid.clone());
                        }
                        put(nodes, node, &holder, index % (kids(nodes, &holder).len() + 1));
                    }
                    Op::Delete { item } => {
                        if !owned.is_empty() {
                            let uid = owned[item % owned.len()].clone();
                            remove(nodes, &uid);
                        }
                    }
                    Op::Move { item, parent, index } => {
                        let (movable, holders): (Vec<String>, Vec<String>) = match scope {
                            Scope::All => (all.clone(), containers(nodes)),
                            Scope::Group(_) => (
                                owned
                                    .iter()
                                    .filter(|u| must(nodes, u).parent.as_deref() != Some("root"))
                                    .cloned()
                                    .collect(),
                                containers(nodes)
                                    .into_iter()
                                    .filter(|h| h != "root" && scope.owns(nodes, h))
                                    .collect(),
                            ),
                        };
                        if movable.is_empty() || holders.is_empty() {
                            continue;
                        }
                        let uid = movable[item % movable.len()].clone();
                        let holder = holders[parent % holders.len()].clone();
                        if within(nodes, &holder, &uid) {
                            continue;
                        }
                        let len = kids(nodes, &holder).iter().filter(|k| **k != uid).count();
                        move_to(nodes, &uid, &holder, index % (len + 1));
                    }
                }
            }
        }

        fn edited(base: &[FlatNode], script: &[Op], tag: &str, value_tag: &str) -> Vec<FlatNode> {
            let mut nodes = base.to_vec();
            apply(&mut nodes, script, &mut Scope::All, tag, value_tag);
            nodes
        }

        fn location_of(nodes: &[FlatNode], uid: &str) -> Option<Value> {
            let node = find(nodes, uid)?;
            let parent = node.parent.clone()?;
            let index = kids(nodes, &parent).iter().position(|k| k == uid)?;
            Some(json!({"parent": parent, "index": index}))
        }

        fn body_value(nodes: &[FlatNode], uid: &str) -> Option<Value> {
            find(nodes, uid).map(|n| Value::Object(n.body.clone()))
        }

        /// Resolves every conflict with `side`, again while new ones appear.
        fn resolve_all(b: &[FlatNode], s: &[FlatNode], d: &[FlatNode], side: Side) -> MergeOutcome {
            let mut res = Resolutions::new();
            for _ in 0..8 {
                let out = merge_with(b, s, d, &res);
                if out.is_clean() {
                    return out;
                }
                res.extend(out.conflicts.iter().map(|c| (c.key(), side)));
            }
            panic!("resolving everything with {side:?} does not settle");
        }

        /// Whether `side` changed the item `uid` of `base`, or anything
        /// inside it: added, deleted, moved to another folder or place, or
        /// edited. (Deleting a folder conflicts with a change inside it.)
        fn touched(base: &[FlatNode], side: &[FlatNode], uid: &str) -> bool {
            let changed = |u: &str| match (find(base, u), find(side, u)) {
                (Some(b), Some(x)) => b.body != x.body || b.parent != x.parent || b.position != x.position,
                (None, None) => false,
                _ => true,
            };
            base.iter()
                .chain(side)
                .filter(|n| within(base, &n.uid, uid) || within(side, &n.uid, uid))
                .any(|n| changed(&n.uid))
        }

        /// 192 cases in CI; `PROPTEST_CASES` sets more (the long mode,
        /// docs/security.md).
        fn config() -> ProptestConfig {
            ProptestConfig {
                cases: std::env::var("PROPTEST_CASES")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(192),
                failure_persistence: None,
                ..ProptestConfig::default()
            }
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn r_fork_3_no_change_on_one_side_gives_the_other_side(base in base_tree(), script in ops()) {
                let changed = edited(&base, &script, "s", "s");
                let out = merge(&base, &changed, &base);
                prop_assert!(out.is_clean(), "{:?}", out.conflicts);
                prop_assert_eq!(shape(&out.nodes), shape(&changed));
                let out = merge(&base, &base, &changed);
                prop_assert!(out.is_clean(), "{:?}", out.conflicts);
                prop_assert_eq!(shape(&out.nodes), shape(&changed));
                prop_assert!(out.summary.is_empty());
            }

            #[test]
            fn r_fork_3_disjoint_changes_never_conflict_and_commute(
                base in base_tree(),
                s_script in ops(),
                d_script in ops(),
                s_edits in prop::collection::vec((any::<usize>(), any::<usize>(), 0u8..4), 0..4),
                d_edits in prop::collection::vec((any::<usize>(), any::<usize>(), 0u8..4), 0..4),
            ) {
                // Each side restructures the subtrees of its own top-level
                // items (every other one), then edits its own fields of the
                // base items both still have.
                let tops = kids(&base, "root");
                let group = |parity: usize| -> HashSet<String> {
                    tops.iter().enumerate().filter(|(i, _)| i % 2 == parity).map(|(_, u)| u.clone()).collect()
                };
                let mut s = base.clone();
                apply(&mut s, &s_script, &mut Scope::Group(group(0)), "s", "s");
                let mut d = base.clone();
                apply(&mut d, &d_script, &mut Scope::Group(group(1)), "d", "d");
                let survivors: Vec<String> = items(&base)
                    .into_iter()
                    .filter(|u| find(&s, u).is_some() && find(&d, u).is_some())
                    .collect();
                for (nodes, edits, fields, tag) in [
                    (&mut s, &s_edits, &SOURCE_FIELDS[..], "s"),
                    (&mut d, &d_edits, &DESTINATION_FIELDS[..], "d"),
                ] {
                    for &(item, field, value) in edits {
                        if survivors.is_empty() {
                            break;
                        }
                        let uid = &survivors[item % survivors.len()];
                        let node = nodes.iter_mut().find(|n| &n.uid == uid).unwrap_or_else(|| panic!("{uid}"));
                        edit(node, fields, field, value, tag);
                    }
                }
                let out = merge(&base, &s, &d);
                prop_assert!(out.is_clean(), "{:?}", out.conflicts);
                let swapped = merge(&base, &d, &s);
                prop_assert!(swapped.is_clean(), "{:?}", swapped.conflicts);
                prop_assert_eq!(shape(&out.nodes), shape(&swapped.nodes));
                // Each side's change is there.
                for uid in items(&base).iter().chain(items(&s).iter()).chain(items(&d).iter()) {
                    let (bn, sn, dn) = (find(&base, uid), find(&s, uid), find(&d, uid));
                    let merged = find(&out.nodes, uid);
                    match (bn, sn, dn) {
                        (Some(_), Some(_), Some(_)) => {}
                        (None, Some(x), None) | (None, None, Some(x)) => {
                            prop_assert_eq!(merged.map(|m| &m.body), Some(&x.body));
                            continue;
                        }
                        _ => {
                            prop_assert!(merged.is_none(), "{} should be deleted", uid);
                            continue;
                        }
                    }
                    let (bn, sn, dn, merged) = (bn.unwrap(), sn.unwrap(), dn.unwrap(), merged.unwrap());
                    for path in REQUEST_FIELDS {
                        let from_s = value_at(&sn.body, path);
                        let want = if from_s != value_at(&bn.body, path) { from_s } else { value_at(&dn.body, path) };
                        prop_assert_eq!(value_at(&merged.body, path), want, "{} {}", uid, path);
                    }
                    let want = if sn.parent != bn.parent { &sn.parent } else { &dn.parent };
                    prop_assert_eq!(&merged.parent, want, "{}", uid);
                }
            }

            /// Three trees made apart from one another: the same uids sit in
            /// other folders, or are a folder on one side and a request on
            /// another. The merge must still answer a valid tree (checked by
            /// `merge_with`), and resolving every conflict either way too.
            #[test]
            fn r_fork_3_unrelated_trees_merge_without_panicking(base in base_tree(), s in base_tree(), d in base_tree()) {
                let out = merge(&base, &s, &d);
                for c in &out.conflicts {
                    prop_assert!(touched(&base, &s, c.uid.as_str()) && touched(&base, &d, c.uid.as_str()), "{:?}", c);
                }
                for side in [Side::Source, Side::Destination] {
                    let res: Resolutions = out.conflicts.iter().map(|c| (c.key(), side)).collect();
                    merge_with(&base, &s, &d, &res);
                }
            }

            /// A conflict is only ever about an item both sides changed.
            #[test]
            fn r_fork_3_conflicts_only_where_both_sides_changed_the_item(
                base in base_tree(),
                s_script in ops(),
                d_script in ops(),
            ) {
                let s = edited(&base, &s_script, "s", "");
                let d = edited(&base, &d_script, "d", "");
                let out = merge(&base, &s, &d);
                let moved_a_folder = |side: &[FlatNode]| {
                    side.iter().any(|n| n.kind == NodeKind::Folder && find(&base, &n.uid).is_some_and(|b| b.parent != n.parent))
                };
                for c in &out.conflicts {
                    let uid = c.uid.as_str();
                    if c.path == "location" && moved_a_folder(&s) && moved_a_folder(&d) {
                        // Moves of both sides can close a cycle through
                        // several folders (A into B on one side, B into A on
                        // the other); the merge breaks it with a location
                        // conflict on an item of the cycle one side moved.
                        prop_assert!(touched(&base, &s, uid) || touched(&base, &d, uid), "{:?}", c);
                        continue;
                    }
                    prop_assert!(touched(&base, &s, uid) && touched(&base, &d, uid), "{:?}", c);
                }
            }

            #[test]
            fn r_fork_3_the_same_change_on_both_sides_never_conflicts(base in base_tree(), script in ops()) {
                let changed = edited(&base, &script, "x", "x");
                let out = merge(&base, &changed, &changed.clone());
                prop_assert!(out.is_clean(), "{:?}", out.conflicts);
                prop_assert_eq!(shape(&out.nodes), shape(&changed));
                prop_assert!(out.summary.is_empty());
            }

            #[test]
            fn r_fork_3_conflicts_keep_both_sides_and_resolve_to_either(
                base in base_tree(),
                s_script in ops(),
                d_script in ops(),
            ) {
                let s = edited(&base, &s_script, "s", "");
                let d = edited(&base, &d_script, "d", "");
                let out = merge(&base, &s, &d);
                for c in &out.conflicts {
                    let uid = c.uid.as_str();
                    match c.path.as_str() {
                        "" => {
                            prop_assert_eq!(&c.base, &body_value(&base, uid));
                            prop_assert_eq!(&c.source, &body_value(&s, uid));
                            prop_assert_eq!(&c.destination, &body_value(&d, uid));
                            prop_assert!(c.source.is_some() != c.destination.is_some());
                        }
                        "location" => {
                            prop_assert_eq!(&c.base, &location_of(&base, uid));
                            prop_assert_eq!(&c.source, &location_of(&s, uid));
                            prop_assert_eq!(&c.destination, &location_of(&d, uid));
                            prop_assert!(c.source.is_some() && c.destination.is_some());
                        }
                        path => {
                            let at = |nodes: &[FlatNode]| find(nodes, uid).and_then(|n| value_at(&n.body, path));
                            prop_assert_eq!(&c.base, &at(&base));
                            prop_assert_eq!(&c.source, &at(&s));
                            prop_assert_eq!(&c.destination, &at(&d));
                            prop_assert_ne!(&c.source, &c.destination);
                        }
                    }
                }
                for (side, chosen) in [(Side::Source, &s), (Side::Destination, &d)] {
                    let out = resolve_all(&base, &s, &d, side);
                    for c in &out.resolved {
                        let uid = c.uid.as_str();
                        let merged = find(&out.nodes, uid);
                        let want = find(chosen, uid);
                        match c.path.as_str() {
                            "" => prop_assert_eq!(merged.is_some(), want.is_some(), "{} {:?}", uid, side),
                            "location" => prop_assert_eq!(
                                merged.and_then(|n| n.parent.clone()),
                                want.and_then(|n| n.parent.clone()),
                                "{} {:?}", uid, side
                            ),
                            path => prop_assert_eq!(
                                merged.and_then(|n| value_at(&n.body, path)),
                                want.and_then(|n| value_at(&n.body, path)),
                                "{} {} {:?}", uid, path, side
                            ),
                        }
                    }
                }
            }
        }
    }
}
