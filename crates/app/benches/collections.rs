//! Collections on SQLite with a 10,000-request collection (docs/benchmarks.md).
//!
//! ```text
//! cargo bench -p portico-app --bench collections
//! cargo test -p portico-app --bench collections    # smoke run: 20 requests, 1–2 runs each
//! ```
//!
//! Generates the benchmark collection (100 folders × 100 requests, the same
//! bytes `parse_collection generate` writes), writes it to
//! `$CARGO_TARGET_DIR/tmp/collection-10k.postman_collection.json`, and times
//! on an SQLite file database in a temporary directory, opened like
//! production (WAL, `synchronous = FULL`):
//!
//! - parse: `import_nodes_slice` (the import's parser) on the text in memory;
//! - import: JSON text → syntax check (as the server's extractor does) →
//!   `create_collection`, each run into a fresh database;
//! - export: `collection(…)` (the v2.1 text) and the download's document around it;
//! - edit: `update_item` renaming one request, on 100 different requests.
//!
//! Prints a markdown table. Timings are measured here, never asserted.
//! Without `--bench` (`cargo test`, CI) it runs the same steps on a
//! 20-request collection with one or two runs each ([`SMOKE`]), writing
//! `collection-smoke.postman_collection.json` instead, so that it keeps
//! compiling and running; the targets apply to `cargo bench` only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../domain/examples/parse_collection/fixture.rs"]
mod fixture;
#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use portico_app::collections::{CollectionInput, ItemWrite};
use portico_domain::collection::{NodeKind, import_nodes_slice};
use serde_json::{Value, json};
use support::fresh_app;

/// The sizes of one run.
struct Sizes {
    /// The collection: `folders × per_folder` requests.
    folders: usize,
    per_folder: usize,
    parse_runs: usize,
    import_runs: usize,
    export_runs: usize,
    /// Edits, each of another request (spread over the collection).
    edits: usize,
    /// Where the collection is written, under `CARGO_TARGET_TMPDIR`.
    file: &'static str,
    /// Whether the targets apply (full size, optimised build).
    targets: bool,
}

/// `cargo bench`: what docs/benchmarks.md reports.
const FULL: Sizes = Sizes {
    folders: 100,
    per_folder: 100,
    parse_runs: 7,
    import_runs: 7,
    export_runs: 11,
    edits: 100,
    file: "collection-10k.postman_collection.json",
    targets: true,
};

/// `cargo test` (CI): every step, quickly, in the debug profile.
const SMOKE: Sizes = Sizes {
    folders: 4,
    per_folder: 5,
    parse_runs: 1,
    import_runs: 2,
    export_runs: 2,
    edits: 5,
    file: "collection-smoke.postman_collection.json",
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

/// One measured operation.
struct Row {
    what: &'static str,
    samples: Vec<Duration>,
    target: Option<Duration>,
}

impl Row {
    fn new(what: &'static str, samples: Vec<Duration>, target: Option<Duration>) -> Self {
        Self { what, samples, target }
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut s = self.samples.clone();
        s.sort();
        s
    }

    fn median(&self) -> Duration {
        let s = self.sorted();
        let n = s.len();
        if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        }
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn fixture_path(sizes: &Sizes) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(sizes.file)
}

fn count_requests(items: &Value) -> usize {
    items.as_array().map_or(0, |items| {
        items
            .iter()
            .map(|i| {
                if i.get("item").is_some() {
                    count_requests(&i["item"])
                } else {
                    1
                }
            })
            .sum()
    })
}

fn main() {
    let sizes = Sizes::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(sizes));
}

/// The load average, to tell a quiet machine from a busy one.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

