//! Forks on SQLite (docs/benchmarks.md): the time to fork a 10,000-request
//! collection against a 100-request one, the storage 100 unchanged forks
//! add against 100 copies, and a pull with 100 changes on each side.
//!
//! ```text
//! cargo bench -p portico-app --bench forks
//! cargo test -p portico-app --bench forks    # smoke run: tiny sizes, 1–2 runs each
//! ```
//!
//! Prints a markdown table. Timings are measured here, never asserted.
//! Without `--bench` (`cargo test`, CI) it runs the same steps with the
//! sizes of [`SMOKE`], so that it keeps compiling and running; the targets
//! apply to `cargo bench` only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../domain/examples/parse_collection/fixture.rs"]
mod fixture;
#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use portico_app::collections::{CollectionInput, ItemWrite};
use portico_app::{App, Principal};
use portico_domain::collection::{NodeKind, Resolutions};
use portico_domain::ids::{CollectionId, WorkspaceId};
use serde_json::{Value, json};
use support::fresh_app;

/// The sizes of one run.
struct Sizes {
    /// The large and the small collection, as (folders, requests per folder).
    big: (usize, usize),
    small: (usize, usize),
    /// Forks timed of each collection.
    fork_runs: usize,
    /// Unchanged forks (and copies) whose storage is compared.
    forks_stored: usize,
    pull_runs: usize,
    /// Requests changed on each side before a pull.
    changes: usize,
    /// Whether the targets apply (full size, optimised build).
    targets: bool,
}

/// `cargo bench`: what docs/benchmarks.md reports.
const FULL: Sizes = Sizes {
    big: (100, 100),
    small: (10, 10),
    fork_runs: 30,
    forks_stored: 100,
    pull_runs: 5,
    changes: 100,
    targets: true,
};

/// `cargo test` (CI): every step, quickly, in the debug profile.
const SMOKE: Sizes = Sizes {
    big: (4, 5),
    small: (2, 2),
    fork_runs: 2,
    forks_stored: 2,
    pull_runs: 1,
    changes: 3,
    targets: false,
};

impl Sizes {
    /// `cargo bench` passes `--bench`; `cargo test` runs bench targets
    /// without it.
    fn from_args() -> &'static Sizes {
        if std::env::args().any(|a| a == "--bench") {
            &FULL
        } else {
            &SMOKE
        }
    }
}

/// `n` with thousands separated: `10,000`.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

async fn import(app: &App, who: &Principal, ws: WorkspaceId, text: &str) -> CollectionId {
    let input = CollectionInput::Text(text.as_bytes().to_vec());
    app.create_collection(who, ws, input).await.unwrap().collection.id
}

/// The request uids of a collection, in tree order.
async fn request_uids(app: &App, who: &Principal, id: CollectionId) -> Vec<String> {
    fn walk(items: &Value, out: &mut Vec<String>) {
        for i in items.as_array().into_iter().flatten() {
            if i.get("request").is_some() {
                out.push(i["id"].as_str().unwrap().to_owned());
            }
            walk(&i["item"], out);
        }
    }
    let (_, text) = app.collection(who, id, false).await.unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    walk(&doc["item"], &mut out);
    out
}

/// Size of the database once closed (its WAL folded back in).
fn db_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn main() {
    let sizes = Sizes::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(sizes));
}

