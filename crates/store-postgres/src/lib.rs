//! The PostgreSQL backend, selected by a `postgres://` URL: for deployments
//! with several Portico processes on one database.

use std::collections::HashMap;
use std::error::Error as _;

use portico_store::{Backend, Mode, Store, StoreError, Tx};
use portico_store_sql::{Pool, Row, SqlConn, SqlTx, Value};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};

pub mod testing;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_foundation.sql")),
    (2, include_str!("../migrations/0002_workspaces.sql")),
    (3, include_str!("../migrations/0003_outbox_delivery.sql")),
    (4, include_str!("../migrations/0004_collections.sql")),
    (5, include_str!("../migrations/0005_updates.sql")),
    (6, include_str!("../migrations/0006_update_comments.sql")),
    (7, include_str!("../migrations/0007_notification_email.sql")),
    (8, include_str!("../migrations/0008_collection_history.sql")),
    (9, include_str!("../migrations/0009_environments.sql")),
    (10, include_str!("../migrations/0010_element_roles.sql")),
    (11, include_str!("../migrations/0011_element_comments.sql")),
    (12, include_str!("../migrations/0012_integrations.sql")),
    (13, include_str!("../migrations/0013_collection_children.sql")),
    (14, include_str!("../migrations/0014_forks.sql")),
    (15, include_str!("../migrations/0015_merge_tasks.sql")),
    (16, include_str!("../migrations/0016_environment_forks.sql")),
    (17, include_str!("../migrations/0017_own_unseen.sql")),
    (18, include_str!("../migrations/0018_pull_requests.sql")),
    (19, include_str!("../migrations/0019_merge_checks.sql")),
    (20, include_str!("../migrations/0020_team_sign_in.sql")),
    (21, include_str!("../migrations/0021_runs.sql")),
    (22, include_str!("../migrations/0022_pending_signups.sql")),
    (23, include_str!("../migrations/0023_activity_subject.sql")),
];

/// Key of the advisory lock that serialises migrations across processes.
const MIGRATION_LOCK: i64 = 0x0070_6f72_7469_636f; // "portico"

#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Connections in the pool. 8 by default: on a small machine more
    /// connections only add PostgreSQL processes competing for the same
    /// cores, and tail latency grows (docs/benchmarks.md: 16 gave a p99 of
    /// 180 ms where 8 gave 6 ms, at the same throughput).
    pub pool_size: usize,
    /// A schema to use instead of `public` (tests use one each).
    pub schema: Option<String>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            schema: None,
        }
    }
}

fn db_err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        if db.code() == &postgres::error::SqlState::UNIQUE_VIOLATION {
            return StoreError::UniqueViolation(db.constraint().unwrap_or_default().to_string());
        }
        if db.code() == &postgres::error::SqlState::DISK_FULL {
            return StoreError::StorageFull(db.message().to_string());
        }
        return StoreError::Backend(format!("{}: {}", db.code().code(), db.message()));
    }
    match e.source() {
        Some(s) => StoreError::Backend(format!("{e}: {s}")),
        None => StoreError::Backend(e.to_string()),
    }
}

/// A parameter bound to whatever type PostgreSQL inferred for it.
#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(t) => t.as_str().to_sql(ty, out),
            Value::Int(i) => match *ty {
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A pooled client with its prepared statements.
pub struct PgConn {
    /// Always `Some` until dropped; see the `Drop` impl.
    client: Option<Client>,
    statements: HashMap<&'static str, Statement>,
}

impl Drop for PgConn {
    fn drop(&mut self) {
        // Closing the sync client blocks on its own runtime, which panics on
        // an async worker thread; close it on a thread of its own.
        if let Some(client) = self.client.take() {
            let _ = std::thread::spawn(move || drop(client));
        }
    }
}

impl PgConn {
    fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?;
        if let Some(schema) = schema {
            config.options(&format!("-c search_path={schema}"));
        }
        let client = config.connect(NoTls).map_err(db_err)?;
        Ok(Self {
            client: Some(client),
            statements: HashMap::new(),
        })
    }

    fn client(&mut self) -> Result<&mut Client, StoreError> {
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::Backend("connection already closed".into()))
    }

    fn is_closed(&self) -> bool {
        self.client.as_ref().is_none_or(Client::is_closed)
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client()?.prepare(sql).map_err(db_err)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client()?.batch_execute(sql).map_err(db_err)
    }
}

fn column(row: &postgres::Row, i: usize) -> Result<Value, StoreError> {
    let ty = row.columns()[i].type_().clone();
    let v = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)
            .map(|v| v.map(|n| Value::Int(n.into()))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)
            .map(|v| v.map(|n| Value::Int(n.into()))),
        Type::BOOL => row.try_get::<_, Option<bool>>(i).map(|v| v.map(Value::Bool)),
        _ => row.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
    }
    .map_err(db_err)?;
    Ok(v.unwrap_or(Value::Null))
}

