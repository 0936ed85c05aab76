//! Schema upgrades on PostgreSQL (issue "Security and reliability",
//! durability): a schema left at any earlier version upgrades to exactly
//! the schema of a fresh install, and a migration cut off after its first
//! statement (the connection lost with the transaction open, as when the
//! process is killed; PostgreSQL rolls it back) leaves a schema that opens
//! and upgrades.

use std::path::PathBuf;

use portico_store_postgres::testing::{available, test_url};
use portico_store_postgres::{PostgresOptions, open};
use postgres::{Client, NoTls};

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

/// A fresh schema name, dropped by the returned guard.
struct Schema(String);

impl Schema {
    fn new(admin: &mut Client) -> Self {
        let name = format!("portico_m_{}", uuid::Uuid::new_v4().simple());
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap_or_else(|e| panic!("{e}"));
        Self(name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&test_url(), NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.0));
        }
    }
}

fn connect_in(schema: &str) -> Client {
    let mut c = Client::connect(&test_url(), NoTls).unwrap_or_else(|e| panic!("{e}"));
    c.batch_execute(&format!("SET search_path TO {schema}"))
        .unwrap_or_else(|e| panic!("{e}"));
    c
}

/// Columns, constraints and indexes of a schema, with its name taken out.
fn describe(admin: &mut Client, schema: &str) -> Vec<String> {
    let mut out = Vec::new();
    for row in admin
        .query(
            "SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '') \
             FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2",
            &[&schema],
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        let cells: Vec<String> = (0..5).map(|i| row.get::<_, String>(i)).collect();
        out.push(format!("column {}", cells.join(" | ")));
    }
    for row in admin
        .query(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) \
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = $1 ORDER BY 1, 2",
            &[&schema],
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        let cells: Vec<String> = (0..3).map(|i| row.get::<_, String>(i)).collect();
        out.push(format!("constraint {}", cells.join(" | ")));
    }
    for row in admin
        .query(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1, 2",
            &[&schema],
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        let cells: Vec<String> = (0..3).map(|i| row.get::<_, String>(i)).collect();
        out.push(format!("index {}", cells.join(" | ")));
    }
    out.iter().map(|l| l.replace(schema, "S")).collect()
}

/// A schema at version `upto`, made the way that version's server made it.
fn schema_at(schema: &str, all: &[(i64, String)], upto: usize) {
    let mut c = connect_in(schema);
    c.batch_execute("CREATE TABLE portico_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .unwrap_or_else(|e| panic!("{e}"));
    for (version, sql) in &all[..upto] {
        c.batch_execute(&format!(
            "BEGIN; {sql}; INSERT INTO portico_migrations VALUES ({version}, 0); COMMIT;"
        ))
        .unwrap_or_else(|e| panic!("migration {version}: {e}"));
    }
}

fn open_in(schema: &str) {
    let store = open(
        &test_url(),
        &PostgresOptions {
            pool_size: 2,
            schema: Some(schema.to_string()),
        },
    )
    .unwrap_or_else(|e| panic!("open: {e}"));
    drop(store);
}

/// Runs `f` off any async runtime (the sync client runs its own).
fn on_a_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f)
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

/// For a schema left at each earlier version (after `cut` has done its
/// harm to it, if any), opening it upgrades it to exactly the schema of a
/// fresh install.
fn each_earlier_schema_upgrades(cut: fn(&str, &(i64, String))) {
    if !available() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "PostgreSQL is not reachable and CI=true"
        );
        return;
    }
    on_a_thread(move || {
        let all = migrations();
        let mut admin = Client::connect(&test_url(), NoTls).unwrap_or_else(|e| panic!("{e}"));
        let fresh = Schema::new(&mut admin);
        open_in(&fresh.0);
        let expected = describe(&mut admin, &fresh.0);
        assert!(expected.len() > 100, "a fresh schema of {} entries", expected.len());
        for upto in 0..all.len() {
            let s = Schema::new(&mut admin);
            schema_at(&s.0, &all, upto);
            cut(&s.0, &all[upto]);
            open_in(&s.0);
            assert_eq!(describe(&mut admin, &s.0), expected, "upgrading from version {upto}");
        }
    });
}

#[test]
fn an_upgrade_from_every_earlier_schema_gives_the_schema_of_a_fresh_install() {
    each_earlier_schema_upgrades(|_, _| {});
}

#[test]
fn r_ops_2_a_migration_cut_off_midway_leaves_a_schema_that_opens() {
    each_earlier_schema_upgrades(|schema, (version, sql)| {
        let mut c = connect_in(schema);
        c.batch_execute("BEGIN").unwrap_or_else(|e| panic!("{e}"));
        // The first statement: comments taken out (they may hold a `;`); the
        // migrations hold no function bodies or strings with one.
        let code: String = sql
            .lines()
            .map(|l| l.split("--").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let first = code.split(';').find(|st| !st.trim().is_empty()).unwrap_or_default();
        c.batch_execute(first)
            .unwrap_or_else(|e| panic!("migration {version}, first statement: {e}"));
        drop(c); // the connection is lost with the transaction open
    });
}
