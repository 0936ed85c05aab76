//! The web pages served at `/`: server-rendered HTML calling the same `App`
//! use cases as the JSON API, one embedded stylesheet and one small script
//! that keeps the unread badges live over the event stream. Handlers stay
//! thin: parse, check the form's CSRF token, call one use case, render or
//! redirect (303). Every interpolated value goes through [`html::escape`].
//! What each page shows is described in `docs/web.md`.

mod assets;
mod auth;
mod html;
mod invitations;
mod layout;
mod notifications;
mod session;
mod updates;
mod workspaces;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/assets/{file}", get(assets::serve))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-up", get(auth::sign_up_page).post(auth::sign_up))
        .route("/sign-out", post(auth::sign_out))
        .route("/workspaces", get(workspaces::list))
        .route("/workspaces/{id}", get(workspaces::overview))
        .route("/workspaces/{id}/settings", get(workspaces::settings))
        .route("/workspaces/{id}/updates", get(updates::tab).post(updates::post_update))
        .route(
            "/workspaces/{id}/updates/{update}/comments",
            post(updates::post_comment),
        )
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/invitations/{token}", get(invitations::preview))
}

/// The front door: the workspace list, or the sign-in page on the way to it.
async fn home() -> Redirect {
    Redirect::to("/workspaces")
}
