//! The benchmark collection: a deterministic Collection Format v2.1 file with
//! `folders × per_folder` requests, shaped like a real export.
//!
//! Shared by `parse_collection` (which writes it for the side-by-side parse
//! against the `postman-collection` SDK) and by the `collections` bench of
//! `portico-app` (which includes this file by path), so that both measure the
//! same bytes.
//!
//! Every request has a method, a `url` object (`raw`, `host`, `path`, `query`,
//! path variables), headers and an empty or filled `response` array; writes
//! carry a raw JSON body; every 3rd request has a test script, every 10th a
//! pre-request script, every 4th a saved example response (with its
//! `originalRequest`). Items carry no `id`, as in most exports, except every
//! 500th request and its response.

use serde_json::{Value, json};

/// SplitMix64: a tiny deterministic generator, so that the file is the same
/// on every run and every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    /// A deterministic id in UUID form.
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

const RESOURCES: [&str; 12] = [
    "orders",
    "payments",
    "refunds",
    "customers",
    "invoices",
    "subscriptions",
    "products",
    "prices",
    "payouts",
    "disputes",
    "webhooks",
    "accounts",
];
const SUBRESOURCES: [&str; 6] = ["items", "events", "notes", "attachments", "lines", "history"];
const WORDS: [&str; 16] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "november", "oscar", "papa",
];

/// The collection as JSON.
pub fn collection(folders: usize, per_folder: usize) -> Value {
    let mut rng = Rng(0x5EED_0FC0_11EC);
    let mut n = 0;
    let items: Vec<Value> = (0..folders)
        .map(|f| {
            let resource = RESOURCES[f % RESOURCES.len()];
            let requests: Vec<Value> = (0..per_folder)
                .map(|_| {
                    n += 1;
                    request(&mut rng, n, resource)
                })
                .collect();
            let mut folder = json!({
                "name": format!("{resource} {f}"),
                "description": format!("Endpoints of the {resource} API, group {f}. Every call needs a bearer token."),
                "item": requests,
            });
            if f.is_multiple_of(10) {
                folder["event"] = json!([script("prerequest", &["pm.variables.set(\"group\", \"g\" + Date.now());"])]);
                folder["auth"] = json!({"type": "bearer", "bearer": [{"key": "token", "value": "{{folderToken}}", "type": "string"}]});
            }
            folder
        })
        .collect();
    json!({
        "info": {
            "_postman_id": "0b3f1c2a-5d4e-4f60-8a71-9c2b3d4e5f60",
            "name": format!("Portico benchmark: {} requests", folders * per_folder),
            "description": "A generated collection for Portico's benchmarks (docs/benchmarks.md).",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
            "_exporter_id": "1234567"
        },
        "item": items,
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "event": [
            script("prerequest", &["// Runs before every request", "pm.request.headers.add({key: 'X-Trace', value: pm.variables.replaceIn('{{$guid}}')});"]),
            script("test", &["pm.test('responds in time', function () {", "    pm.expect(pm.response.responseTime).to.be.below(2000);", "});"])
        ],
        "variable": [
            {"key": "baseUrl", "value": "https://api.example.com", "type": "string"},
            {"key": "token", "value": "", "type": "string"},
            {"key": "folderToken", "value": "", "type": "string"}
        ]
    })
}

fn script(listen: &str, exec: &[&str]) -> Value {
    json!({"listen": listen, "script": {"type": "text/javascript", "exec": exec}})
}

