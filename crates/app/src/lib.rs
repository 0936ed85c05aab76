//! Portico's use cases. Each one loads what it needs, asks the policy, makes
//! its change and writes its audit row inside one store transaction, then
//! answers with records the HTTP layer turns into views.
//!
//! Errors are [`portico_domain::Error`]: a stable code, a sentence and a kind.

pub mod accounts;
pub mod audit;
pub mod collections;
pub mod comments;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod environment_forks;
pub mod environments;
pub mod events;
pub mod integrations;
pub mod invitations;
pub mod markdown;
pub mod notifications;
pub mod pagination;
pub mod partners;
pub mod partnerships;
mod passwords;
pub mod rate_limit;
pub mod runs;
pub mod sign_in;
pub mod teams;
pub mod updates;
pub mod workspaces;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub use config::{AppConfig, SignupMode};
use portico_domain::Error;
use portico_domain::ids::UserId;
use portico_domain::policy::Actor;
pub use portico_store::Store;
use portico_store::{Millis, UserRecord};

pub type Result<T> = std::result::Result<T, Error>;

/// The application: configuration, store and in-memory helpers shared by all
/// requests. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<AppConfig>,
    login_limiter: Arc<rate_limit::RateLimiter>,
    quotas: Arc<rate_limit::Quotas>,
    /// Live events (R-UPD-5); see [`events`].
    pub bus: Arc<dyn events::EventBus>,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> Self {
        let login_limiter = Arc::new(rate_limit::RateLimiter::new(
            config.login_attempts_per_window,
            config.login_window_ms,
        ));
        let quotas = Arc::new(rate_limit::Quotas::new(&config));
        Self {
            store,
            config: Arc::new(config),
            login_limiter,
            quotas,
            bus: Arc::new(events::InProcessBus::new()),
        }
    }
}

/// A signed-in user making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: UserRecord,
    /// How the request was authenticated.
    pub via: AuthMethod,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session; unsafe requests must carry this CSRF token.
    Session {
        csrf_token: String,
    },
    ApiKey,
}

impl Principal {
    pub fn id(&self) -> UserId {
        self.user.id
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.id,
            is_server_admin: self.user.is_server_admin,
        }
    }
}

/// The current time in Unix milliseconds.
impl App {
    /// Takes `n` of the caller's hourly allowance of `quota`, or refuses
    /// with `429` (OWASP API4/API6: invites, forks and exports).
    pub(crate) fn take_quota(&self, quota: rate_limit::Quota, who: &Principal, n: u32) -> Result<()> {
        self.quotas.take(quota, who.user.id, n, now())
    }
}

pub fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl App {
    /// Checks the database answers.
    pub async fn store_ping(&self) -> Result<()> {
        self.store.read(|_| Ok::<(), Error>(())).await
    }

    /// Emails waiting in the outbox, for the metrics.
    pub async fn outbox_pending(&self) -> Result<i64> {
        self.store.read(|tx| tx.outbox_pending().map_err(Error::from)).await
    }
}

impl App {
    /// The newest messages of the email outbox (operators, at the console).
    pub async fn outbox(&self, limit: u32) -> Result<Vec<portico_store::OutboxRecord>> {
        self.store.read(move |tx| tx.outbox(limit).map_err(Error::from)).await
    }
}
