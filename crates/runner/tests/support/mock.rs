//! A local HTTP server for runner tests and benchmarks: echo, status codes,
//! basic / bearer / digest auth checks, cookies, redirects and delays. It
//! records every request it receives.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::Digest as _;

/// One request the mock received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub struct Mock {
    pub base: String,
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Mock {
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
    /// Paths received, in order.
    pub fn paths(&self) -> Vec<String> {
        self.received().into_iter().map(|r| r.path).collect()
    }
}

/// Starts the mock on 127.0.0.1 (a free port, or `port`), on its own thread.
pub fn start_on(port: u16) -> Mock {
    let received = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let rec = received.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            let app = axum::Router::new().fallback(move |req: Request<Body>| {
                let rec = rec.clone();
                async move { handle(req, rec).await }
            });
            axum::serve(listener, app).await.unwrap();
        });
    });
    let port = rx.recv().unwrap();
    Mock {
        base: format!("http://127.0.0.1:{port}"),
        port,
        received,
    }
}

pub fn start() -> Mock {
    start_on(0)
}

fn reply(status: u16, body: Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn query_map(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn md5_hex(s: &str) -> String {
    use md5::Digest as _;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

fn sha256_hex(s: &str) -> String {
    hex::encode(sha2::Sha256::digest(s.as_bytes()))
}

/// Checks a digest `Authorization` header the way RFC 7616 servers do.
fn digest_ok(header: &str, method: &str, user: &str, pass: &str, algorithm: &str) -> bool {
    let Some(rest) = header.strip_prefix("Digest ") else {
        return false;
    };
    let mut p = BTreeMap::new();
    for part in rest.split(", ") {
        if let Some((k, v)) = part.split_once('=') {
            p.insert(k.trim().to_owned(), v.trim_matches('"').to_owned());
        }
    }
    let g = |k: &str| p.get(k).cloned().unwrap_or_default();
    let h = |s: &str| {
        if algorithm == "SHA-256" {
            sha256_hex(s)
        } else {
            md5_hex(s)
        }
    };
    if g("username") != user || g("nonce") != "mock-nonce-1" || g("realm") != "mock@portico" {
        return false;
    }
    let ha1 = h(&format!("{user}:mock@portico:{pass}"));
    let ha2 = h(&format!("{method}:{}", g("uri")));
    let expected = h(&format!(
        "{ha1}:{}:{}:{}:{}:{ha2}",
        g("nonce"),
        g("nc"),
        g("cnonce"),
        g("qop")
    ));
    g("qop") == "auth" && expected == g("response")
}

async fn handle(req: Request<Body>, rec: Arc<Mutex<Vec<Received>>>) -> Response<Body> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let headers: HeaderMap = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024 * 1024)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let header_map: BTreeMap<String, String> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let received = Received {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: header_map.clone(),
        body: body.clone(),
    };
    rec.lock().unwrap().push(received);
    let q = query_map(&query);
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let auth = header_map.get("authorization").cloned().unwrap_or_default();
    let echo = || {
        let body_text = String::from_utf8_lossy(&body).into_owned();
        let json_body: Value = serde_json::from_str(&body_text).unwrap_or(Value::Null);
        json!({
            "method": method, "path": path, "query": q, "headers": header_map,
            "body": body_text, "json": json_body,
        })
    };
    match segs.as_slice() {
        ["status", code] => {
            let code: u16 = code.parse().unwrap_or(500);
            reply(code, json!({"status": code}))
        }
        ["basic-auth", user, pass] => {
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
            );
            if auth == expected {
                reply(200, json!({"authenticated": true, "user": user}))
            } else {
                reply(401, json!({"authenticated": false}))
            }
        }
        ["bearer", token] => {
            if auth == format!("Bearer {token}") {
                reply(200, json!({"authenticated": true}))
            } else {
                reply(401, json!({"authenticated": false}))
            }
        }
        ["digest-auth", user, pass] | ["digest-auth", user, pass, _] => {
            let algorithm = segs.get(3).copied().unwrap_or("MD5");
            if digest_ok(&auth, &method, user, pass, algorithm) {
                reply(200, json!({"authenticated": true, "user": user}))
            } else {
                Response::builder()
                    .status(401)
                    .header(
                        "www-authenticate",
                        format!(
                            "Digest realm=\"mock@portico\", qop=\"auth\", nonce=\"mock-nonce-1\", opaque=\"op\", algorithm={algorithm}"
                        ),
                    )
                    .body(Body::from("{\"authenticated\":false}"))
                    .unwrap()
            }
        }
        ["cookies", "set"] => {
            let mut b = Response::builder().status(200);
            for (k, v) in &q {
                b = b.header("set-cookie", format!("{k}={v}; Path=/"));
            }
            b.body(Body::from(json!({"set": q}).to_string())).unwrap()
        }
        ["cookies"] => {
            let cookies: BTreeMap<String, String> = header_map
                .get("cookie")
                .map(|c| {
                    c.split("; ")
                        .filter_map(|p| p.split_once('='))
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            reply(200, json!({"cookies": cookies}))
        }
        ["redirect-to"] => Response::builder()
            .status(302)
            .header("location", q.get("url").cloned().unwrap_or_default())
            .body(Body::empty())
            .unwrap(),
        ["redirect", n] => {
            let n: u32 = n.parse().unwrap_or(1);
            let to = if n <= 1 {
                "/echo".to_owned()
            } else {
                format!("/redirect/{}", n - 1)
            };
            Response::builder()
                .status(302)
                .header("location", to)
                .body(Body::empty())
                .unwrap()
        }
        ["bytes", n] => {
            let n: usize = n.parse().unwrap_or(0);
            Response::builder().status(200).body(Body::from(vec![b'x'; n])).unwrap()
        }
        ["delay", ms] => {
            let ms: u64 = ms.parse().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            reply(200, json!({"delayed": ms}))
        }
        _ => {
            let status = StatusCode::OK.as_u16();
            reply(status, echo())
        }
    }
}
