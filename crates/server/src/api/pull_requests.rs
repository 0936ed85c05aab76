//! Pull requests from a fork into its parent (R-PR-1).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_api_types::ErrorBody;
use portico_app::collections::{PullRequestView, Review};
use portico_domain::Error;
use portico_domain::ids::UserId;
use portico_store::PullRequestRecord;
use serde::Deserialize;
use serde_json::{Value, json};

use super::collections::collection_id;
use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::{AppState, views};

/// A pull request as create, get and update answer it; built by [`summary`]
/// and [`detail`] (the detail adds `source`, `destination`, `reviewers`,
/// `changes`, `conflicts` and `merge`). For the OpenAPI document only.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PullRequestDoc {
    pub id: String,
    pub title: String,
    pub description: String,
    /// `open`, `approved`, `declined` or `merged`.
    pub status: String,
    pub source_id: String,
    pub destination_id: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// Why it was declined.
    pub comment: Option<String>,
    pub href: String,
}

/// The pull requests of a collection. For the OpenAPI document only.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PullRequestListDoc {
    pub data: Vec<PullRequestDoc>,
}

fn summary(p: &PullRequestRecord) -> Value {
    json!({
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "status": p.status,
        "sourceId": p.source_id.to_string(),
        "destinationId": p.destination_id.to_string(),
        "createdBy": p.created_by.to_string(),
        "updatedBy": p.updated_by.to_string(),
        "createdAt": views::time(p.created_at),
        "updatedAt": views::time(p.updated_at),
        "comment": p.decline_comment,
        "href": format!("/api/pull-requests/{}", p.id),
    })
}

fn detail(v: &PullRequestView) -> Value {
    let mut out = summary(&v.record);
    let element = |c: &Option<portico_store::CollectionRecord>, id: String| json!({ "id": id, "name": c.as_ref().map(|c| c.name.clone()), "exists": c.is_some() });
    out["source"] = element(&v.source, v.record.source_id.to_string());
    out["destination"] = element(&v.destination, v.record.destination_id.to_string());
    out["forkType"] = json!("collection");
    out["reviewers"] = v
        .reviewers
        .iter()
        .map(|(u, approved)| json!({ "id": u.to_string(), "status": if *approved { "approved" } else { "pending" } }))
        .collect();
    out["changes"] = serde_json::to_value(&v.changes).unwrap_or_default();
    out["conflicts"] = serde_json::to_value(&v.conflicts).unwrap_or_default();
    out["merge"] = json!({ "status": "inactive" });
    out
}

