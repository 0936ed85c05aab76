//! Environments: named lists of variables (`default` or `secret`), in the
//! platform's environment JSON format.

use serde_json::{Map, Value, json};

use crate::Error;
use crate::collection::FieldChange;

/// Longest environment name.
pub const MAX_NAME: usize = 500;
/// Most variables in one environment.
pub const MAX_VARIABLES: usize = 2_000;

/// An environment's content: its name and variables, each a JSON object with
/// `key`, `value`, `type` (`default` or `secret`; `any` from older files)
/// and `enabled`, plus whatever else the file had.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: String,
    pub values: Vec<Map<String, Value>>,
}

fn bad(what: &str, path: &str) -> Error {
    Error::invalid("invalid_environment", format!("{what} at {path}"))
}

impl Environment {
    /// Reads `{"environment": {name, values}}` (the API's body) or an
    /// exported environment file (`{name, values, _postman_variable_scope}`).
    pub fn parse(value: &Value) -> Result<Self, Error> {
        let (body, root) = match value.get("environment") {
            Some(inner) if value.get("values").is_none() => (inner, "$.environment"),
            _ => (value, "$"),
        };
        let Value::Object(body) = body else {
            return Err(bad("An environment must be a JSON object", root));
        };
        let name = match body.get("name") {
            Some(Value::String(n)) => check_name(n, &format!("{root}.name"))?,
            _ => return Err(bad("Give the environment a name", &format!("{root}.name"))),
        };
        let values = match body.get("values") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => variables(v, &format!("{root}.values"))?,
        };
        Ok(Self { name, values })
    }

    /// The variables as a caller sees them: secret values are blanked for
    /// callers who may not edit the environment.
    pub fn visible_values(&self, show_secrets: bool) -> Vec<Value> {
        self.values
            .iter()
            .map(|v| {
                let mut v = v.clone();
                if !show_secrets && is_secret(&v) {
                    v.insert("value".into(), Value::String(String::new()));
                }
                Value::Object(v)
            })
            .collect()
    }

    /// The environment as the platform's export file.
    pub fn export_file(&self, id: &str, exported_at: &str, show_secrets: bool) -> Value {
        json!({
            "id": id,
            "name": self.name,
            "values": self.visible_values(show_secrets),
            "_postman_variable_scope": "environment",
            "_postman_exported_at": exported_at,
            "_postman_exported_using": "Portico",
        })
    }

    /// What differs from `old`, variable by variable (`values.<key>`), with
    /// secret values never shown.
    pub fn changes_from(&self, old: &Environment) -> Vec<FieldChange> {
        let mut out = Vec::new();
        if self.name != old.name {
            out.push(FieldChange {
                path: "name".into(),
                from: Some(Value::String(old.name.clone())),
                to: Some(Value::String(self.name.clone())),
            });
        }
        let key = |v: &Map<String, Value>| v.get("key").and_then(Value::as_str).unwrap_or_default().to_owned();
        let shown = |v: &Map<String, Value>| {
            let mut v = v.clone();
            if is_secret(&v) {
                v.insert("value".into(), Value::String("(secret)".into()));
            }
            Value::Object(v)
        };
        for new in &self.values {
            let k = key(new);
            match old.values.iter().find(|o| key(o) == k) {
                Some(o) if o == new => {}
                Some(o) => out.push(FieldChange {
                    path: format!("values.{k}"),
                    from: Some(shown(o)),
                    to: Some(shown(new)),
                }),
                None => out.push(FieldChange {
                    path: format!("values.{k}"),
                    from: None,
                    to: Some(shown(new)),
                }),
            }
        }
        for o in &old.values {
            let k = key(o);
            if !self.values.iter().any(|n| key(n) == k) {
                out.push(FieldChange {
                    path: format!("values.{k}"),
                    from: Some(shown(o)),
                    to: None,
                });
            }
        }
        out
    }

    /// Applies the reference API's JSON Patch operations: `replace /name`,
    /// `add /values/N` (or `/values/-`), `replace /values/N[/field]`,
    /// `remove /values/N`. All or nothing.
    pub fn apply_patch(&self, ops: &Value) -> Result<Self, Error> {
        let Value::Array(ops) = ops else {
            return Err(bad("A patch must be a list of operations", "$"));
        };
        let mut env = self.clone();
        for (i, op) in ops.iter().enumerate() {
            let at = format!("$[{i}]");
            let kind = op.get("op").and_then(Value::as_str).unwrap_or_default();
            let path = op
                .get("path")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("An operation needs a `path`", &at))?;
            let value = op.get("value");
            let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            match (kind, parts.as_slice()) {
                ("replace", ["name"]) => {
                    let name = value
                        .and_then(Value::as_str)
                        .ok_or_else(|| bad("The name must be a string", &format!("{at}.value")))?;
                    env.name = check_name(name, &format!("{at}.value"))?;
                }
                ("add", ["values", index]) => {
                    let v = variable(value.unwrap_or(&Value::Null), &format!("{at}.value"))?;
                    let n = if *index == "-" {
                        env.values.len()
                    } else {
                        position(index, env.values.len() + 1, &at)?
                    };
                    env.values.insert(n, v);
                }
                ("replace", ["values", index]) => {
                    let n = position(index, env.values.len(), &at)?;
                    env.values[n] = variable(value.unwrap_or(&Value::Null), &format!("{at}.value"))?;
                }
                ("replace", ["values", index, field]) => {
                    let n = position(index, env.values.len(), &at)?;
                    let mut v = env.values[n].clone();
                    v.insert((*field).to_owned(), value.cloned().unwrap_or(Value::Null));
                    env.values[n] = variable(&Value::Object(v), &format!("{at}.value"))?;
                }
                ("remove", ["values", index]) => {
                    let n = position(index, env.values.len(), &at)?;
                    env.values.remove(n);
                }
                _ => return Err(bad(&format!("Unsupported operation `{kind} {path}`"), &at)),
            }
        }
        if env.values.len() > MAX_VARIABLES {
            return Err(bad(&format!("At most {MAX_VARIABLES} variables are allowed"), "$"));
        }
        Ok(env)
    }
}

