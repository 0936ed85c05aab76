//! OpenAPI 3.0 and 3.1 documents turned into collections (import) and
//! collections into OpenAPI 3.1 documents (export). Pure: the document is
//! already parsed (JSON, or YAML by [`parse_yaml`]); `$ref`s are followed
//! inside the document only, never fetched.

use serde_json::{Map, Value, json};

use crate::Error;
use crate::collection::SCHEMA_V21;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// How deep `$ref`s and example schemas are followed.
const MAX_DEPTH: usize = 24;

/// Whether a parsed document is an OpenAPI document (it names its version
/// in `openapi`) rather than a collection.
pub fn is_openapi(doc: &Value) -> bool {
    doc.get("openapi").is_some_and(Value::is_string) || doc.get("swagger").is_some_and(Value::is_string)
}

/// Parses a YAML text into JSON values. Aliases are expanded with a bound
/// (a "billion laughs" document is refused, not expanded).
pub fn parse_yaml(text: &str) -> Result<Value, Error> {
    serde_yaml::from_str::<Value>(text).map_err(|e| {
        Error::invalid(
            "invalid_openapi",
            format!("The document is not valid YAML or JSON: {e}."),
        )
    })
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("invalid_openapi", message)
}

/// Follows a local `$ref` (`#/components/...`) from `v`, as many times as it
/// takes; remote references are refused, loops are refused.
fn deref<'a>(root: &'a Value, v: &'a Value) -> Result<&'a Value, Error> {
    let mut cur = v;
    for _ in 0..MAX_DEPTH {
        let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
            return Ok(cur);
        };
        let Some(pointer) = r.strip_prefix('#') else {
            return Err(Error::invalid(
                "openapi_remote_ref",
                format!("The reference {r} points outside the document; Portico never fetches references."),
            ));
        };
        cur = root
            .pointer(pointer)
            .ok_or_else(|| invalid(format!("The reference {r} points to nothing in the document.")))?;
    }
    Err(Error::invalid(
        "openapi_ref_cycle",
        "The document's references go round in a loop.",
    ))
}

/// An example value for a schema: its `example`, `default`, first `enum`,
/// or one made from its type and properties.
fn example_of(root: &Value, schema: &Value, depth: usize) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    let Ok(s) = deref(root, schema) else { return Value::Null };
    for key in ["example", "default", "const"] {
        if let Some(v) = s.get(key) {
            return v.clone();
        }
    }
    if let Some(v) = s.get("examples").and_then(Value::as_array).and_then(|a| a.first()) {
        return v.clone();
    }
    if let Some(v) = s.get("enum").and_then(Value::as_array).and_then(|a| a.first()) {
        return v.clone();
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = s.get(key).and_then(Value::as_array) {
            if key == "allOf" {
                let mut merged = Map::new();
                for part in list {
                    if let Value::Object(o) = example_of(root, part, depth + 1) {
                        merged.extend(o);
                    }
                }
                return Value::Object(merged);
            }
            if let Some(first) = list.first() {
                return example_of(root, first, depth + 1);
            }
        }
    }
    let kind = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.get("properties").is_some() => "object",
        _ => "",
    };
    match kind {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (name, p) in props {
                    out.insert(name.clone(), example_of(root, p, depth + 1));
                }
            }
            Value::Object(out)
        }
        "array" => match s.get("items") {
            Some(items) => Value::Array(vec![example_of(root, items, depth + 1)]),
            None => json!([]),
        },
        "integer" | "number" => json!(0),
        "boolean" => json!(true),
        "string" => json!(match s.get("format").and_then(Value::as_str) {
            Some("date-time") => "1970-01-01T00:00:00Z",
            Some("date") => "1970-01-01",
            Some("email") => "user@example.com",
            Some("uuid") => "00000000-0000-0000-0000-000000000000",
            Some("uri" | "url") => "https://example.com",
            _ => "string",
        }),
        _ => Value::Null,
    }
}

