//! The web pages served at `/`: server-rendered HTML calling the same `App`
//! use cases as the JSON API, one embedded stylesheet and one small script
//! that keeps the unread badges live over the event stream. Handlers stay
//! thin: parse, check the form's CSRF token, call one use case, render or
//! redirect (303). Every interpolated value goes through [`html::escape`].
//! What each page shows is described in `docs/web.md`.

mod account;
mod assets;
mod audit;
mod auth;
mod changelog;
mod collections;
mod environments;
mod forks;
mod html;
mod invitations;
mod invite;
mod layout;
mod notifications;
mod partnerships;
mod pull_requests;
mod request;
mod request_fields;
mod runs;
mod session;
mod settings;
mod sso;
mod team_domains;
mod team_sign_in;
mod teams;
mod updates;
mod workspaces;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::AppState;
use crate::api::collections::MAX_COLLECTION_BYTES;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/assets/{file}", get(assets::serve))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-up", get(auth::sign_up_page).post(auth::sign_up))
        .route(
            "/signup/verify/{token}",
            get(auth::verify_sign_up_page).post(auth::verify_sign_up),
        )
        .route("/sign-out", post(auth::sign_out))
        .route("/sso", get(sso::page).post(sso::by_email))
        .route("/sso/callback", get(sso::callback))
        .route("/sso/{team}/start", get(sso::start))
        .route("/teams/{id}/sign-in", get(team_sign_in::page).post(team_sign_in::save))
        .route("/teams/{id}/sign-in/remove", post(team_sign_in::remove))
        .route("/workspaces", get(workspaces::list))
        .route("/workspaces/{id}", get(workspaces::overview))
        .route("/workspaces/{id}/settings", get(settings::page).post(settings::save))
        .route(
            "/workspaces/{id}/settings/multi-partner",
            post(settings::enable_multi_partner),
        )
        .route("/workspaces/{id}/settings/delete", post(settings::delete_workspace))
        .route("/workspaces/{id}/invite", get(invite::page))
        .route("/workspaces/{id}/invitations", post(invite::send))
        .route("/workspaces/{id}/invitations/{inv}/revoke", post(invite::revoke))
        .route("/workspaces/{id}/updates", get(updates::tab).post(updates::post_update))
        .route(
            "/workspaces/{id}/updates/{update}/comments",
            post(updates::post_comment),
        )
        .route(
            "/workspaces/{id}/collections",
            post(collections::import).layer(DefaultBodyLimit::max(MAX_COLLECTION_BYTES)),
        )
        .route("/collections/{id}", get(collections::page))
        .route(
            "/collections/{id}/requests/{rid}",
            get(request::page)
                .post(request::save)
                .layer(DefaultBodyLimit::max(MAX_COLLECTION_BYTES)),
        )
        .route("/collections/{id}/fork", post(forks::fork))
        .route("/collections/{id}/runs", post(runs::start))
        .route("/runs/{id}", get(runs::page))
        .route("/collections/{id}/pull", post(forks::pull))
        .route("/collections/{id}/changelog", get(changelog::page))
        .route("/collections/{id}/restore", post(changelog::restore))
        .route("/notifications", get(notifications::list))
        .route("/notifications/read-all", post(notifications::read_all))
        .route(
            "/invitations/{token}",
            get(invitations::preview).post(invitations::accept),
        )
        .route("/account", get(account::page))
        .route("/account/api-keys", post(account::create_key))
        .route("/account/api-keys/{id}/revoke", post(account::revoke_key))
        .route("/account/notifications", post(account::save_notifications))
        .route("/account/password", post(account::change_password))
        .route("/account/remove", post(account::remove_account))
        // Editing updates and comments, previews, the notifications panel
        .route("/workspaces/{id}/updates/{update}/edit", post(updates::edit_update))
        .route("/workspaces/{id}/updates/{update}/delete", post(updates::delete_update))
        .route(
            "/workspaces/{id}/updates/{update}/comments/{comment}/edit",
            post(updates::edit_comment),
        )
        .route(
            "/workspaces/{id}/updates/{update}/comments/{comment}/delete",
            post(updates::delete_comment),
        )
        .route("/preview", post(updates::preview))
        .route("/notifications/panel", get(notifications::panel))
        // Team settings and environments
        .route("/teams/{id}", get(teams::members))
        .route("/teams/{id}/members", post(teams::add_member))
        .route("/teams/{id}/members/{uid}/roles", post(teams::set_roles))
        .route("/teams/{id}/members/{uid}/remove", post(teams::remove_member))
        .route(
            "/teams/{id}/domains",
            get(team_domains::domains).post(team_domains::add_domain),
        )
        .route("/teams/{id}/domains/remove", post(team_domains::remove_domain))
        .route("/teams/{id}/plan", get(team_domains::plan).post(team_domains::set_plan))
        .route("/teams/{id}/partnerships", get(partnerships::page))
        .route("/teams/{id}/audit", get(audit::page))
        .route("/workspaces/{id}/environments", post(environments::create))
        .route("/environments/{id}", get(environments::page).post(environments::save))
        .route("/environments/{id}/delete", post(environments::delete))
        // Pull requests
        .route("/collections/{id}/pull-requests/new", get(pull_requests::new_page))
        .route("/collections/{id}/pull-requests", post(pull_requests::create))
        .route("/pull-requests/{id}", get(pull_requests::page))
        .route("/pull-requests/{id}/review", post(pull_requests::review))
        .route("/pull-requests/{id}/edit", post(pull_requests::edit))
        .route("/pull-requests/{id}/comments", post(pull_requests::comment))
}

/// The front door: the workspace list, or the sign-in page on the way to it.
async fn home() -> Redirect {
    Redirect::to("/workspaces")
}
