//! Collection runs inside the app (issue 11): anyone who may see a
//! collection (partners included, SPEC §3) runs it, with an environment they
//! may see; each run is kept in a history private to the person who ran it.
//! The running itself (HTTP, scripts) is the server's: these use cases hand
//! it the collection and variables, and keep what it reports.

use std::collections::BTreeMap;

use portico_domain::Error;
use portico_domain::ids::{CollectionId, EnvironmentId};
use portico_domain::policy::Action;
use portico_store::RunRecord;
use serde_json::Value;

use crate::collections::collection_for;
use crate::environments::{content, environment_for};
use crate::{App, Principal, Result};

/// Runs kept per person and collection; older ones are dropped.
pub const KEPT_RUNS: u32 = 50;

/// What a run starts from.
#[derive(Debug, Clone)]
pub struct RunInput {
    /// The collection in Collection Format v2.1.
    pub collection: Value,
    pub environment_id: Option<EnvironmentId>,
    pub environment_name: Option<String>,
    /// The environment's enabled variables. Secret values are left empty
    /// for those who may not edit the environment (they may not see them,
    /// so their runs may not use them either).
    pub environment: BTreeMap<String, Value>,
    /// How many secret values were left out.
    pub secrets_withheld: usize,
}

/// What a finished run reports.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub started_at: i64,
    pub duration_ms: i64,
    pub passed: bool,
    pub requests: i64,
    pub failed_requests: i64,
    pub assertions: i64,
    pub failed_assertions: i64,
    pub report: Value,
}

impl App {
    /// The collection and environment of a run the caller starts; counts
    /// against their hourly runs.
    pub async fn run_input(
        &self,
        who: &Principal,
        id: CollectionId,
        environment: Option<EnvironmentId>,
    ) -> Result<RunInput> {
        let actor = who.actor();
        let (_, text) = self.collection(who, id, false).await?;
        let collection: Value = serde_json::from_str(&text).map_err(|_| Error::internal())?;
        let env = match environment {
            None => None,
            Some(eid) => Some(
                self.store
                    .read(move |tx| {
                        let (record, access) =
                            environment_for(tx, &actor, eid, Action::ViewWorkspace).map_err(|e| match e.kind {
                                // A hidden environment reads as a missing one;
                                // a failure of the store stays one.
                                portico_domain::ErrorKind::Internal | portico_domain::ErrorKind::StorageFull => e,
                                _ => Error::invalid(
                                    "unknown_environment",
                                    "No environment with this id can be used by you.",
                                ),
                            })?;
                        let show = crate::environments::can_edit(&actor, &access);
                        Ok::<_, Error>((record.id, content(&record)?, show))
                    })
                    .await?,
            ),
        };
        self.take_quota(crate::rate_limit::Quota::Runs, who, 1)?;
        let mut vars = BTreeMap::new();
        let mut withheld = 0;
        let (environment_id, environment_name) = match env {
            None => (None, None),
            Some((eid, env, show_secrets)) => {
                for v in &env.values {
                    let enabled = v.get("enabled").and_then(Value::as_bool).unwrap_or(true);
                    let Some(key) = v.get("key").and_then(Value::as_str).filter(|k| !k.is_empty()) else {
                        continue;
                    };
                    if !enabled {
                        continue;
                    }
                    let secret = v.get("type").and_then(Value::as_str) == Some("secret");
                    let value = if secret && !show_secrets {
                        withheld += 1;
                        Value::String(String::new())
                    } else {
                        v.get("value").cloned().unwrap_or(Value::String(String::new()))
                    };
                    vars.insert(key.to_owned(), value);
                }
                (Some(eid), Some(env.name))
            }
        };
        Ok(RunInput {
            collection,
            environment_id,
            environment_name,
            environment: vars,
            secrets_withheld: withheld,
        })
    }

    /// Keeps a finished run in the caller's history.
    pub async fn save_run(
        &self,
        who: &Principal,
        id: CollectionId,
        input: &RunInput,
        outcome: RunOutcome,
    ) -> Result<RunRecord> {
        let actor = who.actor();
        let record = RunRecord {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: actor.user_id,
            collection_id: id,
            environment_id: input.environment_id,
            environment_name: input.environment_name.clone(),
            started_at: outcome.started_at,
            duration_ms: outcome.duration_ms,
            passed: outcome.passed,
            requests: outcome.requests,
            failed_requests: outcome.failed_requests,
            assertions: outcome.assertions,
            failed_assertions: outcome.failed_assertions,
            report: outcome.report.to_string(),
        };
        self.store
            .write(move |tx| {
                // Still allowed to see the collection now that the run is over.
                collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                tx.insert_run(&record)?;
                tx.prune_runs(id, actor.user_id, KEPT_RUNS)?;
                Ok(record)
            })
            .await
    }

    /// The caller's own runs of a collection, newest first (no one sees
    /// another person's runs).
    pub async fn runs(&self, who: &Principal, id: CollectionId) -> Result<Vec<RunRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                Ok(tx.runs_of(id, actor.user_id, KEPT_RUNS)?)
            })
            .await
    }

    /// One of the caller's runs, while they may still see its collection.
    pub async fn run(&self, who: &Principal, run_id: &str) -> Result<RunRecord> {
        let actor = who.actor();
        let run_id = run_id.to_owned();
        self.store
            .read(move |tx| {
                let run = tx
                    .run(&run_id)?
                    .filter(|r| r.user_id == actor.user_id)
                    .ok_or_else(|| Error::not_found("run"))?;
                collection_for(tx, &actor, run.collection_id, Action::ViewWorkspace)
                    .map_err(|_| Error::not_found("run"))?;
                Ok(run)
            })
            .await
    }
}
