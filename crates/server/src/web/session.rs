//! Who is looking at a page, the forms they send, and the answers pages give
//! when something is wrong.
//!
//! Pages authenticate by the session cookie only. Every form carries the
//! session's CSRF token in a hidden `csrf` field, checked in constant time
//! before the use case runs (R-SEC-1).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use portico_app::crypto::constant_time_eq;
use portico_app::{AuthMethod, Principal};
use portico_domain::{Error, ErrorKind};
use serde::de::DeserializeOwned;

use super::html::{escape, url_encode};
use super::layout;
use crate::AppState;
use crate::extract::session_token;

/// The signed-in person viewing a page.
pub struct Viewer {
    pub who: Principal,
    /// The session token, to end the session on sign-out.
    pub session: String,
}

impl Viewer {
    pub fn csrf(&self) -> &str {
        match &self.who.via {
            AuthMethod::Session { csrf_token } => csrf_token,
            AuthMethod::ApiKey => "",
        }
    }

    /// Refuses a form whose `csrf` field is not this session's token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        let expected = self.csrf();
        if expected.is_empty() || !constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
            return Err(WebError::Csrf);
        }
        Ok(())
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, WebError> {
        // After signing in, come back here: the page itself for a GET; the
        // front door for a form post, which cannot be replayed.
        let next = if parts.method == Method::GET {
            parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string())
        } else {
            "/".to_string()
        };
        let sign_in = || WebError::SignIn { next: next.clone() };
        let token = session_token(&parts.headers).ok_or_else(sign_in)?;
        let who = s.app.authenticate_session(&token).await?.ok_or_else(sign_in)?;
        Ok(Viewer { who, session: token })
    }
}

/// The viewer, when signed in; `None` otherwise (for pages both kinds see).
pub async fn signed_in(s: &AppState, headers: &HeaderMap) -> Option<Principal> {
    let token = session_token(headers)?;
    s.app.authenticate_session(&token).await.ok().flatten()
}

/// The signed-in viewer of a page both kinds of visitor see; `None` when
/// signed out.
pub async fn viewer(s: &AppState, headers: &HeaderMap) -> Option<Viewer> {
    let session = session_token(headers)?;
    let who = s.app.authenticate_session(&session).await.ok().flatten()?;
    Some(Viewer { who, session })
}

/// `next` when it is a path of this site, else the workspace list. Refuses
/// `//host`, `/\host`, schemes and control characters (no open redirect).
pub fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/workspaces".to_string(),
    }
}

/// A `303 See Other` to a path of this site (redirect after POST).
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}

/// Whether a form post comes from this site's own pages. Guards the forms
/// that run before a session (and so a CSRF token) exists. Browsers say it
/// in `Sec-Fetch-Site`; without it, an `Origin` must name the host the
/// request went to (pages send `Referrer-Policy: no-referrer`, under which
/// browsers that lack `Sec-Fetch-Site` send `Origin: null`, refused here).
/// Clients that send neither header are not browsers, and pass.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = text("origin") else {
        return true;
    };
    let host = text("host").unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// What a page answers instead of itself.
#[derive(Debug)]
pub enum WebError {
    /// Missing, or not visible to the viewer: one page for both (R-ISO-3).
    NotFound,
    /// Signed out: go to the sign-in page, then come back to `next`.
    SignIn {
        next: String,
    },
    /// A form without this session's CSRF token.
    Csrf,
    /// A refused request, with the sentence of the use case.
    Refused(StatusCode, String),
    Internal,
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        match e.kind {
            ErrorKind::NotFound => WebError::NotFound,
            // The use cases answer Forbidden only for what the viewer may
            // see (what they may not see is NotFound, R-ISO-3): the page
            // says why, as the API's 403 does.
            ErrorKind::Forbidden => WebError::Refused(StatusCode::FORBIDDEN, e.message),
            ErrorKind::Unauthenticated => WebError::SignIn { next: "/".into() },
            ErrorKind::Internal => WebError::Internal,
            ErrorKind::Invalid => WebError::Refused(StatusCode::BAD_REQUEST, e.message),
            ErrorKind::Conflict => WebError::Refused(StatusCode::CONFLICT, e.message),
            ErrorKind::TooLarge => WebError::Refused(StatusCode::PAYLOAD_TOO_LARGE, e.message),
            ErrorKind::RateLimited => WebError::Refused(StatusCode::TOO_MANY_REQUESTS, e.message),
            ErrorKind::StorageFull => WebError::Refused(StatusCode::INSUFFICIENT_STORAGE, e.message),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn { next } => {
                let next = local_next(Some(&next));
                if next == "/workspaces" || next == "/" {
                    see_other("/sign-in")
                } else {
                    see_other(&format!("/sign-in?next={}", url_encode(&next)))
                }
            }
            WebError::NotFound => layout::message(
                StatusCode::NOT_FOUND,
                "Not found",
                "<div class=\"card narrow\"><h1>Not found</h1>\
                 <p>There is nothing here, or you do not have access to it.</p>\
                 <p><a href=\"/workspaces\">Back to your workspaces</a></p></div>",
            ),
            WebError::Csrf => layout::message(
                StatusCode::FORBIDDEN,
                "Form expired",
                "<div class=\"card narrow\"><h1>This form has expired</h1>\
                 <p>The page was opened in another session. Reload it and send the form again.</p>\
                 <p><a href=\"/workspaces\">Back to your workspaces</a></p></div>",
            ),
            WebError::Refused(status, message) => layout::message(
                status,
                "Not done",
                &format!(
                    "<div class=\"card narrow\"><h1>That did not work</h1><p class=\"error\">{}</p>\
                     <p>Go back, change what the message says and try again.</p>\
                     <p><a href=\"/workspaces\">Back to your workspaces</a></p></div>",
                    escape(&message)
                ),
            ),
            WebError::Internal => layout::message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "<div class=\"card narrow\"><h1>Something went wrong</h1>\
                 <p>The server could not do this. Try again in a moment.</p></div>",
            ),
        }
    }
}

/// A `application/x-www-form-urlencoded` body; a malformed one answers a
/// `400` page.
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| WebForm(f.0))
            .map_err(|e| {
                WebError::Refused(
                    StatusCode::BAD_REQUEST,
                    format!("The form could not be read: {}.", e.body_text()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local_next(Some("/workspaces/x?tab=1")), "/workspaces/x?tab=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a\r\nb",
            "",
        ] {
            assert_eq!(local_next(Some(bad)), "/workspaces", "{bad:?}");
        }
        assert_eq!(local_next(None), "/workspaces");
    }
}
