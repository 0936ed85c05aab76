//! Workspaces, their roles, members, activity and approval.

use axum::extract::{Path, State};
use portico_api_types::*;
use portico_app::workspaces::{RoleChange, WorkspaceChanges as Changes, WorkspaceFilter};
use portico_domain::Error;
use portico_domain::ids::{TeamId, WorkspaceId};
use portico_domain::workspace::WorkspaceRole;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Query};
use crate::{AppState, views};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this type: personal, private, team or partner.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `external`: only workspaces of other teams (R-ISO-5).
    pub tab: Option<String>,
    pub cursor: Option<String>,
    /// Page size, at most 100.
    pub limit: Option<u32>,
}

/// Every workspace the caller may see. Partner Workspaces of other teams
/// carry `external: true` and the tag `EXTERNAL`.
#[utoipa::path(get, path = "/api/workspaces", tag = "workspaces", params(ListParams),
    responses((status = 200, body = WorkspaceList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list_workspaces(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<ListParams>,
) -> ApiResult<axum::Json<WorkspaceList>> {
    let external_only = match q.tab.as_deref() {
        None | Some("all") => false,
        Some("external") => true,
        Some(other) => {
            return Err(Error::invalid("invalid_tab", format!("Unknown tab '{other}'. Use all or external.")).into());
        }
    };
    let page = s
        .app
        .list_workspaces(
            &who,
            WorkspaceFilter {
                kind: q.kind,
                external_only,
                cursor: q.cursor,
                limit: q.limit,
            },
        )
        .await?;
    Ok(axum::Json(WorkspaceList {
        workspaces: page.items.iter().map(views::workspace).collect(),
        meta: PageMeta {
            next_cursor: page.next_cursor,
            limit: portico_app::pagination::page_size(q.limit),
        },
    }))
}

/// Creates a workspace; the caller becomes its admin. On enterprise, a
/// Partner Workspace asked for by someone who is neither Partner Manager nor
/// super admin is created internal with `pendingApproval: true`.
#[utoipa::path(post, path = "/api/workspaces", tag = "workspaces", request_body = CreateWorkspaceRequest,
    responses((status = 200, body = WorkspaceEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_workspace(
    State(s): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<CreateWorkspaceRequest>,
) -> ApiResult<axum::Json<WorkspaceEnvelope>> {
    let w = req.workspace;
    let team = w.team_id.as_deref().map(TeamId::parse).transpose()?;
    let view = s
        .app
        .create_workspace(&who, team, &w.name, &w.kind, w.about.as_deref())
        .await?;
    Ok(axum::Json(WorkspaceEnvelope {
        workspace: views::workspace(&view),
    }))
}

/// One workspace, with its collections and environments.
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceEnvelope), (status = 404, body = ErrorBody)))]
pub async fn get_workspace(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<WorkspaceEnvelope>> {
    let view = s.app.workspace(&who, WorkspaceId::parse(&id)?).await?;
    let mut w = views::workspace(&view);
    w.collections = Some(Vec::new());
    w.environments = Some(Vec::new());
    Ok(axum::Json(WorkspaceEnvelope { workspace: w }))
}

/// Changes name, summary or type (converting to a Partner Workspace follows
/// the plan and approval rules), or enables multi-partner mode for good.
#[utoipa::path(put, path = "/api/workspaces/{workspaceId}", tag = "workspaces", request_body = UpdateWorkspaceRequest,
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_workspace(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(req): Json<UpdateWorkspaceRequest>,
) -> ApiResult<axum::Json<WorkspaceEnvelope>> {
    let id = WorkspaceId::parse(&id)?;
    let c = req.workspace;
    let changes = Changes {
        name: c.name,
        about: c.about,
        kind: c.kind,
        multi_partner: c.multi_partner,
    };
    let view = s.app.update_workspace(&who, id, changes).await?;
    Ok(axum::Json(WorkspaceEnvelope {
        workspace: views::workspace(&view),
    }))
}

/// Deletes a workspace and everything in it.
#[utoipa::path(delete, path = "/api/workspaces/{workspaceId}", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = DeletedWorkspace), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_workspace(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<DeletedWorkspace>> {
    let id = WorkspaceId::parse(&id)?;
    s.app.delete_workspace(&who, id).await?;
    Ok(axum::Json(DeletedWorkspace {
        workspace: IdOnly { id: id.to_string() },
    }))
}

/// Approves or denies a Partner Workspace request (Partner Managers and
/// super admins); the requester is notified either way.
#[utoipa::path(post, path = "/api/workspaces/{workspaceId}/approval", tag = "workspaces", request_body = ApprovalRequest,
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn decide_request(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(req): Json<ApprovalRequest>,
) -> ApiResult<axum::Json<WorkspaceEnvelope>> {
    let id = WorkspaceId::parse(&id)?;
    let approve = match req.decision.as_str() {
        "approve" => true,
        "deny" => false,
        other => {
            return Err(Error::invalid(
                "invalid_decision",
                format!("Unknown decision '{other}'. Use approve or deny."),
            )
            .into());
        }
    };
    let view = s.app.decide_workspace_request(&who, id, approve).await?;
    Ok(axum::Json(WorkspaceEnvelope {
        workspace: views::workspace(&view),
    }))
}

