//! The store contract, on SQLite.

fn fresh() -> Option<(portico_store::Store, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let store = portico_store_sqlite::open(&dir.path().join("portico.db"), &Default::default())
        .unwrap_or_else(|e| panic!("open: {e}"));
    Some((store, dir))
}

portico_store::contract_tests!(fresh());

#[test]
fn r_ops_2_every_connection_uses_wal_full_sync_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let backend = portico_store_sqlite::SqliteBackend::open(&dir.path().join("p.db"), &Default::default())
        .unwrap_or_else(|e| panic!("open: {e}"));
    for pragmas in backend.connection_pragmas().unwrap_or_else(|e| panic!("{e}")) {
        assert_eq!(pragmas, ["wal".to_string(), "2".into(), "1".into(), "5000".into()]);
    }
}

#[test]
fn reopening_a_database_keeps_its_data_and_does_not_migrate_twice() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("p.db");
    let store = portico_store_sqlite::open(&path, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    portico_store::contract::outbox_keeps_messages_in_order(&store);
    drop(store);
    let store = portico_store_sqlite::open(&path, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    let rows = store
        .run_blocking(portico_store::Mode::Read, |tx| tx.outbox(10))
        .unwrap_or_else(|e: portico_store::StoreError| panic!("{e}"));
    assert_eq!(rows.len(), 2);
}
