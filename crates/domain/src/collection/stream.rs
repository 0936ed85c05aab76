//! Import straight to stored nodes, without a JSON tree of the whole file.
//!
//! [`super::import_json`] builds a `serde_json::Value` of the whole document,
//! then the model, then the nodes: three shapes of the same data, each larger
//! in memory than the file. Importing a collection only to store it needs
//! none of them: this parser walks the document once, and turns each item,
//! as soon as its own fields are read, into a [`NodeText`]. Only one item's
//! fields are ever held as a JSON tree, so the peak memory is the stored
//! texts (about the size of the minified file) and no more.
//!
//! The result is the same as [`super::import`] followed by [`super::flatten`]
//! (the same nodes, the same texts), and so are the refusals: for input it
//! cannot take, [`import_nodes_slice`] asks the tree-building import for the
//! exact error. Envelopes (`{"collection": …}`) and v1 files go through the
//! tree-building import as a whole.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::import::{Ids, MAX_FOLDER_DEPTH, broken, import_owned};
use super::model::identity_of;
use super::stored::{NodeText, body_text};
use super::tree::{NodeKind, flatten_owned, position_at};
use super::v1;
use crate::Error;

/// Imports a collection given as JSON bytes (R-COL-1) straight to the nodes
/// to store under the collection id `root`: equal to [`super::import_json`]
/// followed by [`super::flatten`], with each body as text.
pub fn import_nodes_slice(bytes: &[u8], root: &str) -> Result<Vec<NodeText>, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match lean(&mut de, root).and_then(|nodes| end(&mut de).map(|()| nodes)) {
        Ok(Lean::Nodes(nodes)) => Ok(nodes),
        Ok(Lean::Whole(value)) => tree_nodes(value, root),
        // Whatever the fast path could not take, the tree-building import
        // explains with its own message and path.
        Err(_) => {
            let value: Value = serde_json::from_slice(bytes)
                .map_err(|e| broken(&format!("The collection is not valid JSON ({e})"), "$"))?;
            tree_nodes(value, root)
        }
    }
}

/// Like [`import_nodes_slice`], reading the JSON from `reader` as it goes,
/// so that not even the file's text is held in memory at once. A refusal
/// names the JSON path of the problem, in the parser's words.
pub fn import_nodes_reader<R: std::io::Read>(reader: R, root: &str) -> Result<Vec<NodeText>, Error> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    match lean(&mut de, root).and_then(|nodes| end(&mut de).map(|()| nodes)) {
        Ok(Lean::Nodes(nodes)) => Ok(nodes),
        Ok(Lean::Whole(value)) => tree_nodes(value, root),
        Err(e) => Err(e),
    }
}

fn end<'de, R: serde_json::de::Read<'de>>(de: &mut serde_json::Deserializer<R>) -> Result<(), Error> {
    de.end()
        .map_err(|e| broken(&format!("The collection is not valid JSON ({e})"), "$"))
}

fn tree_nodes(value: Value, root: &str) -> Result<Vec<NodeText>, Error> {
    let collection = import_owned(value)?;
    Ok(flatten_owned(collection, root)?.iter().map(NodeText::of).collect())
}

enum Lean {
    Nodes(Vec<NodeText>),
    /// A document the fast path hands to the tree-building import whole.
    Whole(Value),
}

/// A node being read: its parent is the index of another pending node.
struct Pending {
    uid: String,
    parent: usize,
    position: i64,
    kind: NodeKind,
    body: String,
}

#[derive(Default)]
struct Ctx {
    nodes: Vec<Pending>,
    ids: Ids,
    /// The first refusal, with its JSON path; the parser's own error only
    /// stops the walk.
    error: Option<Error>,
}

impl Ctx {
    /// Sets the body of node `index`: its stored text. The fields' tree is
    /// dropped here, so that only one item's tree exists at a time.
    fn body(&mut self, index: usize, fields: Map<String, Value>) {
        self.nodes[index].body = body_text(&fields);
    }

    fn refuse<E: serde::de::Error>(&mut self, what: &str, path: &str) -> E {
        let error = broken(what, path);
        let message = error.message.clone();
        self.error.get_or_insert(error);
        E::custom(message)
    }
}

fn lean<'de, R: serde_json::de::Read<'de>>(de: &mut serde_json::Deserializer<R>, root: &str) -> Result<Lean, Error> {
    let mut ctx = Ctx::default();
    ctx.nodes.push(Pending {
        uid: root.to_owned(),
        parent: usize::MAX,
        position: 0,
        kind: NodeKind::Collection,
        body: String::new(),
    });
    let outcome = de.deserialize_any(Top { ctx: &mut ctx });
    if let Some(error) = ctx.error.take() {
        return Err(error);
    }
    match outcome {
        Ok(None) => {}
        Ok(Some(whole)) => return Ok(Lean::Whole(whole)),
        Err(e) => {
            let what = if e.is_syntax() || e.is_eof() || e.is_io() {
                format!("The collection is not valid JSON ({e})")
            } else {
                format!("The collection has an unexpected shape ({e})")
            };
            return Err(broken(&what, "$"));
        }
    }
    let Ctx { nodes, .. } = ctx;
    if let Some(clash) = nodes.iter().skip(1).find(|n| n.uid == root) {
        return Err(broken(
            "An item has the id of the collection itself",
            &format!("item {}", clash.uid),
        ));
    }
    let parents: Vec<Option<String>> = nodes
        .iter()
        .map(|n| nodes.get(n.parent).map(|p| p.uid.clone()))
        .collect();
    Ok(Lean::Nodes(
        nodes
            .into_iter()
            .zip(parents)
            .map(|(n, parent)| NodeText {
                uid: n.uid,
                parent,
                position: n.position,
                kind: n.kind,
                body: n.body,
            })
            .collect(),
    ))
}

