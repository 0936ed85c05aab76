//! Import straight to stored nodes, without a JSON tree of the whole file.
//!
//! [`super::import_json`] builds a `serde_json::Value` of the whole document,
//! then the model, then the nodes: three shapes of the same data, each larger
//! in memory than the file. Importing a collection only to store it needs
//! none of them: this parser walks the document once and writes each item,
//! as soon as its own fields are read, as a [`NodeText`]: its fields' raw
//! JSON without whitespace, in the file's order. No value is parsed into a
//! tree, so the peak memory is about the stored texts (the size of the
//! minified file), and the time is little more than a syntax check.
//!
//! The result holds the same nodes as [`super::import`] followed by
//! [`super::flatten`], with bodies equal as JSON (the texts may differ in
//! key order and in how strings and numbers are spelled), and the same
//! refusals: for input it cannot take, [`import_nodes_slice`] asks the
//! tree-building import for the exact error. Envelopes (`{"collection": …}`)
//! and v1 files go through the tree-building import as a whole.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::import::{Ids, MAX_FOLDER_DEPTH, broken, import_owned};
use super::stored::NodeText;
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

/// Like [`import_nodes_slice`], reading the JSON from `reader` as it goes:
/// the text of one top-level item at a time is in memory, never the whole
/// file. A refusal names the JSON path of the problem, in the parser's
/// words.
pub fn import_nodes_reader<R: std::io::Read>(reader: R, root: &str) -> Result<Vec<NodeText>, Error> {
    let mut ctx = Ctx::new(root);
    let mut input = Chunks {
        reader,
        buf: Vec::new(),
        pos: 0,
        done: false,
    };
    let outcome = walk_reader(&mut input, &mut ctx);
    if let Some(error) = ctx.error.take() {
        return Err(error);
    }
    match outcome? {
        Some(whole) => tree_nodes(whole, root),
        None => match finish(ctx, root)? {
            Lean::Nodes(nodes) => Ok(nodes),
            Lean::Whole(value) => tree_nodes(value, root),
        },
    }
}

/// A reader's bytes, read in blocks as the walk needs them.
struct Chunks<R> {
    reader: R,
    buf: Vec<u8>,
    /// Where the walk is in `buf`; what is before it is dropped as it goes.
    pos: usize,
    done: bool,
}

impl<R: std::io::Read> Chunks<R> {
    /// Reads one more block; false at the end of the input.
    fn more(&mut self) -> Result<bool, Error> {
        if self.done {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let start = self.buf.len();
        self.buf.resize(start + 256 * 1024, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(broken(&format!("The collection could not be read ({e})"), "$")),
            }
        };
        self.buf.truncate(start + n);
        self.done = n == 0;
        Ok(n > 0)
    }

    /// The next byte that is not whitespace, without taking it.
    fn peek(&mut self) -> Result<Option<u8>, Error> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
            if !self.more()? {
                return Ok(None);
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        if self.peek()? == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(not_json(&format!("expected `{}`", byte as char)))
        }
    }

    /// The complete JSON value at the walk's position, taken.
    fn value(&mut self) -> Result<&[u8], Error> {
        self.peek()?;
        loop {
            if let Some(end) = super::stored::value_end(&self.buf, self.pos) {
                let start = self.pos;
                self.pos = end;
                return Ok(&self.buf[start..end]);
            }
            if !self.more()? {
                return Err(not_json("the text ends inside a value"));
            }
        }
    }
}

fn not_json(what: &str) -> Error {
    broken(&format!("The collection is not valid JSON ({what})"), "$")
}