impl SqlConn for PgConn {
    fn execute(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, StoreError> {
        let stmt = self.statement(sql)?;
        let ps: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.client()?.execute(&stmt, &refs).map_err(db_err)
    }

    fn query(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let stmt = self.statement(sql)?;
        let ps: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = ps.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.client()?.query(&stmt, &refs).map_err(db_err)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| column(r, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }
}

/// The PostgreSQL backend.
pub struct PostgresBackend {
    pool: Pool<PgConn>,
    /// The notification channel of this database (and schema).
    channel: String,
}

impl PostgresBackend {
    /// Connects and applies migrations (under an advisory lock, so several
    /// processes may start at once).
    pub fn open(url: &str, opts: &PostgresOptions) -> Result<Self, StoreError> {
        let url_owned = url.to_string();
        let schema = opts.schema.clone();
        let pool = Pool::new(opts.pool_size, move || PgConn::connect(&url_owned, schema.as_deref()));
        let backend = Self {
            pool,
            channel: channel(opts.schema.as_deref()),
        };
        backend.migrate()?;
        Ok(backend)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.get()?;
        conn.batch(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
        let result = (|| {
            conn.batch(
                "CREATE TABLE IF NOT EXISTS portico_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )?;
            for (version, sql) in MIGRATIONS {
                let done = !conn
                    .query(
                        "SELECT 1 FROM portico_migrations WHERE version = $1",
                        &[Value::Int(*version)],
                    )?
                    .is_empty();
                if done {
                    continue;
                }
                tracing::info!(version, "applying PostgreSQL migration");
                conn.batch("BEGIN")?;
                let step = conn.batch(sql).and_then(|()| {
                    conn.execute(
                        "INSERT INTO portico_migrations (version, applied_at) VALUES ($1, (extract(epoch from now()) * 1000)::bigint)",
                        &[Value::Int(*version)],
                    )
                });
                match step {
                    Ok(_) => conn.batch("COMMIT")?,
                    Err(e) => {
                        let _ = conn.batch("ROLLBACK");
                        return Err(e);
                    }
                }
            }
            Ok(())
        })();
        let unlock = conn.batch(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"));
        result.and(unlock)
    }
}

impl Backend for PostgresBackend {
    fn run(&self, mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        let mut conn = self.pool.get()?;
        if conn.is_closed() {
            conn.discard();
            conn = self.pool.get()?;
        }
        // Reads run statement by statement: under READ COMMITTED a transaction
        // would give each statement its own snapshot all the same.
        let transactional = mode == Mode::Write;
        if transactional {
            conn.batch("BEGIN")?;
        }
        let result = f(&mut SqlTx::new(&mut *conn));
        let outcome = match (result, transactional) {
            (Ok(_), false) => Ok(()),
            // Other processes on this database hear of the commit (their
            // live event streams look for what concerns them); PostgreSQL
            // delivers the notification only if the commit succeeds.
            (Ok(true), true) => conn
                .batch(&format!("NOTIFY {}; COMMIT", self.channel))
                .inspect_err(|_| {
                    let _ = conn.batch("ROLLBACK");
                }),
            (Ok(false), true) => conn.batch("ROLLBACK"),
            (Err(e), t) => {
                if t {
                    let _ = conn.batch("ROLLBACK");
                }
                Err(e)
            }
        };
        if conn.is_closed() {
            conn.discard();
        }
        outcome
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn connections(&self, _mode: Mode) -> usize {
        self.pool.size()
    }
}

/// Opens the PostgreSQL store at `url`. Blocks: call it outside async code
/// (or through `Store::open_with`).
pub fn open(url: &str, opts: &PostgresOptions) -> Result<Store, StoreError> {
    let store = Store::new(PostgresBackend::open(url, opts)?);
    listen_for_commits(url, opts.schema.clone(), store.commit_signal());
    Ok(store)
}

/// The channel commits are announced on: one per database, or per schema
/// when a schema is named (tests share a database).
fn channel(schema: Option<&str>) -> String {
    match schema {
        Some(s) => format!(
            "portico_commits_{}",
            s.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        ),
        None => "portico_commits".into(),
    }
}

/// Listens, on a connection and thread of its own, for the commits of
/// other processes on the same database, and wakes this process's live
/// event streams after each (docs/deployment.md). Reconnects when the
/// connection drops; ends when the store is dropped.
fn listen_for_commits(url: &str, schema: Option<String>, signal: portico_store::CommitSignal) {
    let url = url.to_string();
    let spawned = std::thread::Builder::new()
        .name("portico-pg-listen".into())
        .spawn(move || {
            let channel = channel(schema.as_deref());
            while signal.alive() {
                let lost = match listening(&url, schema.as_deref(), &channel) {
                    Ok(mut conn) => {
                        // Whatever happened while not listening: look once.
                        if !signal.signal() {
                            return;
                        }
                        match relay(&mut conn, &signal) {
                            Ok(()) => return,
                            Err(e) => e,
                        }
                    }
                    Err(e) => e,
                };
                tracing::warn!(error = %lost, "not listening for the commits of other processes; retrying in a second");
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the commit listener: live events stay within this process");
    }
}

/// A connection of its own, listening on `channel`.
fn listening(url: &str, schema: Option<&str>, channel: &str) -> Result<PgConn, StoreError> {
    let mut conn = PgConn::connect(url, schema)?;
    conn.batch(&format!("LISTEN {channel}"))?;
    Ok(conn)
}

/// Wakes the store's live readers at each notification heard on `conn`
/// (a watch: wakes that come together coalesce), until the store is gone
/// (`Ok`) or the connection fails.
fn relay(conn: &mut PgConn, signal: &portico_store::CommitSignal) -> Result<(), StoreError> {
    use postgres::fallible_iterator::FallibleIterator as _;
    loop {
        let mut notifications = conn.client()?.notifications();
        // Wakes at least every second to notice a dropped store.
        let mut waiting = notifications.timeout_iter(std::time::Duration::from_secs(1));
        while waiting.next().map_err(db_err)?.is_some() {
            if !signal.signal() {
                return Ok(());
            }
        }
        if !signal.alive() {
            return Ok(());
        }
    }
}
