use super::*;
use crate::collection;

fn reference() -> Value {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/postman-api-openapi.yml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_yaml(&text).unwrap_or_else(|e| panic!("{e:?}"))
}

/// (METHOD, /path) of every operation of a document, counted here from the
/// document itself.
fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                out.push((m.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    out.sort();
    out
}

/// (METHOD, /path) of every request of a collection, `:name` as `{name}`.
fn requests(c: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    collect_requests(&c["item"], None, &mut found);
    let mut out: Vec<(String, String)> = found
        .iter()
        .map(|(_, item)| {
            let (path, _) = openapi_path(&item["request"]["url"]);
            (item["request"]["method"].as_str().unwrap().to_string(), path)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_reference_document_gives_one_request_per_operation() {
    let doc = reference();
    let ops = operations(&doc);
    assert!(ops.len() >= 250, "{} operations", ops.len());
    let c = to_collection(&doc).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(requests(&c), ops);
    // It is a collection Portico imports.
    let imported = collection::import(&c).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        imported.info.as_ref().and_then(|i| i.get("name")),
        Some(&json!("Postman API"))
    );
    // Folders by tag.
    let folders: Vec<&str> = c["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(folders.len() > 5, "{folders:?}");
}

#[test]
fn parameters_bodies_auth_and_servers_are_carried_over() {
    let doc = json!({
        "openapi": "3.0.3",
        "info": { "title": "Shop", "version": "2", "description": "The shop." },
        "servers": [{ "url": "https://{region}.shop.example/v1/", "variables": { "region": { "default": "eu" } } }],
        "security": [{ "key": [] }],
        "components": {
            "securitySchemes": { "key": { "type": "apiKey", "in": "header", "name": "X-Key" }, "bearer": { "type": "http", "scheme": "bearer" } },
            "parameters": { "Limit": { "name": "limit", "in": "query", "required": true, "schema": { "type": "integer", "example": 20 } } },
            "schemas": { "Order": { "type": "object", "properties": { "sku": { "type": "string", "example": "A-1" }, "qty": { "type": "integer" } } } }
        },
        "paths": {
            "/orders/{orderId}": {
                "parameters": [{ "name": "orderId", "in": "path", "required": true, "schema": { "type": "string" }, "example": "o-1" }],
                "get": { "tags": ["Orders"], "summary": "Get an order", "parameters": [{ "$ref": "#/components/parameters/Limit" }, { "name": "X-Trace", "in": "header", "schema": { "type": "string" } }] },
                "put": {
                    "tags": ["Orders"], "operationId": "putOrder", "security": [{ "bearer": [] }],
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } } },
                    "responses": { "200": { "description": "Saved", "content": { "application/json": { "example": { "sku": "A-1" } } } } }
                }
            },
            "/health": { "get": { "security": [] } }
        }
    });
    let c = to_collection(&doc).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(c["info"]["name"], "Shop");
    assert_eq!(
        c["variable"][0],
        json!({ "key": "baseUrl", "value": "https://eu.shop.example/v1", "type": "string" })
    );
    assert_eq!(c["auth"]["type"], "apikey");
    let folder = |name: &str| {
        c["item"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap()
    };
    let orders = folder("Orders");
    let get = &orders["item"][0]["request"];
    assert_eq!(orders["item"][0]["name"], "Get an order");
    assert_eq!(get["url"]["raw"], "{{baseUrl}}/orders/:orderId?limit=20");
    assert_eq!(get["url"]["variable"][0]["value"], "o-1");
    assert_eq!(get["header"][0]["key"], "X-Trace");
    let put = &orders["item"][1];
    assert_eq!(put["name"], "putOrder");
    assert_eq!(put["request"]["auth"]["type"], "bearer");
    let body: Value = serde_json::from_str(put["request"]["body"]["raw"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({ "sku": "A-1", "qty": 0 }));
    assert_eq!(put["response"][0]["code"], 200);
    let health = folder("health");
    assert_eq!(health["item"][0]["request"]["auth"]["type"], "noauth");
    collection::import(&c).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn export_gives_back_every_operation_of_an_imported_document() {
    let doc = reference();
    let c = to_collection(&doc).unwrap_or_else(|e| panic!("{e:?}"));
    let back = from_collection(&c);
    assert_eq!(back["openapi"], "3.1.0");
    assert_eq!(operations(&back), operations(&doc));
    assert_eq!(back["info"]["title"], "Postman API");
}

#[test]
fn a_collection_exports_with_path_parameters_queries_and_bodies() {
    let c = json!({
        "info": { "name": "Orders", "schema": SCHEMA_V21 },
        "variable": [{ "key": "baseUrl", "value": "https://api.example" }],
        "item": [{ "name": "Orders", "item": [
            { "name": "Get", "request": { "method": "GET", "url": { "raw": "{{baseUrl}}/orders/:id?expand=items", "host": ["{{baseUrl}}"], "path": ["orders", ":id"], "query": [{ "key": "expand", "value": "items" }] } } },
            { "name": "Create", "request": { "method": "POST", "header": [{ "key": "Content-Type", "value": "application/json" }], "url": "https://api.example/orders", "body": { "mode": "raw", "raw": "{\"sku\": \"A\"}" } },
              "response": [{ "name": "Created", "code": 201, "body": "{\"id\": 1}" }] }
        ] }]
    });
    let doc = from_collection(&c);
    assert_eq!(doc["servers"][0]["url"], "https://api.example");
    let get = &doc["paths"]["/orders/{id}"]["get"];
    assert_eq!(get["tags"], json!(["Orders"]));
    assert_eq!(get["parameters"][0]["name"], "id");
    assert_eq!(get["parameters"][0]["in"], "path");
    assert_eq!(get["parameters"][1]["name"], "expand");
    let post = &doc["paths"]["/orders"]["post"];
    assert_eq!(
        post["requestBody"]["content"]["application/json"]["example"],
        json!({ "sku": "A" })
    );
    assert_eq!(
        post["responses"]["201"]["content"]["application/json"]["example"],
        json!({ "id": 1 })
    );
}

#[test]
fn remote_references_loops_and_swagger_2_are_refused() {
    let remote = json!({ "openapi": "3.1.0", "paths": { "/a": { "get": { "parameters": [{ "$ref": "https://evil.example/p.json" }] } } } });
    assert_eq!(to_collection(&remote).unwrap_err().code, "openapi_remote_ref");
    let looped = json!({ "openapi": "3.1.0", "components": { "parameters": { "A": { "$ref": "#/components/parameters/B" }, "B": { "$ref": "#/components/parameters/A" } } },
        "paths": { "/a": { "get": { "parameters": [{ "$ref": "#/components/parameters/A" }] } } } });
    assert_eq!(to_collection(&looped).unwrap_err().code, "openapi_ref_cycle");
    let swagger = json!({ "swagger": "2.0", "paths": {} });
    assert!(is_openapi(&swagger));
    assert_eq!(to_collection(&swagger).unwrap_err().code, "openapi_version_unsupported");
    // A recursive schema is fine: its example stops.
    let recursive = json!({ "openapi": "3.1.0", "components": { "schemas": { "Node": { "type": "object", "properties": { "next": { "$ref": "#/components/schemas/Node" } } } } },
        "paths": { "/a": { "post": { "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Node" } } } } } } } });
    to_collection(&recursive).unwrap_or_else(|e| panic!("{e:?}"));
}

#[test]
fn a_yaml_alias_bomb_is_refused_not_expanded() {
    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        bomb.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let started = std::time::Instant::now();
    let got = parse_yaml(&bomb);
    assert!(got.is_err(), "the bomb was expanded");
    assert_eq!(got.unwrap_err().code, "invalid_openapi");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}
