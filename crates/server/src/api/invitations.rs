//! Invitation links: preview and acceptance.

use axum::extract::{Path, State};
use portico_api_types::*;
use portico_app::invitations::TeamChoice;
use portico_domain::ids::TeamId;

use crate::error::ApiResult;
use crate::extract::Caller;
use crate::{AppState, views};

/// What an invitation link leads to: team, invited email, roles and status;
/// for a partner invitation also the workspace, the role and the team the
/// invitee must accept with if their email domain is captured. Anyone
/// holding the link may look; it is the secret.
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
/// invited one. The link works once. A partner accepts with one of their
/// teams (`teamId`) or a new one (`newTeamName`); where their email domain is
/// captured by a team, that team is the only choice.
#[utoipa::path(post, path = "/api/invitations/{token}", tag = "invitations",
    params(("token" = String, Path)), request_body = AcceptInvitationRequest,
    responses((status = 200, body = AcceptedInvitation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<AcceptedInvitation>> {
    let req: AcceptInvitationRequest = if body.is_empty() {
        AcceptInvitationRequest::default()
    } else {
        crate::extract::parse_json(&body)?
    };
    let team_id = match req.team_id.as_deref() {
        Some(t) => Some(TeamId::parse(t).map_err(|_| {
            portico_domain::Error::invalid("not_a_member_of_team", "You can only accept with a team you belong to.")
        })?),
        None => None,
    };
    let choice = TeamChoice {
        team_id,
        new_team_name: req.new_team_name,
    };
    let done = s.app.accept_invitation(&who, &token, choice).await?;
    Ok(axum::Json(AcceptedInvitation {
        team: views::team(&done.team),
        workspace: done.workspace.map(|w| IdOnly { id: w.id.to_string() }),
        role_id: done.role.map(|(r, lead)| r.role_id(lead).to_string()),
    }))
}
