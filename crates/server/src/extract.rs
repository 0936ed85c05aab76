//! Extractors: JSON bodies with clear errors, and the authenticated caller.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use portico_app::{AuthMethod, Principal, crypto::constant_time_eq};
use portico_domain::Error;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;

/// Deepest JSON nesting accepted in request bodies (R-SEC-2).
pub const MAX_JSON_DEPTH: usize = 64;

/// A JSON request body, parsed with errors that name the JSON path.
pub struct Json<T>(pub T);

/// Nesting depth of a JSON text, counting brackets outside strings.
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_str, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parses a JSON body into `T`, refusing deep nesting and naming the path of
/// the first error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_json_within(bytes, MAX_JSON_DEPTH)
}

/// [`parse_json`] with another nesting bound.
pub fn parse_json_within<T: DeserializeOwned>(bytes: &[u8], max_depth: usize) -> Result<T, ApiError> {
    if json_depth(bytes) > max_depth {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "json_too_deep",
            format!("The JSON body is nested deeper than {max_depth} levels."),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let (code, what) = if inner.is_syntax() || inner.is_eof() {
            ("invalid_json", "The body is not valid JSON")
        } else {
            ("invalid_body", "The body does not have the expected shape")
        };
        let at = if path == "." || path.is_empty() {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        ApiError::new(StatusCode::BAD_REQUEST, code, format!("{what}{at}: {inner}."))
    })?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The body is not valid JSON: {e}."),
        )
    })?;
    Ok(value)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
}

/// Every request body of the API that is not a collection or an element is
/// a JSON object. serde would also read a struct from an array of its fields
/// in order (`[null, null]`), which no client means: refuse anything else
/// (R-SEC-2).
fn object_body(bytes: &[u8]) -> Result<(), ApiError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | None => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "The body does not have the expected shape: it must be a JSON object.",
        )),
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = json_bytes(req, state).await?;
        object_body(&bytes)?;
        parse_json(&bytes).map(Json)
    }
}

/// Deepest nesting of a collection body: folders may nest 64 deep in the
/// format, and the JSON parser stops at 128 levels in any case.
pub const MAX_COLLECTION_JSON_DEPTH: usize = 128;

/// A collection or element body: any JSON, nested deeper than other bodies
/// may be, and (on the routes that allow it) larger.
pub struct CollectionJson(pub serde_json::Value);

impl<S: Send + Sync> FromRequest<S> for CollectionJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = json_bytes(req, state).await?;
        parse_json_within(&bytes, MAX_COLLECTION_JSON_DEPTH).map(CollectionJson)
    }
}

/// A collection body kept as its JSON text, checked for syntax and nesting
/// only: the import parses it straight to the nodes it stores. A YAML body
/// (an OpenAPI document, sent as `application/yaml`) is kept as it is.
pub struct CollectionText(pub Vec<u8>);

fn is_yaml(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            matches!(
                m.trim().to_ascii_lowercase().as_str(),
                "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml"
            )
        })
}

impl<S: Send + Sync> FromRequest<S> for CollectionText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if is_yaml(req.headers()) {
            return Ok(CollectionText(Vec::from(body_bytes(req, state).await?)));
        }
        let bytes = json_bytes(req, state).await?;
        parse_json_within::<serde::de::IgnoredAny>(&bytes, MAX_COLLECTION_JSON_DEPTH)?;
        Ok(CollectionText(Vec::from(bytes)))
    }
}

async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    if !is_json(req.headers()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with Content-Type: application/json.",
        ));
    }
    body_bytes(req, state).await
}

/// The body, within the route's size limit.
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|rej| {
        if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "The request body is too large.",
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                "The request body could not be read.",
            )
        }
    })
}

/// The revision a write is based on (R-COL-2): the `If-Match` header (`"7"`,
/// `W/"7"` or `7`) or the `revision` query parameter. Absent: the write
/// applies to whatever the head is, as in the reference API.
pub struct BaseRevision(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for BaseRevision {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let bad = || {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_revision",
                "If-Match (or ?revision=) must be a revision number, as in the ETag header.",
            )
        };
        let from_header = parts.headers.get(header::IF_MATCH).map(|v| {
            let text = v.to_str().map_err(|_| bad())?.trim();
            let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
            text.parse::<i64>().map_err(|_| bad())
        });
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "revision")
                .map(|(_, v)| v.parse::<i64>().map_err(|_| bad()))
        });
        Ok(BaseRevision(from_header.or(from_query).transpose()?))
    }
}

