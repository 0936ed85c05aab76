//! Completes the OpenAPI document with what every operation shares, so that
//! each handler's annotation lists only its own answers: the refusals the
//! edge gives before any handler runs (credentials, CSRF, body size, media
//! type, malformed JSON), the exact form of ids and revisions, and the links
//! from an answer that names an object to the operations on that object.
//! Checked by `scripts/fuzz-api` (docs/security.md).

use std::collections::BTreeSet;

use portico_domain::integration::EVENTS;
use portico_domain::roles::TeamRole;
use portico_domain::workspace::WorkspaceKind;
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

/// Path parameters named otherwise than `<kind>Id` for the kind of object
/// whose id they hold.
const PARAMETER_OF_KIND: [(&str, &str); 2] = [("apiKey", "keyId"), ("member", "userId")];

/// Adds the shared answers, parameter forms and links to every operation of
/// `doc`.
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
    add_value_rules(doc);
    add_links(doc);
}

/// A name the product takes (a team's, a workspace's, an API key's): not
/// blank, no control character (its length is counted once trimmed, which
/// a schema cannot say).
const NAME_PATTERN: &str = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$";

/// Rules on values that the product checks (`400` with a code) and that
/// the generated schemas do not say: `(component schema, JSON pointer in
/// it, keywords to add)`. Said here, a generated body mostly passes them,
/// so creating answers `2xx` and the stateful phase has objects to follow.
fn value_rules() -> Vec<(&'static str, &'static str, Value)> {
    let name = json!({ "minLength": 1, "pattern": NAME_PATTERN });
    let team_roles: Vec<&str> = TeamRole::ALL.iter().map(|r| r.as_str()).collect();
    let kinds: Vec<&str> = WorkspaceKind::ALL.iter().map(|k| k.as_str()).collect();
    vec![
        ("CreateTeamRequest", "/properties/name", name.clone()),
        ("UpdateTeamRequest", "/properties/name", name.clone()),
        ("CreateApiKeyRequest", "/properties/name", name.clone()),
        ("NewWorkspace", "/properties/name", name),
        ("NewWorkspace", "/properties/type", json!({ "enum": kinds })),
        (
            "IntegrationRequest",
            "/properties/name",
            json!({ "minLength": 1, "pattern": "\\S" }),
        ),
        ("IntegrationRequest", "/properties/events", json!({ "minItems": 1 })),
        (
            "IntegrationRequest",
            "/properties/events/items",
            json!({ "enum": EVENTS }),
        ),
        (
            "AddMemberRequest",
            "/properties/roles/items",
            json!({ "enum": team_roles }),
        ),
        (
            "SetRolesRequest",
            "/properties/roles/items",
            json!({ "enum": team_roles }),
        ),
        (
            "ApprovalRequest",
            "/properties/decision",
            json!({ "enum": ["approve", "deny"] }),
        ),
        (
            "ReviewBody",
            "/properties/action",
            json!({ "enum": ["approve", "unapprove", "decline", "merge"] }),
        ),
    ]
}

/// Adds [`value_rules`] to the schemas of `doc`; answers the rules whose
/// place it lacks.
fn add_value_rules(doc: &mut Value) -> Vec<String> {
    let mut missing = Vec::new();
    for (schema, pointer, keywords) in value_rules() {
        let place = doc
            .pointer_mut(&format!("/components/schemas/{schema}{pointer}"))
            .and_then(Value::as_object_mut);
        match (place, keywords) {
            (Some(place), Value::Object(keywords)) => place.extend(keywords),
            _ => missing.push(format!("{schema}{pointer}")),
        }
    }
    missing
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

/// One operation of the document: where it is, its path and query
/// parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Operation {
    path: String,
    method: &'static str,
    parameters: Vec<String>,
    query: Vec<String>,
    /// Fields of the request body named like ids, at the top or in one
    /// wrapper: `["workspace", "teamId"]`.
    body_ids: Vec<Vec<String>>,
}

impl Operation {
    /// `#/paths/~1api~1teams~1{teamId}/get`: unambiguous where operation ids
    /// repeat (`list`, `get_roles`…).
    fn reference(&self) -> String {
        format!("#/paths/{}/{}", escape(&self.path), self.method)
    }

