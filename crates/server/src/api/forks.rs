//! Forks and pulls of collections (R-FORK-1..3).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_api_types::*;
use portico_app::collections::ForkList as Forks;
use portico_domain::Error;
use portico_domain::collection::{ConflictKey, Resolutions, Side};
use portico_domain::ids::WorkspaceId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::collections::{collection_id, etag};
use crate::error::{ApiError, ApiResult};
use crate::extract::{BaseRevision, Caller, Json, Query, parse_json};
use crate::{AppState, views};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForkParams {
    /// The workspace to create the fork in.
    pub workspace: String,
}

/// Forks a collection into a workspace where the caller is editor (R-FORK-1).
#[utoipa::path(post, path = "/api/collections/fork/{collectionId}", tag = "forks",
    params(("collectionId" = String, Path), ForkParams), request_body = CreateFork,
    responses((status = 200, body = ForkCreated), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn create_fork(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<ForkParams>,
    Json(body): Json<CreateFork>,
) -> ApiResult<(HeaderMap, axum::Json<ForkCreated>)> {
    let ws = WorkspaceId::parse(&q.workspace).map_err(|_| Error::not_found("workspace"))?;
    let environments = body
        .environments
        .iter()
        .map(|e| environment_ref(e))
        .collect::<Result<Vec<_>, _>>()?;
    let (c, fork, envs) = s
        .app
        .fork_collection_with(&who, collection_id(&id)?, ws, &body.label, environments)
        .await?;
    Ok((
        etag(c.revision),
        axum::Json(ForkCreated {
            collection: ForkedCollection {
                id: c.id.to_string(),
                name: c.name.clone(),
                uid: views::collection_uid(&c),
                fork: ForkInfo {
                    label: fork.label,
                    created_at: views::time(fork.created_at),
                    from: fork.parent_id.to_string(),
                },
                revision: c.revision,
                environments: envs.iter().map(|e| e.id.to_string()).collect(),
            },
        }),
    ))
}

fn fork_list(list: Forks) -> ForkList {
    let data: Vec<ForkEntry> = list
        .forks
        .into_iter()
        .map(|f| ForkEntry {
            fork_id: f.collection.id.to_string(),
            fork_name: f.collection.name.clone(),
            fork_label: f.fork.label,
            created_at: views::time(f.fork.created_at),
            created_by: f.fork.created_by.to_string(),
            source_id: f.fork.parent_id.to_string(),
            workspace_id: f.collection.workspace_id.to_string(),
        })
        .collect();
    ForkList {
        meta: ForkListMeta {
            total: data.len(),
            inaccessible_forks: list.hidden,
            next_cursor: None,
        },
        data,
    }
}

/// The forks of a collection that the caller may see (R-FORK-2; filtered in
/// multi-partner mode, R-MULTI-3).
#[utoipa::path(get, path = "/api/collections/{collectionId}/forks", tag = "forks",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = ForkList), (status = 404, body = ErrorBody)))]
pub async fn list_forks(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<ForkList>> {
    let list = s.app.collection_forks(&who, collection_id(&id)?).await?;
    Ok(axum::Json(fork_list(list)))
}

/// The forks the caller made.
#[utoipa::path(get, path = "/api/collections/collection-forks", tag = "forks",
    responses((status = 200, body = ForkList)))]
pub async fn my_forks(State(s): State<AppState>, Caller(who): Caller) -> ApiResult<axum::Json<ForkList>> {
    Ok(axum::Json(fork_list(s.app.my_collection_forks(&who).await?)))
}

/// Whether the fork's source changed since the fork was made or last pulled.
#[utoipa::path(get, path = "/api/collections/{collectionId}/source-status", tag = "forks",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = SourceStatus), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn source_status(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<SourceStatus>> {
    let (fork, ahead) = s.app.source_status(&who, collection_id(&id)?).await?;
    let entry = SourceStatusEntry {
        is_source_ahead: ahead,
        source_id: fork.parent_id.to_string(),
        base_revision: fork.base_revision,
    };
    let mut collection = serde_json::Map::new();
    collection.insert(
        fork.collection_id.to_string(),
        serde_json::to_value(entry).map_err(|_| Error::internal())?,
    );
    Ok(axum::Json(SourceStatus { collection }))
}

/// Pulls the source's changes into a fork (R-FORK-3). Unresolved conflicts
/// answer `409 pull_conflicts` with each conflict's three values, and
/// nothing changes; send them back resolved with `source` or `destination`.
#[utoipa::path(put, path = "/api/collections/{collectionId}/pulls", tag = "forks",
    params(("collectionId" = String, Path), ("If-Match" = Option<String>, Header, description = "The fork revision the pull is based on")),
    request_body(content = PullRequestBody, description = "Optional: resolutions of the conflicts of an earlier answer"),
    responses((status = 200, body = PullDone), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = PullConflicts)))]
