//! Collections on SQLite with a 10,000-request collection (docs/benchmarks.md).
//!
//! ```text
//! cargo bench -p portico-app --bench collections
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

const FOLDERS: usize = 100;
const PER_FOLDER: usize = 100;
const PARSE_RUNS: usize = 7;
const IMPORT_RUNS: usize = 7;
const EXPORT_RUNS: usize = 11;
const EDITS: usize = 100;

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

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("collection-10k.postman_collection.json")
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
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs bench
    // targets without it, and must stay quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("collections bench: skipped outside `cargo bench`");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

/// The load average, to tell a quiet machine from a busy one.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

async fn run() {
    let load_before = load();
    let text = serde_json::to_string_pretty(&fixture::collection(FOLDERS, PER_FOLDER)).unwrap();
    let path = fixture_path();
    std::fs::write(&path, &text).unwrap();
    eprintln!("wrote {} ({} bytes)", path.display(), text.len());

    // Parse only.
    let mut parse = Vec::new();
    let mut requests = 0;
    for _ in 0..PARSE_RUNS {
        let started = Instant::now();
        let nodes = import_nodes_slice(text.as_bytes(), "bench").unwrap();
        parse.push(started.elapsed());
        requests = nodes.iter().filter(|n| n.kind == NodeKind::Request).count();
        drop(nodes);
    }
    assert_eq!(requests, FOLDERS * PER_FOLDER);

    // Import, each run into a fresh database; the last one is kept.
    let mut import = Vec::new();
    let mut create_only = Vec::new();
    let mut kept = None;
    for _ in 0..IMPORT_RUNS {
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
    for _ in 0..IMPORT_RUNS {
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
    for _ in 0..EXPORT_RUNS {
        let started = Instant::now();
        let (record, text) = app.collection(&who, id, false).await.unwrap();
        export_value.push(started.elapsed());
        // What the download sends: the document around the text.
        let body = format!("{{\"collection\":{text},\"revision\":{}}}", record.revision);
        export.push(started.elapsed());
        exported_bytes = body.len();
        exported = serde_json::from_str(&text).unwrap();
    }
    assert_eq!(count_requests(&exported["item"]), FOLDERS * PER_FOLDER);

    // One request edit, on requests spread over the collection.
    let targets: Vec<String> = (0..EDITS)
        .map(|i| {
            let folder = (i * 37) % FOLDERS;
            let request = (i * 53 + 11) % PER_FOLDER;
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
    assert_eq!(record.revision, 1 + EDITS as i64);
    let db_bytes: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();

    let rows = [
        Row::new(
            "import: JSON text → `create_collection` (fresh database)",
            import,
            Some(Duration::from_secs(1)),
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
            Some(Duration::from_millis(300)),
        ),
        Row::new(
            "  of which `collection(…)` alone (the exported text)",
            export_value,
            None,
        ),
        Row::new(
            "edit: `update_item` renaming one request",
            edit,
            Some(Duration::from_millis(5)),
        ),
        Row::new("parse: `import_nodes_slice` (text in memory)", parse, None),
    ];
    println!();
    println!(
        "Collection: {} requests in {FOLDERS} folders, {:.1} MB of JSON ({}); export {:.1} MB; \
         SQLite files after the runs: {:.0} MB",
        requests,
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
