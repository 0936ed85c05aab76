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
    (20, include_str!("../migrations/0020_team_sign_in.sql")),
    (21, include_str!("../migrations/0021_runs.sql")),
    (22, include_str!("../migrations/0022_pending_signups.sql")),
    (23, include_str!("../migrations/0023_activity_subject.sql")),
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
        if f.code == rusqlite::ErrorCode::DiskFull {
            return StoreError::StorageFull(e.to_string());
        }
    }
    StoreError::Backend(e.to_string())
}

/// Rewrites PostgreSQL-style `$1` parameters as SQLite's numbered `?1`.
fn translate(sql: &str) -> String {
    // Row locks (`FOR UPDATE`, `… SKIP LOCKED`, always last) and
    // transaction-level advisory locks: a SQLite write transaction holds the
    // whole database already.
    if sql.starts_with("SELECT 1 FROM pg_advisory_xact_lock(") {
        return "SELECT 1".to_string();
    }
    let sql = sql.find(" FOR UPDATE").map_or(sql, |at| &sql[..at]);
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

/// The newest schema version this build knows (its last migration).
pub fn schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Why a backup or restore did not happen. The message is for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupError(pub String);

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BackupError {}

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The schema version of the copy.
    pub schema_version: i64,
    /// Its size in bytes.
    pub bytes: u64,
}

fn sqlite_msg(what: &Path, e: &rusqlite::Error) -> BackupError {
    if let rusqlite::Error::SqliteFailure(f, _) = e
        && f.code == rusqlite::ErrorCode::NotADatabase
    {
        return BackupError(format!(
            "{} is not a Portico database (not an SQLite file)",
            what.display()
        ));
    }
    BackupError(format!("{}: {e}", what.display()))
}

/// Checks that `conn` holds a Portico database this build can read and
/// returns its schema version.
fn portico_schema(conn: &rusqlite::Connection, what: &Path) -> Result<i64, BackupError> {
    let has_table: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'portico_migrations')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| sqlite_msg(what, &e))?;
    if !has_table {
        return Err(BackupError(format!(
            "{} is not a Portico database (it has no portico_migrations table)",
            what.display()
        )));
    }
    let version: i64 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM portico_migrations", [], |r| {
            r.get(0)
        })
        .map_err(|e| sqlite_msg(what, &e))?;
    let known = schema_version();
    if version > known {
        return Err(BackupError(format!(
            "{} has schema version {version}, newer than this Portico knows ({known}): \
             use the Portico release that wrote it, or a newer one",
            what.display()
        )));
    }
    Ok(version)
}

/// Copies the whole of `src` into the empty database `tmp` with the online
/// backup API, in one step: the copy is one read transaction of `src`, so it
/// is consistent even while a server writes (in WAL mode readers do not block
/// the writer, nor the writer them). The copy is left in rollback-journal
/// mode so that it is one self-contained file, then checked and synced.
fn copy_into(src: &rusqlite::Connection, src_name: &Path, tmp: &Path) -> Result<u64, BackupError> {
    let mut dst = rusqlite::Connection::open(tmp).map_err(|e| sqlite_msg(tmp, &e))?;
    {
        let backup = rusqlite::backup::Backup::new(src, &mut dst).map_err(|e| sqlite_msg(tmp, &e))?;
        let started = std::time::Instant::now();
        loop {
            use rusqlite::backup::StepResult;
            match backup.step(-1).map_err(|e| sqlite_msg(src_name, &e))? {
                StepResult::Done => break,
                StepResult::More => {}
                // Busy, Locked: the server holds a lock for a moment.
                _ => {
                    if started.elapsed() > Duration::from_secs(30) {
                        return Err(BackupError(format!(
                            "{} stayed locked for 30 s; try again",
                            src_name.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
    let mode: String = dst
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| sqlite_msg(tmp, &e))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(BackupError(format!(
            "{}: cannot leave WAL mode (journal mode is {mode})",
            tmp.display()
        )));
    }
    let check: String = dst
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| sqlite_msg(tmp, &e))?;
    if check != "ok" {
        return Err(BackupError(format!("the copy failed its integrity check: {check}")));
    }
    dst.close().map_err(|(_, e)| sqlite_msg(tmp, &e))?;
    let file = std::fs::File::open(tmp).map_err(|e| BackupError(format!("{}: {e}", tmp.display())))?;
    file.sync_all()
        .map_err(|e| BackupError(format!("cannot sync {}: {e}", tmp.display())))?;
    let bytes = file
        .metadata()
        .map_err(|e| BackupError(format!("{}: {e}", tmp.display())))?
        .len();
    Ok(bytes)
}

/// A file name beside `target` for the copy in progress.
fn temp_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "portico.db".into());
    target.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Removes the copy in progress unless `keep` was called.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn new(path: PathBuf) -> Result<Self, BackupError> {
        for p in [path.clone(), with_suffix(&path, "-journal")] {
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(BackupError(format!("cannot remove {}: {e}", p.display()))),
            }
        }
        Ok(Self(Some(path)))
    }

    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(with_suffix(&p, "-journal"));
            let _ = std::fs::remove_file(p);
        }
    }
}

