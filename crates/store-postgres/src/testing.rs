//! Throw-away databases for tests: each test gets its own schema in the
//! PostgreSQL server named by `PORTICO_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped when the guard drops.

use portico_store::{Store, StoreError};
use postgres::{Client, NoTls};

use crate::{PostgresOptions, open};

/// The server tests use.
pub fn test_url() -> String {
    std::env::var("PORTICO_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Drops the test's schema when dropped.
pub struct SchemaGuard {
    url: String,
    schema: String,
}

impl SchemaGuard {
    /// Opens another store on the same schema, as a second process would
    /// (its own connections and commit listener). The opening blocks: run
    /// it off async threads.
    pub fn open_again(&self) -> impl FnOnce() -> Result<Store, StoreError> + Send + 'static {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        move || {
            open(
                &url,
                &PostgresOptions {
                    pool_size: 4,
                    schema: Some(schema),
                },
            )
        }
    }
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let url = self.url.clone();
        let schema = self.schema.clone();
        // The sync client runs its own runtime: keep it off async threads.
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = Client::connect(&url, NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        })
        .join();
    }
}

/// Whether the test server answers.
pub fn available() -> bool {
    let url = test_url();
    std::thread::spawn(move || Client::connect(&url, NoTls).is_ok())
        .join()
        .unwrap_or(false)
}

/// A fresh store for a test, or `None` (the test skips) when the server
/// does not answer, except under `CI=true`, where that fails the test.
/// Blocks; call it off async threads.
pub fn fresh_store_or_skip() -> Option<(Store, SchemaGuard)> {
    if !available() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "PostgreSQL is not reachable at {} and CI=true",
            test_url()
        );
        eprintln!("skipped: PostgreSQL not reachable");
        return None;
    }
    Some(fresh_store().unwrap_or_else(|e| panic!("fresh store: {e}")))
}

/// A store on a fresh, empty schema. Blocks; call it off async threads.
pub fn fresh_store() -> Result<(Store, SchemaGuard), StoreError> {
    let url = test_url();
    let schema = format!("portico_t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = Client::connect(&url, NoTls).map_err(|e| StoreError::Backend(e.to_string()))?;
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    let guard = SchemaGuard {
        url: url.clone(),
        schema: schema.clone(),
    };
    let store = open(
        &url,
        &PostgresOptions {
            pool_size: 4,
            schema: Some(schema),
        },
    )?;
    Ok((store, guard))
}
