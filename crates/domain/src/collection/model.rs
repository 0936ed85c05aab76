//! The in-memory collection: a tree of items, each holding its JSON object
//! untouched apart from its children, so that nothing in a file is lost.

use std::fmt;

use serde_json::{Map, Value};

/// The identity of an item or a response inside a collection.
///
/// Forks, merges and single-item edits address items by this value, so it must
/// not change when a collection goes through export and import. It is the
/// item's own `id` when the file has one (tools that wrote the file keep
/// referring to it), and otherwise a random UUID given at import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemUid(String);

impl ItemUid {
    /// An identity taken from a request path or a stored tree. Any string is
    /// accepted: ids in real files are not always UUIDs.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// A fresh identity for an item or a response whose file gave it none.
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().hyphenated().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for ItemUid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The identity an item or a response carries: from its `id` field if that is
/// a non-empty string, otherwise a fresh one.
///
/// Returns `(uid, assigned)`; `assigned` is true when the file had no usable
/// `id`, so that plain export leaves the object as it came.
pub(crate) fn identity_of(fields: &Map<String, Value>) -> (ItemUid, bool) {
    match fields.get("id") {
        Some(Value::String(id)) if !id.is_empty() => (ItemUid::new(id.clone()), false),
        _ => (ItemUid::generate(), true),
    }
}

/// A collection in Collection Format v2.1, kept as close to the file as
/// possible: only the item tree is taken apart, everything else stays JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// The `info` object; `None` when the file had none (or a non-object one,
    /// which then stays in `rest` as it was).
    pub info: Option<Map<String, Value>>,
    /// The top-level items, in file order.
    pub items: Vec<Item>,
    /// Whether the file had an `item` array, so that a file without one
    /// exports without one while it stays empty.
    pub item_key: bool,
    /// Every other top-level field (`variable`, `auth`, `event`,
    /// `protocolProfileBehavior`, unknown ones…), untouched.
    pub rest: Map<String, Value>,
}

/// A folder or a request of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The stable identity; see [`ItemUid`].
    pub uid: ItemUid,
    /// True when the uid was made at import because the file had no `id`:
    /// plain export then writes no `id`, [`super::export_with_ids`] does.
    pub uid_assigned: bool,
    /// The item's JSON object without its children (`item` or `response`).
    pub fields: Map<String, Value>,
    pub kind: ItemKind,
}

/// What an item is, with its children.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// A folder (an object with an `item` array): its children in order.
    Folder(Vec<Item>),
    /// A request, or an object with neither `item` nor `request`, which the
    /// platform also writes. `response_key` records whether the file had a
    /// `response` array, so that an item without one exports without one.
    Request {
        responses: Vec<Response>,
        response_key: bool,
    },
}

/// A saved example response of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The stable identity; see [`ItemUid`].
    pub uid: ItemUid,
    /// True when the uid was made at import; see [`Item::uid_assigned`].
    pub uid_assigned: bool,
    /// The response's JSON object, untouched.
    pub fields: Map<String, Value>,
}

impl Item {
    /// A new folder; its identity comes from `fields["id"]` when present.
    pub fn folder(fields: Map<String, Value>, items: Vec<Item>) -> Self {
        let (uid, uid_assigned) = identity_of(&fields);
        Self {
            uid,
            uid_assigned,
            fields,
            kind: ItemKind::Folder(items),
        }
    }

    /// A new request; its identity comes from `fields["id"]` when present.
    pub fn request(fields: Map<String, Value>, responses: Vec<Response>) -> Self {
        let (uid, uid_assigned) = identity_of(&fields);
        Self {
            uid,
            uid_assigned,
            fields,
            kind: ItemKind::Request {
                responses,
                response_key: true,
            },
        }
    }

    pub fn is_folder(&self) -> bool {
        matches!(self.kind, ItemKind::Folder(_))
    }

    /// The item's `name`, when it is a string.
    pub fn name(&self) -> Option<&str> {
        self.fields.get("name").and_then(Value::as_str)
    }

    /// The children of a folder; empty for a request.
    pub fn children(&self) -> &[Item] {
        match &self.kind {
            ItemKind::Folder(items) => items,
            ItemKind::Request { .. } => &[],
        }
    }

    /// The saved responses of a request; empty for a folder.
    pub fn responses(&self) -> &[Response] {
        match &self.kind {
            ItemKind::Folder(_) => &[],
            ItemKind::Request { responses, .. } => responses,
        }
    }
}

impl Response {
    /// A new response; its identity comes from `fields["id"]` when present.
    pub fn new(fields: Map<String, Value>) -> Self {
        let (uid, uid_assigned) = identity_of(&fields);
        Self {
            uid,
            uid_assigned,
            fields,
        }
    }
}

impl Collection {
    /// Every item, folders before their children, in file order, with its
    /// path of child indices from the top (`[1, 0]` is the first child of the
    /// second top-level item).
    pub fn depth_first(&self) -> DepthFirst<'_> {
        let stack = self
            .items
            .iter()
            .enumerate()
            .rev()
            .map(|(i, item)| (vec![i], item))
            .collect();
        DepthFirst { stack }
    }

    /// The item with this identity and its path.
    pub fn find(&self, uid: &str) -> Option<(Vec<usize>, &Item)> {
        self.depth_first().find(|(_, item)| item.uid.as_str() == uid)
    }

    /// The response with this identity, with the path of its request and its
    /// index among the request's responses.
    pub fn find_response(&self, uid: &str) -> Option<(Vec<usize>, usize, &Response)> {
        self.depth_first().find_map(|(path, item)| {
            let found = item.responses().iter().enumerate().find(|(_, r)| r.uid.as_str() == uid);
            found.map(|(i, response)| (path, i, response))
        })
    }

    /// The item at a path given by [`Collection::depth_first`].
    pub fn item_at(&self, path: &[usize]) -> Option<&Item> {
        let (first, rest) = path.split_first()?;
        rest.iter()
            .try_fold(self.items.get(*first)?, |item, i| item.children().get(*i))
    }

    /// The item at a path, for changing it in place.
    pub fn item_at_mut(&mut self, path: &[usize]) -> Option<&mut Item> {
        let (first, rest) = path.split_first()?;
        rest.iter()
            .try_fold(self.items.get_mut(*first)?, |item, i| match &mut item.kind {
                ItemKind::Folder(children) => children.get_mut(*i),
                ItemKind::Request { .. } => None,
            })
    }

    /// How many requests the collection holds, in all folders.
    pub fn request_count(&self) -> usize {
        self.depth_first().filter(|(_, item)| !item.is_folder()).count()
    }
}

/// Depth-first walk over a collection's items; see [`Collection::depth_first`].
pub struct DepthFirst<'a> {
    stack: Vec<(Vec<usize>, &'a Item)>,
}

impl<'a> Iterator for DepthFirst<'a> {
    type Item = (Vec<usize>, &'a Item);

    fn next(&mut self) -> Option<Self::Item> {
        let (path, item) = self.stack.pop()?;
        for (i, child) in item.children().iter().enumerate().rev() {
            let mut child_path = path.clone();
            child_path.push(i);
            self.stack.push((child_path, child));
        }
        Some((path, item))
    }
}