pub async fn pull(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    BaseRevision(base): BaseRevision,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    // Resolutions are Portico's addition to the reference API's call.
    let body: PullRequestBody = optional_body(&body)?;
    let mut resolutions = Resolutions::new();
    for r in body.resolutions {
        let side = side(&r.side)?;
        resolutions.extend([(
            ConflictKey {
                uid: r.uid,
                path: r.path,
            },
            side,
        )]);
    }
    let outcome = s
        .app
        .pull_collection(&who, collection_id(&id)?, resolutions, base)
        .await?;
    if !outcome.conflicts.is_empty() {
        let conflicts = outcome
            .conflicts
            .iter()
            .map(|c| serde_json::to_value(c).unwrap_or_default())
            .collect();
        let body = PullConflicts {
            error: serde_json::json!({
                "name": "pull_conflicts",
                "message": "The source and the fork changed the same things differently; resolve each conflict with `source` or `destination`.",
            }),
            conflicts,
        };
        return Ok((StatusCode::CONFLICT, axum::Json(body)).into_response());
    }
    let changes = outcome
        .changes
        .iter()
        .map(|c| serde_json::to_value(c).unwrap_or_default())
        .collect();
    let done = PullDone {
        collection: PullRef {
            destination_id: outcome.fork.id.to_string(),
            source_id: outcome.parent_id.to_string(),
            revision: outcome.fork.revision,
        },
        changes,
    };
    Ok((etag(outcome.fork.revision), axum::Json(done)).into_response())
}

/// An id, or a uid (`{owner}-{id}`, the owner a 36-character id) as the
/// reference API writes it.
fn id_or_uid<T>(s: &str, parse: impl Fn(&str) -> Result<T, Error>) -> Result<T, Error> {
    parse(s).or_else(|e| {
        s.char_indices()
            .filter(|&(i, c)| c == '-' && i == 36)
            .find_map(|(i, _)| parse(&s[i + 1..]).ok())
            .ok_or(e)
    })
}

fn collection_ref(s: &str) -> Result<portico_domain::ids::CollectionId, Error> {
    id_or_uid(s, collection_id)
}

/// A resolution's side.
fn side(s: &str) -> Result<Side, ApiError> {
    match s {
        "source" => Ok(Side::Source),
        "destination" => Ok(Side::Destination),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_resolution",
            "A resolution's side is `source` or `destination`.",
        )),
    }
}

/// A JSON body that may be left out (the reference API sends none).
fn optional_body<T: Default + serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(body)
    }
}

/// Merges a fork into its parent (R-FORK-4), answering the task it ran as.
#[utoipa::path(put, path = "/api/collection-merges", tag = "forks", request_body = MergeBody,
    responses((status = 200, body = MergeStarted), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn merge(
    State(s): State<AppState>,
    Caller(who): Caller,
    Json(body): Json<MergeBody>,
) -> ApiResult<axum::Json<MergeStarted>> {
    let strategy = portico_app::collections::MergeStrategy::parse(&body.strategy)?;
    let task = s
        .app
        .merge_fork(
            &who,
            collection_ref(&body.source)?,
            collection_ref(&body.destination)?,
            strategy,
        )
        .await?;
    Ok(axum::Json(MergeStarted {
        task: MergeTaskRef {
            id: task.id,
            status: task.status,
        },
    }))
}

/// The state of one of the caller's merge tasks.
#[utoipa::path(get, path = "/api/collection-merges-tasks/{taskId}", tag = "forks",
    params(("taskId" = String, Path)),
    responses((status = 200, body = MergeTaskStatus), (status = 404, body = ErrorBody)))]
pub async fn merge_task(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<MergeTaskStatus>> {
    let task = s.app.merge_task(&who, id).await?;
    let details = match &task.error {
        Some(message) => serde_json::json!({ "error": { "message": message } }),
        None => serde_json::json!({}),
    };
    Ok(axum::Json(MergeTaskStatus {
        id: task.id,
        status: task.status,
        details,
    }))
}

// Environments ------------------------------------------------------------

/// `POST /environments/{id}/forks`: the fork's name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentForkBody {
    pub fork_name: String,
}

fn environment_ref(s: &str) -> Result<portico_domain::ids::EnvironmentId, Error> {
    id_or_uid(s, super::environments::environment_id)
}

/// The fork made by `POST /environments/{id}/forks`. For the OpenAPI
/// document only.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EnvironmentForkDoc {
    pub environment: ForkedEnvironmentDoc,
}