/// Walks the document: the top-level object member by member, each item of
/// its `item` array parsed on its own.
fn walk_reader<R: std::io::Read>(input: &mut Chunks<R>, ctx: &mut Ctx) -> Result<Option<Value>, Error> {
    let bad = |e: serde_json::Error| not_json(&e.to_string());
    if input.peek()? != Some(b'{') {
        // Not an object: the tree-building import says what it is instead.
        let rest = input.value()?.to_vec();
        let value: Value = serde_json::from_slice(&rest).map_err(bad)?;
        return Ok(Some(value));
    }
    input.expect(b'{')?;
    let mut owned: Vec<(String, Box<RawValue>)> = Vec::new();
    let mut item_key = false;
    if input.peek()? == Some(b'}') {
        input.pos += 1;
    } else {
        loop {
            let key: String = serde_json::from_slice(input.value()?).map_err(bad)?;
            input.expect(b':')?;
            if key == "item" && !item_key && input.peek()? == Some(b'[') {
                item_key = true;
                input.expect(b'[')?;
                let mut i = 0;
                if input.peek()? == Some(b']') {
                    input.pos += 1;
                } else {
                    loop {
                        let text = input.value()?;
                        let mut de = serde_json::Deserializer::from_slice(text);
                        let seed = ItemSeed {
                            ctx: &mut *ctx,
                            parent: 0,
                            position: position_at(i),
                            path: format!("$.item[{i}]"),
                            depth: 0,
                        };
                        seed.deserialize(&mut de).map_err(|e| shape(&e))?;
                        i += 1;
                        match input.peek()? {
                            Some(b',') => input.pos += 1,
                            Some(b']') => {
                                input.pos += 1;
                                break;
                            }
                            _ => return Err(not_json("expected `,` or `]` in `item`")),
                        }
                    }
                }
            } else if key == "item" {
                return Err(broken("`item` must be an array, given once", "$.item"));
            } else {
                let text = std::str::from_utf8(input.value()?).map_err(|e| not_json(&e.to_string()))?;
                let raw = RawValue::from_string(text.to_owned()).map_err(bad)?;
                owned.push((key, raw));
            }
            match input.peek()? {
                Some(b',') => input.pos += 1,
                Some(b'}') => {
                    input.pos += 1;
                    break;
                }
                _ => return Err(not_json("expected `,` or `}`")),
            }
        }
    }
    if input.peek()?.is_some() {
        return Err(not_json("trailing characters after the collection"));
    }
    let members: Members<'_> = owned.iter().map(|(k, v)| (k.clone(), &**v)).collect();
    top_end(ctx, members, item_key).map_err(|e| shape(&e))
}

/// A parser error of the fast path as a refusal.
fn shape(e: &serde_json::Error) -> Error {
    let what = if e.is_syntax() || e.is_eof() || e.is_io() {
        format!("The collection is not valid JSON ({e})")
    } else {
        format!("The collection has an unexpected shape ({e})")
    };
    broken(&what, "$")
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
    /// A walk with the collection node, under `root`, as node 0.
    fn new(root: &str) -> Self {
        let mut ctx = Ctx::default();
        ctx.nodes.push(Pending {
            uid: root.to_owned(),
            parent: usize::MAX,
            position: 0,
            kind: NodeKind::Collection,
            body: String::new(),
        });
        ctx
    }

    fn refuse<E: serde::de::Error>(&mut self, what: &str, path: &str) -> E {
        let error = broken(what, path);
        let message = error.message.clone();
        self.error.get_or_insert(error);
        E::custom(message)
    }
}

fn lean<'de, R: serde_json::de::Read<'de>>(de: &mut serde_json::Deserializer<R>, root: &str) -> Result<Lean, Error> {
    let mut ctx = Ctx::new(root);
    let outcome = de.deserialize_any(Top { ctx: &mut ctx });
    if let Some(error) = ctx.error.take() {
        return Err(error);
    }
    match outcome {
        Ok(None) => finish(ctx, root),
        Ok(Some(whole)) => Ok(Lean::Whole(whole)),
        Err(e) => Err(shape(&e)),
    }
}

/// The nodes read, each with its parent's uid; refuses an item that took
/// the collection's own id.
fn finish(ctx: Ctx, root: &str) -> Result<Lean, Error> {
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

/// The end of the top-level object: an envelope or a v1 file goes to the
/// tree-building import whole (`Some`); otherwise the collection node's
/// body is written.
fn top_end(ctx: &mut Ctx, members: Members<'_>, item_key: bool) -> Result<Option<Value>, serde_json::Error> {
    let has = |k: &str| members.iter().any(|(key, _)| key == k);
    let maybe_other = has("collection") || ["requests", "order", "folders", "folders_order"].iter().any(|k| has(k));
    if maybe_other && !item_key {
        let mut rest = Map::new();
        for (key, raw) in &members {
            rest.insert(key.clone(), serde_json::from_str(raw.get())?);
        }
        let envelope = rest.contains_key("collection") && !rest.contains_key("info");
        if envelope || v1::is_v1(&rest) {
            // It never had an `item` array, so nothing was walked.
            return Ok(Some(Value::Object(rest)));
        }
    }
    ctx.nodes[0].body = object_text(&members, item_key.then_some("item"));
    Ok(None)
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
        let mut members = Members::new();
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
                let value = map.next_value::<&'de RawValue>()?;
                members.push((key, value));
            }
        }
        top_end(self.ctx, members, item_key).map_err(A::Error::custom)
    }
}

/// An object's members, each value as its raw JSON text.
type Members<'a> = Vec<(String, &'a RawValue)>;

/// A JSON object read as its members' raw texts.
struct RawObject<'a>(Members<'a>);

