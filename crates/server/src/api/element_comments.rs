//! Comments on collections, folders, requests and responses, in threads.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_api_types::*;
use portico_app::collections::{CommentTarget, ElementCommentDraft};
use portico_domain::Error;
use portico_domain::collection::NodeKind;
use portico_domain::ids::{CollectionId, UserId};

use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::{AppState, views};

fn target(kind: NodeKind, collection: &str, element: Option<&str>) -> Result<CommentTarget, Error> {
    let collection = CollectionId::parse(collection).map_err(|_| Error::not_found("collection"))?;
    Ok(CommentTarget {
        collection,
        kind,
        element: element.map_or_else(|| collection.to_string(), str::to_owned),
    })
}

fn comment_id(s: &str) -> Result<i64, Error> {
    s.parse().map_err(|_| Error::not_found("comment"))
}

/// The people a comment's `tags` name.
pub fn mentions_of(tags: &std::collections::BTreeMap<String, CommentTag>) -> Result<Vec<UserId>, Error> {
    if tags.len() > 50 {
        return Err(Error::invalid("invalid_tag", "Tag at most 50 people in one comment."));
    }
    tags.iter()
        .map(|(name, tag)| {
            if tag.kind != "user" {
                return Err(Error::invalid(
                    "invalid_tag",
                    format!("The tag {name} must have the type user."),
                ));
            }
            UserId::parse(&tag.id).map_err(|_| Error::invalid("invalid_tag", format!("No user {}.", tag.id)))
        })
        .collect()
}

fn draft(r: ElementCommentRequest) -> Result<ElementCommentDraft, Error> {
    let mentions = mentions_of(&r.tags)?;
    let resolved = match r.status.as_deref() {
        None => None,
        Some("Resolved") => Some(true),
        Some("Open") => Some(false),
        Some(other) => {
            return Err(Error::invalid(
                "invalid_status",
                format!("Unknown status '{other}'. Use Resolved or Open."),
            ));
        }
    };
    Ok(ElementCommentDraft {
        body: r.body,
        thread_id: r.thread_id,
        resolved,
        mentions,
    })
}

async fn list(s: AppState, who: portico_app::Principal, t: CommentTarget) -> ApiResult<axum::Json<ElementCommentList>> {
    let all = s.app.element_comments(&who, t).await?;
    let data = all
        .iter()
        .map(|c| {
            let root = c.thread_id.and_then(|t| all.iter().find(|r| r.id == t));
            views::element_comment(c, root)
        })
        .collect();
    Ok(axum::Json(ElementCommentList { data }))
}

async fn post(
    s: AppState,
    who: portico_app::Principal,
    t: CommentTarget,
    req: ElementCommentRequest,
) -> ApiResult<(StatusCode, axum::Json<ElementCommentEnvelope>)> {
    let c = s.app.post_element_comment(&who, t, draft(req)?).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ElementCommentEnvelope {
            data: views::element_comment(&c, None),
        }),
    ))
}

async fn put(
    s: AppState,
    who: portico_app::Principal,
    t: CommentTarget,
    id: &str,
    req: ElementCommentRequest,
) -> ApiResult<axum::Json<ElementCommentEnvelope>> {
    let c = s
        .app
        .edit_element_comment(&who, t, comment_id(id)?, draft(req)?)
        .await?;
    Ok(axum::Json(ElementCommentEnvelope {
        data: views::element_comment(&c, None),
    }))
}

