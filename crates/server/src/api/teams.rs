//! Teams, their members and captured domains.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_api_types::*;
use portico_app::invitations::{InvitationPreview, InvitationStatus};
use portico_app::teams::AddMember;
use portico_domain::ids::{TeamId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Query};
use crate::{AppState, views};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, at most 100.
    pub limit: Option<u32>,
}

/// Creates a team on the server's default plan; the caller becomes its admin.
#[utoipa::path(post, path = "/api/teams", tag = "teams", request_body = CreateTeamRequest,
    responses((status = 201, body = TeamEnvelope), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_team(
    State(s): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<CreateTeamRequest>,
) -> ApiResult<(StatusCode, axum::Json<TeamEnvelope>)> {
    let team = s.app.create_team(&who, &req.name).await?;
    let mut view = views::team(&team);
    view.roles = Some(vec!["admin".into()]);
    Ok((StatusCode::CREATED, axum::Json(TeamEnvelope { team: view })))
}

/// A team the caller belongs to (operators see every team).
#[utoipa::path(get, path = "/api/teams/{teamId}", tag = "teams",
    params(("teamId" = String, Path)),
    responses((status = 200, body = TeamEnvelope), (status = 404, body = ErrorBody)))]
pub async fn get_team(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
) -> ApiResult<axum::Json<TeamEnvelope>> {
    let detail = s.app.team(&who, TeamId::parse(&team_id)?).await?;
    Ok(axum::Json(TeamEnvelope {
        team: views::team_detail(&detail),
    }))
}

