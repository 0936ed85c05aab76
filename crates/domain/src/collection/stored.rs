//! Nodes as they are stored: each body as compact JSON text, and a
//! collection written back out by splicing those texts together.
//!
//! Exporting a 10,000-request collection through [`super::assemble`] and
//! [`super::export_with_ids`] parses every stored body into a JSON tree only
//! to serialise it again; [`export_text`] copies the texts instead, inserting
//! only what a stored body leaves out (its children and, on request, its id).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::import::MAX_FOLDER_DEPTH;
use super::tree::{FlatNode, NodeKind};
use crate::Error;

/// One node with its body as JSON text: the stored form of a [`FlatNode`].
///
/// `body` is a compact JSON object (no whitespace). Bodies written by
/// [`body_text`] have their keys in order, so equal bodies have equal texts;
/// an import stores the file's own text of each element, so the same
/// content may also come with its keys in the file's order. Compare parsed
/// bodies where that matters.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeText {
    pub uid: String,
    /// `None` for the collection node only.
    pub parent: Option<String>,
    pub position: i64,
    pub kind: NodeKind,
    pub body: String,
}

impl NodeText {
    /// The stored form of a node.
    pub fn of(node: &FlatNode) -> Self {
        Self {
            uid: node.uid.clone(),
            parent: node.parent.clone(),
            position: node.position,
            kind: node.kind,
            body: body_text(&node.body),
        }
    }

    /// The node with its body parsed.
    pub fn parse(self) -> Result<FlatNode, Error> {
        let body = match serde_json::from_str(&self.body) {
            Ok(Value::Object(body)) => body,
            _ => return Err(Error::internal()),
        };
        Ok(FlatNode {
            uid: self.uid,
            parent: self.parent,
            position: self.position,
            kind: self.kind,
            body,
        })
    }
}

/// The stored text of a body.
pub fn body_text(body: &Map<String, Value>) -> String {
    serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned())
}

/// The collection under `root` as Collection Format v2.1 JSON text, from its
/// stored nodes; equal as JSON to exporting the assembled tree
/// ([`super::export`] or, with `with_ids`, [`super::export_with_ids`]).
pub fn export_text(root: &str, nodes: &[NodeText], with_ids: bool) -> Result<String, Error> {
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut top = None;
    for (i, node) in nodes.iter().enumerate() {
        match &node.parent {
            None if node.uid == root => top = Some(i),
            None => {}
            Some(parent) => children.entry(parent.as_str()).or_default().push(i),
        }
    }
    for siblings in children.values_mut() {
        siblings.sort_by(|&a, &b| (nodes[a].position, &nodes[a].uid).cmp(&(nodes[b].position, &nodes[b].uid)));
    }
    let top = top.ok_or_else(Error::internal)?;
    let total: usize = nodes.iter().map(|n| n.body.len() + n.uid.len() + 32).sum();
    let mut writer = Writer {
        nodes,
        children,
        with_ids,
        out: String::with_capacity(total),
    };
    writer.node(top, 0)?;
    Ok(writer.out)
}

struct Writer<'a> {
    nodes: &'a [NodeText],
    children: HashMap<&'a str, Vec<usize>>,
    with_ids: bool,
    out: String,
}

impl Writer<'_> {
    fn node(&mut self, i: usize, depth: usize) -> Result<(), Error> {
        if depth > MAX_FOLDER_DEPTH + 2 {
            return Err(Error::internal());
        }
        let node = &self.nodes[i];
        let fields = top_level(&node.body).ok_or_else(Error::internal)?;
        let children_key = match node.kind {
            NodeKind::Collection | NodeKind::Folder => Some("item"),
            NodeKind::Request => Some("response"),
            NodeKind::Response => None,
        };
        let kids: Vec<usize> = self.children.remove(node.uid.as_str()).unwrap_or_default();
        let kids: Vec<usize> = kids
            .into_iter()
            .filter(|&k| match node.kind {
                NodeKind::Request => self.nodes[k].kind == NodeKind::Response,
                NodeKind::Collection | NodeKind::Folder => {
                    matches!(self.nodes[k].kind, NodeKind::Folder | NodeKind::Request)
                }
                NodeKind::Response => false,
            })
            .collect();
        let with_id = self.with_ids && node.kind != NodeKind::Collection;
        let own_id = fields
            .iter()
            .find(|f| f.key == "\"id\"")
            .map(|f| &node.body[f.value.clone()]);
        let id_is_uid = own_id
            .is_some_and(|v| v.len() == node.uid.len() + 2 && v.get(1..v.len() - 1) == Some(&node.uid))
            && !node.uid.contains(['"', '\\']);
        let mut fields_out = 0;
        self.out.push('{');
        let mut wrote_children = false;
        for field in &fields {
            if with_id && field.key == "\"id\"" && !id_is_uid {
                // Replaced by the uid below.
                continue;
            }
            if fields_out > 0 {
                self.out.push(',');
            }
            fields_out += 1;
            self.out.push_str(&node.body[field.span.start..field.value.start]);
            if children_key.is_some_and(|k| field.key.len() == k.len() + 2 && field.key[1..].starts_with(k)) {
                // The stored marker (an empty array) becomes the children.
                self.children_array(&kids, depth)?;
                wrote_children = true;
            } else {
                self.out.push_str(&node.body[field.value.clone()]);
            }
        }
        if with_id && !id_is_uid {
            if fields_out > 0 {
                self.out.push(',');
            }
            fields_out += 1;
            self.out.push_str("\"id\":");
            self.out
                .push_str(&serde_json::to_string(&node.uid).map_err(|_| Error::internal())?);
        }
        let always = node.kind == NodeKind::Folder;
        if !wrote_children && (always || !kids.is_empty()) {
            if fields_out > 0 {
                self.out.push(',');
            }
            self.out.push('"');
            self.out.push_str(children_key.unwrap_or("item"));
            self.out.push_str("\":");
            self.children_array(&kids, depth)?;
        }
        self.out.push('}');
        Ok(())
    }

    fn children_array(&mut self, kids: &[usize], depth: usize) -> Result<(), Error> {
        self.out.push('[');
        for (n, &k) in kids.iter().enumerate() {
            if n > 0 {
                self.out.push(',');
            }
            self.node(k, depth + 1)?;
        }
        self.out.push(']');
        Ok(())
    }
}

