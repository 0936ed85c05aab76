//! Outgoing webhooks of internal workspaces (R-ISO-7).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use portico_api_types::*;
use portico_domain::ids::WorkspaceId;
use portico_store::{DeliveryRecord, IntegrationRecord};

use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::{AppState, views};

fn view(i: &IntegrationRecord, with_secret: bool) -> IntegrationView {
    IntegrationView {
        id: i.id.clone(),
        name: i.name.clone(),
        url: i.url.clone(),
        events: serde_json::from_str(&i.events).unwrap_or_default(),
        created_by: i.created_by.to_string(),
        created_at: views::time(i.created_at),
        secret: with_secret.then(|| i.secret.clone()),
    }
}

fn delivery(d: &DeliveryRecord) -> DeliveryView {
    DeliveryView {
        id: d.id,
        event: d.event.clone(),
        status: d.status.clone(),
        attempts: d.attempts,
        response_status: d.response_status,
        last_error: d.last_error.clone(),
        created_at: views::time(d.created_at),
        delivered_at: d.delivered_at.map(views::time),
        next_attempt_at: (d.status == "pending").then(|| views::time(d.next_attempt_at)),
    }
}

/// The workspace's webhooks (workspace admins).
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/integrations", tag = "workspaces",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = IntegrationList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(ws): Path<String>,
) -> ApiResult<axum::Json<IntegrationList>> {
    let list = s.app.list_integrations(&who, WorkspaceId::parse(&ws)?).await?;
    Ok(axum::Json(IntegrationList {
        integrations: list.iter().map(|i| view(i, false)).collect(),
    }))
}

/// Adds a webhook. Deliveries are JSON `POST`s signed in
/// `X-Portico-Signature: sha256=HMAC(secret, "{X-Portico-Timestamp}.{body}")`.
/// Partner Workspaces answer `409 integrations_unavailable_in_partner_workspace`.
#[utoipa::path(post, path = "/api/workspaces/{workspaceId}/integrations", tag = "workspaces",
    params(("workspaceId" = String, Path)), request_body = IntegrationRequest,
    responses((status = 201, body = IntegrationCreated), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(ws): Path<String>,
    Json(req): Json<IntegrationRequest>,
) -> ApiResult<(StatusCode, axum::Json<IntegrationCreated>)> {
    let i = s
        .app
        .create_integration(&who, WorkspaceId::parse(&ws)?, req.name, req.url, req.events)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(IntegrationCreated {
            integration: view(&i, true),
        }),
    ))
}

/// Removes a webhook and its delivery log.
#[utoipa::path(delete, path = "/api/workspaces/{workspaceId}/integrations/{integrationId}", tag = "workspaces",
    params(("workspaceId" = String, Path), ("integrationId" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    s.app.delete_integration(&who, WorkspaceId::parse(&ws)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The webhook's newest deliveries, with status, attempts and errors.
#[utoipa::path(get, path = "/api/workspaces/{workspaceId}/integrations/{integrationId}/deliveries", tag = "workspaces",
    params(("workspaceId" = String, Path), ("integrationId" = String, Path)),
    responses((status = 200, body = DeliveryList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deliveries(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path((ws, id)): Path<(String, String)>,
) -> ApiResult<axum::Json<DeliveryList>> {
    let list = s.app.integration_deliveries(&who, WorkspaceId::parse(&ws)?, id).await?;
    Ok(axum::Json(DeliveryList {
        deliveries: list.iter().map(delivery).collect(),
    }))
}