/// One variable as a form sends it back (the web page's editor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableEdit {
    /// The key the variable had when the form was shown; `None` for a new one.
    pub original_key: Option<String>,
    /// The key now; a row with an empty key is dropped.
    pub key: String,
    /// The value now; `None` keeps the stored value (a secret left blank).
    pub value: Option<String>,
    pub secret: bool,
    pub enabled: bool,
}

impl Environment {
    /// The environment after a form edit: rows in the form's order, each
    /// built on the variable it was shown as, so that what the person did
    /// not change (unknown fields, a number value, type `any`, a missing
    /// `enabled`) keeps its stored form. A secret whose value was left
    /// blank keeps its stored value: pages never carry secret values.
    pub fn edited(&self, name: &str, rows: &[VariableEdit]) -> Result<Self, Error> {
        let name = check_name(name, "name")?;
        let mut values = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let key = row.key.trim();
            if key.is_empty() {
                continue;
            }
            let old = row.original_key.as_deref().and_then(|k| {
                self.values
                    .iter()
                    .find(|v| v.get("key").and_then(Value::as_str) == Some(k))
            });
            let mut v = old.cloned().unwrap_or_default();
            v.insert("key".into(), Value::String(key.to_owned()));
            let shown = |x: Option<&Value>| match x {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            match &row.value {
                Some(new) if old.is_none_or(|o| shown(o.get("value")) != *new) => {
                    v.insert("value".into(), Value::String(new.clone()));
                }
                Some(_) => {}
                None if old.is_none() => {
                    v.insert("value".into(), Value::String(String::new()));
                }
                None => {}
            }
            let was_secret = old.is_some_and(is_secret);
            if row.secret != was_secret || old.is_none() {
                let kind = if row.secret { "secret" } else { "default" };
                v.insert("type".into(), Value::String(kind.into()));
            }
            let was_enabled = old.is_none_or(|o| o.get("enabled").and_then(Value::as_bool) != Some(false));
            if row.enabled != was_enabled || old.is_none() {
                v.insert("enabled".into(), Value::Bool(row.enabled));
            }
            values.push(variable(&Value::Object(v), &format!("values[{i}]"))?);
        }
        if values.len() > MAX_VARIABLES {
            return Err(bad(&format!("At most {MAX_VARIABLES} variables are allowed"), "values"));
        }
        Ok(Self { name, values })
    }
}

fn position(index: &str, len: usize, at: &str) -> Result<usize, Error> {
    index
        .parse::<usize>()
        .ok()
        .filter(|n| *n < len)
        .ok_or_else(|| bad(&format!("There is no variable {index}"), &format!("{at}.path")))
}

fn check_name(name: &str, path: &str) -> Result<String, Error> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME {
        return Err(bad(&format!("The name must be 1 to {MAX_NAME} characters"), path));
    }
    Ok(trimmed.to_owned())
}

fn is_secret(v: &Map<String, Value>) -> bool {
    v.get("type").and_then(Value::as_str) == Some("secret")
}

fn variables(value: &Value, path: &str) -> Result<Vec<Map<String, Value>>, Error> {
    let Value::Array(list) = value else {
        return Err(bad("`values` must be a list", path));
    };
    if list.len() > MAX_VARIABLES {
        return Err(bad(&format!("At most {MAX_VARIABLES} variables are allowed"), path));
    }
    list.iter()
        .enumerate()
        .map(|(i, v)| variable(v, &format!("{path}[{i}]")))
        .collect()
}

