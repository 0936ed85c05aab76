//! The caller's own account and API keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_api_types::*;
use portico_app::AuthMethod;
use portico_domain::ids::ApiKeyId;

use crate::api::auth::{session_cookie, with_cookie};
use crate::error::ApiResult;
use crate::extract::{Caller, ClientAddr, Json};
use crate::{AppState, views};

/// Changes the caller's password. `currentPassword` must be right (else
/// `403 wrong_password`, counted like a failed sign-in; `429
/// too_many_attempts` once those are spent) and `newPassword` must follow
/// the sign-up rules (`400`). Every session of the account ends, on every
/// server process. Called with the session cookie, the caller gets a fresh
/// session: a new cookie, and the new CSRF token in a `200` answer; called
/// with an API key, the answer is `204`. API keys keep working.
#[utoipa::path(put, path = "/api/me/password", tag = "users", request_body = ChangePasswordRequest,
    responses((status = 200, body = SessionEnvelope, description = "Changed; the caller's fresh session"),
        (status = 204, description = "Changed (API key caller)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(s): State<AppState>,
    Caller(who): Caller,
    ClientAddr(addr): ClientAddr,
    Json(req): Json<ChangePasswordRequest>,
) -> ApiResult<Response> {
    let rotate = matches!(who.via, AuthMethod::Session { .. });
    let fresh = s
        .app
        .change_password(&who, &req.current_password, &req.new_password, &addr, rotate)
        .await?;
    Ok(match fresh {
        Some(signed) => {
            let body = SessionEnvelope {
                user: views::user(&signed.user),
                csrf_token: signed.csrf_token.clone(),
            };
            with_cookie(axum::Json(body).into_response(), &session_cookie(&s, &signed))
        }
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Removes the caller's account, confirmed by its `password` (`403
/// wrong_password` otherwise, counted like a failed sign-in). Refused with
/// `409 last_team_admin` while the caller is the last admin of a team with
/// other members, and `409 last_operator` for the server's only operator.
/// Every session and API key ends, the caller leaves every team and
/// workspace, and the email and name are removed; what they wrote stays,
/// shown as "Removed account". The session cookie is cleared.
#[utoipa::path(delete, path = "/api/me", tag = "users", request_body = RemoveAccountRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn remove_account(
    State(s): State<AppState>,
    Caller(who): Caller,
    ClientAddr(addr): ClientAddr,
    Json(req): Json<RemoveAccountRequest>,
) -> ApiResult<Response> {
    s.app.remove_account(&who, &req.password, &addr).await?;
    Ok(with_cookie(
        StatusCode::NO_CONTENT.into_response(),
        &s.cookie_header("", 0),
    ))
}

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