fn catalog() -> RoleCatalog {
    let name = |r: WorkspaceRole, lead| RoleName {
        id: r.role_id(lead).into(),
        display_name: r.display_name(lead).into(),
    };
    let team = vec![
        name(WorkspaceRole::Admin, false),
        name(WorkspaceRole::Editor, false),
        name(WorkspaceRole::Viewer, false),
    ];
    RoleCatalog {
        user: team
            .iter()
            .map(|r| RoleName {
                id: r.id.clone(),
                display_name: r.display_name.clone(),
            })
            .collect(),
        usergroup: team,
        partner: vec![
            name(WorkspaceRole::PartnerViewer, false),
            name(WorkspaceRole::PartnerEditor, false),
            name(WorkspaceRole::PartnerViewer, true),
            name(WorkspaceRole::PartnerEditor, true),
        ],
    }
}

/// Every role a workspace has: team roles (1-3) and partner roles (4-7).
#[utoipa::path(get, path = "/api/workspaces-roles", tag = "workspaces",
    responses((status = 200, body = AllWorkspaceRoles), (status = 401, body = ErrorBody)))]
pub async fn all_roles(Caller(_): Caller) -> axum::Json<AllWorkspaceRoles> {
    axum::Json(AllWorkspaceRoles { roles: catalog() })
}

fn holders(members: &[portico_app::workspaces::WorkspaceMemberView]) -> WorkspaceRoles {
    let mut roles = Vec::new();
    for (role, lead) in [
        (WorkspaceRole::Admin, false),
        (WorkspaceRole::Editor, false),
        (WorkspaceRole::Viewer, false),
        (WorkspaceRole::PartnerViewer, false),
        (WorkspaceRole::PartnerEditor, false),
        (WorkspaceRole::PartnerViewer, true),
        (WorkspaceRole::PartnerEditor, true),
    ] {
        let ids: Vec<String> = members
            .iter()
            .filter(|m| m.member.role == role && m.member.lead == lead)
            .map(|m| m.member.user_id.to_string())
            .collect();
        let (user, partner) = if role.is_partner() {
            (Vec::new(), ids)
        } else {
            (ids, Vec::new())
        };
        roles.push(WorkspaceRoleHolders {
            id: role.role_id(lead).into(),
            display_name: role.display_name(lead).into(),
            user,
            usergroup: Vec::new(),
            partner,
        });
    }
    WorkspaceRoles { roles }
}

/// Who holds which role in the workspace. Partners see no partner of
/// another partner team (R-MULTI-3).
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/roles", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceRoles), (status = 404, body = ErrorBody)))]
pub async fn get_roles(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<WorkspaceRoles>> {
    let (_, members) = s.app.workspace_members(&who, WorkspaceId::parse(&id)?).await?;
    Ok(axum::Json(holders(&members)))
}

/// Grants (`add`) or removes (`remove`) roles: `/user` for team members
/// (roles 1-3), `/partner` for partners already in the workspace (4-7).
/// All changes apply together or not at all.
#[utoipa::path(patch, path = "/api/workspaces/{workspaceId}/roles", tag = "workspaces", request_body = UpdateWorkspaceRolesRequest,
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceRoles), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_roles(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(req): Json<UpdateWorkspaceRolesRequest>,
) -> ApiResult<axum::Json<WorkspaceRoles>> {
    let id = WorkspaceId::parse(&id)?;
    let mut changes = Vec::new();
    for op in req.roles {
        let add = match op.op.as_str() {
            "add" | "replace" => true,
            "remove" => false,
            other => {
                return Err(Error::invalid("invalid_op", format!("Unknown op '{other}'. Use add or remove.")).into());
            }
        };
        let partner = match op.path.as_str() {
            "/user" => false,
            "/partner" => true,
            other => {
                return Err(Error::invalid(
                    "invalid_path",
                    format!("Unknown path '{other}'. Use /user or /partner."),
                )
                .into());
            }
        };
        changes.extend(op.value.into_iter().map(|v| RoleChange {
            add,
            partner,
            user_id: v.id,
            role: v.role,
        }));
    }
    let (_, members) = s.app.change_workspace_roles(&who, id, changes).await?;
    Ok(axum::Json(holders(&members)))
}

/// The people of a workspace; partners are marked (`isPartner`, R-ISO-6).
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/members", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceMemberList), (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<WorkspaceMemberList>> {
    let (_, members) = s.app.workspace_members(&who, WorkspaceId::parse(&id)?).await?;
    Ok(axum::Json(WorkspaceMemberList {
        members: members.iter().map(views::workspace_member).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityParams {
    pub cursor: Option<String>,
    /// Page size (default 15, at most 100).
    pub limit: Option<u32>,
}

/// Who created, joined, left or changed what, newest first.
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/activities", tag = "workspaces",
    params(("workspaceId" = String, Path), ActivityParams),
    responses((status = 200, body = ActivityFeed), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn activities(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<ActivityParams>,
) -> ApiResult<axum::Json<ActivityFeed>> {
    let page = s
        .app
        .workspace_activities(&who, WorkspaceId::parse(&id)?, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(axum::Json(ActivityFeed {
        data: page.items.iter().map(views::activity).collect(),
        meta: PageMeta {
            next_cursor: page.next_cursor,
            limit: q.limit.unwrap_or(15).clamp(1, 100),
        },
    }))
}
