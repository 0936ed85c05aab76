//! Issue 11, compatibility: every collection in tests/newman/ runs under
//! newman (clients/, pinned) and under `portico run` against the same local
//! mock server, and every assertion must pass or fail the same way.
//!
//! Without node or newman the test is skipped with a message, except when
//! `CI=true`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../runner/tests/support/mock.rs"]
mod mock;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (request name, assertion name, passed) in run order.
type Outcomes = Vec<(String, String, bool)>;

fn outcomes(report: &Value) -> Outcomes {
    let mut out = Vec::new();
    let mut last_id = None;
    for e in report["run"]["executions"].as_array().into_iter().flatten() {
        // newman lists a request that digest auth retried once per attempt,
        // under the same cursor, with the same assertions.
        let id = e["cursor"]["ref"].as_str();
        if id.is_some() && id == last_id {
            continue;
        }
        last_id = id;
        let name = e["item"]["name"].as_str().unwrap_or_default().to_owned();
        for a in e["assertions"].as_array().into_iter().flatten() {
            if a["skipped"].as_bool() == Some(true) {
                continue;
            }
            let passed = a.get("error").is_none_or(Value::is_null);
            out.push((
                name.clone(),
                a["assertion"].as_str().unwrap_or_default().to_owned(),
                passed,
            ));
        }
    }
    out
}

fn common_args(base: &str, collection: &Path) -> Vec<String> {
    let mut args = vec![
        collection.to_string_lossy().into_owned(),
        "--env-var".into(),
        format!("baseUrl={base}"),
        "--env-var".into(),
        "b=from-env".into(),
        "--global-var".into(),
        "g=from-global".into(),
    ];
    let stem = collection
        .file_name()
        .unwrap()
        .to_string_lossy()
        .trim_end_matches(".postman_collection.json")
        .to_owned();
    let data = collection.with_file_name(format!("{stem}.csv"));
    if data.exists() {
        args.push("-d".into());
        args.push(data.to_string_lossy().into_owned());
    }
    args
}

fn newman_available(newman: &Path) -> bool {
    let ok = newman.exists()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("node and newman (clients/node_modules) are required when CI=true");
        }
        eprintln!("skipped: node or newman missing (run `npm ci` in clients/)");
    }
    ok
}

/// Issue 11 compatibility: same pass/fail for every assertion as newman 6.2.2.
#[test]
fn same_assertion_outcomes_as_newman() {
    let newman = repo().join("clients/node_modules/newman/bin/newman.js");
    if !newman_available(&newman) {
        return;
    }
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/newman");
    let mut collections: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".postman_collection.json"))
        .collect();
    collections.sort();
    assert!(collections.len() >= 8);
    let dir = tempfile::tempdir().unwrap();
    let mut mismatches = Vec::new();
    for c in &collections {
        let name = c.file_name().unwrap().to_string_lossy().into_owned();

        let m = mock::start();
        let newman_report = dir.path().join(format!("{name}.newman.json"));
        let out = Command::new("node")
            .arg(&newman)
            .arg("run")
            .args(common_args(&m.base, c))
            .args(["-r", "json", "--reporter-json-export"])
            .arg(&newman_report)
            .output()
            .unwrap();
        let theirs: Value = serde_json::from_slice(&std::fs::read(&newman_report).unwrap_or_else(|_| {
            panic!(
                "{name}: newman wrote no report: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }))
        .unwrap();

        let m = mock::start();
        let portico_report = dir.path().join(format!("{name}.portico.json"));
        let out = Command::new(env!("CARGO_BIN_EXE_portico"))
            .arg("run")
            .args(common_args(&m.base, c))
            .args(["-r", "json", "--reporter-json-export"])
            .arg(&portico_report)
            .output()
            .unwrap();
        let ours: Value = serde_json::from_slice(&std::fs::read(&portico_report).unwrap_or_else(|_| {
            panic!(
                "{name}: portico wrote no report: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }))
        .unwrap();

        let (theirs, ours) = (outcomes(&theirs), outcomes(&ours));
        assert!(!theirs.is_empty(), "{name}: newman ran no assertion");
        if theirs != ours {
            mismatches.push(format!("{name}:\n  newman:  {theirs:?}\n  portico: {ours:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
