//! Environments: variables of a workspace, `default` or `secret`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use portico_api_types::*;
use portico_domain::Error;
use portico_domain::ids::{EnvironmentId, WorkspaceId};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{BaseRevision, Caller, CollectionJson, Query};
use crate::{AppState, views};

pub(crate) fn environment_id(s: &str) -> Result<EnvironmentId, Error> {
    EnvironmentId::parse(s).map_err(|_| Error::not_found("environment"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only the environments of this workspace.
    pub workspace: Option<String>,
}

/// The environments of a workspace, or of every workspace the caller sees.
#[utoipa::path(get, path = "/api/environments", tag = "environments", params(ListParams),
    responses((status = 200, body = EnvironmentList)))]
pub async fn list_environments(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<ListParams>,
) -> ApiResult<axum::Json<EnvironmentList>> {
    let list = match q.workspace.as_deref().map(WorkspaceId::parse) {
        Some(Err(_)) => Vec::new(),
        Some(Ok(ws)) => s.app.list_environments(&who, Some(ws)).await?,
        None => s.app.list_environments(&who, None).await?,
    };
    Ok(axum::Json(EnvironmentList {
        environments: list.iter().map(views::environment_info).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreateParams {
    /// The workspace to create the environment in.
    pub workspace: String,
}

/// Creates an environment from `{"environment": {name, values}}` or an
/// exported environment file.
#[utoipa::path(post, path = "/api/environments", tag = "environments", params(CreateParams),
    request_body(content = Object, description = "{\"environment\": {\"name\", \"values\": [{key, value, type, enabled}]}}"),
    responses((status = 200, body = EnvironmentSavedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<CreateParams>,
    CollectionJson(body): CollectionJson,
) -> ApiResult<axum::Json<EnvironmentSavedView>> {
    let ws = WorkspaceId::parse(&q.workspace).map_err(|_| Error::not_found("workspace"))?;
    let saved = s.app.create_environment(&who, ws, body).await?;
    Ok(axum::Json(views::environment_saved(&saved)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetParams {
    /// `true`: the platform's environment file, as a download (asks for the
    /// export right).
    pub download: Option<bool>,
}

/// One environment with its variables; secret values are empty for callers
/// who may not edit it. The `ETag` is its revision.
#[utoipa::path(get, path = "/api/environments/{environmentId}", tag = "environments",
    params(("environmentId" = String, Path), GetParams),
    responses((status = 200, body = EnvironmentDocument), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<GetParams>,
) -> ApiResult<Response> {
    let download = q.download.unwrap_or(false);
    let v = s.app.environment(&who, environment_id(&id)?, download).await?;
    let mut headers = HeaderMap::new();
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{}\"", v.record.revision)) {
        headers.insert(header::ETAG, tag);
    }
    if download {
        let file: String = v
            .record
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        if let Ok(d) = HeaderValue::from_str(&format!("attachment; filename=\"{file}.postman_environment.json\"")) {
            headers.insert(header::CONTENT_DISPOSITION, d);
        }
        let at = views::time(portico_app::now());
        let body = v.content.export_file(&v.record.id.to_string(), &at, v.can_edit);
        return Ok((headers, axum::Json(body)).into_response());
    }
    let doc = EnvironmentDocument {
        environment: EnvironmentDetail {
            info: views::environment_info(&v.record),
            values: v.content.visible_values(v.can_edit),
        },
    };
    Ok((headers, axum::Json(doc)).into_response())
}

/// Replaces an environment's name and variables.
#[utoipa::path(put, path = "/api/environments/{environmentId}", tag = "environments",
    params(("environmentId" = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
    request_body(content = Object),
    responses((status = 200, body = EnvironmentSavedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn put_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    BaseRevision(base): BaseRevision,
    CollectionJson(body): CollectionJson,
) -> ApiResult<axum::Json<EnvironmentSavedView>> {
    let saved = s
        .app
        .replace_environment(&who, environment_id(&id)?, body, base)
        .await?;
    Ok(axum::Json(views::environment_saved(&saved)))
}

/// Changes an environment with JSON Patch operations: `replace /name`,
/// `add /values/-`, `replace /values/N[/field]`, `remove /values/N`.
#[utoipa::path(patch, path = "/api/environments/{environmentId}", tag = "environments",
    params(("environmentId" = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
    request_body(content = Vec<Object>),
    responses((status = 200, body = EnvironmentSavedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn patch_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    BaseRevision(base): BaseRevision,
    CollectionJson(body): CollectionJson,
) -> ApiResult<axum::Json<EnvironmentSavedView>> {
    let saved = s.app.patch_environment(&who, environment_id(&id)?, body, base).await?;
    Ok(axum::Json(views::environment_saved(&saved)))
}

/// Deletes an environment.
#[utoipa::path(delete, path = "/api/environments/{environmentId}", tag = "environments",
    params(("environmentId" = String, Path)),
    responses((status = 200, body = EnvironmentDeleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<EnvironmentDeleted>> {
    let e = s.app.delete_environment(&who, environment_id(&id)?).await?;
    Ok(axum::Json(EnvironmentDeleted {
        environment: CollectionDeletedRef {
            id: e.id.to_string(),
            uid: views::environment_uid(&e),
        },
    }))
}
