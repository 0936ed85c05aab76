//! Collection runs (issue 11): run a collection with an environment, and
//! read one's own runs.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_api_types::*;

use super::collections::collection_id;
use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::runs::{RunRequest, run_collection};
use crate::{AppState, views};

/// Runs a collection now, on the server, against an environment the caller
/// may see (anyone who may see the collection, partners included). Requests
/// to loopback, private and link-local addresses are refused unless the
/// operator allows them; secret values of an environment the caller may not
/// edit are left empty. At most 10 iterations, 1,000 requests, 30 s per
/// request and 5 minutes per run. The run is kept in the caller's history.
#[utoipa::path(post, path = "/api/collections/{collectionId}/runs", tag = "runs",
    params(("collectionId" = String, Path)), request_body = StartRun,
    responses((status = 201, body = RunEnvelope), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn start_run(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(body): Json<StartRun>,
) -> ApiResult<(StatusCode, axum::Json<RunEnvelope>)> {
    let id = collection_id(&id)?;
    let run = run_collection(
        &s.app,
        &who,
        id,
        RunRequest {
            environment: body.environment_id,
            iteration_count: body.iteration_count,
            folders: body.folders,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(RunEnvelope {
            run: views::run(&run, true),
        }),
    ))
}

/// The caller's own runs of a collection, newest first (at most 50 are
/// kept). Nobody sees another person's runs.
#[utoipa::path(get, path = "/api/collections/{collectionId}/runs", tag = "runs",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = RunList), (status = 404, body = ErrorBody)))]
pub async fn list_runs(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RunList>> {
    let runs = s.app.runs(&who, collection_id(&id)?).await?;
    Ok(axum::Json(RunList {
        runs: runs.iter().map(|r| views::run(r, false)).collect(),
    }))
}

/// One of the caller's runs with its report.
#[utoipa::path(get, path = "/api/runs/{runId}", tag = "runs",
    params(("runId" = String, Path)),
    responses((status = 200, body = RunEnvelope), (status = 404, body = ErrorBody)))]
pub async fn get_run(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RunEnvelope>> {
    let run = s.app.run(&who, &id).await?;
    Ok(axum::Json(RunEnvelope {
        run: views::run(&run, true),
    }))
}
