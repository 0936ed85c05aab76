//! The baseline of the read rows: a bare axum handler running the same
//! single store query as the authorised read, on the same store, with no
//! authentication, no policy and no middleware. The ratio of the two
//! throughputs is the cost of Portico's checks (target ≥ 0.5).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portico_domain::ids::{UserId, WorkspaceId};
use portico_store::{Store, WorkspaceAccess};
use serde_json::{Value, json};

#[derive(clap::Args)]
pub struct BareArgs {
    /// `postgres://…`, or the path of a SQLite file.
    #[arg(long)]
    database: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: String,
    /// The user whose workspaces the answers hold (PARTNER_USER of `seed`).
    #[arg(long)]
    user: String,
}

#[derive(Clone)]
struct Bare {
    store: Store,
    user: UserId,
}

pub async fn run(args: BareArgs) -> Result<(), String> {
    let user: UserId = args.user.parse().map_err(|_| "--user is not a user id".to_string())?;
    let database = args.database.clone();
    let store = tokio::task::spawn_blocking(move || crate::open_store(&database))
        .await
        .map_err(|e| e.to_string())??;
    let app = Router::new()
        .route("/bare/workspaces", get(list))
        .route("/bare/workspaces/{id}", get(one))
        .with_state(Bare { store, user });
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    eprintln!("bare baseline on http://{}", args.listen);
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

/// The fields the workspace answers carry.
fn view(a: &WorkspaceAccess) -> Value {
    let w = &a.workspace;
    json!({
        "id": w.id.to_string(),
        "name": w.name,
        "type": w.kind.as_str(),
        "about": w.about,
        "createdAt": w.created_at,
        "updatedAt": w.updated_at,
        "unreadUpdates": a.unread_updates,
    })
}

/// `tx.workspace_accesses(user)`: the query behind `GET /api/workspaces`.
async fn list(State(b): State<Bare>) -> Response {
    let user = b.user;
    match b.store.read(move |tx| tx.workspace_accesses(user)).await {
        Ok(all) => {
            axum::Json(json!({ "workspaces": all.iter().take(50).map(view).collect::<Vec<_>>() })).into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `tx.workspace_access(id, user)`: the query behind `GET /api/workspaces/{id}`.
async fn one(State(b): State<Bare>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<WorkspaceId>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let user = b.user;
    match b.store.read(move |tx| tx.workspace_access(id, user)).await {
        Ok(Some(a)) => axum::Json(json!({ "workspace": view(&a) })).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
