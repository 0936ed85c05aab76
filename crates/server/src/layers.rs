//! Middleware around every route: request ids, tracing, security headers.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// A request path as the log shows it: an invitation link's token (the
/// segment after `invitations/`, on the API and the pages) and an emailed
/// sign-up link's (after `signup/verify/`) are replaced by `{token}`, so
/// that the log holds no usable link (R-INV-1, R-SEC-1).
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    let segments: Vec<&str> = path.split('/').collect();
    let secret_at: Vec<usize> = segments
        .windows(2)
        .enumerate()
        .filter(|(i, w)| {
            let signup_link = w[0] == "verify" && i.checked_sub(1).is_some_and(|p| segments[p] == "signup");
            (w[0] == "invitations" && w[1].len() >= 20) || (signup_link && !w[1].is_empty())
        })
        .map(|(i, _)| i + 1)
        .collect();
    if secret_at.is_empty() {
        return std::borrow::Cow::Borrowed(path);
    }
    let redacted: Vec<&str> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| if secret_at.contains(&i) { "{token}" } else { s })
        .collect();
    std::borrow::Cow::Owned(redacted.join("/"))
}

pub fn wrap(router: Router) -> Router {
    router
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ))
        .layer(header(header::CACHE_CONTROL, "no-store"))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %loggable_path(req.uri().path()), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn invitation_tokens_are_left_out_of_logged_paths() {
        let token = "q3J9xV0c7Lr2mT8kP4sW1aZ6yB5nD0eF";
        assert_eq!(
            loggable_path(&format!("/api/invitations/{token}")),
            "/api/invitations/{token}"
        );
        assert_eq!(loggable_path(&format!("/invitations/{token}")), "/invitations/{token}");
        assert_eq!(
            loggable_path("/api/workspaces/1f0c/invitations/6b1e2c9a-22c4-4c6b-9a8e-0c7d5e4f3a21"),
            "/api/workspaces/1f0c/invitations/{token}"
        );
        assert_eq!(loggable_path("/api/invitations"), "/api/invitations");
        assert_eq!(
            loggable_path(&format!("/signup/verify/{token}")),
            "/signup/verify/{token}"
        );
        assert_eq!(loggable_path("/signup/verify/short"), "/signup/verify/{token}");
        assert_eq!(loggable_path("/api/auth/signup/verify"), "/api/auth/signup/verify");
        assert_eq!(loggable_path("/api/workspaces/abc"), "/api/workspaces/abc");
    }
}