async fn run(sizes: &Sizes) {
    let big = serde_json::to_string(&fixture::collection(sizes.big.0, sizes.big.1)).unwrap();
    let small = serde_json::to_string(&fixture::collection(sizes.small.0, sizes.small.1)).unwrap();
    let (big_requests, small_requests) = (count(sizes.big.0 * sizes.big.1), count(sizes.small.0 * sizes.small.1));
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    // Fork time, the two sizes alternating.
    let dir = tempfile::tempdir().unwrap();
    let (app, who, ws) = fresh_app(dir.path()).await;
    let big_id = import(&app, &who, ws, &big).await;
    let small_id = import(&app, &who, ws, &small).await;
    let (mut fork_big, mut fork_small) = (Vec::new(), Vec::new());
    for i in 0..sizes.fork_runs {
        for (id, out) in [(big_id, &mut fork_big), (small_id, &mut fork_small)] {
            let started = Instant::now();
            app.fork_collection(&who, id, ws, &format!("fork {i}")).await.unwrap();
            out.push(started.elapsed());
        }
    }

    // A pull with `changes` changed requests on each side (different requests).
    let uids = request_uids(&app, &who, big_id).await;
    let mut pulls = Vec::new();
    for run in 0..sizes.pull_runs {
        let (fork, _) = app.fork_collection(&who, big_id, ws, "pulled").await.unwrap();
        for k in 0..sizes.changes {
            let rename = |side: &str| ItemWrite {
                body: Some(json!({ "name": format!("{side} {run}-{k}") })),
                ..Default::default()
            };
            // Different requests on each side: the first half for the
            // parent, the second for the fork.
            let half = uids.len() / 2;
            let theirs = uids[(k * 97 + run) % half].clone();
            let ours = uids[half + (k * 89 + run) % half].clone();
            app.update_item(&who, big_id, NodeKind::Request, theirs, rename("parent"), None)
                .await
                .unwrap();
            app.update_item(&who, fork.id, NodeKind::Request, ours, rename("fork"), None)
                .await
                .unwrap();
        }
        let started = Instant::now();
        let outcome = app
            .pull_collection(&who, fork.id, Resolutions::new(), None)
            .await
            .unwrap();
        pulls.push(started.elapsed());
        assert!(outcome.conflicts.is_empty());
    }
    drop(app);

    // Storage: 100 unchanged forks against 100 copies (imports of the same
    // file: bodies are shared by content, so a copy is its node rows).
    let base_dir = tempfile::tempdir().unwrap();
    {
        let (app, who, ws) = fresh_app(base_dir.path()).await;
        import(&app, &who, ws, &big).await;
    }
    let forks_dir = tempfile::tempdir().unwrap();
    {
        let (app, who, ws) = fresh_app(forks_dir.path()).await;
        let id = import(&app, &who, ws, &big).await;
        for i in 0..sizes.forks_stored {
            app.fork_collection(&who, id, ws, &format!("fork {i}")).await.unwrap();
        }
    }
    let copies_dir = tempfile::tempdir().unwrap();
    {
        let (app, who, ws) = fresh_app(copies_dir.path()).await;
        for _ in 0..=sizes.forks_stored {
            import(&app, &who, ws, &big).await;
        }
    }
    let base = db_bytes(base_dir.path());
    let forks = db_bytes(forks_dir.path()).saturating_sub(base);
    let copies = db_bytes(copies_dir.path()).saturating_sub(base);

    let (big_m, big_min, big_max) = stats(fork_big);
    let (small_m, small_min, small_max) = stats(fork_small);
    let (pull_m, pull_min, pull_max) = stats(pulls);
    let ratio = big_m.as_secs_f64() / small_m.as_secs_f64();
    let share = forks as f64 / copies as f64;
    let verdict = |ok: bool| match (sizes.targets, ok) {
        (false, _) => "(smoke run)",
        (true, true) => "pass",
        (true, false) => "**FAIL**",
    };
    let (fork_runs, pull_runs, changes, stored) = (sizes.fork_runs, sizes.pull_runs, sizes.changes, sizes.forks_stored);
    println!();
    if !sizes.targets {
        println!("Smoke run (without `--bench`): sizes cut down, targets not checked.");
    }
    println!(
        "Load average before and after: {} → {}",
        load_before.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!("| measurement | runs | median | min | max | target | result |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    println!(
        "| fork of the {big_requests}-request collection | {fork_runs} | {} | {} | {} | ≤ 20 ms | {} |",
        ms(big_m),
        ms(big_min),
        ms(big_max),
        verdict(big_m <= Duration::from_millis(20))
    );
    println!(
        "| fork of a {small_requests}-request collection | {fork_runs} | {} | {} | {} | | |",
        ms(small_m),
        ms(small_min),
        ms(small_max)
    );
    println!(
        "| ratio {big_requests} / {small_requests} | | {ratio:.2}× | | | ≤ 2× | {} |",
        verdict(ratio <= 2.0)
    );
    println!(
        "| pull into a fork of the {big_requests}-request collection, {changes} changes a side | {pull_runs} | {} | {} | {} | | |",
        ms(pull_m),
        ms(pull_min),
        ms(pull_max)
    );
    println!(
        "| storage added by {stored} unchanged forks / by {stored} copies | | {:.2} MB / {:.1} MB = {:.1} % | | | < 5 % | {} |",
        forks as f64 / 1e6,
        copies as f64 / 1e6,
        share * 100.0,
        verdict(share < 0.05)
    );
}
