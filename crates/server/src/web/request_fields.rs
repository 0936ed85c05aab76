//! The fields of a request as the editor shows them, read from and written
//! back into its Collection Format v2.1 fields. A field the form leaves as
//! it was shown keeps its stored form (ids, disabled flags, options and
//! unknown fields survive); only what the person changed is rewritten.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The editable fields of a request, as text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RequestDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub url: String,
    /// One `Key: Value` a line; `// ` starts a disabled header.
    #[serde(default)]
    pub headers: String,
    /// `none`, `raw` or the request's own other mode (kept as it is).
    #[serde(default)]
    pub body_mode: String,
    #[serde(default)]
    pub body_raw: String,
    /// `inherit` (no auth of its own), `noauth` or the request's own type.
    #[serde(default)]
    pub auth: String,
    #[serde(default)]
    pub prerequest: String,
    #[serde(default)]
    pub tests: String,
}

fn request_of(fields: &Map<String, Value>) -> Map<String, Value> {
    match fields.get("request") {
        Some(Value::Object(r)) => r.clone(),
        Some(Value::String(url)) => {
            let mut r = Map::new();
            r.insert("url".into(), Value::String(url.clone()));
            r
        }
        _ => Map::new(),
    }
}

/// The URL as one line of text.
pub fn url_text(url: Option<&Value>) -> String {
    match url {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(u)) => match u.get("raw").and_then(Value::as_str) {
            Some(raw) => raw.to_owned(),
            None => {
                let join = |key: &str, sep: &str| match u.get(key) {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(sep),
                    Some(Value::String(s)) => s.clone(),
                    _ => String::new(),
                };
                let host = join("host", ".");
                let path = join("path", "/");
                if path.is_empty() {
                    host
                } else {
                    format!("{host}/{path}")
                }
            }
        },
        _ => String::new(),
    }
}

/// The query parameters of a URL: its `query` list, or those of its text.
pub fn query_params(url: Option<&Value>) -> Vec<(String, String, bool)> {
    if let Some(Value::Array(q)) = url.and_then(|u| u.get("query")) {
        return q
            .iter()
            .map(|p| {
                let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                (s("key"), s("value"), p.get("disabled") == Some(&Value::Bool(true)))
            })
            .collect();
    }
    let text = url_text(url);
    text.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (k.to_owned(), v.to_owned(), false)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A URL typed as text, in the object form the format uses.
fn url_object(raw: &str) -> Value {
    let (rest, query) = raw.split_once('?').map_or((raw, None), |(r, q)| (r, Some(q)));
    let (protocol, rest) = rest.split_once("://").map_or((None, rest), |(p, r)| (Some(p), r));
    let mut parts = rest.split('/');
    let host: Vec<Value> = parts
        .next()
        .filter(|h| !h.is_empty())
        .map(|h| h.split('.').map(|p| Value::String(p.to_owned())).collect())
        .unwrap_or_default();
    let path: Vec<Value> = parts.map(|p| Value::String(p.to_owned())).collect();
    let mut url = Map::new();
    url.insert("raw".into(), Value::String(raw.to_owned()));
    if let Some(p) = protocol {
        url.insert("protocol".into(), Value::String(p.to_owned()));
    }
    if !host.is_empty() {
        url.insert("host".into(), Value::Array(host));
    }
    if !path.is_empty() {
        url.insert("path".into(), Value::Array(path));
    }
    if let Some(q) = query {
        let list: Vec<Value> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                json!({ "key": k, "value": v })
            })
            .collect();
        url.insert("query".into(), Value::Array(list));
    }
    Value::Object(url)
}

/// Headers as the editor's text: one `Key: Value` a line.
pub fn headers_text(header: Option<&Value>) -> String {
    match header {
        Some(Value::Array(list)) => list
            .iter()
            .map(|h| {
                let s = |k: &str| h.get(k).and_then(Value::as_str).unwrap_or("");
                let off = if h.get("disabled") == Some(&Value::Bool(true)) {
                    "// "
                } else {
                    ""
                };
                format!("{off}{}: {}", s("key"), s("value"))
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Some(Value::String(s)) => s.trim_end().to_owned(),
        _ => String::new(),
    }
}

fn headers_from(text: &str) -> Value {
    let list = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (off, l) = l.strip_prefix("//").map_or((false, l), |r| (true, r.trim_start()));
            let (k, v) = l.split_once(':').unwrap_or((l, ""));
            let mut h = json!({ "key": k.trim(), "value": v.trim() });
            if off {
                h["disabled"] = Value::Bool(true);
            }
            h
        })
        .collect();
    Value::Array(list)
}

/// The text of the script listening to `listen` (`prerequest`, `test`).
pub fn script_text(fields: &Map<String, Value>, listen: &str) -> String {
    let Some(Value::Array(events)) = fields.get("event") else {
        return String::new();
    };
    events
        .iter()
        .find(|e| e.get("listen").and_then(Value::as_str) == Some(listen))
        .and_then(|e| e.get("script"))
        .and_then(|s| s.get("exec"))
        .map(|exec| match exec {
            Value::Array(lines) => lines.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
            Value::String(s) => s.clone(),
            _ => String::new(),
        })
        .unwrap_or_default()
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_owned()
}

