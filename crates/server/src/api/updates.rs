//! Workspace updates and the Updates tab's unread badge.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_api_types::*;
use portico_app::updates::UpdateDraft;
use portico_domain::Error;
use portico_domain::ids::WorkspaceId;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Query};
use crate::{AppState, views};

fn draft(r: UpdateRequest) -> UpdateDraft {
    UpdateDraft {
        topic: r.topic,
        description: r.description,
        category: r.category,
        related: r
            .related_resources
            .map(|l| l.into_iter().map(|x| (x.resource, x.resource_id)).collect()),
        is_pinned: r.is_pinned,
        element_changes: r.element_changes,
    }
}

fn update_id(s: &str) -> Result<i64, Error> {
    s.parse().map_err(|_| Error::not_found("update"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpdateParams {
    /// Only this category.
    pub category: Option<String>,
    pub cursor: Option<String>,
    /// Page size, at most 100.
    pub limit: Option<u32>,
}

/// The workspace's updates: pinned first, then newest first.
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/updates", tag = "workspaces",
    params(("workspaceId" = String, Path), UpdateParams),
    responses((status = 200, body = UpdateList), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_updates(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(ws): Path<String>,
    Query(q): Query<UpdateParams>,
) -> ApiResult<axum::Json<UpdateList>> {
    let page = s
        .app
        .list_updates(&who, WorkspaceId::parse(&ws)?, q.category, q.cursor.as_deref(), q.limit)
        .await?;
    Ok(axum::Json(UpdateList {
        data: page.items.iter().map(views::update).collect(),
        meta: PageMeta {
            next_cursor: page.next_cursor,
            limit: portico_app::pagination::page_size(q.limit),
        },
    }))
}

/// Posts an update (workspace admins and editors; partner editors outside
/// multi-partner mode). `relatedResources` must be elements of the workspace.
#[utoipa::path(post, path = "/api/workspaces/{workspaceId}/updates", tag = "workspaces", request_body = UpdateRequest,
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = UpdateView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn post_update(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(ws): Path<String>,
    Json(req): Json<UpdateRequest>,
) -> ApiResult<axum::Json<UpdateView>> {
    let u = s.app.post_update(&who, WorkspaceId::parse(&ws)?, draft(req)).await?;
    Ok(axum::Json(views::update(&u)))
}

/// One update.
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/updates/{updateId}", tag = "workspaces",
    params(("workspaceId" = String, Path), ("updateId" = String, Path)),
    responses((status = 200, body = UpdateView), (status = 404, body = ErrorBody)))]
pub async fn get_update(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
) -> ApiResult<axum::Json<UpdateView>> {
    let u = s.app.update(&who, WorkspaceId::parse(&ws)?, update_id(&id)?).await?;
    Ok(axum::Json(views::update(&u)))
}

/// Edits, pins or unpins an update.
#[utoipa::path(patch, path = "/api/workspaces/{workspaceId}/updates/{updateId}", tag = "workspaces", request_body = UpdateRequest,
    params(("workspaceId" = String, Path), ("updateId" = String, Path)),
    responses((status = 200, body = UpdateView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn edit_update(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
    Json(req): Json<UpdateRequest>,
) -> ApiResult<axum::Json<UpdateView>> {
    let u = s
        .app
        .edit_update(&who, WorkspaceId::parse(&ws)?, update_id(&id)?, draft(req))
        .await?;
    Ok(axum::Json(views::update(&u)))
}

/// Deletes an update.
#[utoipa::path(delete, path = "/api/workspaces/{workspaceId}/updates/{updateId}", tag = "workspaces",
    params(("workspaceId" = String, Path), ("updateId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_update(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app
        .delete_update(&who, WorkspaceId::parse(&ws)?, update_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller opened the Updates tab: their unread count goes to zero.
#[utoipa::path(post, path = "/api/workspaces/{workspaceId}/updates/seen", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_seen(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(ws): Path<String>,
) -> ApiResult<StatusCode> {
    s.app.mark_updates_seen(&who, WorkspaceId::parse(&ws)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn comment_id(s: &str) -> Result<i64, Error> {
    s.parse().map_err(|_| Error::not_found("comment"))
}

/// Comments and replies of an update, oldest first.
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/updates/{updateId}/comments", tag = "workspaces",
    params(("workspaceId" = String, Path), ("updateId" = String, Path)),
    responses((status = 200, body = CommentList), (status = 404, body = ErrorBody)))]
pub async fn list_comments(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
) -> ApiResult<axum::Json<CommentList>> {
    let list = s
        .app
        .list_comments(&who, WorkspaceId::parse(&ws)?, update_id(&id)?)
        .await?;
    Ok(axum::Json(CommentList {
        data: list.iter().map(views::comment).collect(),
    }))
}

/// Comments on an update, or replies to a comment (`parentId`, one level).
/// Turned off in multi-partner workspaces (`409 comments_disabled_multi_partner`).
#[utoipa::path(post, path = "/api/workspaces/{workspaceId}/updates/{updateId}/comments", tag = "workspaces",
    request_body = CommentRequest,
    params(("workspaceId" = String, Path), ("updateId" = String, Path)),
    responses((status = 201, body = CommentView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn post_comment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
    Json(req): Json<CommentRequest>,
) -> ApiResult<(StatusCode, axum::Json<CommentView>)> {
    let c = s
        .app
        .post_comment(
            &who,
            WorkspaceId::parse(&ws)?,
            update_id(&id)?,
            &req.body,
            req.parent_id,
            crate::api::element_comments::mentions_of(&req.tags)?,
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(views::comment(&c))))
}

/// Edits one's own comment.
#[utoipa::path(patch, path = "/api/workspaces/{workspaceId}/updates/{updateId}/comments/{commentId}", tag = "workspaces",
    request_body = CommentRequest,
    params(("workspaceId" = String, Path), ("updateId" = String, Path), ("commentId" = String, Path)),
    responses((status = 200, body = CommentView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn edit_comment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id, cid)): Path<(String, String, String)>,
    Json(req): Json<CommentRequest>,
) -> ApiResult<axum::Json<CommentView>> {
    let c = s
        .app
        .edit_comment(
            &who,
            WorkspaceId::parse(&ws)?,
            update_id(&id)?,
            comment_id(&cid)?,
            &req.body,
        )
        .await?;
    Ok(axum::Json(views::comment(&c)))
}

/// Deletes one's own comment (workspace admins: anyone's), with its replies.
#[utoipa::path(delete, path = "/api/workspaces/{workspaceId}/updates/{updateId}/comments/{commentId}", tag = "workspaces",
    params(("workspaceId" = String, Path), ("updateId" = String, Path), ("commentId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_comment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id, cid)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    s.app
        .delete_comment(&who, WorkspaceId::parse(&ws)?, update_id(&id)?, comment_id(&cid)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
