//! Deny by default. The API answers only the operations its OpenAPI document
//! describes (a route without a documented operation is a `404`, whatever
//! its handler), and without credentials only the operations that document
//! marks public with an empty `security` requirement. Everything else needs
//! an API key or a session before its handler runs; the handler's use case
//! then asks the one policy about the object (`portico_domain::policy`).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portico_domain::{Error, ErrorKind};

use crate::error::ApiError;
use crate::extract::session_token;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every documented operation, and whether it answers without credentials.
#[derive(Debug, Default)]
pub struct Operations {
    /// Per path template, its methods and whether each is public.
    paths: HashMap<String, Vec<(Method, bool)>>,
}

impl Operations {
    /// Reads the operations of an OpenAPI document: an operation is public
    /// when its `security` lists no requirement or an empty one (`[{}]`).
    pub fn from_openapi(doc: &serde_json::Value) -> Self {
        let mut paths_out: HashMap<String, Vec<(Method, bool)>> = HashMap::new();
        if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
            for (path, item) in paths {
                for m in METHODS {
                    let Some(op) = item.get(m) else { continue };
                    let open = op.get("security").and_then(|s| s.as_array()).is_some_and(|reqs| {
                        reqs.is_empty() || reqs.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty()))
                    });
                    if let Ok(method) = m.to_ascii_uppercase().parse::<Method>() {
                        paths_out.entry(path.clone()).or_default().push((method, open));
                    }
                }
            }
        }
        Self { paths: paths_out }
    }

    /// `Some(true)` for a public operation, `Some(false)` for one that needs
    /// credentials, `None` for no documented operation. `HEAD` is `GET`.
    pub fn access(&self, method: &Method, path: &str) -> Option<bool> {
        let method = if method == Method::HEAD { &Method::GET } else { method };
        let methods = self.paths.get(path)?;
        methods.iter().find(|(m, _)| m == method).map(|(_, open)| *open)
    }

    /// The public operations, as `METHOD path`.
    pub fn public(&self) -> BTreeSet<String> {
        self.paths
            .iter()
            .flat_map(|(p, methods)| {
                methods
                    .iter()
                    .filter(|(_, open)| *open)
                    .map(move |(m, _)| format!("{m} {p}"))
            })
            .collect()
    }
}

/// Whether the request carries a credential at all: an `x-api-key` header
/// or a session cookie. Whether it is valid is the handler's `Caller`'s
/// question.
fn has_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key("x-api-key") || session_token(headers).is_some()
}

/// The middleware: runs after routing, on every API route.
pub async fn guard(
    State(ops): State<Arc<Operations>>,
    matched: Option<MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let documented = matched.and_then(|m| ops.access(req.method(), m.as_str()));
    match documented {
        None => ApiError::from(Error::new(
            ErrorKind::NotFound,
            "not_found",
            "There is nothing at this address.",
        ))
        .into_response(),
        Some(false) if !has_credentials(req.headers()) => ApiError::from(Error::unauthenticated()).into_response(),
        Some(_) => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_operations_with_an_empty_security_requirement_are_public() {
        let doc = json!({ "paths": {
            "/a": { "get": { "security": [{}] }, "post": {} },
            "/b/{id}": { "delete": { "security": [{ "apiKey": [] }] }, "put": { "security": [] } },
        } });
        let ops = Operations::from_openapi(&doc);
        assert_eq!(ops.access(&Method::GET, "/a"), Some(true));
        assert_eq!(ops.access(&Method::HEAD, "/a"), Some(true));
        assert_eq!(ops.access(&Method::POST, "/a"), Some(false));
        assert_eq!(ops.access(&Method::DELETE, "/b/{id}"), Some(false));
        assert_eq!(ops.access(&Method::PUT, "/b/{id}"), Some(true));
        // Not documented: denied, whatever the router has.
        assert_eq!(ops.access(&Method::PATCH, "/a"), None);
        assert_eq!(ops.access(&Method::GET, "/c"), None);
        assert_eq!(
            ops.public().into_iter().collect::<Vec<_>>(),
            vec!["GET /a".to_string(), "PUT /b/{id}".to_string()]
        );
    }
}