fn as_text(v: Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A parameter's example value.
fn param_example(root: &Value, p: &Value) -> Value {
    p.get("example")
        .cloned()
        .or_else(|| p.get("schema").map(|s| example_of(root, s, 0)))
        .unwrap_or(Value::Null)
}

/// A parameter's value as text, for a URL or a header; an array as its
/// items joined by commas.
fn param_value(root: &Value, p: &Value) -> String {
    match param_example(root, p) {
        Value::Array(items) => items.into_iter().map(as_text).collect::<Vec<_>>().join(","),
        other => as_text(other),
    }
}

/// A query parameter's entries: an array with `explode` (the default for
/// the `form` style) repeats the key for each item.
fn query_values(root: &Value, p: &Value) -> Vec<String> {
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(p.get("style").and_then(Value::as_str).is_none_or(|s| s == "form"));
    match param_example(root, p) {
        Value::Array(items) if explode && !items.is_empty() => items.into_iter().map(as_text).collect(),
        _ => vec![param_value(root, p)],
    }
}

/// The first server's URL, its variables replaced by their defaults.
fn server_url(doc: &Value) -> String {
    let Some(server) = doc.get("servers").and_then(Value::as_array).and_then(|s| s.first()) else {
        return String::new();
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            let default = var.get("default").and_then(Value::as_str).unwrap_or_default();
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    url.trim_end_matches('/').to_string()
}

/// The collection auth for a security requirement list, when it names a
/// scheme the format can say.
fn auth_of(root: &Value, requirements: &Value) -> Option<Value> {
    let list = requirements.as_array()?;
    if list.is_empty() {
        return Some(json!({ "type": "noauth" }));
    }
    let first = list.first()?.as_object()?;
    if first.is_empty() {
        return Some(json!({ "type": "noauth" }));
    }
    let name = first.keys().next()?;
    let scheme = root.pointer(&format!("/components/securitySchemes/{name}"))?;
    let scheme = deref(root, scheme).ok()?;
    let kv = |key: &str, value: &str| json!({ "key": key, "value": value, "type": "string" });
    match scheme.get("type").and_then(Value::as_str)? {
        "apiKey" => {
            let key = scheme.get("name").and_then(Value::as_str).unwrap_or("api-key");
            let place = match scheme.get("in").and_then(Value::as_str) {
                Some("query") => "query",
                _ => "header",
            };
            Some(json!({ "type": "apikey", "apikey": [kv("key", key), kv("value", "{{apiKey}}"), kv("in", place)] }))
        }
        "http" => match scheme
            .get("scheme")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("basic") => Some(
                json!({ "type": "basic", "basic": [kv("username", "{{username}}"), kv("password", "{{password}}")] }),
            ),
            Some("bearer") => Some(json!({ "type": "bearer", "bearer": [kv("token", "{{bearerToken}}")] })),
            Some("digest") => Some(
                json!({ "type": "digest", "digest": [kv("username", "{{username}}"), kv("password", "{{password}}")] }),
            ),
            _ => None,
        },
        "oauth2" | "openIdConnect" => {
            Some(json!({ "type": "oauth2", "oauth2": [kv("accessToken", "{{accessToken}}")] }))
        }
        _ => None,
    }
}

/// The parameters of an operation: the path item's, overridden by the
/// operation's own of the same name and place.
fn parameters(root: &Value, path_item: &Value, op: &Value) -> Result<Vec<Value>, Error> {
    let mut out: Vec<Value> = Vec::new();
    for list in [path_item.get("parameters"), op.get("parameters")]
        .into_iter()
        .flatten()
    {
        for p in list.as_array().ok_or_else(|| invalid("`parameters` must be a list."))? {
            let p = deref(root, p)?;
            let key = (p.get("name").cloned(), p.get("in").cloned());
            out.retain(|q| (q.get("name").cloned(), q.get("in").cloned()) != key);
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string).filter(|s| !s.is_empty())
}

/// A media type's own example: its `example`, or the value of the first of
/// its `examples`.
fn media_example(root: &Value, media: &Value) -> Option<Value> {
    media.get("example").cloned().or_else(|| {
        media
            .get("examples")
            .and_then(Value::as_object)
            .and_then(|e| e.values().next())
            .and_then(|e| deref(root, e).ok())
            .and_then(|e| e.get("value").cloned())
    })
}

/// The body of a request, from its `requestBody`: JSON as raw JSON with an
/// example, forms as fields, anything else as raw text.
fn body_of(root: &Value, request_body: &Value, headers: &mut Vec<Value>) -> Result<Option<Value>, Error> {
    let rb = deref(root, request_body)?;
    let Some(content) = rb.get("content").and_then(Value::as_object) else {
        return Ok(None);
    };
    let pick = content
        .iter()
        .find(|(t, _)| t.starts_with("application/json") || t.ends_with("+json"))
        .or_else(|| content.iter().next());
    let Some((media_type, media)) = pick else {
        return Ok(None);
    };
    let example = media_example(root, media)
        .or_else(|| media.get("schema").map(|s| example_of(root, s, 0)))
        .unwrap_or(Value::Null);
    headers.push(json!({ "key": "Content-Type", "value": media_type }));
    let fields = |example: &Value| -> Vec<Value> {
        example
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        json!({ "key": k, "value": v, "type": "text" })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(Some(match media_type.as_str() {
        "application/x-www-form-urlencoded" => json!({ "mode": "urlencoded", "urlencoded": fields(&example) }),
        "multipart/form-data" => json!({ "mode": "formdata", "formdata": fields(&example) }),
        t if t.starts_with("application/json") || t.ends_with("+json") => json!({
            "mode": "raw",
            "raw": serde_json::to_string_pretty(&example).unwrap_or_default(),
            "options": { "raw": { "language": "json" } },
        }),
        _ => json!({
            "mode": "raw",
            "raw": match example { Value::String(s) => s, Value::Null => String::new(), other => other.to_string() },
        }),
    }))
}

/// One request item for an operation.
fn request_item(root: &Value, path: &str, method: &str, path_item: &Value, op: &Value) -> Result<Value, Error> {
    let params = parameters(root, path_item, op)?;
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                format!(":{}", &s[1..s.len() - 1])
            } else {
                s.replace('{', "{{").replace('}', "}}")
            }
        })
        .collect();
    let mut query = Vec::new();
    let mut variables = Vec::new();
    let mut headers = Vec::new();
    for p in &params {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
        let value = param_value(root, p);
        let description = text(p.get("description"));
        let mut entry = json!({ "key": name, "value": value });
        if let Some(d) = description {
            entry["description"] = json!(d);
        }
        match p.get("in").and_then(Value::as_str) {
            Some("query") => {
                if !p.get("required").and_then(Value::as_bool).unwrap_or(false) {
                    entry["disabled"] = json!(true);
                }
                for v in query_values(root, p) {
                    let mut e = entry.clone();
                    e["value"] = json!(v);
                    query.push(e);
                }
            }
            Some("path") => variables.push(entry),
            Some("header") => headers.push(entry),
            _ => {}
        }
    }
    let body = match op.get("requestBody") {
        Some(rb) => body_of(root, rb, &mut headers)?,
        None => None,
    };
    let enabled: Vec<String> = query
        .iter()
        .filter(|q| q.get("disabled").is_none())
        .map(|q| {
            format!(
                "{}={}",
                q["key"].as_str().unwrap_or_default(),
                q["value"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}/{}", segments.join("/"));
    if !enabled.is_empty() {
        raw = format!("{raw}?{}", enabled.join("&"));
    }
    let mut url = json!({ "raw": raw, "host": ["{{baseUrl}}"], "path": segments });
    if !query.is_empty() {
        url["query"] = Value::Array(query);
    }
    if !variables.is_empty() {
        url["variable"] = Value::Array(variables);
    }
    let mut request = json!({ "method": method.to_ascii_uppercase(), "header": headers, "url": url });
    if let Some(b) = body {
        request["body"] = b;
    }
    if let Some(d) = text(op.get("description")) {
        request["description"] = json!(d);
    }
    if let Some(auth) = op.get("security").and_then(|s| auth_of(root, s)) {
        request["auth"] = auth;
    }
    let name = text(op.get("summary"))
        .or_else(|| text(op.get("operationId")))
        .unwrap_or_else(|| format!("{} {path}", method.to_ascii_uppercase()));
    let mut responses = Vec::new();
    if let Some(rs) = op.get("responses").and_then(Value::as_object) {
        for (code, r) in rs {
            let r = deref(root, r)?;
            let Some((media_type, media)) = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().next())
            else {
                continue;
            };
            let Some(example) = media_example(root, media) else {
                continue;
            };
            responses.push(json!({
                "name": text(r.get("description")).unwrap_or_else(|| code.clone()),
                "originalRequest": request.clone(),
                "code": code.parse::<u16>().unwrap_or(200),
                "header": [{ "key": "Content-Type", "value": media_type }],
                "body": match example { Value::String(s) => s, other => serde_json::to_string_pretty(&other).unwrap_or_default() },
            }));
        }
    }
    let mut item = json!({ "name": name, "request": request });
    if !responses.is_empty() {
        item["response"] = Value::Array(responses);
    }
    Ok(item)
}

/// An OpenAPI 3.0 or 3.1 document as a collection (v2.1 JSON): operations
/// grouped into folders by their first tag (or their first path segment),
/// parameters, request bodies with examples, security schemes as auth, and
/// the first server as the `baseUrl` variable.
pub fn to_collection(doc: &Value) -> Result<Value, Error> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or_default();
    if !version.starts_with("3.") {
        return Err(Error::invalid(
            "openapi_version_unsupported",
            "Only OpenAPI 3.0 and 3.1 documents are imported (Swagger 2.0 is not).",
        ));
    }
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("The document has no `paths`."))?;
    let mut folders: Vec<(String, Vec<Value>)> = Vec::new();
    for (path, path_item) in paths {
        let path_item = deref(doc, path_item)?;
        for method in METHODS {
            let Some(op) = path_item.get(method) else { continue };
            let item = request_item(doc, path, method, path_item, op)?;
            let folder = op
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|t| t.first())
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| path.split('/').find(|s| !s.is_empty()).map(str::to_string))
                .unwrap_or_else(|| "root".to_string());
            match folders.iter_mut().find(|(name, _)| *name == folder) {
                Some((_, items)) => items.push(item),
                None => folders.push((folder, vec![item])),
            }
        }
    }
    let info = doc.get("info").cloned().unwrap_or_default();
    let mut out = json!({
        "info": {
            "name": text(info.get("title")).unwrap_or_else(|| "Imported API".to_string()),
            "schema": SCHEMA_V21,
        },
        "item": folders
            .into_iter()
            .map(|(name, items)| json!({ "name": name, "item": items }))
            .collect::<Vec<_>>(),
        "variable": [{ "key": "baseUrl", "value": server_url(doc), "type": "string" }],
    });
    if let Some(d) = text(info.get("description")) {
        out["info"]["description"] = json!(d);
    }
    if let Some(auth) = doc.get("security").and_then(|s| auth_of(doc, s)) {
        out["auth"] = auth;
    }
    Ok(out)
}