impl<'de> serde::Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawObject<'de>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject<'de>, A::Error> {
                let mut members = Members::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(RawObject(members))
            }
        }
        de.deserialize_map(V)
    }
}

/// The value of the last member named `key`.
fn member<'m>(members: &Members<'m>, key: &str) -> Option<&'m RawValue> {
    members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
}

/// The string of a raw value, if it is one.
fn string_of(raw: &RawValue) -> Option<String> {
    raw.get()
        .trim_start()
        .starts_with('"')
        .then(|| serde_json::from_str(raw.get()).ok())
        .flatten()
}

/// An element's own `id` when it is a non-empty string, else a new uid.
fn uid_of(members: &Members<'_>) -> String {
    match member(members, "id").and_then(string_of) {
        Some(id) if !id.is_empty() => id,
        _ => super::model::ItemUid::generate().as_str().to_owned(),
    }
}

/// The compact text of an object from its members (the last of duplicate
/// keys wins, as in a parsed `Map`), with an empty array under `marker`.
fn object_text(members: &Members<'_>, marker: Option<&str>) -> String {
    let len: usize = members.iter().map(|(k, v)| k.len() + v.get().len() + 4).sum();
    let mut out = String::with_capacity(len + 16);
    out.push('{');
    for (i, (key, value)) in members.iter().enumerate() {
        if members[i + 1..].iter().any(|(k, _)| k == key) {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
        out.push(':');
        minify(value.get(), &mut out);
    }
    if let Some(marker) = marker {
        if out.len() > 1 {
            out.push(',');
        }
        out.push('"');
        out.push_str(marker);
        out.push_str("\":[]");
    }
    out.push('}');
    out
}

/// Appends a JSON text without its whitespace outside strings.
fn minify(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let (mut in_string, mut escaped, mut start) = (false, false, 0);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            out.push_str(&text[start..i]);
            start = i + 1;
        }
    }
    out.push_str(&text[start..]);
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
        let mut members = Members::new();
        let mut folder = false;
        let mut responses: Option<&'de RawValue> = None;
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
                "response" => responses = Some(map.next_value()?),
                _ => {
                    let value = map.next_value::<&'de RawValue>()?;
                    members.push((key, value));
                }
            }
        }
        if let Some(id) = member(&members, "id").and_then(string_of)
            && let Err(e) = ctx.ids.claim_id(&id, &self.path)
        {
            let message = e.message.clone();
            ctx.error.get_or_insert(e);
            return Err(A::Error::custom(message));
        }
        let mut marker = None;
        let kind = if folder {
            if member(&members, "request").is_some() {
                return Err(ctx.refuse("An item cannot have both `item` and `request`", &self.path));
            }
            if let Some(responses) = responses {
                members.push(("response".to_owned(), responses));
            }
            NodeKind::Folder
        } else {
            if let Some(request) = member(&members, "request")
                && !request.get().trim_start().starts_with(['"', '{'])
            {
                let at = format!("{}.request", self.path);
                return Err(ctx.refuse("A request must be a URL string or an object", &at));
            }
            if let Some(responses) = responses {
                let at = format!("{}.response", self.path);
                let Ok(list) = serde_json::from_str::<Vec<&RawValue>>(responses.get()) else {
                    return Err(ctx.refuse("`response` must be an array", &at));
                };
                for (i, response) in list.into_iter().enumerate() {
                    let at = format!("{at}[{i}]");
                    let Ok(RawObject(response)) = serde_json::from_str::<RawObject>(response.get()) else {
                        return Err(ctx.refuse("A response must be a JSON object", &at));
                    };
                    if let Some(id) = member(&response, "id").and_then(string_of)
                        && let Err(e) = ctx.ids.claim_id(&id, &at)
                    {
                        let message = e.message.clone();
                        ctx.error.get_or_insert(e);
                        return Err(A::Error::custom(message));
                    }
                    ctx.nodes.push(Pending {
                        uid: uid_of(&response),
                        parent: index,
                        position: position_at(i),
                        kind: NodeKind::Response,
                        body: object_text(&response, None),
                    });
                }
                marker = Some("response");
            }
            NodeKind::Request
        };
        let uid = uid_of(&members);
        let node = &mut ctx.nodes[index];
        node.uid = uid;
        node.kind = kind;
        node.body = object_text(&members, marker);
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
        let parsed = |t: &str| serde_json::from_str::<Value>(t).unwrap_or_else(|e| panic!("{e}: {t}"));
        for ((l, r), t) in lean.iter().zip(&from_reader).zip(&tree) {
            assert_eq!(
                (parsed(&l.body), l.kind, l.position),
                (parsed(&t.body), t.kind, t.position)
            );
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
