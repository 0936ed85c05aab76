//! Completes the OpenAPI document with what every operation shares, so that
//! each handler's annotation lists only its own answers: the refusals the
//! edge gives before any handler runs (credentials, CSRF, body size, media
//! type, malformed JSON) and the exact form of ids and revisions. Checked by
//! `scripts/fuzz-api` (docs/security.md).

use serde_json::{Map, Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Path parameters that hold a UUID; a malformed one answers `404` like a
/// missing object (R-ISO-3).
const UUID_PARAMETERS: [&str; 7] = [
    "collectionId",
    "environmentId",
    "invitationId",
    "keyId",
    "teamId",
    "userId",
    "workspaceId",
];

/// Adds the shared answers and parameter forms to every operation of `doc`.
pub fn complete(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for method in METHODS {
            if let Some(Value::Object(op)) = item.get_mut(method) {
                complete_operation(path, method, op);
            }
        }
    }
}

fn complete_operation(path: &str, method: &str, op: &mut Map<String, Value>) {
    let public = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| reqs.is_empty() || reqs.iter().all(|r| r.as_object().is_some_and(Map::is_empty)));
    let has_body = op.contains_key("requestBody");
    let mut has_query_or_header = false;
    if let Some(Value::Array(params)) = op.get_mut("parameters") {
        for p in params.iter_mut() {
            has_query_or_header |= matches!(p.get("in").and_then(Value::as_str), Some("query" | "header"));
            shape_parameter(p);
        }
    }
    let unsafe_method = method != "get";
    let mut add = |status: &str, description: &str| {
        let responses = op.entry("responses").or_insert_with(|| json!({})).as_object_mut();
        if let Some(responses) = responses {
            responses.entry(status).or_insert_with(|| error_response(description));
        }
    };
    if has_body || has_query_or_header {
        add(
            "400",
            "Malformed input: a body, query parameter or header that cannot be read (`invalid_json`, `invalid_body`, `json_too_deep`, `invalid_query`, `invalid_revision`)",
        );
    }
    if !public {
        add("401", "No or bad credentials");
    }
    if !public && unsafe_method {
        add(
            "403",
            "A session request without its CSRF token (`csrf_token_invalid`), or an action the caller may not do",
        );
    }
    if path.contains('{') {
        add("404", "Not found, or not visible to the caller (R-ISO-3)");
    }
    if has_body {
        add("413", "The body is over the limit (`body_too_large`)");
        add("415", "The body is not sent as JSON (`unsupported_media_type`)");
    }
}

/// Gives ids and revisions their exact form.
fn shape_parameter(p: &mut Value) {
    let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let location = p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
    let Some(Value::Object(schema)) = p.get_mut("schema") else {
        return;
    };
    if location == "path" && UUID_PARAMETERS.contains(&name.as_str()) {
        schema.insert("format".into(), json!("uuid"));
    }
    // utoipa writes a `u32` as an `int32` (at most 2^31 - 1): give it its
    // real upper bound, or a larger valid value looks like one to refuse.
    let unsigned_32 = schema.get("format") == Some(&json!("int32")) && schema.get("minimum") == Some(&json!(0));
    if unsigned_32 {
        schema.insert("format".into(), json!("int64"));
        schema.insert("maximum".into(), json!(u32::MAX));
    }
    if location == "header" && name.eq_ignore_ascii_case("if-match") {
        schema.insert("pattern".into(), json!("^(W/)?\"?[0-9]{1,18}\"?$"));
    }
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_sec_2_shared_refusals_are_documented_on_every_operation() {
        let mut doc = json!({ "paths": {
            "/api/auth/login": { "post": { "security": [{}], "requestBody": {}, "responses": { "200": {} } } },
            "/api/teams/{teamId}": {
                "get": { "parameters": [{ "name": "teamId", "in": "path", "schema": { "type": "string" } }], "responses": {} },
                "patch": { "requestBody": {}, "parameters": [{ "name": "If-Match", "in": "header", "schema": { "type": "string" } }], "responses": { "400": { "description": "own" } } }
            }
        }});
        complete(&mut doc);
        let codes = |p: &str, m: &str| -> Vec<String> {
            doc["paths"][p][m]["responses"]
                .as_object()
                .map(|r| {
                    let mut keys: Vec<String> = r.keys().cloned().collect();
                    keys.sort();
                    keys
                })
                .unwrap_or_default()
        };
        assert_eq!(codes("/api/auth/login", "post"), ["200", "400", "413", "415"]);
        assert_eq!(codes("/api/teams/{teamId}", "get"), ["401", "404"]);
        assert_eq!(
            codes("/api/teams/{teamId}", "patch"),
            ["400", "401", "403", "404", "413", "415"]
        );
        assert_eq!(
            doc["paths"]["/api/teams/{teamId}"]["patch"]["responses"]["400"]["description"],
            "own"
        );
        assert_eq!(
            doc["paths"]["/api/teams/{teamId}"]["get"]["parameters"][0]["schema"]["format"],
            "uuid"
        );
        assert!(doc["paths"]["/api/teams/{teamId}"]["patch"]["parameters"][0]["schema"]["pattern"].is_string());
    }
}