/// The pull requests into or out of a collection that the caller may see.
#[utoipa::path(get, path = "/api/collections/{collectionId}/pull-requests", tag = "pull requests",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = PullRequestListDoc), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let list = s.app.pull_requests(&who, collection_id(&id)?).await?;
    Ok(axum::Json(
        json!({ "data": list.iter().map(summary).collect::<Vec<_>>() }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreatePullRequest {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// 1 to 50 user ids who may see the destination.
    pub reviewers: Vec<String>,
    /// The parent collection the fork's changes go into.
    pub destination_id: String,
}

/// Opens a pull request from the fork `collectionId` into its parent.
#[utoipa::path(post, path = "/api/collections/{collectionId}/pull-requests", tag = "pull requests",
    params(("collectionId" = String, Path)), request_body = CreatePullRequest,
    responses((status = 200, body = PullRequestDoc), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<CreatePullRequest>,
) -> ApiResult<axum::Json<Value>> {
    let reviewers = user_ids(&body.reviewers)?;
    let v = s
        .app
        .create_pull_request(
            &who,
            collection_id(&id)?,
            collection_id(&body.destination_id)?,
            &body.title,
            &body.description,
            reviewers,
        )
        .await?;
    Ok(axum::Json(detail(&v)))
}

/// One pull request: reviewers, the changes a merge would make
/// (addition / deletion / modification per item) and any conflicts.
#[utoipa::path(get, path = "/api/pull-requests/{pullRequestId}", tag = "pull requests",
    params(("pullRequestId" = String, Path)),
    responses((status = 200, body = PullRequestDoc), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    Ok(axum::Json(detail(&s.app.pull_request(&who, id).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePullRequest {
    pub title: String,
    pub description: Option<String>,
    /// Replaces the reviewers (1 to 50).
    pub reviewers: Vec<String>,
}

fn user_ids(list: &[String]) -> Result<Vec<UserId>, Error> {
    list.iter()
        .map(|r| UserId::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| Error::invalid("invalid_reviewers", "Reviewers are user ids."))
}

/// Changes an open pull request (its author).
#[utoipa::path(put, path = "/api/pull-requests/{pullRequestId}", tag = "pull requests",
    params(("pullRequestId" = String, Path)), request_body = UpdatePullRequest,
    responses((status = 200, body = PullRequestDoc), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<UpdatePullRequest>,
) -> ApiResult<axum::Json<Value>> {
    let reviewers = user_ids(&body.reviewers)?;
    let v = s
        .app
        .update_pull_request(&who, id, &body.title, body.description, reviewers)
        .await?;
    Ok(axum::Json(detail(&v)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// `approve`, `unapprove`, `decline` or `merge`.
    pub action: String,
    /// Why it was declined.
    pub comment: Option<String>,
}

/// Approves, unapproves, declines (final) or merges a pull request.
#[utoipa::path(post, path = "/api/pull-requests/{pullRequestId}/tasks", tag = "pull requests",
    params(("pullRequestId" = String, Path)), request_body = ReviewBody,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn review(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<ReviewBody>,
) -> ApiResult<Response> {
    let action = Review::parse(&body.action)?;
    match s.app.review_pull_request(&who, id, action, body.comment).await? {
        Ok(v) => Ok(axum::Json(json!({
            "id": v.record.id,
            "status": v.record.status,
            "updatedAt": views::time(v.record.updated_at),
            "reviewedBy": { "id": who.id().to_string() },
        }))
        .into_response()),
        Err(blocked) => Ok((
            StatusCode::CONFLICT,
            axum::Json(json!({
                "error": {
                    "name": "merge_conflicts",
                    "message": "The destination changed the same things since the fork's base; pull into the fork and resolve them first.",
                },
                "conflicts": blocked.conflicts,
            })),
        )
            .into_response()),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub body: String,
}

/// The comments on a pull request.
#[utoipa::path(get, path = "/api/pull-requests/{pullRequestId}/comments", tag = "pull requests",
    params(("pullRequestId" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn comments(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Value>> {
    let list = s.app.pull_request_comments(&who, id).await?;
    let data: Vec<Value> = list
        .iter()
        .map(|c| json!({ "id": c.id, "body": c.body, "createdBy": c.author_id.to_string(), "createdAt": views::time(c.created_at) }))
        .collect();
    Ok(axum::Json(json!({ "data": data })))
}

/// Comments on a pull request.
#[utoipa::path(post, path = "/api/pull-requests/{pullRequestId}/comments", tag = "pull requests",
    params(("pullRequestId" = String, Path)), request_body = CommentBody,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn comment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<CommentBody>,
) -> ApiResult<axum::Json<Value>> {
    let c = s.app.comment_on_pull_request(&who, id, body.body).await?;
    Ok(axum::Json(json!({
        "data": { "id": c.id, "body": c.body, "createdBy": c.author_id.to_string(), "createdAt": views::time(c.created_at) }
    })))
}

/// What a team requires before merging a pull request into its collections.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MergeChecksBody {
    /// At least one reviewer approves.
    pub require_approval: bool,
    /// At least one approving reviewer may edit the collection.
    pub require_editor_approval: bool,
}

fn checks_view(c: portico_store::MergeChecks) -> MergeChecksBody {
    MergeChecksBody {
        require_approval: c.require_approval,
        require_editor_approval: c.require_editor_approval,
    }
}

/// The team's merge checks (members).
#[utoipa::path(get, path = "/api/teams/{teamId}/merge-checks", tag = "pull requests",
    params(("teamId" = String, Path)),
    responses((status = 200, body = MergeChecksBody), (status = 404, body = ErrorBody)))]
pub async fn get_merge_checks(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<MergeChecksBody>> {
    let team = portico_domain::ids::TeamId::parse(&id)?;
    Ok(axum::Json(checks_view(s.app.merge_checks(&who, team).await?)))
}

/// Sets the team's merge checks (team admins).
#[utoipa::path(put, path = "/api/teams/{teamId}/merge-checks", tag = "pull requests",
    params(("teamId" = String, Path)), request_body = MergeChecksBody,
    responses((status = 200, body = MergeChecksBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_merge_checks(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<MergeChecksBody>,
) -> ApiResult<axum::Json<MergeChecksBody>> {
    let team = portico_domain::ids::TeamId::parse(&id)?;
    let checks = portico_store::MergeChecks {
        require_approval: body.require_approval,
        require_editor_approval: body.require_editor_approval,
    };
    Ok(axum::Json(checks_view(
        s.app.set_merge_checks(&who, team, checks).await?,
    )))
}