/// The document: a collection object whose items are walked as they come.
/// Yields `Some(document)` when the whole document must go through the
/// tree-building import instead.
struct Top<'c> {
    ctx: &'c mut Ctx,
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a collection object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut rest = Map::new();
        let mut item_key = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "item" && !item_key {
                item_key = true;
                map.next_value_seed(Items {
                    ctx: self.ctx,
                    parent: 0,
                    path: "$.item".to_owned(),
                    depth: 0,
                })?;
            } else if key == "item" {
                return Err(self.ctx.refuse("`item` is given twice", "$.item"));
            } else {
                let value = map.next_value::<Value>()?;
                rest.insert(key, value);
            }
        }
        let envelope = rest.contains_key("collection") && !item_key && !rest.contains_key("info");
        if envelope || v1::is_v1(&rest) {
            // An envelope or a v1 file: the model import takes it whole. It
            // never had an `item` array, so nothing was walked.
            return Ok(Some(Value::Object(rest)));
        }
        if item_key {
            rest.insert("item".to_owned(), Value::Array(Vec::new()));
        }
        self.ctx.body(0, rest);
        Ok(None)
    }
}

/// An `item` array: each element becomes a node under `parent`.
struct Items<'c> {
    ctx: &'c mut Ctx,
    parent: usize,
    path: String,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "`item` to be an array at {}", self.path)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            let seed = ItemSeed {
                ctx: &mut *self.ctx,
                parent: self.parent,
                position: position_at(i),
                path: format!("{}[{i}]", self.path),
                depth: self.depth,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
}