/// One variable, checked: `key` a string; `value` a string, number, boolean
/// or null; `type` `default`, `secret` or `any`; `enabled` a boolean.
fn variable(value: &Value, path: &str) -> Result<Map<String, Value>, Error> {
    let Value::Object(v) = value else {
        return Err(bad("A variable must be a JSON object", path));
    };
    if !v.get("key").is_some_and(Value::is_string) {
        return Err(bad("A variable needs a string `key`", &format!("{path}.key")));
    }
    if v.get("value").is_some_and(|x| x.is_object() || x.is_array()) {
        return Err(bad("A value must be a string", &format!("{path}.value")));
    }
    match v.get("type") {
        None => {}
        Some(Value::String(t)) if ["default", "secret", "any"].contains(&t.as_str()) => {}
        Some(_) => {
            return Err(bad("`type` must be default or secret", &format!("{path}.type")));
        }
    }
    if v.get("enabled").is_some_and(|e| !e.is_boolean()) {
        return Err(bad("`enabled` must be true or false", &format!("{path}.enabled")));
    }
    Ok(v.clone())
}

/// A variable that the source and the destination of a merge changed
/// differently (R-FORK-3): the variable objects of the three versions,
/// `None` where a version has no such key.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VariableConflict {
    pub key: String,
    pub base: Option<Value>,
    pub source: Option<Value>,
    pub destination: Option<Value>,
}

fn by_key(env: &Environment) -> std::collections::HashMap<&str, &Map<String, Value>> {
    env.values
        .iter()
        .filter_map(|v| Some((v.get("key")?.as_str()?, v)))
        .collect()
}

