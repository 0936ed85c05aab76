//! Liveness: the process answers and its database does too.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use portico_api_types::Health;

use crate::AppState;
use crate::error::ApiResult;
use crate::metrics::StoreGauges;

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

/// Readiness: `200` while the process takes requests and its database
/// answers; `503` once it is shutting down (so a proxy stops sending it
/// requests) or when the database does not answer.
#[utoipa::path(get, path = "/readyz", tag = "operations", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(s): State<AppState>) -> (StatusCode, Json<Health>) {
    let store = s.app.store.kind().to_string();
    let status = if *s.stopping.borrow() {
        "stopping"
    } else if s.app.store_ping().await.is_err() {
        "database_unavailable"
    } else {
        return (
            StatusCode::OK,
            Json(Health {
                status: "ok".into(),
                store,
            }),
        );
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(Health {
            status: status.into(),
            store,
        }),
    )
}

/// Prometheus metrics of this process (text exposition format): requests by
/// route template and status, latency histograms, open event streams, the
/// email outbox, database connections. Keep it off the public internet:
/// the proxy should serve it only to the monitoring network.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()),
    responses((status = 200, description = "Metrics in the Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    let gauges = StoreGauges {
        outbox_pending: s.app.outbox_pending().await.ok(),
        connections: s.app.store.connections(),
        backend: s.app.store.kind(),
    };
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        s.metrics.render(&gauges),
    )
}
