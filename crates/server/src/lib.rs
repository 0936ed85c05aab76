//! Portico's HTTP server: the JSON API under `/api`, the web pages at `/`,
//! authentication, the OpenAPI document and operational endpoints.
//!
//! [`build`] makes a ready-to-serve [`Server`] from a [`ServerConfig`];
//! [`Server::run_until_stopped`] serves until the process is told to stop.

pub mod api;
pub mod error;
pub mod extract;
mod layers;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod outbound;
pub mod runs;
pub mod views;
mod web;
pub mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use portico_app::{App, AppConfig};
use portico_domain::Error;
use portico_store::{Store, StoreError};
use tokio::net::TcpListener;

/// Largest request body outside collection imports (R-SEC-2).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// Cookies get `Secure` and the `__Host-` prefix when served over TLS.
    pub secure_cookies: bool,
    openapi_json: Arc<String>,
    pub metrics: Arc<metrics::Metrics>,
    /// Turns `true` when the process starts shutting down: readiness fails
    /// and event streams end with a reconnection hint.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// A `Set-Cookie` value for the session token (empty token and zero age
    /// clear it).
    pub fn cookie_header(&self, token: &str, max_age_secs: i64) -> String {
        let name = if self.secure_cookies {
            extract::SECURE_SESSION_COOKIE
        } else {
            extract::SESSION_COOKIE
        };
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            max_age_secs.max(0)
        )
    }
}

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// Reads a database URL: `postgres://…` or `postgresql://…` selects
    /// PostgreSQL; `sqlite://PATH` or a bare path selects SQLite. With no
    /// URL, SQLite in `DATA_DIR/portico.db`.
    pub fn from_url(url: Option<&str>, data_dir: &std::path::Path) -> Database {
        match url {
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Database::Postgres(u.to_string())
            }
            Some(u) => Database::Sqlite(PathBuf::from(u.strip_prefix("sqlite://").unwrap_or(u))),
            None => Database::Sqlite(data_dir.join("portico.db")),
        }
    }

    /// For logs: the URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        match self {
            Database::Sqlite(p) => format!("sqlite://{}", p.display()),
            Database::Postgres(u) => redact_url(u),
        }
    }

    /// Opens (and migrates) the store. Blocks; call from a blocking context.
    pub fn open_blocking(&self) -> Result<Store, StoreError> {
        match self {
            Database::Sqlite(path) => portico_store_sqlite::open(path, &Default::default()),
            Database::Postgres(url) => portico_store_postgres::open(url, &Default::default()),
        }
    }

    pub async fn open(&self) -> Result<Store, StoreError> {
        let db = self.clone();
        Store::open_with(move || db.open_blocking()).await
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, rest),
    };
    let host = match host.split_once('?') {
        Some((h, q)) => {
            let q: Vec<String> = q
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{h}?{}", q.join("&"))
        }
        None => host.to_string(),
    };
    match auth {
        Some(a) => match a.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => format!("{scheme}://{a}@{host}"),
        },
        None => format!("{scheme}://{host}"),
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: String,
    pub app: AppConfig,
    pub mail: mail::MailConfig,
    /// The webhook sender; whether it may reach internal addresses comes
    /// from `app.allow_private_webhook_targets`.
    pub webhooks: webhooks::WebhookConfig,
}

/// A server bound to its address, ready to serve.
pub struct Server {
    listener: TcpListener,
    router: Router,
    stopping: tokio::sync::watch::Sender<bool>,
    store: Store,
    mail: mail::MailConfig,
    webhooks: webhooks::WebhookConfig,
    /// Publishes live events after each commit.
    dispatcher: tokio::task::JoinHandle<()>,
}

/// Builds the router around an application; `stopping` turns `true` when
/// the process begins to shut down.
pub fn router(app: App, stopping: tokio::sync::watch::Receiver<bool>) -> Router {
    let secure_cookies = app.config.public_url.starts_with("https://");
    let (api_router, openapi) = api::router().split_for_parts();
    let mut document = serde_json::to_value(&openapi).unwrap_or_default();
    api::document::complete(&mut document);
    let openapi_json = Arc::new(serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".into()));
    let operations = Arc::new(api::access::Operations::from_openapi(&document));
    let metrics = Arc::new(metrics::Metrics::default());
    let state = AppState {
        app,
        secure_cookies,
        openapi_json,
        metrics: metrics.clone(),
        stopping,
    };
    let api_router = api_router
        .route_layer(axum::middleware::from_fn_with_state(operations, api::access::guard))
        .route("/api/openapi.json", axum::routing::get(openapi_document))
        .fallback(api_not_found)
        .method_not_allowed_fallback(method_not_allowed);
    layers::wrap(
        web::router()
            .merge(api_router)
            .route_layer(axum::middleware::from_fn_with_state(metrics, metrics::track))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(state),
    )
}

async fn openapi_document(
    axum::extract::State(s): axum::extract::State<AppState>,
) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        s.openapi_json.as_str().to_owned(),
    )
}

async fn api_not_found() -> error::ApiError {
    Error::new(
        portico_domain::ErrorKind::NotFound,
        "not_found",
        "There is nothing at this address.",
    )
    .into()
}

async fn method_not_allowed() -> error::ApiError {
    error::ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not take that method.",
    )
}

/// Binds the listening socket and prepares the router.
pub async fn build(config: &ServerConfig, store: Store) -> std::io::Result<Server> {
    let listener = TcpListener::bind(&config.listen).await?;
    let app = App::new(store.clone(), config.app.clone());
    let dispatcher = portico_app::events::spawn_dispatcher(store.clone(), app.bus.clone());
    let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
    Ok(Server {
        listener,
        dispatcher,
        stopping,
        router: router(app, stopping_rx),
        store,
        mail: config.mail.clone(),
        webhooks: webhooks::WebhookConfig {
            allow_private_targets: config.app.allow_private_webhook_targets,
            ..config.webhooks.clone()
        },
    })
}

impl Server {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until ctrl-c or SIGTERM, letting in-flight requests finish.
    /// Also delivers the email outbox meanwhile.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes. Then readiness fails, event streams
    /// end with a hint to reconnect in a second (to another process behind
    /// the same proxy), no new connection is taken, and requests in flight
    /// finish before this returns.
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let hooks = webhooks::spawn_webhook_sender(self.store.clone(), self.webhooks);
        let sender = mail::spawn_outbox_sender(self.store, self.mail).map_err(std::io::Error::other)?;
        let stopping = self.stopping;
        let served = axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            stop.await;
            let _ = stopping.send(true);
        })
        .await;
        sender.abort();
        hooks.abort();
        self.dispatcher.abort();
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_choose_the_backend() {
        let dir = std::path::Path::new("/data");
        assert_eq!(
            Database::from_url(None, dir),
            Database::Sqlite("/data/portico.db".into())
        );
        assert_eq!(
            Database::from_url(Some("sqlite:///tmp/x.db"), dir),
            Database::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(
            Database::from_url(Some("postgres://u@h/db"), dir),
            Database::Postgres("postgres://u@h/db".into())
        );
    }

    #[test]
    fn secrets_in_database_urls_are_never_printed() {
        assert_eq!(
            redact_url("postgres://u:hunter2@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact_url("postgres://u@h/db?password=hunter2&x=1"),
            "postgres://u@h/db?password=***&x=1"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