/// A URL of a collection request as an OpenAPI path: the `{{baseUrl}}` (or
/// host) left out, `:name` and `{{name}}` segments as `{name}`; answers the
/// path and its path parameters.
fn openapi_path(url: &Value) -> (String, Vec<String>) {
    let segments: Vec<String> = match url.get("path").and_then(Value::as_array) {
        Some(p) => p.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        None => {
            let raw = url
                .as_str()
                .or_else(|| url.get("raw").and_then(Value::as_str))
                .unwrap_or_default();
            let raw = raw.split(['?', '#']).next().unwrap_or_default();
            let rest = raw.split_once("://").map_or(raw, |(_, r)| r);
            // Past the host, or the `{{baseUrl}}` standing for it.
            let rest = rest.split_once('/').map_or("", |(_, r)| r);
            rest.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect()
        }
    };
    let mut params = Vec::new();
    let path: Vec<String> = segments
        .iter()
        .map(|s| {
            let name = s.strip_prefix(':').map(str::to_string).or_else(|| {
                s.strip_prefix("{{")
                    .and_then(|r| r.strip_suffix("}}"))
                    .map(str::to_string)
            });
            match name {
                Some(n) => {
                    params.push(n.clone());
                    format!("{{{n}}}")
                }
                None => s.clone(),
            }
        })
        .collect();
    (format!("/{}", path.join("/")), params)
}