/// One folder or request.
struct ItemSeed<'c> {
    ctx: &'c mut Ctx,
    parent: usize,
    position: i64,
    path: String,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an item object at {}", self.path)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let index = ctx.nodes.len();
        ctx.nodes.push(Pending {
            uid: String::new(),
            parent: self.parent,
            position: self.position,
            kind: NodeKind::Request,
            body: String::new(),
        });
        let mut fields = Map::new();
        let mut folder = false;
        let mut responses = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "item" if !folder => {
                    if self.depth >= MAX_FOLDER_DEPTH {
                        let what = format!("Folders are nested deeper than {MAX_FOLDER_DEPTH} levels");
                        return Err(ctx.refuse(&what, &self.path));
                    }
                    folder = true;
                    map.next_value_seed(Items {
                        ctx: &mut *ctx,
                        parent: index,
                        path: format!("{}.item", self.path),
                        depth: self.depth + 1,
                    })?;
                }
                "item" => return Err(ctx.refuse("`item` is given twice", &self.path)),
                "response" => responses = Some(map.next_value::<Value>()?),
                _ => {
                    let value = map.next_value::<Value>()?;
                    fields.insert(key, value);
                }
            }
        }
        if let Err(e) = ctx.ids.claim(&fields, &self.path) {
            let message = e.message.clone();
            ctx.error.get_or_insert(e);
            return Err(A::Error::custom(message));
        }
        let kind = if folder {
            if fields.contains_key("request") {
                return Err(ctx.refuse("An item cannot have both `item` and `request`", &self.path));
            }
            if let Some(responses) = responses {
                fields.insert("response".to_owned(), responses);
            }
            NodeKind::Folder
        } else {
            match fields.get("request") {
                None | Some(Value::String(_) | Value::Object(_)) => {}
                Some(_) => {
                    let at = format!("{}.request", self.path);
                    return Err(ctx.refuse("A request must be a URL string or an object", &at));
                }
            }
            if let Some(responses) = responses {
                let at = format!("{}.response", self.path);
                let Value::Array(responses) = responses else {
                    return Err(ctx.refuse("`response` must be an array", &at));
                };
                for (i, response) in responses.into_iter().enumerate() {
                    let at = format!("{at}[{i}]");
                    let Value::Object(response) = response else {
                        return Err(ctx.refuse("A response must be a JSON object", &at));
                    };
                    if let Err(e) = ctx.ids.claim(&response, &at) {
                        let message = e.message.clone();
                        ctx.error.get_or_insert(e);
                        return Err(A::Error::custom(message));
                    }
                    let (uid, _) = identity_of(&response);
                    ctx.nodes.push(Pending {
                        uid: uid.as_str().to_owned(),
                        parent: index,
                        position: position_at(i),
                        kind: NodeKind::Response,
                        body: String::new(),
                    });
                    ctx.body(ctx.nodes.len() - 1, response);
                }
                fields.insert("response".to_owned(), Value::Array(Vec::new()));
            }
            NodeKind::Request
        };
        let (uid, _) = identity_of(&fields);
        let node = &mut ctx.nodes[index];
        node.uid = uid.as_str().to_owned();
        node.kind = kind;
        ctx.body(index, fields);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::collection::{flatten, import, import_json};

    /// The nodes of the tree-building import, with the uids it made up
    /// replaced by those of `lean` (both make up random ones).
    fn same_nodes(file: &Value) {
        let text = serde_json::to_string_pretty(file).unwrap_or_default();
        let lean = import_nodes_slice(text.as_bytes(), "c1").unwrap_or_else(|e| panic!("{e}"));
        let from_reader = import_nodes_reader(text.as_bytes(), "c1").unwrap_or_else(|e| panic!("{e}"));
        let collection = import(file).unwrap_or_else(|e| panic!("{e}"));
        let tree: Vec<NodeText> = flatten(&collection, "c1")
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(NodeText::of)
            .collect();
        assert_eq!(lean.len(), tree.len());
        let rename: std::collections::HashMap<&str, &str> = tree
            .iter()
            .zip(&lean)
            .map(|(t, l)| (t.uid.as_str(), l.uid.as_str()))
            .collect();
        for ((l, r), t) in lean.iter().zip(&from_reader).zip(&tree) {
            assert_eq!((&l.body, l.kind, l.position), (&t.body, t.kind, t.position));
            assert_eq!(l.parent.as_deref(), t.parent.as_deref().map(|p| rename[p]));
            assert_eq!((&r.body, r.kind, r.position), (&l.body, l.kind, l.position));
            assert_eq!(r.parent.is_some(), l.parent.is_some());
        }
    }

    #[test]
    fn r_col_1_streamed_import_stores_what_the_model_import_stores() {
        same_nodes(&json!({
            "info": {"name": "Shop", "schema": "x"},
            "item": [
                {"name": "Orders", "item": [
                    {"id": "r1", "name": "List", "request": {"method": "GET", "url": "https://x/orders"},
                     "response": [{"id": "e1", "name": "ok", "code": 200}, {"name": "plain"}]},
                    {"name": "Nested", "item": [], "response": [1]}
                ]},
                {"name": "Ping", "request": "https://x/ping", "response": []}
            ],
            "variable": [{"key": "base"}]
        }));
        same_nodes(&json!({"info": {"name": "no items"}, "event": []}));
        for (_, value) in crate::collection::tests::corpus() {
            same_nodes(&value);
        }
    }

    #[test]
    fn r_col_1_streamed_import_refuses_what_the_model_import_refuses() {
        let broken = [
            json!([1]),
            json!({"item": {"name": "x"}}),
            json!({"item": [{"name": "x", "item": [], "request": "u"}]}),
            json!({"item": [{"name": "x", "request": 5}]}),
            json!({"item": [{"name": "x", "request": "u", "response": {"a": 1}}]}),
            json!({"item": [{"name": "x", "request": "u", "response": [5]}]}),
            json!({"item": [{"id": "a", "request": "u"}, {"id": "a", "request": "v"}]}),
            json!({"item": [{"id": "c1", "request": "u"}]}),
            json!({"item": ["text"]}),
        ];
        for file in broken {
            let text = file.to_string();
            let expected = import_json(&text)
                .and_then(|c| flatten(&c, "c1"))
                .err()
                .map(|e| (e.code, e.message));
            let lean = import_nodes_slice(text.as_bytes(), "c1")
                .err()
                .map(|e| (e.code, e.message));
            assert!(expected.is_some(), "{text} should be refused");
            assert_eq!(lean, expected, "{text}");
            let streamed = import_nodes_reader(text.as_bytes(), "c1").err().map(|e| e.code);
            assert_eq!(streamed, Some("invalid_collection"), "{text}");
        }
        let garbage = import_nodes_slice(b"{\"item\": [", "c1").err().map(|e| e.code);
        assert_eq!(garbage, Some("invalid_collection"));
    }

    #[test]
    fn r_col_1_envelopes_and_v1_files_take_the_model_path() {
        let inner = json!({"info": {"name": "In"}, "item": [{"name": "a", "request": "u"}]});
        let nodes = import_nodes_slice(json!({"collection": inner}).to_string().as_bytes(), "c1")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(nodes.len(), 2);
        assert!(nodes[0].body.contains("\"In\""));
        let v1 =
            json!({"name": "Old", "requests": [{"id": "q", "name": "a", "url": "u", "method": "GET"}], "order": ["q"]});
        let nodes = import_nodes_slice(v1.to_string().as_bytes(), "c1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(nodes.iter().filter(|n| n.kind == NodeKind::Request).count(), 1);
    }
}
