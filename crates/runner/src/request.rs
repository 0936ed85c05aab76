//! From a collection request to the bytes on the wire: URL, headers, auth
//! and every body mode, with `{{…}}` substitution everywhere.

use std::path::Path;
use std::time::Duration;

use portico_script::{HttpRequest, HttpResponse, Scopes};
use serde_json::Value;

use crate::auth::{self, Auth};
use crate::collection::Planned;
use crate::http;
use crate::vars::{Random, substitute, value_text};

/// What substitution and file bodies need.
pub struct Context<'a> {
    pub scopes: &'a Scopes,
    pub random: &'a mut Random,
    pub working_dir: Option<&'a Path>,
}

impl Context<'_> {
    fn sub(&mut self, s: &str) -> String {
        substitute(s, self.scopes, self.random)
    }
}

/// A request ready to send, with the auth that needs the final request.
pub struct Prepared {
    pub request: HttpRequest,
    auth: Option<Auth>,
}

fn s(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn disabled(v: &Value) -> bool {
    v.get("disabled").and_then(Value::as_bool) == Some(true)
}

/// The URL of a request before substitution: from its parts when the
/// collection gives them (so disabled query parameters stay out), else `raw`.
pub fn url_template(url: Option<&Value>) -> String {
    let Some(url) = url else {
        return String::new();
    };
    let obj = match url {
        Value::String(s) => return s.clone(),
        Value::Object(o) => o,
        _ => return String::new(),
    };
    let mut out = if obj.contains_key("host") {
        let mut out = String::new();
        if let Some(p) = obj.get("protocol").and_then(Value::as_str) {
            out.push_str(p.trim_end_matches("://").trim_end_matches(':'));
            out.push_str("://");
        }
        match obj.get("host") {
            Some(Value::Array(parts)) => out.push_str(&parts.iter().map(|p| s(Some(p))).collect::<Vec<_>>().join(".")),
            other => out.push_str(&s(other)),
        }
        if let Some(port) = obj.get("port") {
            let port = s(Some(port));
            if !port.is_empty() {
                out.push(':');
                out.push_str(&port);
            }
        }
        match obj.get("path") {
            Some(Value::Array(parts)) => {
                for p in parts {
                    out.push('/');
                    match p {
                        Value::Object(seg) => out.push_str(&s(seg.get("value"))),
                        other => out.push_str(&s(Some(other))),
                    }
                }
            }
            Some(Value::String(p)) if !p.is_empty() => {
                if !p.starts_with('/') {
                    out.push('/');
                }
                out.push_str(p);
            }
            _ => {}
        }
        let query: Vec<String> = obj
            .get("query")
            .and_then(Value::as_array)
            .map(|q| {
                q.iter()
                    .filter(|p| !disabled(p))
                    .map(|p| match p.get("value") {
                        None | Some(Value::Null) => s(p.get("key")),
                        v => format!("{}={}", s(p.get("key")), s(v)),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !query.is_empty() {
            out.push('?');
            out.push_str(&query.join("&"));
        }
        if let Some(h) = obj.get("hash").and_then(Value::as_str) {
            out.push('#');
            out.push_str(h);
        }
        out
    } else {
        s(obj.get("raw"))
    };
    // Path variables: `:name` segments.
    if let Some(vars) = obj.get("variable").and_then(Value::as_array) {
        for v in vars {
            let key = s(v.get("key"));
            if key.is_empty() {
                continue;
            }
            let value = s(v.get("value"));
            out = replace_path_var(&out, &key, &value);
        }
    }
    out
}

fn replace_path_var(url: &str, key: &str, value: &str) -> String {
    let (before_query, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let needle = format!(":{key}");
    let replaced: Vec<String> = before_query
        .split('/')
        .map(|seg| {
            if seg == needle {
                value.to_owned()
            } else {
                seg.to_owned()
            }
        })
        .collect();
    format!("{}{query}", replaced.join("/"))
}

fn headers_of(request: &Value) -> Vec<(String, String)> {
    match request.get("header") {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|h| !disabled(h))
            .filter_map(|h| {
                let k = s(h.get("key"));
                (!k.is_empty()).then(|| (k, s(h.get("value"))))
            })
            .collect(),
        Some(Value::String(raw)) => raw
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

fn body_of(request: &Value) -> Option<&Value> {
    let body = request.get("body")?;
    if disabled(body) {
        return None;
    }
    Some(body)
}

/// The request as pre-request scripts see it: before substitution; a raw
/// body as its text, other body modes as no body.
pub fn template(request: &Value) -> HttpRequest {
    let (method, url, headers) = match request {
        Value::String(url) => ("GET".to_owned(), url.clone(), Vec::new()),
        _ => (
            request
                .get("method")
                .and_then(Value::as_str)
                .unwrap_or("GET")
                .to_ascii_uppercase(),
            url_template(request.get("url")),
            headers_of(request),
        ),
    };
    let body = body_of(request)
        .and_then(|b| (b.get("mode").and_then(Value::as_str) == Some("raw")).then(|| s(b.get("raw")).into_bytes()));
    HttpRequest {
        method,
        url,
        headers,
        body,
    }
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// `application/x-www-form-urlencoded` encoding of one component.
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn read_file(ctx: &Context<'_>, src: &str) -> Result<(String, Vec<u8>), String> {
    let Some(dir) = ctx.working_dir else {
        return Err(format!("file bodies are not allowed here ({src})"));
    };
    let path = dir.join(src);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

fn quote(s: &str) -> String {
    s.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

/// Body bytes and their default content type.
type Body = (Vec<u8>, Option<String>);

/// The body bytes and their default content type.
fn body_bytes(body: &Value, ctx: &mut Context<'_>) -> Result<Option<Body>, String> {
    let mode = body.get("mode").and_then(Value::as_str).unwrap_or_default();
    Ok(match mode {
        "raw" => {
            let text = ctx.sub(&s(body.get("raw")));
            let language = body
                .pointer("/options/raw/language")
                .and_then(Value::as_str)
                .unwrap_or("text");
            let ct = match language {
                "json" => "application/json",
                "xml" => "application/xml",
                "html" => "text/html",
                "javascript" => "application/javascript",
                _ => "text/plain",
            };
            Some((text.into_bytes(), Some(ct.to_owned())))
        }
        "urlencoded" => {
            let list = body.get("urlencoded").and_then(Value::as_array);
            let mut pairs = Vec::new();
            for p in list.into_iter().flatten().filter(|p| !disabled(p)) {
                let k = ctx.sub(&s(p.get("key")));
                let v = ctx.sub(&s(p.get("value")));
                pairs.push(format!("{}={}", form_encode(&k), form_encode(&v)));
            }
            Some((
                pairs.join("&").into_bytes(),
                Some("application/x-www-form-urlencoded".into()),
            ))
        }
        "formdata" => {
            let boundary = format!(
                "--------------------------{:024}",
                ctx.random.next_u64() % 10u64.pow(18)
            );
            let mut out = Vec::new();
            let list = body.get("formdata").and_then(Value::as_array);
            for p in list.into_iter().flatten().filter(|p| !disabled(p)) {
                let key = ctx.sub(&s(p.get("key")));
                let content_type = p.get("contentType").and_then(Value::as_str).map(str::to_owned);
                let mut parts: Vec<(Option<String>, Vec<u8>)> = Vec::new();
                if p.get("type").and_then(Value::as_str) == Some("file") {
                    let srcs: Vec<String> = match p.get("src") {
                        Some(Value::Array(a)) => a.iter().map(|v| s(Some(v))).collect(),
                        Some(Value::String(one)) => vec![one.clone()],
                        _ => Vec::new(),
                    };
                    for src in srcs {
                        let (name, bytes) = read_file(ctx, &src)?;
                        parts.push((Some(name), bytes));
                    }
                } else {
                    parts.push((None, ctx.sub(&s(p.get("value"))).into_bytes()));
                }
                for (filename, bytes) in parts {
                    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                    let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", quote(&key));
                    if let Some(f) = &filename {
                        disposition.push_str(&format!("; filename=\"{}\"", quote(f)));
                    }
                    out.extend_from_slice(disposition.as_bytes());
                    out.extend_from_slice(b"\r\n");
                    let ct = content_type
                        .clone()
                        .or_else(|| filename.as_ref().map(|_| "application/octet-stream".to_owned()));
                    if let Some(ct) = ct {
                        out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
                    }
                    out.extend_from_slice(b"\r\n");
                    out.extend_from_slice(&bytes);
                    out.extend_from_slice(b"\r\n");
                }
            }
            out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
            Some((out, Some(format!("multipart/form-data; boundary={boundary}"))))
        }
        "file" => {
            let file = body.get("file");
            if let Some(content) = file.and_then(|f| f.get("content")).and_then(Value::as_str) {
                Some((content.as_bytes().to_vec(), None))
            } else {
                let src = s(file.and_then(|f| f.get("src")));
                if src.is_empty() {
                    None
                } else {
                    Some((read_file(ctx, &src)?.1, None))
                }
            }
        }
        "graphql" => {
            let g = body.get("graphql");
            let query = ctx.sub(&s(g.and_then(|g| g.get("query"))));
            let variables = match g.and_then(|g| g.get("variables")) {
                Some(Value::String(text)) => {
                    let text = ctx.sub(text);
                    if text.trim().is_empty() {
                        Value::Object(Default::default())
                    } else {
                        serde_json::from_str(&text).unwrap_or(Value::String(text))
                    }
                }
                Some(Value::Null) | None => Value::Object(Default::default()),
                Some(other) => other.clone(),
            };
            let json = serde_json::json!({"query": query, "variables": variables});
            Some((json.to_string().into_bytes(), Some("application/json".into())))
        }
        _ => None,
    })
}

/// The effective auth with its parameters substituted.
fn resolve_auth(auth: Option<&Value>, ctx: &mut Context<'_>) -> Option<Auth> {
    let (kind, params) = auth::params(auth?)?;
    let params = params.into_iter().map(|(k, v)| (k, ctx.sub(&value_text(&v)))).collect();
    Some(Auth { kind, params })
}

/// Builds the request to send: the scripted request (URL, headers and raw
/// body as pre-request scripts left them) with everything substituted, auth
/// applied and the body of its mode.
pub fn build(
    planned: &Planned<'_>,
    template: &HttpRequest,
    scripted: &HttpRequest,
    mut ctx: Context<'_>,
) -> Result<Prepared, String> {
    let method = ctx.sub(&scripted.method).to_ascii_uppercase();
    let mut url = ctx.sub(&scripted.url).trim().to_owned();
    if url.is_empty() {
        return Err("the request has no URL".into());
    }
    if !url.contains("://") {
        url = format!("http://{url}");
    }
    let authority = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .unwrap_or_default();
    if authority.contains("{{") {
        return Err(format!("the URL {url} names a variable that is not defined"));
    }
    let mut headers: Vec<(String, String)> = scripted.headers.iter().map(|(k, v)| (ctx.sub(k), ctx.sub(v))).collect();
    let auth = resolve_auth(planned.auth, &mut ctx);
    if let Some(a) = &auth {
        let applied = auth::apply_simple(a)?;
        for (k, v) in applied.headers {
            if !has_header(&headers, &k) {
                headers.push((k, v));
            }
        }
        if !applied.query.is_empty() {
            let mut parsed = reqwest::Url::parse(&url).map_err(|e| format!("invalid URL {url:?}: {e}"))?;
            for (k, v) in &applied.query {
                parsed.query_pairs_mut().append_pair(k, v);
            }
            url = parsed.to_string();
        }
    }
    let body = if scripted.body != template.body {
        scripted
            .body
            .as_ref()
            .map(|b| (ctx.sub(&String::from_utf8_lossy(b)).into_bytes(), None))
    } else {
        match body_of(planned.request) {
            Some(b) => body_bytes(b, &mut ctx)?,
            None => None,
        }
    };
    let prune = matches!(method.as_str(), "GET" | "HEAD" | "COPY" | "PURGE" | "UNLOCK")
        && planned.profile.get("disableBodyPruning").and_then(Value::as_bool) != Some(true);
    let body = match body {
        Some((bytes, ct)) if !prune => {
            if let Some(ct) = ct
                && !has_header(&headers, "content-type")
            {
                headers.push(("Content-Type".into(), ct));
            }
            Some(bytes)
        }
        _ => None,
    };
    if !has_header(&headers, "accept") {
        headers.push(("Accept".into(), "*/*".into()));
    }
    Ok(Prepared {
        request: HttpRequest {
            method,
            url,
            headers,
            body,
        },
        auth: auth.filter(|a| a.kind == "digest" || a.kind == "awsv4"),
    })
}

/// Path and query of a URL, as digest auth signs it.
fn request_uri(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Sends a prepared request; digest auth answers the server's 401
/// challenge when the collection gives no realm and nonce.
pub async fn send(
    client: &reqwest::Client,
    prepared: &mut Prepared,
    timeout: Option<Duration>,
    guard: &http::Guard,
    random: &mut Random,
) -> Result<HttpResponse, String> {
    let Some(a) = prepared.auth.clone() else {
        return http::send(client, &prepared.request, timeout, guard).await;
    };
    let req = &mut prepared.request;
    let url = reqwest::Url::parse(&req.url).map_err(|e| format!("invalid URL {:?}: {e}", req.url))?;
    if a.kind == "awsv4" {
        let added = auth::aws_sign(&auth::AwsInput {
            access_key: a.param("accessKey"),
            secret_key: a.param("secretKey"),
            session_token: a.param("sessionToken"),
            region: a.param("region"),
            service: a.param("service"),
            method: &req.method,
            url: &url,
            headers: &req.headers,
            body: req.body.as_deref().unwrap_or_default(),
            amz_date: &auth::amz_date_now(),
        });
        req.headers.extend(added);
        return http::send(client, req, timeout, guard).await;
    }
    // Digest.
    let mut challenge = std::collections::BTreeMap::new();
    for key in ["realm", "nonce", "qop", "opaque", "algorithm"] {
        challenge.insert(key.to_owned(), a.param(key).to_owned());
    }
    if a.param("realm").is_empty() || a.param("nonce").is_empty() {
        let first = http::send(client, req, timeout, guard).await?;
        if first.code != 401 || a.param("disableRetryRequest") == "true" {
            return Ok(first);
        }
        let offered = first
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("www-authenticate"))
            .find_map(|(_, v)| auth::parse_challenge(v));
        let Some(offered) = offered else {
            return Ok(first);
        };
        for (k, v) in offered {
            if k != "algorithm" || a.param("algorithm").is_empty() {
                challenge.insert(k, v);
            }
        }
    }
    let get = |k: &str| challenge.get(k).map(String::as_str).unwrap_or_default();
    let qop = if a.param("qop").is_empty() {
        auth::pick_qop(get("qop")).to_owned()
    } else {
        a.param("qop").to_owned()
    };
    let cnonce = match a.param("clientNonce") {
        "" => format!("{:016x}", random.next_u64()),
        c => c.to_owned(),
    };
    let nc = match a.param("nonceCount") {
        "" => "00000001".to_owned(),
        n => n.to_owned(),
    };
    let uri = request_uri(&url);
    let header = auth::digest_header(&auth::DigestInput {
        username: a.param("username"),
        password: a.param("password"),
        realm: get("realm"),
        nonce: get("nonce"),
        algorithm: get("algorithm"),
        qop: &qop,
        nonce_count: &nc,
        client_nonce: &cnonce,
        opaque: get("opaque"),
        method: &req.method,
        uri: &uri,
    });
    req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
    req.headers.push(("Authorization".into(), header));
    http::send(client, req, timeout, guard).await
}
