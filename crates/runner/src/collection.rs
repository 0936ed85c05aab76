//! Reading a v2.1 collection: the requests in run order with what they
//! inherit from their folders (auth, scripts).

use serde_json::Value;

/// One script of an event chain.
#[derive(Debug, Clone)]
pub struct Script {
    pub source: String,
}

/// A request of the collection with everything it inherits.
#[derive(Debug, Clone)]
pub struct Planned<'a> {
    pub name: String,
    pub id: String,
    /// Names of the folders around it, outermost first.
    pub path: Vec<String>,
    pub request: &'a Value,
    /// The effective auth (`None`: no auth).
    pub auth: Option<&'a Value>,
    /// Pre-request scripts, outermost (collection) first.
    pub prerequest: Vec<Script>,
    /// Test scripts, outermost (collection) first.
    pub test: Vec<Script>,
    /// `protocolProfileBehavior` of the collection, its folders and the
    /// item, the innermost winning per key.
    pub profile: serde_json::Map<String, Value>,
    /// Folder names and ids (and its own) for `--folder` selection.
    selectors: Vec<String>,
}

fn scripts(node: &Value, listen: &str) -> Vec<Script> {
    let mut out = Vec::new();
    let Some(events) = node.get("event").and_then(Value::as_array) else {
        return out;
    };
    for e in events {
        if e.get("listen").and_then(Value::as_str) != Some(listen)
            || e.get("disabled").and_then(Value::as_bool) == Some(true)
        {
            continue;
        }
        let Some(script) = e.get("script") else {
            continue;
        };
        let source = match script.get("exec") {
            Some(Value::Array(lines)) => lines
                .iter()
                .map(|l| l.as_str().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n"),
            Some(Value::String(s)) => s.clone(),
            _ => continue,
        };
        if !source.trim().is_empty() {
            out.push(Script { source });
        }
    }
    out
}

/// The auth a node sets: `Some(Some(auth))` for a type, `Some(None)` for
/// `noauth`, `None` for inherit / absent.
fn own_auth(node: &Value) -> Option<Option<&Value>> {
    let auth = node.get("auth")?;
    match auth.get("type").and_then(Value::as_str) {
        None | Some("inherit") => None,
        Some("noauth") => Some(None),
        Some(_) => Some(Some(auth)),
    }
}

struct Frame<'a> {
    auth: Option<&'a Value>,
    profile: serde_json::Map<String, Value>,
    prerequest: Vec<Script>,
    test: Vec<Script>,
    path: Vec<String>,
    selectors: Vec<String>,
}

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn walk<'a>(items: &'a [Value], frame: &Frame<'a>, out: &mut Vec<Planned<'a>>) {
    for item in items {
        let name = text(item.get("name"));
        let id = item
            .get("id")
            .or_else(|| item.get("_postman_id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let auth_of = |req: Option<&'a Value>| match req.and_then(own_auth) {
            Some(a) => a,
            None => frame.auth,
        };
        let mut prerequest = frame.prerequest.clone();
        prerequest.extend(scripts(item, "prerequest"));
        let mut test = frame.test.clone();
        test.extend(scripts(item, "test"));
        let mut profile = frame.profile.clone();
        if let Some(Value::Object(own)) = item.get("protocolProfileBehavior") {
            profile.extend(own.clone());
        }
        let mut selectors = frame.selectors.clone();
        selectors.push(name.clone());
        if !id.is_empty() {
            selectors.push(id.clone());
        }
        if let Some(children) = item.get("item").and_then(Value::as_array) {
            let mut path = frame.path.clone();
            path.push(name);
            let inner = Frame {
                auth: auth_of(Some(item)),
                profile,
                prerequest,
                test,
                path,
                selectors,
            };
            walk(children, &inner, out);
        } else if let Some(request) = item.get("request") {
            out.push(Planned {
                name,
                id,
                path: frame.path.clone(),
                request,
                auth: auth_of(Some(request)),
                prerequest,
                test,
                profile,
                selectors,
            });
        }
    }
}

/// The requests of `collection` in run order. With `folders`, only the
/// requests inside the named folders (or the named requests), by name or id.
pub fn plan<'a>(collection: &'a Value, folders: &[String]) -> Result<Vec<Planned<'a>>, String> {
    let Some(items) = collection.get("item").and_then(Value::as_array) else {
        return Err("not a v2.1 collection: no \"item\" list".into());
    };
    let root = Frame {
        auth: own_auth(collection).flatten(),
        profile: match collection.get("protocolProfileBehavior") {
            Some(Value::Object(p)) => p.clone(),
            _ => serde_json::Map::new(),
        },
        prerequest: scripts(collection, "prerequest"),
        test: scripts(collection, "test"),
        path: Vec::new(),
        selectors: Vec::new(),
    };
    let mut all = Vec::new();
    walk(items, &root, &mut all);
    if folders.is_empty() {
        return Ok(all);
    }
    for f in folders {
        if !all.iter().any(|p| p.selectors.iter().any(|s| s == f)) {
            return Err(format!("no folder or request named {f:?} in the collection"));
        }
    }
    Ok(all
        .into_iter()
        .filter(|p| p.selectors.iter().any(|s| folders.contains(s)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Issue 11 part 1: folder order, selection and auth inheritance.
    #[test]
    fn order_selection_and_inheritance() {
        let c = json!({
            "info": {"name": "c"},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "T"}]},
            "event": [{"listen": "test", "script": {"exec": ["// c"]}}],
            "item": [
                {"name": "A", "request": {"url": "x"}},
                {"name": "F", "auth": {"type": "noauth"},
                 "event": [{"listen": "test", "script": {"exec": ["// f"]}}],
                 "item": [
                    {"name": "B", "request": {"url": "x"}},
                    {"name": "C", "request": {"url": "x", "auth": {"type": "basic"}}}
                 ]},
                {"name": "D", "request": {"url": "x", "auth": {"type": "inherit"}}}
            ]
        });
        let Ok(all) = plan(&c, &[]) else { panic!("plan") };
        let names: Vec<_> = all.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D"]);
        assert!(all[0].auth.is_some());
        assert!(all[1].auth.is_none());
        assert_eq!(all[2].auth.and_then(|a| a["type"].as_str()), Some("basic"));
        assert_eq!(all[3].auth.and_then(|a| a["type"].as_str()), Some("bearer"));
        assert_eq!(all[1].test.len(), 2);
        assert_eq!(all[1].test[0].source, "// c");
        let Ok(sel) = plan(&c, &["F".to_owned()]) else {
            panic!("plan")
        };
        let names: Vec<_> = sel.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["B", "C"]);
        assert!(plan(&c, &["nope".to_owned()]).is_err());
    }
}
