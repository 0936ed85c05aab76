//! The web pages served at `/`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/invitations/{token}", get(invitation))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Portico</title></head><body><main>{body}</main></body></html>",
        escape(title)
    ))
}

async fn home() -> Html<String> {
    page(
        "Portico",
        "<h1>Portico</h1><p>Share API collections with your partners.</p>\
         <p>The JSON API lives under <code>/api</code>; its description is at \
         <a href=\"/api/openapi.json\">/api/openapi.json</a>.</p>",
    )
}

async fn invitation(State(s): State<AppState>, Path(token): Path<String>) -> Html<String> {
    match s.app.invitation_preview(&token).await {
        Ok(p) => page(
            "Invitation",
            &format!(
                "<h1>Join {}</h1><p>This invitation for <strong>{}</strong> is <strong>{}</strong>.</p>\
                 <p>Sign in as {} and accept it with <code>POST /api/invitations/&lt;token&gt;</code>.</p>",
                escape(&p.team_name),
                escape(p.invitation.email.as_str()),
                p.status.as_str(),
                escape(p.invitation.email.as_str()),
            ),
        ),
        Err(_) => page(
            "Invitation",
            "<h1>Invitation not found</h1><p>This link is not valid.</p>",
        ),
    }
}
