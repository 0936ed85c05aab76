//! The page an invitation link opens. Accepting in the browser (choosing the
//! team) is still to come; the page says how to accept meanwhile.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::html::{escape, url_encode};
use super::layout;
use crate::AppState;

pub async fn preview(State(s): State<AppState>, Path(token): Path<String>) -> Response {
    match s.app.invitation_preview(&token).await {
        Ok(p) => {
            let next = format!("/invitations/{token}");
            layout::bare(
                StatusCode::OK,
                "Invitation",
                &format!(
                    "<section class=\"card narrow\"><h1>Join {team}</h1>\
                     <p>This invitation for <strong>{email}</strong> is <strong>{status}</strong>.</p>\
                     <p>Sign in as {email}, or create that account, then accept it with \
                     <code>POST /api/invitations/&lt;token&gt;</code>.</p>\
                     <p><a class=\"button\" href=\"/sign-in?next={next}\">Sign in</a> \
                     <a class=\"button secondary\" href=\"/sign-up?next={next}\">Create account</a></p></section>",
                    team = escape(&p.team_name),
                    email = escape(p.invitation.email.as_str()),
                    status = escape(p.status.as_str()),
                    next = escape(&url_encode(&next)),
                ),
            )
        }
        Err(_) => layout::bare(
            StatusCode::NOT_FOUND,
            "Invitation",
            "<section class=\"card narrow\"><h1>Invitation not found</h1><p>This link is not valid.</p></section>",
        ),
    }
}
