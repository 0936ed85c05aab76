//! `portico run`: reads the files, runs, prints and writes the reports, and
//! answers the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use portico_script::Vars;
use serde_json::Value;

use crate::report::{CliReporter, json_report, junit_report, summary_text};
use crate::{Execution, Quiet, Reporter, RunOptions, Runner, data};

/// Every assertion passed, no request or script failed.
pub const EXIT_PASSED: u8 = 0;
/// Something failed.
pub const EXIT_FAILED: u8 = 1;
/// Bad usage or unreadable input; nothing ran.
pub const EXIT_USAGE: u8 = 2;

/// The options of `portico run`.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    pub collection: PathBuf,
    pub environment: Option<PathBuf>,
    pub globals: Option<PathBuf>,
    pub iteration_data: Option<PathBuf>,
    pub iteration_count: Option<u32>,
    pub folders: Vec<String>,
    /// `cli`, `json`, `junit`.
    pub reporters: Vec<String>,
    pub json_export: Option<PathBuf>,
    pub junit_export: Option<PathBuf>,
    pub timeout_request_ms: Option<u64>,
    pub delay_request_ms: u64,
    pub insecure: bool,
    pub ignore_redirects: bool,
    pub bail: bool,
    /// `KEY=VALUE` pairs.
    pub env_vars: Vec<String>,
    pub global_vars: Vec<String>,
}

/// Writes a report, making its folder first (as newman does).
fn write_report(path: &std::path::Path, contents: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn read(path: &PathBuf, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
}

fn pairs(list: &[String], into: &mut Vars) -> Result<(), String> {
    for p in list {
        let Some((k, v)) = p.split_once('=') else {
            return Err(format!("{p:?} is not KEY=VALUE"));
        };
        into.insert(k.to_owned(), Value::String(v.to_owned()));
    }
    Ok(())
}

/// Reads the inputs into run options and the collection.
pub fn prepare(args: &RunArgs) -> Result<(Value, RunOptions), String> {
    let collection: Value = serde_json::from_str(&read(&args.collection, "collection")?)
        .map_err(|e| format!("{}: not JSON: {e}", args.collection.display()))?;
    let collection = match collection.get("collection") {
        Some(inner) if inner.get("item").is_some() => inner.clone(),
        _ => collection,
    };
    if collection.get("item").and_then(Value::as_array).is_none() {
        return Err(format!("{}: not a v2.1 collection", args.collection.display()));
    }
    let mut options = RunOptions {
        iteration_count: args.iteration_count,
        folders: args.folders.clone(),
        timeout_request: args.timeout_request_ms.filter(|ms| *ms > 0).map(Duration::from_millis),
        delay_request: Duration::from_millis(args.delay_request_ms),
        insecure: args.insecure,
        follow_redirects: !args.ignore_redirects,
        bail: args.bail,
        working_dir: std::env::current_dir().ok(),
        ..RunOptions::default()
    };
    if let Some(p) = &args.environment {
        options.environment =
            data::parse_variables(&read(p, "environment")?).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    if let Some(p) = &args.globals {
        options.globals = data::parse_variables(&read(p, "globals")?).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    pairs(&args.env_vars, &mut options.environment)?;
    pairs(&args.global_vars, &mut options.globals)?;
    if let Some(p) = &args.iteration_data {
        options.data = data::parse_data(&read(p, "data file")?).map_err(|e| format!("{}: {e}", p.display()))?;
    }
    for r in &args.reporters {
        if !matches!(r.as_str(), "cli" | "json" | "junit") {
            return Err(format!("unknown reporter {r:?} (cli, json, junit)"));
        }
    }
    Ok((collection, options))
}

struct Progress<R: Reporter>(Option<R>);
impl<R: Reporter> Reporter for Progress<R> {
    fn iteration_start(&mut self, i: u32, n: u32) {
        if let Some(r) = &mut self.0 {
            r.iteration_start(i, n);
        }
    }
    fn execution(&mut self, e: &Execution) {
        if let Some(r) = &mut self.0 {
            r.execution(e);
        }
    }
}

/// Runs `portico run`; returns the exit code.
pub fn run(args: &RunArgs) -> u8 {
    let (collection, options) = match prepare(args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let reporters: Vec<&str> = if args.reporters.is_empty() {
        vec!["cli"]
    } else {
        args.reporters.iter().map(String::as_str).collect()
    };
    let cli = reporters.contains(&"cli");
    let mut runner = match Runner::new(options) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    // Progress lines only when someone watches.
    let stderr = std::io::stderr();
    let summary = if cli && stderr.is_terminal() {
        let name = collection
            .pointer("/info/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        eprintln!("portico run\n\n{name}\n");
        runner.run(&collection, &mut Progress(Some(CliReporter::new(stderr.lock()))))
    } else {
        runner.run(&collection, &mut Quiet)
    };
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if cli {
        print!("{}", summary_text(&summary));
    }
    if reporters.contains(&"json") {
        let path = args
            .json_export
            .clone()
            .unwrap_or_else(|| PathBuf::from("portico-run-report.json"));
        let text = serde_json::to_string_pretty(&json_report(&summary)).unwrap_or_default();
        if let Err(e) = write_report(&path, text.as_bytes()) {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    }
    if reporters.contains(&"junit") {
        let path = args
            .junit_export
            .clone()
            .unwrap_or_else(|| PathBuf::from("portico-run-report.xml"));
        if let Err(e) = write_report(&path, junit_report(&summary).as_bytes()) {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    }
    if summary.passed() { EXIT_PASSED } else { EXIT_FAILED }
}
