//! Invitation links: preview and acceptance.

use axum::extract::{Path, State};
use portico_api_types::*;

use crate::error::ApiResult;
use crate::extract::Caller;
use crate::{AppState, views};

/// What an invitation link leads to: team, invited email, roles and status.
/// Anyone holding the link may look; it is the secret.
#[utoipa::path(get, path = "/api/invitations/{token}", tag = "invitations", security(()),
    params(("token" = String, Path)),
    responses((status = 200, body = InvitationEnvelope), (status = 404, body = ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<axum::Json<InvitationEnvelope>> {
    let p = s.app.invitation_preview(&token).await?;
    Ok(axum::Json(InvitationEnvelope {
        invitation: views::invitation(&p),
    }))
}

/// Accepts the invitation as the signed-in user, whose email must be the
/// invited one. The link works once.
#[utoipa::path(post, path = "/api/invitations/{token}", tag = "invitations",
    params(("token" = String, Path)),
    responses((status = 200, body = TeamEnvelope), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(token): Path<String>,
) -> ApiResult<axum::Json<TeamEnvelope>> {
    let team = s.app.accept_invitation(&who, &token).await?;
    Ok(axum::Json(TeamEnvelope {
        team: views::team(&team),
    }))
}
