//! Schema upgrades (issue "Security and reliability", durability): a
//! database left at any earlier schema version upgrades to exactly the
//! schema of a fresh install, and a migration interrupted before its commit
//! (a process killed in the middle of it leaves its transaction open, which
//! SQLite rolls back) leaves a database that opens and upgrades.

use std::path::{Path, PathBuf};

fn migrations() -> Vec<(i64, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let version: i64 = name[..4].parse().unwrap_or_else(|e| panic!("{name}: {e}"));
            (version, std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}")))
        })
        .collect()
}

/// Every table, index and trigger with its SQL, in name order.
fn schema(path: &Path) -> Vec<(String, String, String)> {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut stmt = conn
        .prepare(
            "SELECT type, name, COALESCE(sql, '') FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// A database at schema version `upto`, made the way that version's server
/// made it: each migration in its own transaction, recorded as applied.
fn database_at(path: &Path, all: &[(i64, String)], upto: usize) {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; \
         CREATE TABLE IF NOT EXISTS portico_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for (version, sql) in &all[..upto] {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; INSERT INTO portico_migrations VALUES ({version}, 0); COMMIT;"
        ))
        .unwrap_or_else(|e| panic!("migration {version}: {e}"));
    }
}

fn open(path: &Path) -> portico_store::Store {
    portico_store_sqlite::open(path, &Default::default()).unwrap_or_else(|e| panic!("open: {e}"))
}

#[test]
fn an_upgrade_from_every_earlier_schema_gives_the_schema_of_a_fresh_install() {
    let all = migrations();
    assert!(all.len() >= 19, "only {} migrations found", all.len());
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fresh = dir.path().join("fresh.db");
    drop(open(&fresh));
    let expected = schema(&fresh);
    assert!(expected.len() > 30, "a fresh schema of {} objects", expected.len());
    for upto in 0..all.len() {
        let path = dir.path().join(format!("at-{upto}.db"));
        database_at(&path, &all, upto);
        drop(open(&path));
        assert_eq!(schema(&path), expected, "upgrading from version {upto}");
    }
}

/// In a child process (see below): starts migration `upto` on the database
/// at `path`, runs its first statement and dies without a word, as a
/// killed server would.
#[test]
fn child_cuts_a_migration() {
    let Ok(job) = std::env::var("PORTICO_CUT_MIGRATION") else {
        return; // Only as the child of the test below.
    };
    let (upto, path) = job.split_once(' ').unwrap_or_else(|| panic!("{job}"));
    let upto: usize = upto.parse().unwrap_or_else(|e| panic!("{e}"));
    let all = migrations();
    let (version, sql) = &all[upto];
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("BEGIN IMMEDIATE").unwrap_or_else(|e| panic!("{e}"));
    // The first whole statement: the shortest prefix ending in `;` that
    // compiles (a trigger's body holds semicolons of its own).
    let first = sql
        .match_indices(';')
        .map(|(i, _)| &sql[..=i])
        .find(|prefix| conn.prepare(prefix).is_ok())
        .unwrap_or_else(|| panic!("migration {version} has no statement"));
    conn.execute_batch(first)
        .unwrap_or_else(|e| panic!("migration {version}, first statement: {e}"));
    std::process::abort();
}

#[test]
fn r_ops_2_a_migration_interrupted_before_its_commit_leaves_a_database_that_opens() {
    let all = migrations();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fresh = dir.path().join("fresh.db");
    drop(open(&fresh));
    let expected = schema(&fresh);
    let me = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    for upto in 0..all.len() {
        let path = dir.path().join(format!("cut-{upto}.db"));
        database_at(&path, &all, upto);
        // The next migration starts in another process, which dies in the
        // middle of it.
        let out = std::process::Command::new(&me)
            .args(["--exact", "child_cuts_a_migration", "--nocapture", "--test-threads=1"])
            .env("PORTICO_CUT_MIGRATION", format!("{upto} {}", path.display()))
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        // Killed by its own abort mid-migration, not ended by a panic.
        assert!(
            out.status.code().is_none(),
            "the child did not die mid-migration: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        drop(open(&path));
        assert_eq!(schema(&path), expected, "after migration {} was cut", all[upto].0);
    }
}
