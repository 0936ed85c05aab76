//! Partner invitations and removals (`POST /invitations`), pending
//! invitations, partner emails and resources.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_api_types::*;
use portico_app::partners::{InviteStatus, RemoveTarget, collect_emails};
use portico_domain::Error;
use portico_domain::ids::{InvitationId, TeamId, UserId, WorkspaceId};
use portico_domain::workspace::WorkspaceRole;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Query};
use crate::{AppState, views};

/// Invites partners to a Partner Workspace (`invite_partner`: by email, or
/// in bulk from the text of a CSV/TXT file in `target.file`), or removes them
/// (`remove_partner`: from one workspace, or with `targetEntity: team` from
/// every Partner Workspace of the team).
#[utoipa::path(post, path = "/api/invitations", tag = "workspaces", request_body = ManagePartnersRequest,
    responses((status = 200, body = ManagePartnersResponse), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn manage_partners(
    State(s): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<ManagePartnersRequest>,
) -> ApiResult<axum::Json<ManagePartnersResponse>> {
    match (req.action.as_str(), req.target_entity.as_str()) {
        ("invite_partner", "workspace") => {
            let ws = WorkspaceId::parse(&req.target_entity_id)?;
            let role = req.role_id.clone().ok_or_else(|| Error::invalid("role_required", "Give roleId: 4, 5, 6 or 7."))?;
            let emails = collect_emails(&req.target.emails, req.target.file.as_deref());
            let out = s.app.invite_partners(&who, ws, &role, emails).await?;
            Ok(axum::Json(ManagePartnersResponse {
                target_entity: req.target_entity,
                target_entity_id: req.target_entity_id,
                action: req.action,
                role_id: Some(out.role.role_id(out.lead).into()),
                role_display_name: Some(out.role.display_name(out.lead).into()),
                results: out
                    .results
                    .into_iter()
                    .map(|r| ManagePartnersResult {
                        email: Some(r.email),
                        status: r.status.as_str().into(),
                        user_id: r.user_id.map(|u| u.to_string()),
                        message: r.message,
                        invitation_link: r.invitation_link.filter(|_| r.status == InviteStatus::EmailSent),
                    })
                    .collect(),
            }))
        }
        ("remove_partner", "workspace" | "team") => {
            let target = if req.target_entity == "team" {
                RemoveTarget::Team(TeamId::parse(&req.target_entity_id)?)
            } else {
                RemoveTarget::Workspace(WorkspaceId::parse(&req.target_entity_id)?)
            };
            let results = s.app.remove_partners(&who, target, req.target.user_ids).await?;
            Ok(axum::Json(ManagePartnersResponse {
                target_entity: req.target_entity,
                target_entity_id: req.target_entity_id,
                action: req.action,
                role_id: None,
                role_display_name: None,
                results: results
                    .into_iter()
                    .map(|r| ManagePartnersResult {
                        email: None,
                        status: if r.removed { "REMOVED" } else { "FAILED" }.into(),
                        user_id: Some(r.user_id),
                        message: r.message,
                        invitation_link: None,
                    })
                    .collect(),
            }))
        }
        (action, entity) => Err(Error::invalid(
            "invalid_action",
            format!("Unknown action '{action}' on '{entity}'. Use invite_partner on a workspace, or remove_partner on a workspace or team."),
        )
        .into()),
    }
}

/// Open partner invitations of a workspace (its managers only).
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/invitations", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = PendingInvitationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn pending_invitations(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<PendingInvitationList>> {
    let list = s.app.pending_invitations(&who, WorkspaceId::parse(&id)?).await?;
    Ok(axum::Json(PendingInvitationList {
        invitations: list
            .iter()
            .filter_map(|i| match &i.grant {
                portico_store::InvitationGrant::Partner { role, lead, .. } => Some(PendingInvitation {
                    id: i.id.to_string(),
                    email: i.email.to_string(),
                    role_id: role.role_id(*lead).into(),
                    created_at: views::time(i.created_at),
                    expires_at: views::time(i.expires_at),
                }),
                portico_store::InvitationGrant::Team(_) => None,
            })
            .collect(),
    }))
}

/// Revokes an open partner invitation: its link stops working.
#[utoipa::path(delete, path = "/api/workspaces/{workspaceId}/invitations/{invitationId}", tag = "workspaces",
    params(("workspaceId" = String, Path), ("invitationId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_invitation(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, inv)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app
        .revoke_invitation(&who, WorkspaceId::parse(&ws)?, InvitationId::parse(&inv)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn csv_field(s: &str) -> String {
    // Quote every field; neutralise spreadsheet formulas.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Every partner of the workspace with their role, as CSV (team admins and
/// Partner Managers, R-INV-5).
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/partner-emails", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, description = "CSV: email, name, role, partner lead, partner team", content_type = "text/csv"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn partner_emails(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (ws, rows) = s.app.partner_emails(&who, WorkspaceId::parse(&id)?).await?;
    let mut csv = String::from("email,name,role,partner_lead,partner_team\n");
    for (m, team) in rows {
        let line = [
            csv_field(m.email.as_str()),
            csv_field(&m.name),
            csv_field(m.role.display_name(false)),
            m.lead.to_string(),
            csv_field(&team),
        ]
        .join(",");
        csv.push_str(&line);
        csv.push('\n');
    }
    let file = format!("attachment; filename=\"partners-{}.csv\"", ws.id);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        csv,
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ResourceParams {
    /// The publishing team; optional when the caller oversees one team.
    pub team_id: Option<String>,
}

/// Every Partner Workspace (and collection) of the team a partner reaches
/// (team admins and Partner Managers, R-INV-5).
#[utoipa::path(get, path = "/api/partners/{userId}/resources", tag = "workspaces",
    params(("userId" = String, Path), ResourceParams),
    responses((status = 200, body = PartnerResources), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn partner_resources(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(user): Path<String>,
    Query(q): Query<ResourceParams>,
) -> ApiResult<axum::Json<PartnerResources>> {
    let team = q.team_id.as_deref().map(TeamId::parse).transpose()?;
    let r = s.app.partner_resources(&who, team, UserId::parse(&user)?).await?;
    Ok(axum::Json(PartnerResources {
        user: views::user(&r.user),
        workspaces: r
            .workspaces
            .iter()
            .map(|(w, role, lead): &(_, WorkspaceRole, bool)| PartnerWorkspaceRef {
                id: w.id.to_string(),
                name: w.name.clone(),
                role_id: role.role_id(*lead).into(),
                display_name: role.display_name(*lead).into(),
            })
            .collect(),
        collections: Vec::new(),
    }))
}