/// Merges the variables of `source` into `destination` against `base`,
/// variable by variable (by `key`): a variable changed, added or deleted on
/// one side takes that side; changed alike on both, it is taken; changed
/// differently, it is a conflict unless `choose` names the side for its key.
/// The destination keeps its order and name; variables new in the source
/// follow, in the source's order.
pub fn merge_variables(
    base: &Environment,
    source: &Environment,
    destination: &Environment,
    choose: &dyn Fn(&str) -> Option<crate::collection::Side>,
) -> (Environment, Vec<VariableConflict>) {
    use crate::collection::Side;
    let (b, s, d) = (by_key(base), by_key(source), by_key(destination));
    let mut conflicts = Vec::new();
    let mut pick = |key: &str| -> Option<Map<String, Value>> {
        let (bv, sv, dv) = (b.get(key).copied(), s.get(key).copied(), d.get(key).copied());
        if sv == dv || sv == bv {
            return dv.cloned();
        }
        if dv == bv {
            return sv.cloned();
        }
        match choose(key) {
            Some(Side::Source) => sv.cloned(),
            Some(Side::Destination) => dv.cloned(),
            None => {
                let value = |v: Option<&Map<String, Value>>| v.map(|m| Value::Object(m.clone()));
                conflicts.push(VariableConflict {
                    key: key.to_owned(),
                    base: value(bv),
                    source: value(sv),
                    destination: value(dv),
                });
                dv.cloned()
            }
        }
    };
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for v in &destination.values {
        match v.get("key").and_then(Value::as_str) {
            Some(key) => {
                seen.insert(key.to_owned());
                values.extend(pick(key));
            }
            None => values.push(v.clone()),
        }
    }
    for v in &source.values {
        if let Some(key) = v.get("key").and_then(Value::as_str)
            && seen.insert(key.to_owned())
        {
            values.extend(pick(key));
        }
    }
    let name = destination.name.clone();
    (Environment { name, values }, conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staging() -> Environment {
        Environment::parse(&json!({"environment": {"name": "Staging", "values": [
            {"key": "baseUrl", "value": "https://staging.example", "type": "default", "enabled": true},
            {"key": "token", "value": "s3cret", "type": "secret", "enabled": true}
        ]}}))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_exported_file_and_the_api_body_both_import() {
        let file = json!({"id": "x", "name": "Prod", "values": [{"key": "a", "value": "1", "enabled": true}],
            "_postman_variable_scope": "environment"});
        let env = Environment::parse(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(env.name, "Prod");
        assert_eq!(env.values.len(), 1);
        assert_eq!(staging().values.len(), 2);
    }

    #[test]
    fn secrets_are_blanked_for_those_who_may_not_edit() {
        let env = staging();
        assert_eq!(env.visible_values(false)[1]["value"], "");
        assert_eq!(env.visible_values(true)[1]["value"], "s3cret");
        assert_eq!(env.export_file("id", "t", false)["values"][1]["value"], "");
    }

    #[test]
    fn broken_environments_name_the_path() {
        let e = Environment::parse(&json!({"environment": {"name": "x", "values": [{"key": 1}]}}));
        assert!(
            e.err()
                .is_some_and(|e| e.message.contains("$.environment.values[0].key"))
        );
        let e = Environment::parse(&json!({"environment": {"values": []}}));
        assert!(e.is_err());
        let e = Environment::parse(&json!({"environment": {"name": "x", "values": [{"key": "a", "type": "vault"}]}}));
        assert!(e.is_err());
    }

    #[test]
    fn patches_apply_all_or_nothing() {
        let env = staging();
        let patched = env
            .apply_patch(&json!([
                {"op": "replace", "path": "/name", "value": "Stage"},
                {"op": "add", "path": "/values/-", "value": {"key": "c", "value": "3"}},
                {"op": "replace", "path": "/values/0/value", "value": "https://new.example"},
                {"op": "remove", "path": "/values/1"}
            ]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(patched.name, "Stage");
        let keys: Vec<&str> = patched.values.iter().filter_map(|v| v["key"].as_str()).collect();
        assert_eq!(keys, ["baseUrl", "c"]);
        assert!(
            env.apply_patch(&json!([{"op": "remove", "path": "/values/9"}]))
                .is_err()
        );
        let changes = patched.changes_from(&env);
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["name", "values.baseUrl", "values.c", "values.token"]);
        assert_eq!(
            changes[3].from.as_ref().map(|v| v["value"].clone()),
            Some(json!("(secret)"))
        );
    }

    #[test]
    fn a_form_edit_keeps_secrets_left_blank_and_what_it_did_not_touch() {
        let mut env = staging();
        env.values[0].insert("description".into(), json!("Where the API lives"));
        let row = |orig: Option<&str>, key: &str, value: Option<&str>, secret: bool| VariableEdit {
            original_key: orig.map(str::to_owned),
            key: key.into(),
            value: value.map(str::to_owned),
            secret,
            enabled: true,
        };
        let edited = env
            .edited(
                " Stage ",
                &[
                    row(Some("baseUrl"), "baseUrl", Some("https://staging.example"), false),
                    row(Some("token"), "apiToken", None, true),
                    row(None, "region", Some("eu"), false),
                    row(None, "", Some("ignored"), false),
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edited.name, "Stage");
        assert_eq!(edited.values[0], env.values[0]);
        assert_eq!(edited.values[1]["key"], "apiToken");
        assert_eq!(edited.values[1]["value"], "s3cret");
        assert_eq!(edited.values[1]["type"], "secret");
        assert_eq!(
            Value::Object(edited.values[2].clone()),
            json!({"key": "region", "value": "eu", "type": "default", "enabled": true})
        );
        assert_eq!(edited.values.len(), 3);
        // A new secret value replaces the old one; the name must not be blank.
        let again = env
            .edited("Staging", &[row(Some("token"), "token", Some("n3w"), true)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.values[0]["value"], "n3w");
        assert!(env.edited("  ", &[]).is_err());
    }

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment {
            name: "E".into(),
            values: vars
                .iter()
                .map(|(k, v)| json!({"key": k, "value": v, "type": "default", "enabled": true}))
                .filter_map(|v| v.as_object().cloned())
                .collect(),
        }
    }

    fn pairs(e: &Environment) -> Vec<(String, String)> {
        e.values
            .iter()
            .map(|v| {
                (
                    v["key"].as_str().unwrap_or("").to_owned(),
                    v["value"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn r_fork_3_environment_variables_merge_by_key() {
        let base = env(&[("a", "1"), ("b", "1"), ("c", "1"), ("d", "1")]);
        let source = env(&[("a", "2"), ("b", "1"), ("d", "1"), ("e", "new")]);
        let dest = env(&[("a", "1"), ("b", "3"), ("c", "1"), ("f", "mine")]);
        let (merged, conflicts) = merge_variables(&base, &source, &dest, &|_| None);
        assert!(conflicts.is_empty(), "{conflicts:?}");
        let got = pairs(&merged);
        let want = [("a", "2"), ("b", "3"), ("f", "mine"), ("e", "new")];
        assert_eq!(got, want.map(|(k, v)| (k.to_owned(), v.to_owned())));
        // The same key changed differently: a conflict, settled by a side.
        let source = env(&[("a", "2")]);
        let dest = env(&[("a", "3")]);
        let (kept, conflicts) = merge_variables(&base, &source, &dest, &|_| None);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            conflicts[0].source.as_ref().map(|v| v["value"].clone()),
            Some(json!("2"))
        );
        assert_eq!(
            conflicts[0].destination.as_ref().map(|v| v["value"].clone()),
            Some(json!("3"))
        );
        assert_eq!(pairs(&kept), [("a".to_owned(), "3".to_owned())]);
        let (taken, _) = merge_variables(&base, &source, &dest, &|_| Some(crate::collection::Side::Source));
        assert_eq!(pairs(&taken), [("a".to_owned(), "2".to_owned())]);
    }
}