    /// A link name made of the method and path (`get.api.teams.teamId`).
    fn link_name(&self) -> String {
        let path: String = self
            .path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '.' })
            .collect();
        let path = path.split('.').filter(|s| !s.is_empty()).collect::<Vec<_>>().join(".");
        format!("{}.{path}", self.method)
    }
}

fn operations(doc: &Value) -> Vec<Operation> {
    let schemas = &doc["components"]["schemas"];
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let named_in = |location: &str| -> Vec<String> {
                op.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|p| p.get("in").and_then(Value::as_str) == Some(location))
                    .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            };
            out.push(Operation {
                path: path.clone(),
                method,
                parameters: named_in("path"),
                query: named_in("query"),
                body_ids: body_ids(op, schemas),
            });
        }
    }
    out
}

/// The fields of `op`'s request body named like ids (`…Id`), at the top or
/// in one wrapper object.
fn body_ids(op: &Value, schemas: &Value) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let Some(body) = op.pointer("/requestBody/content/application~1json/schema") else {
        return out;
    };
    let properties = |schema: &Value| -> Vec<(String, Value)> {
        let schema = resolve(schema, schemas);
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| {
                p.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, schemas).clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (name, property) in properties(body) {
        if name.ends_with("Id") {
            out.push(vec![name]);
        } else {
            for (inner, _) in properties(&property) {
                if inner.ends_with("Id") {
                    out.push(vec![name.clone(), inner]);
                }
            }
        }
    }
    out
}

/// Links every answer that names an object to the operations on it
/// (OpenAPI `links`, followed by schemathesis's stateful phase).
///
/// An object is named by an `id` (or `model_id`) in the answer: at the top
/// (`POST …/updates` answers the update), in a wrapper (`{"workspace":
/// {"id"}}`) or in the first item of a list (`{"workspaces": [{"id"}]}`).
/// Its kind is the wrapper's or list's name in the singular, or for a
/// top-level id (and a `data` wrapper) the last fixed segment of the path
/// (`…/comments` holds comments). A kind's id fills the path parameter
/// `<kind>Id` (or the one [`PARAMETER_OF_KIND`] names; `domain` holds a
/// domain), and a query parameter of the same name or named after the kind
/// (`?workspace=`, `?folderId=`), and a field of the request body of that
/// name (`{"workspace": {"teamId"}}`; schemathesis merges it into the body
/// it generates). The answer links to every operation with such a
/// parameter or field whose other path parameters are all the source's
/// own, copied from its request.
/// An answer naming the object in its own path adds nothing, so links to it
/// come only from a `POST` to that path (a fork, an approval).
///
/// Only an answer that made the object links to its delete: a `POST` or
/// `PUT` naming one object that is not the one in its path, or a `POST` to
/// a path ending with the id (`/fork/{collectionId}` makes another
/// collection). A caller deletes what it made, not whatever it can list or
/// act on: its own API key, its own membership, the demo data the next
/// caller needs.
fn add_links(doc: &mut Value) {
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or_else(|| json!({}));
    let operations = operations(doc);
    let known: BTreeSet<&str> = operations
        .iter()
        .flat_map(|o| o.parameters.iter().map(String::as_str))
        .collect();
    for source in &operations {
        let kind = source
            .path
            .split('/')
            .rfind(|s| !s.is_empty() && !s.starts_with('{'))
            .map(singular)
            .unwrap_or_default();
        let op_pointer = format!("/paths/{}/{}", escape(&source.path), source.method);
        let Some(Value::Object(responses)) = doc.pointer_mut(&format!("{op_pointer}/responses")) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            let mut slots = Vec::new();
            id_slots(schema, &schemas, "", &kind, 0, &mut slots);
            let mut links = Map::new();
            for (pointer, kind) in slots {
                let Some(parameter) = parameter_of(&kind, &known) else {
                    continue;
                };
                let own = source.parameters.iter().any(|p| p == parameter);
                if own && source.method != "post" {
                    continue;
                }
                let made = matches!(source.method, "post" | "put")
                    && !pointer.contains("/0/")
                    && (!own || source.path.ends_with('}'));
                for target in &operations {
                    if target.method == "delete" && !made {
                        continue;
                    }
                    let query: Vec<&String> = target.query.iter().filter(|q| *q == parameter || **q == kind).collect();
                    let body: Vec<&Vec<String>> = target
                        .body_ids
                        .iter()
                        .filter(|f| f.last().is_some_and(|l| l == parameter))
                        .collect();
                    let fits =
                        (target.parameters.iter().any(|p| p == parameter) || !query.is_empty() || !body.is_empty())
                            && target
                                .parameters
                                .iter()
                                .all(|p| p == parameter || source.parameters.contains(p));
                    if !fits {
                        continue;
                    }
                    let mut parameters: Map<String, Value> = target
                        .parameters
                        .iter()
                        .map(|p| {
                            let value = if p == parameter {
                                format!("$response.body#{pointer}")
                            } else {
                                format!("$request.path.{p}")
                            };
                            (format!("path.{p}"), Value::String(value))
                        })
                        .collect();
                    for q in query {
                        parameters.insert(format!("query.{q}"), Value::String(format!("$response.body#{pointer}")));
                    }
                    let mut link = json!({ "operationRef": target.reference(), "parameters": parameters });
                    if let Some(field) = body.first() {
                        let mut value = Value::String(format!("$response.body#{pointer}"));
                        for name in field.iter().rev() {
                            value = json!({ name: value });
                        }
                        link["requestBody"] = value;
                    }
                    links.entry(target.link_name()).or_insert(link);
                }
            }
            if !links.is_empty()
                && let Some(response) = response.as_object_mut()
            {
                response.insert("links".into(), Value::Object(links));
            }
        }
    }
}