async fn run(sizes: &Sizes) {
    let load_before = load();
    let text = serde_json::to_string_pretty(&fixture::collection(sizes.folders, sizes.per_folder)).unwrap();
    let path = fixture_path(sizes);
    std::fs::write(&path, &text).unwrap();
    eprintln!("wrote {} ({} bytes)", path.display(), text.len());

    // Parse only.
    let mut parse = Vec::new();
    let mut requests = 0;
    for _ in 0..sizes.parse_runs {
        let started = Instant::now();
        let nodes = import_nodes_slice(text.as_bytes(), "bench").unwrap();
        parse.push(started.elapsed());
        requests = nodes.iter().filter(|n| n.kind == NodeKind::Request).count();
        drop(nodes);
    }
    assert_eq!(requests, sizes.folders * sizes.per_folder);

    // Import, each run into a fresh database; the last one is kept.
    let mut import = Vec::new();
    let mut create_only = Vec::new();
    let mut kept = None;
    for _ in 0..sizes.import_runs {
        let dir = tempfile::tempdir().unwrap();
        let (app, who, ws) = fresh_app(dir.path()).await;
        let bytes = text.as_bytes().to_vec();
        let started = Instant::now();
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).unwrap();
        let parsed = started.elapsed();
        let saved = app
            .create_collection(&who, ws, CollectionInput::Text(bytes))
            .await
            .unwrap();
        let total = started.elapsed();
        import.push(total);
        create_only.push(total - parsed);
        kept = Some((dir, app, who, ws, saved.collection.id));
    }
    let (dir, app, who, ws, id) = kept.unwrap();

    // The same file again into the same database: a new collection whose
    // bodies are all stored already (content-addressed blobs).
    let mut reimport = Vec::new();
    for _ in 0..sizes.import_runs {
        let bytes = text.as_bytes().to_vec();
        let started = Instant::now();
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).unwrap();
        app.create_collection(&who, ws, CollectionInput::Text(bytes))
            .await
            .unwrap();
        reimport.push(started.elapsed());
    }

    // Export: the collection as JSON, then as the text a download sends.
    let mut export = Vec::new();
    let mut export_value = Vec::new();
    let mut exported = Value::Null;
    let mut exported_bytes = 0;
    for _ in 0..sizes.export_runs {
        let started = Instant::now();
        let (record, text) = app.collection(&who, id, false).await.unwrap();
        export_value.push(started.elapsed());
        // What the download sends: the document around the text.
        let body = format!("{{\"collection\":{text},\"revision\":{}}}", record.revision);
        export.push(started.elapsed());
        exported_bytes = body.len();
        exported = serde_json::from_str(&text).unwrap();
    }
    assert_eq!(count_requests(&exported["item"]), sizes.folders * sizes.per_folder);

    // One request edit, on requests spread over the collection.
    let targets: Vec<String> = (0..sizes.edits)
        .map(|i| {
            let folder = (i * 37) % sizes.folders;
            let request = (i * 53 + 11) % sizes.per_folder;
            exported["item"][folder]["item"][request]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let mut edit = Vec::new();
    for (i, uid) in targets.into_iter().enumerate() {
        let write = ItemWrite {
            body: Some(json!({ "name": format!("Edited request {i}") })),
            ..Default::default()
        };
        let started = Instant::now();
        app.update_item(&who, id, NodeKind::Request, uid, write, None)
            .await
            .unwrap();
        edit.push(started.elapsed());
    }
    let (record, _) = app.collection(&who, id, false).await.unwrap();
    assert_eq!(record.revision, 1 + sizes.edits as i64);
    let db_bytes: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();

    let target = |t: Duration| sizes.targets.then_some(t);
    let rows = [
        Row::new(
            "import: JSON text → `create_collection` (fresh database)",
            import,
            target(Duration::from_secs(1)),
        ),
        Row::new(
            "  of which `create_collection` alone (after the syntax check)",
            create_only,
            None,
        ),
        Row::new(
            "import again into the same database (bodies already stored)",
            reimport,
            None,
        ),
        Row::new(
            "export: `collection(…)` → JSON text",
            export,
            target(Duration::from_millis(300)),
        ),
        Row::new(
            "  of which `collection(…)` alone (the exported text)",
            export_value,
            None,
        ),
        Row::new(
            "edit: `update_item` renaming one request",
            edit,
            target(Duration::from_millis(5)),
        ),
        Row::new("parse: `import_nodes_slice` (text in memory)", parse, None),
    ];
    println!();
    println!(
        "{}Collection: {} requests in {} folders, {:.1} MB of JSON ({}); export {:.1} MB; \
         SQLite files after the runs: {:.0} MB",
        if sizes.targets {
            ""
        } else {
            "Smoke run (without `--bench`): sizes cut down, targets not checked. "
        },
        requests,
        sizes.folders,
        text.len() as f64 / 1e6,
        path.display(),
        exported_bytes as f64 / 1e6,
        db_bytes as f64 / 1e6,
    );
    println!("Load average before and after: {load_before} → {}", load());
    println!();
    println!("| measurement | runs | median | min | max | target | result |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for row in &rows {
        let s = row.sorted();
        let (target, result) = match row.target {
            Some(t) if row.median() <= t => (format!("≤ {}", ms(t)), "pass"),
            Some(t) => (format!("≤ {}", ms(t)), "**FAIL**"),
            None => (String::new(), ""),
        };
        println!(
            "| {} | {} | {} | {} | {} | {target} | {result} |",
            row.what,
            s.len(),
            ms(row.median()),
            ms(s[0]),
            ms(s[s.len() - 1]),
        );
    }
}