fn collect_requests<'a>(items: &'a Value, tag: Option<&'a str>, out: &mut Vec<(Option<&'a str>, &'a Value)>) {
    for item in items.as_array().into_iter().flatten() {
        if let Some(children) = item.get("item") {
            let name = item.get("name").and_then(Value::as_str);
            collect_requests(children, tag.or(name), out);
        } else if item.get("request").is_some() {
            out.push((tag, item));
        }
    }
}

/// A collection (v2.1 JSON, as exported) as an OpenAPI 3.1 document: one
/// operation per request (the first of several with the same method and
/// path), tagged with its top folder; query, header and path parameters;
/// the body as the request body's example; saved responses as responses.
pub fn from_collection(collection: &Value) -> Value {
    let info = collection.get("info").cloned().unwrap_or_default();
    let mut paths = Map::new();
    let mut requests = Vec::new();
    collect_requests(collection.get("item").unwrap_or(&Value::Null), None, &mut requests);
    for (tag, item) in requests {
        let request = &item["request"];
        let (method, url) = match request {
            Value::String(u) => ("get".to_string(), Value::String(u.clone())),
            r => (
                r.get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_ascii_lowercase(),
                r.get("url").cloned().unwrap_or_default(),
            ),
        };
        if !METHODS.contains(&method.as_str()) {
            continue;
        }
        let (path, path_params) = openapi_path(&url);
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        if entry.get(&method).is_some() {
            continue;
        }
        let mut parameters: Vec<Value> = path_params
            .iter()
            .map(|n| json!({ "name": n, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        for q in url.get("query").and_then(Value::as_array).into_iter().flatten() {
            if let Some(k) = q.get("key").and_then(Value::as_str) {
                let mut p = json!({ "name": k, "in": "query", "schema": { "type": "string" } });
                if let Some(v) = q.get("value").and_then(Value::as_str).filter(|v| !v.is_empty()) {
                    p["example"] = json!(v);
                }
                parameters.push(p);
            }
        }
        let mut content_type = None;
        for h in request.get("header").and_then(Value::as_array).into_iter().flatten() {
            let Some(k) = h.get("key").and_then(Value::as_str) else {
                continue;
            };
            if k.eq_ignore_ascii_case("content-type") {
                content_type = h.get("value").and_then(Value::as_str).map(str::to_string);
                continue;
            }
            if k.eq_ignore_ascii_case("authorization") {
                continue;
            }
            parameters.push(json!({ "name": k, "in": "header", "schema": { "type": "string" } }));
        }
        let mut op = json!({
            "summary": item.get("name").and_then(Value::as_str).unwrap_or_default(),
            "responses": {},
        });
        if let Some(t) = tag {
            op["tags"] = json!([t]);
        }
        if !parameters.is_empty() {
            op["parameters"] = Value::Array(parameters);
        }
        if let Some(d) = request
            .get("description")
            .and_then(|d| d.as_str().or_else(|| d.get("content").and_then(Value::as_str)))
        {
            op["description"] = json!(d);
        }
        if let Some(body) = request.get("body") {
            let (media, example) = match body.get("mode").and_then(Value::as_str) {
                Some("raw") => {
                    let raw = body.get("raw").and_then(Value::as_str).unwrap_or_default();
                    let json_lang = body.pointer("/options/raw/language").and_then(Value::as_str) == Some("json");
                    match serde_json::from_str::<Value>(raw) {
                        Ok(v)
                            if json_lang
                                || content_type.as_deref().is_some_and(|c| c.contains("json"))
                                || raw.trim_start().starts_with('{') =>
                        {
                            ("application/json".to_string(), v)
                        }
                        _ => (
                            content_type.clone().unwrap_or_else(|| "text/plain".to_string()),
                            json!(raw),
                        ),
                    }
                }
                Some(mode @ ("urlencoded" | "formdata")) => {
                    let mut fields = Map::new();
                    for f in body.get(mode).and_then(Value::as_array).into_iter().flatten() {
                        if let Some(k) = f.get("key").and_then(Value::as_str) {
                            fields.insert(k.to_string(), f.get("value").cloned().unwrap_or(json!("")));
                        }
                    }
                    let media = if mode == "urlencoded" {
                        "application/x-www-form-urlencoded"
                    } else {
                        "multipart/form-data"
                    };
                    (media.to_string(), Value::Object(fields))
                }
                _ => (String::new(), Value::Null),
            };
            if !media.is_empty() {
                op["requestBody"] = json!({ "content": { media: { "example": example } } });
            }
        }
        let mut responses = Map::new();
        for r in item.get("response").and_then(Value::as_array).into_iter().flatten() {
            let code = r.get("code").and_then(Value::as_u64).unwrap_or(200).to_string();
            if responses.contains_key(&code) {
                continue;
            }
            let mut resp = json!({ "description": r.get("name").and_then(Value::as_str).unwrap_or("Response") });
            if let Some(b) = r.get("body").and_then(Value::as_str).filter(|b| !b.is_empty()) {
                let example = serde_json::from_str::<Value>(b).unwrap_or_else(|_| json!(b));
                let media = if example.is_string() {
                    "text/plain"
                } else {
                    "application/json"
                };
                resp["content"] = json!({ media: { "example": example } });
            }
            responses.insert(code, resp);
        }
        if responses.is_empty() {
            responses.insert("200".into(), json!({ "description": "OK" }));
        }
        op["responses"] = Value::Object(responses);
        entry[method.as_str()] = op;
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": info.get("name").and_then(Value::as_str).unwrap_or("Collection"),
            "version": info.get("version").and_then(|v| v.as_str().map(str::to_string).or_else(|| Some(v.to_string()))).unwrap_or_else(|| "1.0.0".to_string()),
        },
        "paths": paths,
    });
    if let Some(d) = info
        .get("description")
        .and_then(|d| d.as_str().or_else(|| d.get("content").and_then(Value::as_str)))
    {
        doc["info"]["description"] = json!(d);
    }
    let base = collection
        .get("variable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|v| v.get("key").and_then(Value::as_str) == Some("baseUrl"))
        .and_then(|v| v.get("value").and_then(Value::as_str))
        .filter(|v| !v.is_empty());
    if let Some(url) = base {
        doc["servers"] = json!([{ "url": url }]);
    }
    doc
}

#[cfg(test)]
mod tests;