/// One top-level member of a JSON object text: the byte ranges of the whole
/// member (from the key), of the key with its quotes, and of the value.
struct Field<'a> {
    span: std::ops::Range<usize>,
    key: &'a str,
    value: std::ops::Range<usize>,
}

/// The top-level members of a JSON object text, or `None` if it is not one.
fn top_level(text: &str) -> Option<Vec<Field<'_>>> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(bytes, i + 1);
    let mut out = Vec::new();
    if bytes.get(i) == Some(&b'}') {
        return Some(out);
    }
    loop {
        let start = i;
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(bytes, i)?;
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(bytes, i + 1);
        let value_end = skip_value(bytes, value_start)?;
        out.push(Field {
            span: start..value_end,
            key: &text[start..key_end],
            value: value_start..value_end,
        });
        i = skip_ws(bytes, value_end);
        match bytes.get(i) {
            Some(b',') => i = skip_ws(bytes, i + 1),
            Some(b'}') => return Some(out),
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i`.
fn skip_string(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match bytes.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// The end (exclusive) of the JSON value starting at `i` in `bytes`, or
/// `None` if the bytes end first (or it does not start a value).
pub(crate) fn value_end(bytes: &[u8], i: usize) -> Option<usize> {
    let end = skip_value(bytes, i)?;
    // A number or a literal may go on in bytes not read yet.
    let scalar = !matches!(bytes.get(i), Some(b'"' | b'{' | b'['));
    (!scalar || end < bytes.len()).then_some(end)
}

/// The end (exclusive) of the value starting at `i`.
fn skip_value(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => skip_string(bytes, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match bytes.get(j)? {
                    b'"' => {
                        j = skip_string(bytes, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while !matches!(
                bytes.get(j),
                None | Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            ) {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::collection::{assemble, export, export_with_ids, flatten, import};

    fn round_trip(file: &Value) {
        let collection = import(file).unwrap_or_else(|e| panic!("{e}"));
        let nodes = flatten(&collection, "c1").unwrap_or_else(|e| panic!("{e}"));
        let texts: Vec<NodeText> = nodes.iter().map(NodeText::of).collect();
        let tree = assemble("c1", nodes).unwrap_or_else(|e| panic!("{e}"));
        for with_ids in [false, true] {
            let text = export_text("c1", &texts, with_ids).unwrap_or_else(|e| panic!("{e}"));
            let spliced: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            let expected = if with_ids {
                export_with_ids(&tree)
            } else {
                export(&tree)
            };
            assert_eq!(spliced, expected, "with_ids = {with_ids}");
        }
    }

    #[test]
    fn r_col_1_spliced_export_equals_the_assembled_one() {
        round_trip(&json!({
            "info": {"name": "Shop \"quoted\" [x]", "schema": "x"},
            "item": [
                {"name": "Orders", "item": [
                    {"id": "r1", "name": "List {", "request": {"method": "GET", "url": "https://x/orders?a=\"}\""},
                     "response": [{"id": "e1", "name": "ok", "code": 200}, {"name": "no id", "body": "[]"}]},
                    {"name": "Nested", "item": []},
                    {"name": "odd id", "id": 7, "request": "u", "response": []}
                ]},
                {"name": "Ping", "request": "https://x/ping", "item_like": {"item": []}},
                {"name": "empty id", "id": "", "request": "u"}
            ],
            "variable": [{"key": "base", "value": 1.5e3}]
        }));
        round_trip(&json!({"info": {"name": "no items"}}));
        round_trip(&json!({"info": {"name": "empty"}, "item": []}));
        round_trip(&json!({"item": [{"name": "a", "request": "u"}], "info": "not an object"}));
    }

    #[test]
    fn r_col_1_every_corpus_file_exports_the_same_spliced() {
        let corpus = crate::collection::tests::corpus();
        for (name, value) in &corpus {
            if import(value).is_ok() {
                round_trip(value);
            } else {
                panic!("{name} does not import");
            }
        }
    }

    #[test]
    fn top_level_members_skip_nested_and_quoted_brackets() {
        let text = r#"{"a":{"item":[]},"b":"x\"}","item":[],"n":-1.5}"#;
        let fields = top_level(text).unwrap_or_default();
        let keys: Vec<&str> = fields.iter().map(|f| f.key).collect();
        assert_eq!(keys, ["\"a\"", "\"b\"", "\"item\"", "\"n\""]);
        assert_eq!(&text[fields[3].value.clone()], "-1.5");
        assert!(top_level("[1]").is_none());
        assert!(top_level("{\"a\":").is_none());
    }
}
