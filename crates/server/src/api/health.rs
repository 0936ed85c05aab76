//! Liveness: the process answers and its database does too.

use axum::Json;
use axum::extract::State;
use portico_api_types::Health;

use crate::AppState;
use crate::error::ApiResult;

/// Health of the server and its store.
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, body = Health), (status = 500, body = portico_api_types::ErrorBody)))]
pub async fn healthz(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    s.app.store_ping().await?;
    Ok(Json(Health {
        status: "ok".into(),
        store: s.app.store.kind().into(),
    }))
}
