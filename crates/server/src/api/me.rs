//! The caller's own account and API keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_api_types::*;
use portico_app::AuthMethod;
use portico_domain::ids::ApiKeyId;

use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::{AppState, views};

/// The signed-in user, their teams and unread updates.
#[utoipa::path(get, path = "/api/me", tag = "users",
    responses((status = 200, body = MeEnvelope), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(s): State<AppState>, Caller(who): Caller) -> ApiResult<axum::Json<MeEnvelope>> {
    let me = s.app.me(&who).await?;
    let csrf_token = match &who.via {
        AuthMethod::Session { csrf_token } => Some(csrf_token.clone()),
        AuthMethod::ApiKey => None,
    };
    Ok(axum::Json(MeEnvelope {
        user: MeView {
            id: me.user.id.to_string(),
            email: me.user.email.to_string(),
            name: me.user.name.clone(),
            is_server_admin: me.user.is_server_admin,
            teams: me
                .memberships
                .iter()
                .map(|m| MyTeamView {
                    id: m.team.id.to_string(),
                    name: m.team.name.clone(),
                    plan: m.team.plan.to_string(),
                    roles: m.roles.names().into_iter().map(String::from).collect(),
                })
                .collect(),
            unread_updates: u64::try_from(me.unread_updates).unwrap_or(0),
        },
        csrf_token,
    }))
}

/// Creates an API key. The key is in this answer only; it is stored hashed.
#[utoipa::path(post, path = "/api/me/api-keys", tag = "users", request_body = CreateApiKeyRequest,
    responses((status = 201, body = NewApiKeyEnvelope), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_api_key(
    State(s): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<CreateApiKeyRequest>,
) -> ApiResult<(StatusCode, axum::Json<NewApiKeyEnvelope>)> {
    let k = s.app.create_api_key(&who, &req.name).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(NewApiKeyEnvelope {
            api_key: NewApiKeyView {
                id: k.record.id.to_string(),
                name: k.record.name,
                key: k.key,
            },
        }),
    ))
}

/// The caller's active API keys (without the keys themselves).
#[utoipa::path(get, path = "/api/me/api-keys", tag = "users",
    responses((status = 200, body = ApiKeyList), (status = 401, body = ErrorBody)))]
pub async fn list_api_keys(State(s): State<AppState>, Caller(who): Caller) -> ApiResult<axum::Json<ApiKeyList>> {
    let keys = s.app.list_api_keys(&who).await?;
    Ok(axum::Json(ApiKeyList {
        api_keys: keys.iter().map(views::api_key).collect(),
    }))
}

/// Revokes one of the caller's API keys, at once.
#[utoipa::path(delete, path = "/api/me/api-keys/{keyId}", tag = "users",
    params(("keyId" = String, Path, description = "The key's id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_api_key(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(key_id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = ApiKeyId::parse(&key_id)?;
    s.app.revoke_api_key(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
