//! The embedded SQLite backend: one file in WAL mode, one writer connection
//! (SQLite allows one writer at a time) and a pool of readers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use portico_store::{Backend, Mode, Store, StoreError, Tx};
use portico_store_sql::{Pool, Row, SqlConn, SqlTx, Value};
use rusqlite::types::ValueRef;

/// Schema migrations, applied in order at start.
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
];

/// How hard SQLite syncs commits to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// Every commit is on disk before it is acknowledged (default).
    Full,
    /// Commits survive a crash of the process, not always of the machine.
    Normal,
}

#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub synchronous: Synchronous,
    pub readers: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            synchronous: Synchronous::Full,
            readers: 8,
        }
    }
}

/// A connection with its translated statements.
pub struct SqliteConn {
    conn: rusqlite::Connection,
    translated: HashMap<&'static str, String>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY
        if f.extended_code == 2067 || f.extended_code == 1555 {
            return StoreError::UniqueViolation(msg.clone().unwrap_or_default());
        }
    }
    StoreError::Backend(e.to_string())
}

/// Rewrites PostgreSQL-style `$1` parameters as SQLite's numbered `?1`.
fn translate(sql: &str) -> String {
    // Row locks: a SQLite write transaction holds the whole database.
    let sql = sql.strip_suffix(" FOR UPDATE").unwrap_or(sql);
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl SqliteConn {
    fn open(path: &Path, sync: Synchronous) -> Result<Self, StoreError> {
        let conn = rusqlite::Connection::open(path).map_err(db_err)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(db_err)?;
        let sync = match sync {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;"
        ))
        .map_err(db_err)?;
        conn.set_prepared_statement_cache_capacity(128);
        // The bundled SQLite is built with STAT4, which otherwise marks a
        // cached statement expired whenever a parameter is bound again, so
        // that every execution parsed and planned the query anew. Plans stay
        // as prepared (the query planner stability guarantee).
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(db_err)?;
        Ok(Self {
            conn,
            translated: HashMap::new(),
        })
    }

    fn sql(&mut self, sql: &'static str) -> &str {
        self.translated.entry(sql).or_insert_with(|| translate(sql))
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.execute_batch(sql).map_err(db_err)
    }

    /// Reads a pragma, for checks and health output.
    pub fn pragma(&self, name: &str) -> Result<String, StoreError> {
        self.conn
            .query_row(&format!("PRAGMA {name}"), [], |r| {
                let v: rusqlite::types::Value = r.get(0)?;
                Ok(match v {
                    rusqlite::types::Value::Integer(i) => i.to_string(),
                    rusqlite::types::Value::Text(t) => t,
                    other => format!("{other:?}"),
                })
            })
            .map_err(db_err)
    }
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Int(i) => V::Integer(*i),
        Value::Bool(b) => V::Integer(i64::from(*b)),
        Value::Text(t) => V::Text(t.clone()),
    }
}

impl SqlConn for SqliteConn {
    fn execute(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, StoreError> {
        let sql = self.sql(sql).to_string();
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params.iter().map(to_sql)))
            .map_err(db_err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let sql = self.sql(sql).to_string();
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db_err)?;
        let cols = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter().map(to_sql)))
            .map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db_err)? {
            let mut vals = Vec::with_capacity(cols);
            for i in 0..cols {
                vals.push(match r.get_ref(i).map_err(db_err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Int(n),
                    ValueRef::Real(f) => Value::Int(f as i64),
                    ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                });
            }
            out.push(Row(vals));
        }
        Ok(out)
    }
}

/// The SQLite backend.
pub struct SqliteBackend {
    path: PathBuf,
    writer: Pool<SqliteConn>,
    readers: Pool<SqliteConn>,
}

impl SqliteBackend {
    /// Opens (creating if needed) the database file and applies migrations.
    pub fn open(path: &Path, opts: &SqliteOptions) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", dir.display())))?;
        }
        let p = path.to_path_buf();
        let sync = opts.synchronous;
        let writer = Pool::new(1, move || SqliteConn::open(&p, sync));
        let p = path.to_path_buf();
        let readers = Pool::new(opts.readers, move || SqliteConn::open(&p, sync));
        let backend = Self {
            path: path.to_path_buf(),
            writer,
            readers,
        };
        backend.migrate()?;
        Ok(backend)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.writer.get()?;
        conn.batch(
            "CREATE TABLE IF NOT EXISTS portico_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )?;
        for (version, sql) in MIGRATIONS {
            conn.batch("BEGIN IMMEDIATE")?;
            let done = conn
                .query(
                    "SELECT 1 FROM portico_migrations WHERE version = $1",
                    &[Value::Int(*version)],
                )
                .map(|r| !r.is_empty());
            let step = done.and_then(|done| {
                if done {
                    return Ok(());
                }
                tracing::info!(version, "applying SQLite migration");
                conn.batch(sql)?;
                conn.execute(
                    "INSERT INTO portico_migrations (version, applied_at) VALUES ($1, CAST(strftime('%s','now') AS INTEGER) * 1000)",
                    &[Value::Int(*version)],
                )
                .map(|_| ())
            });
            match step {
                Ok(()) => conn.batch("COMMIT")?,
                Err(e) => {
                    let _ = conn.batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// The pragmas every connection must carry, read from a pooled reader and
    /// the writer (journal_mode, synchronous, foreign_keys, busy_timeout).
    pub fn connection_pragmas(&self) -> Result<Vec<[String; 4]>, StoreError> {
        let mut out = Vec::new();
        for pool in [&self.writer, &self.readers] {
            let conn = pool.get()?;
            out.push([
                conn.pragma("journal_mode")?,
                conn.pragma("synchronous")?,
                conn.pragma("foreign_keys")?,
                conn.pragma("busy_timeout")?,
            ]);
        }
        Ok(out)
    }
}

impl Backend for SqliteBackend {
    fn run(&self, mode: Mode, f: &mut dyn FnMut(&mut dyn Tx) -> Result<bool, StoreError>) -> Result<(), StoreError> {
        let (pool, begin) = match mode {
            Mode::Write => (&self.writer, "BEGIN IMMEDIATE"),
            Mode::Read => (&self.readers, "BEGIN"),
        };
        let mut conn = pool.get()?;
        if !conn.conn.is_autocommit() {
            // A previous user of this connection died inside a transaction.
            conn.batch("ROLLBACK")?;
        }
        conn.batch(begin)?;
        let result = f(&mut SqlTx::new(&mut *conn));
        match result {
            Ok(true) => {
                if let Err(e) = conn.batch("COMMIT") {
                    let _ = conn.batch("ROLLBACK");
                    return Err(e);
                }
                Ok(())
            }
            Ok(false) => conn.batch("ROLLBACK"),
            Err(e) => {
                let _ = conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn kind(&self) -> &'static str {
        "sqlite"
    }

    fn connections(&self, mode: Mode) -> usize {
        match mode {
            Mode::Write => self.writer.size(),
            Mode::Read => self.readers.size(),
        }
    }
}

/// Opens the SQLite store at `path`.
pub fn open(path: &Path, opts: &SqliteOptions) -> Result<Store, StoreError> {
    Ok(Store::new(SqliteBackend::open(path, opts)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_parameters_become_numbered_question_marks() {
        assert_eq!(
            translate("a = $1 AND b = $12 OR c = $1"),
            "a = ?1 AND b = ?12 OR c = ?1"
        );
        assert_eq!(translate("price in $"), "price in $");
    }
}
