//! The JSON API under `/api`: one module per resource, thin handlers that
//! parse, call one use case and answer with a view.

pub mod access;
pub mod audit;
pub mod auth;
pub mod collections;
pub mod document;
pub mod element_comments;
pub mod environments;
pub mod forks;
pub mod health;
pub mod integrations;
pub mod invitations;
pub mod me;
pub mod notifications;
pub mod partners;
pub mod pull_requests;
pub mod runs;
pub mod teams;
pub mod updates;
pub mod workspaces;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico API",
        description = "Share API collections with partner organisations. Errors answer `{\"error\": {\"name\", \"message\"}}`.",
    ),
    modifiers(&Security),
    components(schemas(portico_api_types::ErrorBody)),
    security(("apiKey" = []), ("session" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-api-key"))),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "portico_session",
                "Browser session; unsafe requests also need the x-csrf-token header.",
            ))),
        );
    }
}

/// Every API route with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(auth::signup))
        .routes(routes!(auth::verify_signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(me::get_me, me::remove_account))
        .routes(routes!(me::change_password))
        .routes(routes!(me::create_api_key, me::list_api_keys))
        .routes(routes!(me::revoke_api_key))
        .routes(routes!(teams::create_team))
        .routes(routes!(teams::get_team, teams::update_team))
        .routes(routes!(teams::list_members, teams::add_member))
        .routes(routes!(teams::set_member_roles, teams::remove_member))
        .routes(routes!(teams::add_domain))
        .routes(routes!(teams::remove_domain))
        .routes(routes!(teams::get_sign_in, teams::put_sign_in, teams::delete_sign_in))
        .routes(routes!(invitations::preview, invitations::accept))
        .routes(routes!(audit::list_audit_logs))
        .routes(routes!(teams::partnerships))
        .routes(routes!(workspaces::list_workspaces, workspaces::create_workspace))
        .routes(routes!(
            workspaces::get_workspace,
            workspaces::update_workspace,
            workspaces::delete_workspace
        ))
        .routes(routes!(workspaces::decide_request))
        .routes(routes!(workspaces::all_roles))
        .routes(routes!(workspaces::get_roles, workspaces::update_roles))
        .routes(routes!(workspaces::list_members))
        .routes(routes!(workspaces::activities))
        .routes(routes!(partners::manage_partners))
        .routes(routes!(partners::pending_invitations))
        .routes(routes!(partners::revoke_invitation))
        .routes(routes!(partners::partner_emails))
        .routes(routes!(partners::partner_resources))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(notifications::mark_all_read))
        .routes(routes!(notifications::get_settings, notifications::put_settings))
        .routes(routes!(notifications::events))
        .routes(routes!(updates::list_updates, updates::post_update))
        .routes(routes!(
            updates::get_update,
            updates::edit_update,
            updates::delete_update
        ))
        .routes(routes!(updates::mark_seen))
        .routes(routes!(updates::list_comments, updates::post_comment))
        .routes(routes!(updates::edit_comment, updates::delete_comment))
        .routes(routes!(integrations::list, integrations::create))
        .routes(routes!(integrations::delete))
        .routes(routes!(integrations::deliveries))
        .merge(collection_routes())
        .merge(element_comment_routes())
}

fn element_comment_routes() -> OpenApiRouter<AppState> {
    use element_comments as e;
    OpenApiRouter::new()
        .routes(routes!(e::list_collection, e::post_collection))
        .routes(routes!(e::put_collection, e::delete_collection))
        .routes(routes!(e::list_folder, e::post_folder))
        .routes(routes!(e::put_folder, e::delete_folder))
        .routes(routes!(e::list_request, e::post_request))
        .routes(routes!(e::put_request, e::delete_request))
        .routes(routes!(e::list_response, e::post_response))
        .routes(routes!(e::put_response, e::delete_response))
}

/// Collection routes take bodies up to [`collections::MAX_COLLECTION_BYTES`].
fn collection_routes() -> OpenApiRouter<AppState> {
    use collections as c;
    OpenApiRouter::new()
        .routes(routes!(c::list_collections, c::create_collection))
        .routes(routes!(
            c::get_collection,
            c::put_collection,
            c::patch_collection,
            c::delete_collection
        ))
        .routes(routes!(c::changelog))
        .routes(routes!(forks::create_fork))
        .routes(routes!(runs::start_run, runs::list_runs))
        .routes(routes!(runs::get_run))
        .routes(routes!(forks::list_forks))
        .routes(routes!(forks::my_forks))
        .routes(routes!(forks::source_status))
        .routes(routes!(forks::pull))
        .routes(routes!(forks::merge))
        .routes(routes!(forks::merge_task))
        .routes(routes!(forks::fork_environment, forks::list_environment_forks))
        .routes(routes!(forks::pull_environment))
        .routes(routes!(forks::merge_environment))
        .routes(routes!(pull_requests::list, pull_requests::create))
        .routes(routes!(pull_requests::get, pull_requests::update))
        .routes(routes!(pull_requests::review))
        .routes(routes!(pull_requests::comments, pull_requests::comment))
        .routes(routes!(
            pull_requests::get_merge_checks,
            pull_requests::put_merge_checks
        ))
        .routes(routes!(c::get_roles, c::update_roles))
        .routes(routes!(c::restore))
        .routes(routes!(c::create_folder))
        .routes(routes!(c::get_folder, c::put_folder, c::delete_folder))
        .routes(routes!(c::create_request))
        .routes(routes!(c::get_request, c::put_request, c::delete_request))
        .routes(routes!(c::create_response))
        .routes(routes!(c::get_response, c::put_response, c::delete_response))
        .routes(routes!(
            environments::list_environments,
            environments::create_environment
        ))
        .routes(routes!(
            environments::get_environment,
            environments::put_environment,
            environments::patch_environment,
            environments::delete_environment
        ))
        .layer(axum::extract::DefaultBodyLimit::max(collections::MAX_COLLECTION_BYTES))
}