async fn delete(s: AppState, who: portico_app::Principal, t: CommentTarget, id: &str) -> ApiResult<StatusCode> {
    s.app.delete_element_comment(&who, t, comment_id(id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Comments on the collection itself, oldest first.
#[utoipa::path(get, path = "/api/collections/{collectionId}/comments", tag = "comments",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = ElementCommentList), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn list_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(c): Path<String>,
) -> ApiResult<axum::Json<ElementCommentList>> {
    list(s, who, target(NodeKind::Collection, &c, None)?).await
}

/// Comments on the collection; `threadId` replies in a thread, `tags`
/// notify the people named.
#[utoipa::path(post, path = "/api/collections/{collectionId}/comments", tag = "comments",
    params(("collectionId" = String, Path)), request_body = ElementCommentRequest,
    responses((status = 201, body = ElementCommentEnvelope), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn post_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(c): Path<String>,
    Json(req): Json<ElementCommentRequest>,
) -> ApiResult<(StatusCode, axum::Json<ElementCommentEnvelope>)> {
    post(s, who, target(NodeKind::Collection, &c, None)?, req).await
}

/// Edits one's comment, or resolves (`status`) its thread.
#[utoipa::path(put, path = "/api/collections/{collectionId}/comments/{commentId}", tag = "comments",
    params(("collectionId" = String, Path), ("commentId" = String, Path)), request_body = ElementCommentRequest,
    responses((status = 200, body = ElementCommentEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn put_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((c, id)): Path<(String, String)>,
    Json(req): Json<ElementCommentRequest>,
) -> ApiResult<axum::Json<ElementCommentEnvelope>> {
    put(s, who, target(NodeKind::Collection, &c, None)?, &id, req).await
}

/// Deletes a comment (a thread's first comment deletes the thread).
#[utoipa::path(delete, path = "/api/collections/{collectionId}/comments/{commentId}", tag = "comments",
    params(("collectionId" = String, Path), ("commentId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((c, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    delete(s, who, target(NodeKind::Collection, &c, None)?, &id).await
}

macro_rules! element_comment_routes {
    ($kind:expr, $list:literal, $one:literal, $idname:literal, $l:ident, $p:ident, $u:ident, $d:ident) => {
        /// Comments on an element, oldest first.
        #[utoipa::path(get, path = $list, tag = "comments",
            params(("collectionId" = String, Path), ($idname = String, Path)),
            responses((status = 200, body = ElementCommentList), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $l(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path((c, e)): Path<(String, String)>,
        ) -> ApiResult<axum::Json<ElementCommentList>> {
            list(s, who, target($kind, &c, Some(&e))?).await
        }

        /// Comments on an element; `threadId` replies in a thread.
        #[utoipa::path(post, path = $list, tag = "comments",
            params(("collectionId" = String, Path), ($idname = String, Path)), request_body = ElementCommentRequest,
            responses((status = 201, body = ElementCommentEnvelope), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $p(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path((c, e)): Path<(String, String)>,
            Json(req): Json<ElementCommentRequest>,
        ) -> ApiResult<(StatusCode, axum::Json<ElementCommentEnvelope>)> {
            post(s, who, target($kind, &c, Some(&e))?, req).await
        }

        /// Edits one's comment, or resolves (`status`) its thread.
        #[utoipa::path(put, path = $one, tag = "comments",
            params(("collectionId" = String, Path), ($idname = String, Path), ("commentId" = String, Path)), request_body = ElementCommentRequest,
            responses((status = 200, body = ElementCommentEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $u(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path((c, e, id)): Path<(String, String, String)>,
            Json(req): Json<ElementCommentRequest>,
        ) -> ApiResult<axum::Json<ElementCommentEnvelope>> {
            put(s, who, target($kind, &c, Some(&e))?, &id, req).await
        }

        /// Deletes a comment (a thread's first comment deletes the thread).
        #[utoipa::path(delete, path = $one, tag = "comments",
            params(("collectionId" = String, Path), ($idname = String, Path), ("commentId" = String, Path)),
            responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $d(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path((c, e, id)): Path<(String, String, String)>,
        ) -> ApiResult<StatusCode> {
            delete(s, who, target($kind, &c, Some(&e))?, &id).await
        }
    };
}

element_comment_routes!(
    NodeKind::Folder,
    "/api/collections/{collectionId}/folders/{folderId}/comments",
    "/api/collections/{collectionId}/folders/{folderId}/comments/{commentId}",
    "folderId",
    list_folder,
    post_folder,
    put_folder,
    delete_folder
);
element_comment_routes!(
    NodeKind::Request,
    "/api/collections/{collectionId}/requests/{requestId}/comments",
    "/api/collections/{collectionId}/requests/{requestId}/comments/{commentId}",
    "requestId",
    list_request,
    post_request,
    put_request,
    delete_request
);
element_comment_routes!(
    NodeKind::Response,
    "/api/collections/{collectionId}/responses/{responseId}/comments",
    "/api/collections/{collectionId}/responses/{responseId}/comments/{commentId}",
    "responseId",
    list_response,
    post_response,
    put_response,
    delete_response
);