fn sync_dir(file: &Path) {
    // Makes the rename durable; not every platform can open a directory.
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

fn place(tmp: TempFile, target: &Path) -> Result<(), BackupError> {
    std::fs::rename(tmp.path(), target).map_err(|e| {
        BackupError(format!(
            "cannot move {} to {}: {e}",
            tmp.path().display(),
            target.display()
        ))
    })?;
    tmp.keep();
    sync_dir(target);
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes a consistent copy of the Portico database `db` to `to`, also while
/// a server runs on it and writes. The copy is written beside `to` and
/// renamed into place, so `to` is either the old file or the whole new one.
pub fn backup(db: &Path, to: &Path) -> Result<Copied, BackupError> {
    if !db.is_file() {
        return Err(BackupError(format!("there is no database at {}", db.display())));
    }
    if same_file(db, to) {
        return Err(BackupError(format!(
            "{} is the database itself: write the backup to another file",
            to.display()
        )));
    }
    // Read-write without create: a missing file is an error, not a new
    // empty database, and WAL's shared memory can be used as the server does.
    let src = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite_msg(db, &e))?;
    src.busy_timeout(Duration::from_secs(5))
        .map_err(|e| sqlite_msg(db, &e))?;
    portico_schema(&src, db)?;
    let tmp = TempFile::new(temp_beside(to))?;
    let bytes = copy_into(&src, db, tmp.path())?;
    let check = rusqlite::Connection::open_with_flags(tmp.path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| sqlite_msg(tmp.path(), &e))?;
    let schema_version = portico_schema(&check, tmp.path())?;
    drop(check);
    place(tmp, to)?;
    Ok(Copied { schema_version, bytes })
}

/// Restores the backup `from` as the database `db`. Refuses a file that is
/// not a Portico database or is of a newer schema than this build knows, and
/// a `db` that already exists unless `overwrite` is set (a running server's
/// database cannot be told apart reliably: stop the server first). The copy
/// is written beside `db` and renamed into place; stale `-wal`, `-shm` and
/// `-journal` files of `db` are removed so SQLite does not replay them onto
/// the restored file.
pub fn restore(from: &Path, db: &Path, overwrite: bool) -> Result<Copied, BackupError> {
    if !from.is_file() {
        return Err(BackupError(format!("there is no backup file at {}", from.display())));
    }
    if same_file(from, db) {
        return Err(BackupError(format!("{} is the database itself", from.display())));
    }
    let wal = with_suffix(db, "-wal");
    if !overwrite && (db.exists() || wal.exists()) {
        return Err(BackupError(format!(
            "a database already exists at {}; stop the server and give --force to replace it",
            db.display()
        )));
    }
    let src = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| sqlite_msg(from, &e))?;
    src.busy_timeout(Duration::from_secs(5))
        .map_err(|e| sqlite_msg(from, &e))?;
    let schema_version = portico_schema(&src, from)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| BackupError(format!("cannot create {}: {e}", dir.display())))?;
    }
    let tmp = TempFile::new(temp_beside(db))?;
    let bytes = copy_into(&src, from, tmp.path())?;
    drop(src);
    for stale in [wal, with_suffix(db, "-shm"), with_suffix(db, "-journal")] {
        match std::fs::remove_file(&stale) {
            Ok(()) => tracing::info!(file = %stale.display(), "removed a stale file of the old database"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(BackupError(format!("cannot remove {}: {e}", stale.display()))),
        }
    }
    place(tmp, db)?;
    Ok(Copied { schema_version, bytes })
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

    #[test]
    fn restore_refuses_a_backup_of_a_newer_schema_and_keeps_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let (db, file, target) = (
            dir.path().join("a.db"),
            dir.path().join("backup.db"),
            dir.path().join("b.db"),
        );
        drop(open(&db, &SqliteOptions::default()).unwrap());
        let copied = backup(&db, &file).unwrap();
        assert_eq!(copied.schema_version, schema_version());
        let conn = rusqlite::Connection::open(&file).unwrap();
        conn.execute(
            "INSERT INTO portico_migrations (version, applied_at) VALUES (?1, 0)",
            [schema_version() + 1],
        )
        .unwrap();
        drop(conn);
        let err = restore(&file, &target, true).unwrap_err().to_string();
        assert!(err.contains("newer than this Portico knows"), "{err}");
        assert!(!target.exists());
        assert!(backup(&db, &db).is_err(), "backed up a database onto itself");
    }
}
