//! The store contract, on PostgreSQL. Each test gets its own schema.
//! Without a reachable server the tests skip, except under `CI=true`,
//! where a missing PostgreSQL fails the run.

fn fresh() -> Option<(portico_store::Store, portico_store_postgres::testing::SchemaGuard)> {
    portico_store_postgres::testing::fresh_store_or_skip()
}

portico_store::contract_tests!(fresh());
