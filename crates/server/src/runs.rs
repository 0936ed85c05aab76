//! Collection runs inside the app (issue 11): the collection runner
//! (`portico-runner`) on a thread of its own, with limits fit for a shared
//! server, and what it reports kept in the caller's history.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use portico_app::runs::RunOutcome;
use portico_app::{App, Principal};
use portico_domain::ids::{CollectionId, EnvironmentId};
use portico_domain::{Error, ErrorKind};
use portico_runner::{Quiet, RunOptions, Runner, json_report};
use portico_store::RunRecord;

/// Iterations a run may ask for.
pub const MAX_ITERATIONS: u32 = 10;
/// Requests one run may send (its scripts' jumps included).
pub const MAX_REQUESTS: u64 = 1_000;
/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest response body a run reads.
pub const MAX_RESPONSE_BYTES: usize = 10 * 1024 * 1024;
/// How long a whole run may take.
pub const RUN_TIME: Duration = Duration::from_secs(300);
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// One place among the runs going on in this process.
struct Slot;

impl Slot {
    fn take(at_once: usize) -> Result<Slot, Error> {
        let before = RUNNING.fetch_add(1, Ordering::SeqCst);
        if before >= at_once {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::new(
                ErrorKind::RateLimited,
                "runs_busy",
                "Try again in 10 seconds: this server is running as many collections as it runs at once.",
            ));
        }
        Ok(Slot)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the caller asks of a run.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    pub environment: Option<String>,
    pub iteration_count: Option<u32>,
    pub folders: Vec<String>,
}

/// Runs a collection for the caller and keeps the run in their history.
pub async fn run_collection(app: &App, who: &Principal, id: CollectionId, req: RunRequest) -> Result<RunRecord, Error> {
    let iterations = req.iteration_count.unwrap_or(1);
    if !(1..=MAX_ITERATIONS).contains(&iterations) {
        return Err(Error::invalid(
            "invalid_iteration_count",
            format!("A run has 1 to {MAX_ITERATIONS} iterations."),
        ));
    }
    if req.folders.len() > 50 || req.folders.iter().any(|f| f.is_empty() || f.len() > 500) {
        return Err(Error::invalid("invalid_folders", "Give at most 50 folder names."));
    }
    let environment = req
        .environment
        .as_deref()
        .map(|e| {
            EnvironmentId::parse(e)
                .map_err(|_| Error::invalid("unknown_environment", "No environment with this id can be used by you."))
        })
        .transpose()?;
    let slot = Slot::take(app.config.runs_at_once)?;
    let input = app.run_input(who, id, environment).await?;
    let options = RunOptions {
        iteration_count: Some(iterations),
        folders: req.folders,
        environment: input.environment.clone(),
        timeout_request: Some(REQUEST_TIMEOUT),
        allow_private_targets: app.config.allow_private_run_targets,
        working_dir: None,
        max_requests: Some(MAX_REQUESTS),
        max_duration: Some(RUN_TIME),
        max_response_bytes: Some(MAX_RESPONSE_BYTES),
        ..RunOptions::default()
    };
    let collection = input.collection.clone();
    let (done, finished) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("portico-run".into())
        .spawn(move || {
            let result = Runner::new(options).and_then(|mut r| r.run(&collection, &mut Quiet));
            let _ = done.send(result);
        })
        .map_err(|e| {
            tracing::error!(error = %e, "cannot start a run thread");
            Error::internal()
        })?;
    let summary = finished
        .await
        .map_err(|_| Error::internal())?
        .map_err(|e| Error::invalid("collection_cannot_run", e))?;
    drop(slot);
    let mut report = json_report(&summary);
    if let Some(reason) = &summary.stopped {
        report["stopped"] = reason.as_str().into();
    }
    if input.secrets_withheld > 0 {
        report["secretsWithheld"] = input.secrets_withheld.into();
    }
    let outcome = RunOutcome {
        started_at: i64::try_from(summary.started_ms).unwrap_or(i64::MAX),
        duration_ms: i64::try_from(summary.duration.as_millis()).unwrap_or(i64::MAX),
        passed: summary.passed(),
        requests: count(summary.requests.total),
        failed_requests: count(summary.requests.failed),
        assertions: count(summary.assertions.total),
        failed_assertions: count(summary.assertions.failed),
        report,
    };
    app.save_run(who, id, &input, outcome).await
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