/// The new environment: its id, uid, name and fork label.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ForkedEnvironmentDoc {
    pub id: String,
    pub uid: String,
    pub name: String,
    pub fork_name: String,
}

/// Forks an environment into a workspace (R-FORK-1). Secret values stay
/// behind unless the caller may edit the environment.
#[utoipa::path(post, path = "/api/environments/{environmentId}/forks", tag = "forks",
    params(("environmentId" = String, Path), ForkParams), request_body = EnvironmentForkBody,
    responses((status = 200, body = EnvironmentForkDoc), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn fork_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<ForkParams>,
    Json(body): Json<EnvironmentForkBody>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let ws = WorkspaceId::parse(&q.workspace).map_err(|_| Error::not_found("workspace"))?;
    let (saved, fork) = s
        .app
        .fork_environment(&who, environment_ref(&id)?, ws, &body.fork_name)
        .await?;
    Ok(axum::Json(serde_json::json!({
        "environment": {
            "id": saved.record.id.to_string(),
            "uid": views::environment_uid(&saved.record),
            "name": saved.record.name,
            "forkName": fork.label,
        }
    })))
}

/// The forks of an environment that the caller may see.
#[utoipa::path(get, path = "/api/environments/{environmentId}/forks", tag = "forks",
    params(("environmentId" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn list_environment_forks(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<serde_json::Value>> {
    let list = s.app.environment_forks(&who, environment_ref(&id)?).await?;
    let data: Vec<serde_json::Value> = list
        .forks
        .iter()
        .map(|(f, e)| {
            serde_json::json!({
                "forkId": views::environment_uid(e),
                "forkName": f.label,
                "createdAt": views::time(f.created_at),
                "createdBy": f.created_by.to_string(),
                "updatedAt": views::time(e.updated_at),
                "workspaceId": e.workspace_id.to_string(),
            })
        })
        .collect();
    Ok(axum::Json(serde_json::json!({
        "data": data,
        "meta": {"total": list.forks.len(), "inaccessibleForks": list.hidden, "nextCursor": null},
    })))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentPullBody {
    /// The parent's uid, as the reference API sends it. Accepted and not
    /// needed: a fork always pulls from its own parent.
    pub source: Option<String>,
    /// Per variable key: `source` or `destination`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub resolutions: std::collections::HashMap<String, String>,
}

fn environment_conflicts(conflicts: &[portico_domain::environment::VariableConflict]) -> Response {
    let body = serde_json::json!({
        "error": {
            "name": "merge_conflicts",
            "message": "The same variables changed differently on both sides; resolve each with `source` or `destination`.",
        },
        "conflicts": conflicts,
    });
    (StatusCode::CONFLICT, axum::Json(body)).into_response()
}

/// Pulls the parent's variables into a forked environment (R-FORK-3).
#[utoipa::path(post, path = "/api/environments/{environmentId}/pulls", tag = "forks",
    params(("environmentId" = String, Path)), request_body = EnvironmentPullBody,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = Object)))]
pub async fn pull_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let body: EnvironmentPullBody = optional_body(&body)?;
    let mut choose = std::collections::HashMap::new();
    for (key, chosen) in body.resolutions {
        choose.insert(key, side(&chosen)?);
    }
    let id = environment_ref(&id)?;
    let outcome = s.app.pull_environment(&who, id, choose).await?;
    match outcome.saved {
        Some(saved) => Ok(axum::Json(serde_json::json!({
            "environment": {"uid": views::environment_uid(&saved.record), "revision": saved.record.revision}
        }))
        .into_response()),
        None => Ok(environment_conflicts(&outcome.conflicts)),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvironmentMergeBody {
    /// The fork to merge (id or uid).
    pub source: String,
    #[serde(default)]
    pub delete_source: bool,
}

/// Merges a forked environment into its parent (R-FORK-4).
#[utoipa::path(post, path = "/api/environments/{environmentId}/merges", tag = "forks",
    params(("environmentId" = String, Path)), request_body = EnvironmentMergeBody,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = Object)))]
pub async fn merge_environment(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<EnvironmentMergeBody>,
) -> ApiResult<Response> {
    let outcome = s
        .app
        .merge_environment(
            &who,
            environment_ref(&id)?,
            environment_ref(&body.source)?,
            body.delete_source,
        )
        .await?;
    match outcome.saved {
        Some(saved) => Ok(axum::Json(serde_json::json!({
            "environment": {"uid": views::environment_uid(&saved.record), "revision": saved.record.revision}
        }))
        .into_response()),
        None => Ok(environment_conflicts(&outcome.conflicts)),
    }
}