impl RequestDraft {
    /// The draft of a request as stored.
    pub fn of(fields: &Map<String, Value>) -> Self {
        let request = request_of(fields);
        let body = request.get("body");
        let text = |k: &str| {
            body.and_then(|b| b.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Self {
            name: fields.get("name").and_then(Value::as_str).unwrap_or("").to_owned(),
            method: request
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("GET")
                .to_ascii_uppercase(),
            url: url_text(request.get("url")),
            headers: headers_text(request.get("header")),
            body_mode: match text("mode") {
                m if m.is_empty() => "none".into(),
                m => m,
            },
            body_raw: text("raw"),
            auth: request
                .get("auth")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("inherit")
                .to_owned(),
            prerequest: script_text(fields, "prerequest"),
            tests: script_text(fields, "test"),
        }
    }

    /// The request's fields with this draft's changes applied to `current`.
    pub fn apply(&self, current: &Map<String, Value>) -> Map<String, Value> {
        let was = Self::of(current);
        let mut out = current.clone();
        let mut request = request_of(current);
        out.insert("name".into(), Value::String(self.name.trim().to_owned()));
        request.insert("method".into(), Value::String(self.method.trim().to_ascii_uppercase()));
        if self.url.trim() != was.url.trim() {
            request.insert("url".into(), url_object(self.url.trim()));
        }
        if normalise(&self.headers) != normalise(&was.headers) {
            request.insert("header".into(), headers_from(&self.headers));
        }
        match self.body_mode.as_str() {
            "none" => {
                request.remove("body");
            }
            "raw" if was.body_mode != "raw" || normalise(&self.body_raw) != normalise(&was.body_raw) => {
                let mut body = match request.get("body") {
                    Some(Value::Object(b)) if was.body_mode == "raw" => b.clone(),
                    _ => Map::new(),
                };
                body.insert("mode".into(), Value::String("raw".into()));
                body.insert("raw".into(), Value::String(self.body_raw.replace("\r\n", "\n")));
                request.insert("body".into(), Value::Object(body));
            }
            _ => {}
        }
        if self.auth != was.auth {
            match self.auth.as_str() {
                "inherit" => {
                    request.remove("auth");
                }
                "noauth" => {
                    request.insert("auth".into(), json!({ "type": "noauth" }));
                }
                _ => {}
            }
        }
        out.insert("request".into(), Value::Object(request));
        for (listen, text, old) in [
            ("prerequest", &self.prerequest, &was.prerequest),
            ("test", &self.tests, &was.tests),
        ] {
            if normalise(text) != normalise(old) {
                set_script(&mut out, listen, &normalise(text));
            }
        }
        out
    }
}

fn set_script(fields: &mut Map<String, Value>, listen: &str, text: &str) {
    let mut events = match fields.remove("event") {
        Some(Value::Array(e)) => e,
        _ => Vec::new(),
    };
    let at = events
        .iter()
        .position(|e| e.get("listen").and_then(Value::as_str) == Some(listen));
    let exec: Vec<Value> = text.lines().map(|l| Value::String(l.to_owned())).collect();
    match (at, text.is_empty()) {
        (Some(i), true) => {
            events.remove(i);
        }
        (Some(i), false) => {
            let script = &mut events[i]["script"];
            if !script.is_object() {
                *script = json!({ "type": "text/javascript" });
            }
            script["exec"] = Value::Array(exec);
        }
        (None, false) => events.push(json!({
            "listen": listen,
            "script": { "type": "text/javascript", "exec": exec }
        })),
        (None, true) => {}
    }
    if !events.is_empty() {
        fields.insert("event".into(), Value::Array(events));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Map<String, Value> {
        json!({
            "name": "Get user",
            "request": {
                "method": "get",
                "url": { "raw": "https://api.example/users/1?x=1", "host": ["api", "example"], "query": [{"key": "x", "value": "1"}] },
                "header": [{ "key": "Accept", "value": "application/json", "disabled": true, "description": "kept" }],
                "body": { "mode": "raw", "raw": "{}", "options": { "raw": { "language": "json" } } },
                "auth": { "type": "bearer", "bearer": [] }
            },
            "event": [{ "listen": "test", "script": { "id": "s1", "exec": ["pm.test()"] } }],
            "x-unknown": 1
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    #[test]
    fn an_unchanged_draft_keeps_every_stored_field() {
        let f = sample();
        let d = RequestDraft::of(&f);
        assert_eq!(d.method, "GET");
        assert_eq!(d.headers, "// Accept: application/json");
        let mut same = f.clone();
        same["request"]["method"] = Value::String("GET".into());
        assert_eq!(d.apply(&f), same);
    }

    #[test]
    fn changed_fields_are_rewritten_and_the_rest_survives() {
        let f = sample();
        let mut d = RequestDraft::of(&f);
        d.url = "https://api.example/users/2".into();
        d.body_raw = "{\"a\":1}".into();
        d.tests = String::new();
        d.prerequest = "console.log(1)".into();
        let out = d.apply(&f);
        assert_eq!(out["request"]["url"]["path"], json!(["users", "2"]));
        assert_eq!(out["request"]["body"]["options"]["raw"]["language"], "json");
        assert_eq!(out["request"]["body"]["raw"], "{\"a\":1}");
        assert_eq!(out["request"]["auth"]["type"], "bearer");
        assert_eq!(
            out["event"],
            json!([{ "listen": "prerequest", "script": { "type": "text/javascript", "exec": ["console.log(1)"] } }])
        );
        assert_eq!(out["x-unknown"], 1);
    }
}