fn request(rng: &mut Rng, n: usize, resource: &str) -> Value {
    let method = match rng.below(20) {
        0..=9 => "GET",
        10..=14 => "POST",
        15..=16 => "PUT",
        17 => "PATCH",
        _ => "DELETE",
    };
    let sub = rng.pick(&SUBRESOURCES);
    let mut path = vec!["v1".to_owned(), resource.to_owned()];
    let mut variables = Vec::new();
    if method != "POST" || rng.below(2) == 0 {
        path.push(":id".to_owned());
        variables.push(json!({"key": "id", "value": format!("{}_{}", &resource[..3], rng.next() % 1_000_000), "description": "The object's id"}));
        if rng.below(3) == 0 {
            path.push(sub.to_owned());
        }
    }
    let mut query = Vec::new();
    if method == "GET" {
        query.push(json!({"key": "limit", "value": format!("{}", 10 + rng.below(90))}));
        query.push(json!({"key": "expand", "value": rng.pick(&WORDS)}));
        if rng.below(2) == 0 {
            query.push(
                json!({"key": "starting_after", "value": "{{cursor}}", "disabled": true, "description": "Page cursor"}),
            );
        }
    }
    let query_string: Vec<String> = query
        .iter()
        .map(|q| {
            format!(
                "{}={}",
                q["key"].as_str().unwrap_or(""),
                q["value"].as_str().unwrap_or("")
            )
        })
        .collect();
    let mut raw = format!("{{{{baseUrl}}}}/{}", path.join("/"));
    if !query_string.is_empty() {
        raw = format!("{raw}?{}", query_string.join("&"));
    }
    let mut url = json!({"raw": raw, "host": ["{{baseUrl}}"], "path": path});
    if !query.is_empty() {
        url["query"] = Value::Array(query);
    }
    if !variables.is_empty() {
        url["variable"] = Value::Array(variables);
    }
    let mut header = vec![
        json!({"key": "Accept", "value": "application/json"}),
        json!({"key": "Idempotency-Key", "value": "{{$guid}}", "type": "text"}),
    ];
    if rng.below(4) == 0 {
        header.push(json!({"key": "X-Api-Version", "value": "2026-11-01", "disabled": true}));
    }
    let mut req = json!({"method": method, "header": header, "url": url});
    if matches!(method, "POST" | "PUT" | "PATCH") {
        if let Some(list) = req["header"].as_array_mut() {
            list.push(json!({"key": "Content-Type", "value": "application/json"}));
        }
        req["body"] = json!({
            "mode": "raw",
            "raw": body_text(rng, resource),
            "options": {"raw": {"language": "json"}}
        });
    }
    if rng.below(3) == 0 {
        req["description"] = Value::String(format!(
            "{} a {} of the {resource} API. Returns `404` when it does not exist and `409` on a conflicting change.",
            method,
            rng.pick(&WORDS)
        ));
    }
    let name = format!("{} {} {n}", verb(method), resource);
    let mut item = json!({"name": name, "request": req.clone(), "response": []});
    if n.is_multiple_of(3) {
        let status = if method == "POST" { 201 } else { 200 };
        item["event"] = json!([script(
            "test",
            &[
                &format!("pm.test(\"Status code is {status}\", function () {{"),
                &format!("    pm.response.to.have.status({status});"),
                "});",
                "const body = pm.response.json();",
                "pm.test(\"has an id\", () => pm.expect(body.id).to.be.a('string'));",
            ]
        )]);
    }
    if n.is_multiple_of(10) {
        let mut events = item["event"].as_array().cloned().unwrap_or_default();
        events.push(script(
            "prerequest",
            &["pm.collectionVariables.set('now', new Date().toISOString());"],
        ));
        item["event"] = Value::Array(events);
    }
    if n.is_multiple_of(4) {
        let mut response = json!({
            "name": format!("{} {}", 200, rng.pick(&WORDS)),
            "originalRequest": req,
            "status": "OK",
            "code": 200,
            "_postman_previewlanguage": "json",
            "header": [
                {"key": "Content-Type", "value": "application/json"},
                {"key": "Date", "value": "Sat, 28 Nov 2026 10:00:00 GMT"},
                {"key": "Request-Id", "value": format!("req_{:016x}", rng.next())}
            ],
            "cookie": [],
            "body": body_text(rng, resource)
        });
        if n.is_multiple_of(500) {
            response["id"] = Value::String(rng.uuid());
        }
        item["response"] = json!([response]);
    }
    if n.is_multiple_of(500) {
        item["id"] = Value::String(rng.uuid());
    }
    item
}

fn verb(method: &str) -> &'static str {
    match method {
        "GET" => "Retrieve",
        "POST" => "Create",
        "PUT" => "Replace",
        "PATCH" => "Update",
        _ => "Delete",
    }
}

/// A pretty-printed JSON object as a raw body, as Postman stores it.
fn body_text(rng: &mut Rng, resource: &str) -> String {
    let fields = 3 + rng.below(6);
    let mut lines = Vec::with_capacity(fields);
    for i in 0..fields {
        let key = rng.pick(&WORDS);
        let line = match i % 3 {
            0 => format!("    \"{key}_{i}\": {}", rng.next() % 100_000),
            1 => format!("    \"{key}_{i}\": \"{} {}\"", rng.pick(&WORDS), rng.pick(&WORDS)),
            _ => format!(
                "    \"{key}_{i}\": {{ \"object\": \"{resource}\", \"live\": {} }}",
                rng.below(2) == 1
            ),
        };
        lines.push(line);
    }
    format!("{{\n{}\n}}", lines.join(",\n"))
}
