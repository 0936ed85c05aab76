//! The fields of v1 folders, requests and responses, as their v2 counterparts.

use serde_json::{Map, Value, json};

pub(super) fn copy(from: &Map<String, Value>, key: &str, to: &mut Map<String, Value>, as_key: &str) {
    if let Some(value) = from.get(key) {
        to.insert(as_key.to_owned(), value.clone());
    }
}

pub(super) fn copy_description(from: &Map<String, Value>, to: &mut Map<String, Value>) {
    if from.get("description").is_some_and(|d| !is_empty(d)) {
        copy(from, "description", to, "description");
    }
}

/// `auth`, scripts and variables, which collections, folders and requests share.
pub(super) fn copy_shared(from: &Map<String, Value>, to: &mut Map<String, Value>) {
    if from.get("auth").is_some_and(Value::is_object) {
        copy(from, "auth", to, "auth");
    }
    if let Some(events) = events(from) {
        to.insert("event".to_owned(), events);
    }
    if from
        .get("variables")
        .is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    {
        copy(from, "variables", to, "variable");
    }
}

/// Empty the way the platform's converter means it: missing, null, "", [] or {}.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// v1 `events`, or the `preRequestScript` and `tests` sources as v2 events.
fn events(fields: &Map<String, Value>) -> Option<Value> {
    if let Some(events) = fields
        .get("events")
        .filter(|e| e.as_array().is_some_and(|a| !a.is_empty()))
    {
        return Some(events.clone());
    }
    let events: Vec<Value> = [("preRequestScript", "prerequest"), ("tests", "test")]
        .into_iter()
        .filter_map(|(key, listen)| {
            let exec = match fields.get(key)? {
                Value::String(s) if !s.is_empty() => s.split('\n').map(|line| json!(line)).collect(),
                Value::Array(lines) if !lines.is_empty() => lines.clone(),
                _ => return None,
            };
            Some(json!({"listen": listen, "script": {"type": "text/javascript", "exec": exec}}))
        })
        .collect();
    (!events.is_empty()).then_some(Value::Array(events))
}

/// A v1 request as a v2 request item.
pub(super) fn request_item(fields: &Map<String, Value>) -> Value {
    let mut item = Map::new();
    copy(fields, "id", &mut item, "id");
    item.insert(
        "name".to_owned(),
        fields.get("name").cloned().unwrap_or_else(|| json!("")),
    );
    copy_shared(fields, &mut item);
    item.remove("auth");
    copy(fields, "protocolProfileBehavior", &mut item, "protocolProfileBehavior");
    item.insert("request".to_owned(), request(fields));
    let responses = match fields.get("responses") {
        Some(Value::Array(responses)) => responses.iter().filter_map(Value::as_object).map(response).collect(),
        _ => Vec::new(),
    };
    item.insert("response".to_owned(), Value::Array(responses));
    Value::Object(item)
}

/// The v2 `request` object of a v1 request.
fn request(fields: &Map<String, Value>) -> Value {
    let mut request = Map::new();
    if fields.get("auth").is_some_and(Value::is_object) {
        copy(fields, "auth", &mut request, "auth");
    }
    copy(fields, "method", &mut request, "method");
    request.insert("header".to_owned(), headers(fields));
    if let Some(body) = body(fields) {
        request.insert("body".to_owned(), body);
    }
    request.insert(
        "url".to_owned(),
        fields.get("url").cloned().unwrap_or_else(|| json!("")),
    );
    copy_description(fields, &mut request);
    Value::Object(request)
}

/// v1 headers: an array already, `headerData`, or the raw "Key: value" lines
/// where a line starting with `//` is a disabled header.
fn headers(fields: &Map<String, Value>) -> Value {
    if let Some(headers @ Value::Array(_)) = fields.get("headers") {
        return headers.clone();
    }
    if let Some(Value::Array(data)) = fields.get("headerData").filter(|d| !is_empty(d)) {
        return data.iter().filter_map(Value::as_object).map(param).collect();
    }
    let text = fields.get("headers").and_then(Value::as_str).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (disabled, line) = match line.strip_prefix("//") {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            let (key, value) = line.split_once(':').unwrap_or((line, ""));
            let mut header = json!({"key": key.trim(), "value": value.trim()});
            if disabled {
                header["disabled"] = json!(true);
            }
            header
        })
        .collect()
}

/// A v1 key-value parameter (header, form field) as v2: `enabled: false`
/// becomes `disabled: true`, a file field's value its `src`.
fn param(fields: &Map<String, Value>) -> Value {
    let mut out = fields.clone();
    if out.get("type").and_then(Value::as_str) == Some("file")
        && let Some(value) = out.remove("value")
    {
        out.insert("src".to_owned(), if value.is_string() { value } else { Value::Null });
    }
    if out.remove("enabled") == Some(Value::Bool(false)) {
        out.insert("disabled".to_owned(), json!(true));
    }
    if out.get("description").is_some_and(is_empty) {
        out.remove("description");
    }
    Value::Object(out)
}

/// The v2 `body` from `dataMode`, `data` and `rawModeData`; none when all are empty.
fn body(fields: &Map<String, Value>) -> Option<Value> {
    let mode = match fields.get("dataMode").and_then(Value::as_str) {
        Some("urlencoded") => Some("urlencoded"),
        Some("params") => Some("formdata"),
        Some("raw") => Some("raw"),
        Some("binary") => Some("file"),
        _ => None,
    };
    let data = fields.get("data").filter(|d| !d.is_null());
    let raw_data = fields.get("rawModeData");
    if mode.is_none() && data.is_none_or(is_empty) && raw_data.is_none_or(is_empty) {
        return None;
    }
    let raw = match raw_data {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Array(lines)) if lines.len() == 1 => lines[0].as_str(),
        _ => None,
    }
    .filter(|s| !s.is_empty());
    let form = data.or(raw_data).and_then(Value::as_array);
    let mode = mode.unwrap_or(if raw.is_none() && form.is_some() {
        "formdata"
    } else {
        "raw"
    });
    let content = match mode {
        "raw" => json!(raw.or(data.and_then(Value::as_str)).unwrap_or_default()),
        "file" => json!({ "src": raw }),
        _ => form
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .filter(|p| p.get("key").and_then(Value::as_str).is_some_and(|k| !k.is_empty()))
            .map(param)
            .collect(),
    };
    let mut body = Map::new();
    body.insert("mode".to_owned(), json!(mode));
    body.insert(mode.to_owned(), content);
    if fields.get("dataDisabled") == Some(&Value::Bool(true)) {
        body.insert("disabled".to_owned(), json!(true));
    }
    Some(Value::Object(body))
}

/// A v1 saved response as a v2 response.
pub(super) fn response(fields: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    copy(fields, "id", &mut out, "id");
    out.insert(
        "name".to_owned(),
        fields.get("name").cloned().unwrap_or_else(|| json!("response")),
    );
    if let Some(code) = fields.get("responseCode").and_then(Value::as_object) {
        copy(code, "name", &mut out, "status");
        copy(code, "code", &mut out, "code");
    }
    if fields.get("headers").is_some_and(Value::is_array) {
        copy(fields, "headers", &mut out, "header");
    }
    copy(fields, "text", &mut out, "body");
    copy(fields, "time", &mut out, "responseTime");
    copy(fields, "language", &mut out, "_postman_previewlanguage");
    let original = ["requestObject", "request"]
        .iter()
        .find_map(|k| fields.get(*k).and_then(Value::as_object));
    if let Some(original) = original {
        out.insert("originalRequest".to_owned(), request(original));
    }
    Value::Object(out)
}