/// The signed-in caller. Authenticated by `x-api-key`, or by the session
/// cookie, in which case every unsafe request must carry the session's CSRF
/// token in `x-csrf-token` (R-SEC-1).
pub struct Caller(pub Principal);

pub const SESSION_COOKIE: &str = "portico_session";
pub const SECURE_SESSION_COOKIE: &str = "__Host-portico_session";

/// The session token from the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, &[SESSION_COOKIE, SECURE_SESSION_COOKIE])
}

/// The value of the first cookie named one of `names`.
pub fn cookie(headers: &HeaderMap, names: &[&str]) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| names.contains(k))
        .map(|(_, v)| v.to_string())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(key) = parts.headers.get("x-api-key") {
            let key = key.to_str().map_err(|_| Error::unauthenticated())?;
            return match state.app.authenticate_api_key(key).await? {
                Some(p) => Ok(Caller(p)),
                None => Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_api_key",
                    "The API key is not valid, or was revoked.",
                )),
            };
        }
        let Some(token) = session_token(&parts.headers) else {
            return Err(Error::unauthenticated().into());
        };
        let Some(principal) = state.app.authenticate_session(&token).await? else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_expired",
                "Your session has ended. Sign in again.",
            ));
        };
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let AuthMethod::Session { csrf_token } = &principal.via else {
                return Err(Error::unauthenticated().into());
            };
            if !constant_time_eq(sent.as_bytes(), csrf_token.as_bytes()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_token_invalid",
                    "Send the session's CSRF token in the x-csrf-token header.",
                ));
            }
        }
        Ok(Caller(principal))
    }
}

/// The address of the client, for rate limits: the peer's, or behind a
/// trusted proxy the nearest address it forwarded that is not itself a
/// trusted proxy (`X-Forwarded-For`, read from the right).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
            return Ok(ClientAddr("unknown".into()));
        };
        let trusted = &state.app.config.trusted_proxies;
        Ok(ClientAddr(client_addr(peer, &parts.headers, trusted).to_string()))
    }
}

fn client_addr(peer: std::net::IpAddr, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    // From the right: the entries our proxies appended come last; anything
    // left of the first address they did not vouch for is the client's say.
    for entry in forwarded.into_iter().rev() {
        match entry.trim().parse::<std::net::IpAddr>() {
            Ok(a) if trusted.contains(&a) => {}
            Ok(a) => return a,
            Err(_) => break,
        }
    }
    peer
}

/// Query parameters, with errors in the API's error shape.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", format!("{}.", e.body_text())))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_forwarded_address() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let peer_elsewhere: std::net::IpAddr = "203.0.113.9".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "198.51.100.7, 192.0.2.4".parse().unwrap());
        // Not from a trusted proxy: the header is the client's own say.
        assert_eq!(super::client_addr(peer_elsewhere, &h, &[proxy]), peer_elsewhere);
        // From the proxy: the address it appended last.
        assert_eq!(
            super::client_addr(proxy, &h, &[proxy]),
            "192.0.2.4".parse::<std::net::IpAddr>().unwrap()
        );
        // A chain of trusted proxies is skipped; a forged entry to the left
        // of the real client changes nothing.
        h.insert("x-forwarded-for", "1.1.1.1, 192.0.2.4, 10.0.0.1".parse().unwrap());
        assert_eq!(
            super::client_addr(proxy, &h, &[proxy]),
            "192.0.2.4".parse::<std::net::IpAddr>().unwrap()
        );
        // Garbage or nothing: the proxy's own address.
        h.insert("x-forwarded-for", "not-an-address".parse().unwrap());
        assert_eq!(super::client_addr(proxy, &h, &[proxy]), proxy);
        assert_eq!(super::client_addr(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(json_depth(br#"{"a":[1,{"b":"[[[["}]}"#), 3);
        assert_eq!(json_depth(br#""\"[""#), 0);
        assert_eq!(json_depth(&b"[".repeat(100)), 100);
    }

    #[test]
    fn r_sec_2_body_errors_name_the_json_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct B {
            roles: Vec<String>,
        }
        let err = parse_json::<B>(br#"{"roles":["a",3]}"#).unwrap_err();
        assert_eq!(err.code, "invalid_body");
        assert!(err.message.contains("roles[1]"), "{}", err.message);
        assert_eq!(parse_json::<B>(b"{\"roles\":").unwrap_err().code, "invalid_json");
        assert_eq!(
            parse_json::<B>(&[b"[".repeat(65), b"]".repeat(65)].concat())
                .unwrap_err()
                .code,
            "json_too_deep"
        );
    }
}