/// Renames a team (team admins) or changes its plan (operators only).
#[utoipa::path(patch, path = "/api/teams/{teamId}", tag = "teams", request_body = UpdateTeamRequest,
    params(("teamId" = String, Path)),
    responses((status = 200, body = TeamEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_team(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
    Json(req): Json<UpdateTeamRequest>,
) -> ApiResult<axum::Json<TeamEnvelope>> {
    let id = TeamId::parse(&team_id)?;
    let detail = s
        .app
        .update_team(&who, id, req.name.as_deref(), req.plan.as_deref())
        .await?;
    Ok(axum::Json(TeamEnvelope {
        team: views::team_detail(&detail),
    }))
}

/// Members of the team, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/teams/{teamId}/members", tag = "teams",
    params(("teamId" = String, Path), PageQuery),
    responses((status = 200, body = MemberList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_members(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<axum::Json<MemberList>> {
    let page = s
        .app
        .members(&who, TeamId::parse(&team_id)?, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(axum::Json(MemberList {
        members: page.items.iter().map(views::member).collect(),
        meta: PageMeta {
            next_cursor: page.next_cursor,
            limit: portico_app::pagination::page_size(q.limit),
        },
    }))
}

/// Adds an existing account to the team (201), or invites the email (202,
/// with the invitation link, also sent by email).
#[utoipa::path(post, path = "/api/teams/{teamId}/members", tag = "teams", request_body = AddMemberRequest,
    params(("teamId" = String, Path)),
    responses((status = 201, body = MemberEnvelope), (status = 202, body = InvitationSent),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_member(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
    Json(req): Json<AddMemberRequest>,
) -> ApiResult<Response> {
    let id = TeamId::parse(&team_id)?;
    Ok(match s.app.add_member(&who, id, &req.email, &req.roles).await? {
        AddMember::Added(m) => (
            StatusCode::CREATED,
            axum::Json(MemberEnvelope {
                member: views::member(&m),
            }),
        )
            .into_response(),
        AddMember::Invited { invitation, link } => {
            let team_name = s.app.team(&who, id).await?.team.name;
            let preview = InvitationPreview {
                invitation,
                team_name,
                status: InvitationStatus::Open,
                workspace_name: None,
                forced_team: None,
            };
            (
                StatusCode::ACCEPTED,
                axum::Json(InvitationSent {
                    invitation: views::invitation(&preview),
                    invitation_link: link,
                }),
            )
                .into_response()
        }
    })
}

/// Replaces a member's team roles.
#[utoipa::path(patch, path = "/api/teams/{teamId}/members/{userId}", tag = "teams", request_body = SetRolesRequest,
    params(("teamId" = String, Path), ("userId" = String, Path)),
    responses((status = 200, body = MemberEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn set_member_roles(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((team_id, user_id)): Path<(String, String)>,
    Json(req): Json<SetRolesRequest>,
) -> ApiResult<axum::Json<MemberEnvelope>> {
    let m = s
        .app
        .set_member_roles(&who, TeamId::parse(&team_id)?, UserId::parse(&user_id)?, &req.roles)
        .await?;
    Ok(axum::Json(MemberEnvelope {
        member: views::member(&m),
    }))
}

/// Removes a member; a member may remove themselves (leave the team).
#[utoipa::path(delete, path = "/api/teams/{teamId}/members/{userId}", tag = "teams",
    params(("teamId" = String, Path), ("userId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((team_id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app
        .remove_member(&who, TeamId::parse(&team_id)?, UserId::parse(&user_id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Captures an email domain for the team (team admins, operators). A domain
/// belongs to one team at most.
#[utoipa::path(post, path = "/api/teams/{teamId}/domains", tag = "teams", request_body = DomainRequest,
    params(("teamId" = String, Path)),
    responses((status = 201, body = DomainEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_domain(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
    Json(req): Json<DomainRequest>,
) -> ApiResult<(StatusCode, axum::Json<DomainEnvelope>)> {
    let d = s.app.add_domain(&who, TeamId::parse(&team_id)?, &req.domain).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(DomainEnvelope { domain: d.to_string() }),
    ))
}

/// Releases a captured domain.
#[utoipa::path(delete, path = "/api/teams/{teamId}/domains/{domain}", tag = "teams",
    params(("teamId" = String, Path), ("domain" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_domain(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((team_id, domain)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.remove_domain(&who, TeamId::parse(&team_id)?, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The team's OpenID Connect provider (team admins, operators); `null`
/// when its people sign in with passwords.
#[utoipa::path(get, path = "/api/teams/{teamId}/sign-in", tag = "teams",
    params(("teamId" = String, Path)),
    responses((status = 200, body = TeamSignInEnvelope), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_sign_in(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
) -> ApiResult<axum::Json<TeamSignInEnvelope>> {
    let id = TeamId::parse(&team_id)?;
    let current = s.app.team_sign_in(&who, id).await?;
    Ok(axum::Json(TeamSignInEnvelope {
        sign_in: current.map(|c| views::team_sign_in(&s.app.config, id, &c)),
    }))
}

/// Sets the team's OpenID Connect provider (team admins, operators). The
/// issuer must answer OpenID discovery; the client secret is kept encrypted
/// with the server key and never shown again. With `enforce`, members sign
/// in only through the provider (operators keep their password).
#[utoipa::path(put, path = "/api/teams/{teamId}/sign-in", tag = "teams", request_body = TeamSignInRequest,
    params(("teamId" = String, Path)),
    responses((status = 200, body = TeamSignInEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_sign_in(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
    Json(req): Json<TeamSignInRequest>,
) -> ApiResult<axum::Json<TeamSignInEnvelope>> {
    let id = TeamId::parse(&team_id)?;
    let set = crate::oidc::configure(
        &s.app,
        &who,
        id,
        &req.issuer,
        &req.client_id,
        req.client_secret.as_deref(),
        req.enforce,
    )
    .await?;
    Ok(axum::Json(TeamSignInEnvelope {
        sign_in: Some(views::team_sign_in(&s.app.config, id, &set)),
    }))
}

/// Removes the team's provider: its people sign in with passwords again.
#[utoipa::path(delete, path = "/api/teams/{teamId}/sign-in", tag = "teams",
    params(("teamId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_sign_in(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.remove_team_sign_in(&who, TeamId::parse(&team_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The team's partnerships: partner teams it publishes to, and publisher
/// teams it is a partner of.
#[utoipa::path(get, path = "/api/teams/{teamId}/partnerships", tag = "teams",
    params(("teamId" = String, Path)),
    responses((status = 200, body = Partnerships), (status = 404, body = ErrorBody)))]
pub async fn partnerships(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(team_id): Path<String>,
) -> ApiResult<axum::Json<Partnerships>> {
    let id = TeamId::parse(&team_id)?;
    let rows = s.app.partnerships(&who, id).await?;
    let others = rows
        .iter()
        .map(|p| {
            if p.publisher.id == id {
                p.partner.id
            } else {
                p.publisher.id
            }
        })
        .collect();
    let methods: std::collections::HashMap<_, _> = s.app.sign_in_methods(others).await?.into_iter().collect();
    let view = |t: &portico_store::TeamRecord, since| PartnershipView {
        team: TeamRef {
            id: t.id.to_string(),
            name: t.name.clone(),
        },
        since: views::time(since),
        sign_in: if methods.get(&t.id).is_some_and(Option::is_some) {
            "sso"
        } else {
            "password"
        }
        .into(),
    };
    Ok(axum::Json(Partnerships {
        as_publisher: rows
            .iter()
            .filter(|p| p.publisher.id == id)
            .map(|p| view(&p.partner, p.created_at))
            .collect(),
        as_partner: rows
            .iter()
            .filter(|p| p.partner.id == id)
            .map(|p| view(&p.publisher, p.created_at))
            .collect(),
    }))
}