/// The path parameter that holds the id of an object of `kind`.
fn parameter_of<'a>(kind: &str, known: &BTreeSet<&'a str>) -> Option<&'a str> {
    let named = PARAMETER_OF_KIND.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p);
    [
        format!("{kind}Id"),
        named.unwrap_or_default().to_owned(),
        kind.to_owned(),
    ]
    .iter()
    .find_map(|name| known.get(name.as_str()).copied())
}

/// The places in an answer of `schema` that hold an object's id, with the
/// object's kind: `(JSON pointer, kind)`.
fn id_slots(schema: &Value, schemas: &Value, pointer: &str, kind: &str, depth: usize, out: &mut Vec<(String, String)>) {
    let schema = resolve(schema, schemas);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for id in ["id", "model_id"] {
        if properties.contains_key(id) {
            out.push((format!("{pointer}/{id}"), kind.to_owned()));
        }
    }
    if depth == 0
        && properties
            .get(kind)
            .is_some_and(|p| resolve(p, schemas).get("type") == Some(&json!("string")))
    {
        out.push((format!("{pointer}/{}", escape(kind)), kind.to_owned()));
    }
    if depth >= 3 {
        return;
    }
    for (name, property) in properties {
        let property = resolve(property, schemas);
        let inner = if name == "data" {
            kind.to_owned()
        } else {
            singular(name)
        };
        let is_array = match property.get("type") {
            Some(Value::String(t)) => t == "array",
            Some(Value::Array(types)) => types.iter().any(|t| t == "array"),
            _ => false,
        };
        if is_array {
            if let Some(items) = property.get("items") {
                id_slots(
                    items,
                    schemas,
                    &format!("{pointer}/{}/0", escape(name)),
                    &inner,
                    depth + 1,
                    out,
                );
            }
        } else if property.get("properties").is_some() {
            let inner = if name == "data" { kind.to_owned() } else { name.clone() };
            id_slots(
                property,
                schemas,
                &format!("{pointer}/{}", escape(name)),
                &inner,
                depth + 1,
                out,
            );
        }
    }
}

/// Follows `$ref`s into `#/components/schemas`.
fn resolve<'a>(mut schema: &'a Value, schemas: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        else {
            break;
        };
        match schemas.get(name) {
            Some(s) => schema = s,
            None => break,
        }
    }
    schema
}

/// `pull-requests` → `pullRequest`, `activities` → `activity`.
fn singular(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    if let Some(stem) = out.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = out.strip_suffix('s') {
        stem.to_owned()
    } else {
        out
    }
}

/// Escapes a JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
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

    /// The document `/api/openapi.json` serves.
    fn served_document() -> Value {
        let (_, openapi) = crate::api::router().split_for_parts();
        let mut doc = serde_json::to_value(&openapi).unwrap();
        complete(&mut doc);
        doc
    }

    /// Every link: (source path, method, status, name, link).
    fn links(doc: &Value) -> Vec<(String, String, String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    for (name, link) in response["links"].as_object().into_iter().flatten() {
                        out.push((path.clone(), method.clone(), status.clone(), name.clone(), link.clone()));
                    }
                }
            }
        }
        out
    }

    /// Whether a JSON pointer into an answer names a place the schema has.
    fn schema_has(schema: &Value, schemas: &Value, pointer: &str) -> bool {
        let mut at = resolve(schema, schemas);
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            let next = if segment.chars().all(|c| c.is_ascii_digit()) {
                at.get("items")
            } else {
                at.get("properties").and_then(|p| p.get(&segment))
            };
            match next {
                Some(next) => at = resolve(next, schemas),
                None => return false,
            }
        }
        true
    }

    /// What is wrong with the links of `doc`: a target that is no operation,
    /// a path parameter the target lacks or that no link value fills, a
    /// value naming nothing in the source's answer or request.
    fn broken_links(doc: &Value) -> Vec<String> {
        let schemas = &doc["components"]["schemas"];
        let parameters_in = |op: &Value, location: &str| -> BTreeSet<String> {
            op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == location)
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect()
        };
        let path_parameters = |op: &Value| parameters_in(op, "path");
        let mut problems = Vec::new();
        for (path, method, status, name, link) in links(doc) {
            let at = format!("{method} {path} {status} {name}");
            let source = &doc["paths"][&path][&method];
            let reference = link["operationRef"].as_str().unwrap_or_default();
            let Some(target) = reference
                .strip_prefix('#')
                .and_then(|p| doc.pointer(p))
                .filter(|t| t.get("responses").is_some())
            else {
                problems.push(format!("{at}: no operation at {reference:?}"));
                continue;
            };
            let wanted = path_parameters(target);
            let mut given = BTreeSet::new();
            for (key, value) in link["parameters"].as_object().into_iter().flatten() {
                let (location, parameter) = key.split_once('.').unwrap_or(("path", key));
                if !parameters_in(target, location).contains(parameter) {
                    problems.push(format!("{at}: the target has no {location} parameter {parameter}"));
                }
                if location == "path" {
                    given.insert(parameter.to_owned());
                }
                let value = value.as_str().unwrap_or_default();
                let fine = if let Some(pointer) = value.strip_prefix("$response.body#") {
                    schema_has(
                        &source["responses"][&status]["content"]["application/json"]["schema"],
                        schemas,
                        pointer,
                    )
                } else if let Some(p) = value.strip_prefix("$request.path.") {
                    path_parameters(source).contains(p)
                } else {
                    false
                };
                if !fine {
                    problems.push(format!("{at}: {value:?} names nothing in the source"));
                }
            }
            let mut fields = vec![(String::new(), &link["requestBody"])];
            while let Some((at_field, value)) = fields.pop() {
                match value {
                    Value::Object(map) => fields.extend(map.iter().map(|(k, v)| (format!("{at_field}/{k}"), v))),
                    Value::String(expression) => {
                        let body = &target["requestBody"]["content"]["application/json"]["schema"];
                        let pointer = expression.strip_prefix("$response.body#").unwrap_or("-");
                        let source_schema = &source["responses"][&status]["content"]["application/json"]["schema"];
                        if !schema_has(body, schemas, &at_field) || !schema_has(source_schema, schemas, pointer) {
                            problems.push(format!("{at}: body field {at_field} = {expression:?} names nothing"));
                        }
                    }
                    Value::Null => {}
                    _ => problems.push(format!("{at}: body field {at_field} is no expression")),
                }
            }
            for missing in wanted.difference(&given) {
                problems.push(format!("{at}: nothing fills {missing}"));
            }
        }
        problems
    }

    #[test]
    fn r_sec_2_every_link_names_an_operation_and_fills_its_path_parameters_from_the_source() {
        let doc = served_document();
        assert_eq!(broken_links(&doc), Vec::<String>::new());
        assert!(links(&doc).len() > 150, "{} links", links(&doc).len());
    }

    /// R-SEC-2: every value rule lands on a property of the served schemas
    /// (a renamed type or field fails here, not silently in the fuzzer).
    #[test]
    fn r_sec_2_value_rules_name_existing_properties() {
        let (_, openapi) = crate::api::router().split_for_parts();
        let mut doc = serde_json::to_value(&openapi).unwrap();
        assert_eq!(add_value_rules(&mut doc), Vec::<String>::new());
        assert_eq!(
            doc["components"]["schemas"]["AddMemberRequest"]["properties"]["roles"]["items"]["enum"][0],
            "admin"
        );
        let pattern = doc["components"]["schemas"]["CreateTeamRequest"]["properties"]["name"]["pattern"]
            .as_str()
            .unwrap();
        assert_eq!(
            pattern,
            "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
        );
        assert!(add_value_rules(&mut json!({ "components": { "schemas": {} } })).len() == value_rules().len());
    }

    #[test]
    fn r_sec_2_a_broken_link_is_reported() {
        let mut doc = served_document();
        let link = "/paths/~1api~1workspaces/post/responses/200/links/get.api.workspaces.workspaceId";
        assert!(doc.pointer(link).is_some());
        let mut wrong_target = doc.clone();
        wrong_target.pointer_mut(link).unwrap()["operationRef"] = json!("#/paths/~1api~1nothing/get");
        let mut wrong_parameter = doc.clone();
        wrong_parameter.pointer_mut(link).unwrap()["parameters"] =
            json!({ "path.teamId": "$response.body#/workspace/id" });
        let mut wrong_value = doc.clone();
        wrong_value.pointer_mut(link).unwrap()["parameters"] =
            json!({ "path.workspaceId": "$response.body#/workspace/nothing" });
        for broken in [&wrong_target, &wrong_parameter, &wrong_value] {
            assert_eq!(
                broken_links(broken).len(),
                if std::ptr::eq(broken, &wrong_parameter) { 2 } else { 1 }
            );
        }
        doc.pointer_mut(link).unwrap()["parameters"] = json!({ "path.workspaceId": "$request.path.workspaceId" });
        assert_eq!(broken_links(&doc).len(), 1, "the source has no path parameter");
        let body = "/paths/~1api~1teams/post/responses/201/links/post.api.workspaces/requestBody";
        let mut doc = served_document();
        *doc.pointer_mut(body).unwrap() = json!({ "workspace": { "owner": "$response.body#/team/id" } });
        assert_eq!(broken_links(&doc).len(), 1, "the target's body has no such field");
        *doc.pointer_mut(body).unwrap() = json!({ "workspace": { "teamId": "$response.body#/team/nothing" } });
        assert_eq!(broken_links(&doc).len(), 1, "the answer has no such field");
    }

    /// What is made leads to the operations on it (SPEC §4), with the id
    /// from the answer and the other path parameters from the request.
    #[test]
    fn r_sec_2_answers_that_make_an_object_link_to_the_operations_on_it() {
        let doc = served_document();
        let all = links(&doc);
        let link = |path: &str, method: &str, status: &str, target: &str| -> Value {
            all.iter()
                .find(|(p, m, s, n, _)| p == path && m == method && s == status && n == target)
                .map(|l| l.4["parameters"].clone())
                .unwrap_or_else(|| panic!("no link from {method} {path} {status} to {target}"))
        };
        let ws = "$request.path.workspaceId";
        let collection = "$request.path.collectionId";
        assert_eq!(
            link("/api/workspaces", "post", "200", "get.api.workspaces.workspaceId"),
            json!({ "path.workspaceId": "$response.body#/workspace/id" })
        );
        for target in [
            "put.api.workspaces.workspaceId",
            "delete.api.workspaces.workspaceId",
            "post.api.workspaces.workspaceId.updates",
            "get.api.workspaces.workspaceId.members",
            "post.api.workspaces.workspaceId.integrations",
            "patch.api.workspaces.workspaceId.roles",
        ] {
            link("/api/workspaces", "post", "200", target);
        }
        for target in ["post.api.collections", "post.api.environments", "get.api.collections"] {
            assert_eq!(
                link("/api/workspaces", "post", "200", target),
                json!({ "query.workspace": "$response.body#/workspace/id" })
            );
        }
        assert_eq!(
            link(
                "/api/collections/{collectionId}/folders",
                "post",
                "200",
                "post.api.collections.collectionId.requests"
            ),
            json!({ "path.collectionId": collection, "query.folderId": "$response.body#/model_id" })
        );
        assert_eq!(
            link(
                "/api/workspaces/{workspaceId}/updates",
                "post",
                "200",
                "patch.api.workspaces.workspaceId.updates.updateId"
            ),
            json!({ "path.workspaceId": ws, "path.updateId": "$response.body#/id" })
        );
        link(
            "/api/workspaces/{workspaceId}/updates",
            "post",
            "200",
            "post.api.workspaces.workspaceId.updates.updateId.comments",
        );
        assert_eq!(
            link(
                "/api/workspaces/{workspaceId}/updates/{updateId}/comments",
                "post",
                "201",
                "delete.api.workspaces.workspaceId.updates.updateId.comments.commentId"
            )["path.commentId"],
            "$response.body#/id"
        );
        assert_eq!(
            link(
                "/api/workspaces/{workspaceId}/integrations",
                "post",
                "201",
                "delete.api.workspaces.workspaceId.integrations.integrationId"
            )["path.integrationId"],
            "$response.body#/integration/id"
        );
        assert_eq!(
            link("/api/workspaces", "get", "200", "get.api.workspaces.workspaceId"),
            json!({ "path.workspaceId": "$response.body#/workspaces/0/id" })
        );
        for target in [
            "get.api.teams.teamId",
            "patch.api.teams.teamId",
            "post.api.teams.teamId.members",
            "post.api.teams.teamId.domains",
            "put.api.teams.teamId.sign-in",
        ] {
            link("/api/teams", "post", "201", target);
        }
        for (source, method, status, pointer) in [
            ("/api/teams", "post", "201", "/team/id"),
            ("/api/me", "get", "200", "/user/teams/0/id"),
        ] {
            let body = all
                .iter()
                .find(|l| l.0 == source && l.1 == method && l.2 == status && l.3 == "post.api.workspaces")
                .map(|l| l.4["requestBody"].clone());
            assert_eq!(
                body,
                Some(json!({ "workspace": { "teamId": format!("$response.body#{pointer}") } }))
            );
        }
        assert_eq!(
            link(
                "/api/teams/{teamId}/domains",
                "post",
                "201",
                "delete.api.teams.teamId.domains.domain"
            ),
            json!({ "path.teamId": "$request.path.teamId", "path.domain": "$response.body#/domain" })
        );
        assert_eq!(
            link(
                "/api/teams/{teamId}/members",
                "post",
                "201",
                "delete.api.teams.teamId.members.userId"
            )["path.userId"],
            "$response.body#/member/id"
        );
        assert_eq!(
            link("/api/me/api-keys", "post", "201", "delete.api.me.api-keys.keyId"),
            json!({ "path.keyId": "$response.body#/apiKey/id" })
        );
        for target in [
            "get.api.collections.collectionId",
            "patch.api.collections.collectionId",
            "post.api.collections.fork.collectionId",
            "post.api.collections.collectionId.folders",
            "post.api.collections.collectionId.runs",
            "post.api.collections.collectionId.comments",
            "get.api.collections.collectionId.roles",
        ] {
            assert_eq!(
                link("/api/collections", "post", "200", target)["path.collectionId"],
                "$response.body#/collection/id"
            );
        }
        assert_eq!(
            link(
                "/api/collections/fork/{collectionId}",
                "post",
                "200",
                "post.api.collections.collectionId.pull-requests"
            )["path.collectionId"],
            "$response.body#/collection/id"
        );
        for target in [
            "get.api.pull-requests.pullRequestId",
            "put.api.pull-requests.pullRequestId",
            "post.api.pull-requests.pullRequestId.tasks",
            "post.api.pull-requests.pullRequestId.comments",
        ] {
            assert_eq!(
                link("/api/collections/{collectionId}/pull-requests", "post", "200", target),
                json!({ "path.pullRequestId": "$response.body#/id" })
            );
        }
        assert_eq!(
            link(
                "/api/collections/{collectionId}/folders",
                "post",
                "200",
                "put.api.collections.collectionId.folders.folderId"
            ),
            json!({ "path.collectionId": collection, "path.folderId": "$response.body#/model_id" })
        );
        assert_eq!(
            link(
                "/api/collections/{collectionId}/requests",
                "post",
                "200",
                "post.api.collections.collectionId.requests.requestId.comments"
            )["path.requestId"],
            "$response.body#/model_id"
        );
        assert_eq!(
            link(
                "/api/collections/{collectionId}/comments",
                "post",
                "201",
                "put.api.collections.collectionId.comments.commentId"
            )["path.commentId"],
            "$response.body#/data/id"
        );
        assert_eq!(
            link(
                "/api/collections/{collectionId}/runs",
                "post",
                "201",
                "get.api.runs.runId"
            ),
            json!({ "path.runId": "$response.body#/run/id" })
        );
        assert_eq!(
            link(
                "/api/collection-merges",
                "put",
                "200",
                "get.api.collection-merges-tasks.taskId"
            ),
            json!({ "path.taskId": "$response.body#/task/id" })
        );
        for target in [
            "get.api.environments.environmentId",
            "put.api.environments.environmentId",
            "post.api.environments.environmentId.forks",
        ] {
            link("/api/environments", "post", "200", target);
        }
        assert_eq!(
            link(
                "/api/environments/{environmentId}/forks",
                "post",
                "200",
                "post.api.environments.environmentId.pulls"
            )["path.environmentId"],
            "$response.body#/environment/id"
        );
        // An answer naming the object in its own path adds nothing; reads do
        // not lead to deletes; an invitation's id is no member's.
        let from = |path: &str, method: &str| -> Vec<&str> {
            all.iter()
                .filter(|l| l.0 == path && l.1 == method)
                .map(|l| l.3.as_str())
                .collect()
        };
        assert!(
            !from("/api/workspaces/{workspaceId}", "get")
                .into_iter()
                .any(|n| n.starts_with("put.api.workspaces.workspaceId"))
        );
        assert!(from("/api/workspaces/{workspaceId}/approval", "post").contains(&"get.api.workspaces.workspaceId"));
        assert!(
            !from("/api/workspaces/{workspaceId}/approval", "post")
                .into_iter()
                .any(|n| n.starts_with("delete."))
        );
        assert!(
            !from("/api/workspaces/{workspaceId}", "put")
                .into_iter()
                .any(|n| n.starts_with("delete."))
        );
        assert!(from("/api/collections/fork/{collectionId}", "post").contains(&"delete.api.collections.collectionId"));
        assert!(
            from("/api/workspaces/{workspaceId}/updates", "post")
                .contains(&"delete.api.workspaces.workspaceId.updates.updateId")
        );
        assert!(
            from("/api/workspaces/{workspaceId}", "get")
                .into_iter()
                .any(|n| n == "get.api.collections.collectionId")
        );
        assert!(
            !from("/api/me/api-keys", "get")
                .into_iter()
                .any(|n| n.starts_with("delete."))
        );
        assert!(
            from("/api/workspaces", "get")
                .into_iter()
                .any(|n| n == "put.api.workspaces.workspaceId")
        );
        assert!(
            !from("/api/workspaces", "get")
                .into_iter()
                .any(|n| n.starts_with("delete."))
        );
        assert!(
            !all.iter()
                .any(|(p, _, s, n, _)| p == "/api/teams/{teamId}/members" && s == "202" && n.contains("userId"))
        );
    }
}
