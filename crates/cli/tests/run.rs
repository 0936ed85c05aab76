//! Issue 11 part 3: `portico run` as a CI job runs it — environment and
//! data files, folders, reporters (summary, JSON, JUnit XML) and exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../runner/tests/support/mock.rs"]
mod mock;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

fn portico_run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portico"))
        .arg("run")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn test_script(lines: &[&str]) -> Value {
    json!([{"listen": "test", "script": {"type": "text/javascript", "exec": lines}}])
}

fn write(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// A collection whose assertions pass, and one that fails on purpose.
fn collections(dir: &Path) {
    let passing = json!({
        "info": {"name": "Passing & <fine>"},
        "item": [
            {"name": "Folder", "item": [{
                "name": "Echo id",
                "event": test_script(&[
                    "pm.test('status is 200', () => pm.response.to.have.status(200));",
                    "pm.test('id from the data file', () => pm.expect(pm.response.json().query.id).to.eql(String(pm.iterationData.get('id'))));",
                ]),
                "request": {"method": "GET", "url": "{{baseUrl}}/echo?id={{id}}&token={{token}}"}
            }]},
            {"name": "Other", "request": {"method": "GET", "url": "{{baseUrl}}/other"}}
        ]
    });
    write(dir, "passing.json", &passing);
    let failing = json!({
        "info": {"name": "Failing"},
        "item": [{
            "name": "Wrong status",
            "event": test_script(&[
                "pm.test('status is 201', () => pm.response.to.have.status(201));",
                "pm.test('status is 200', () => pm.response.to.have.status(200));",
            ]),
            "request": {"method": "GET", "url": "{{baseUrl}}/status/200"}
        }]
    });
    write(dir, "failing.json", &failing);
    write(
        dir,
        "env.json",
        &json!({"name": "local", "values": [{"key": "token", "value": "t0k", "enabled": true}]}),
    );
    std::fs::write(dir.join("data.csv"), "id\n1\n2\n").unwrap();
}

/// Issue 11 part 3: exit code 0 when every assertion passed; environment,
/// data file (one iteration per row) and the summary table.
#[test]
fn passing_run_exits_0_with_a_summary() {
    let m = mock::start();
    let dir = tempfile::tempdir().unwrap();
    collections(dir.path());
    let (code, stdout, stderr) = portico_run(
        dir.path(),
        &[
            "passing.json",
            "-e",
            "env.json",
            "-d",
            "data.csv",
            "--env-var",
            &format!("baseUrl={}", m.base),
        ],
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("│                iterations │          2 │          0 │"),
        "{stdout}"
    );
    assert!(
        stdout.contains("│                assertions │          4 │          0 │"),
        "{stdout}"
    );
    assert!(stdout.contains("average response time"), "{stdout}");
    let queries: Vec<_> = m
        .received()
        .into_iter()
        .filter(|r| r.path == "/echo")
        .map(|r| r.query)
        .collect();
    assert_eq!(queries, ["id=1&token=t0k", "id=2&token=t0k"]);
}

/// Issue 11 part 3: a failed assertion exits 1 and is listed with its message;
/// the JUnit report is well-formed XML with one failure; the JSON report has it too.
#[test]
fn failing_run_exits_1_with_junit_and_json_reports() {
    let m = mock::start();
    let dir = tempfile::tempdir().unwrap();
    collections(dir.path());
    let (code, stdout, _) = portico_run(
        dir.path(),
        &[
            "failing.json",
            "--env-var",
            &format!("baseUrl={}", m.base),
            "-r",
            "cli,json,junit",
            "--reporter-json-export",
            "out/report.json",
            "--reporter-junit-export",
            "report.xml",
        ],
    );
    assert_eq!(code, 1, "{stdout}");
    // The export's folder is made as needed.
    assert!(dir.path().join("out/report.json").exists());
    assert!(stdout.contains("AssertionError  status is 201"), "{stdout}");
    assert!(
        stdout.contains("expected response to have status code 201 but got 200") || stdout.contains("201"),
        "{stdout}"
    );

    let (code, _, _) = portico_run(
        dir.path(),
        &[
            "failing.json",
            "--env-var",
            &format!("baseUrl={}", m.base),
            "-r",
            "json,junit",
            "--reporter-json-export",
            "report.json",
            "--reporter-junit-export",
            "report.xml",
        ],
    );
    assert_eq!(code, 1);
    let xml = std::fs::read_to_string(dir.path().join("report.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attribute("failures"), Some("1"));
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 2);
    assert!(cases[0].children().any(|c| c.has_tag_name("failure")));
    assert!(!cases[1].children().any(|c| c.has_tag_name("failure")));

    let report: Value = serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["run"]["stats"]["assertions"]["failed"], json!(1));
    assert_eq!(report["run"]["executions"][0]["assertions"][0]["passed"], json!(false));
}

/// Issue 11 part 3: JUnit XML stays well-formed with markup in names, and
/// `--folder` runs only that folder.
#[test]
fn folder_selection_and_escaped_junit() {
    let m = mock::start();
    let dir = tempfile::tempdir().unwrap();
    collections(dir.path());
    let (code, _, _) = portico_run(
        dir.path(),
        &[
            "passing.json",
            "--folder",
            "Folder",
            "-d",
            "data.csv",
            "-n",
            "1",
            "--env-var",
            &format!("baseUrl={}", m.base),
            "-r",
            "junit",
            "--reporter-junit-export",
            "r.xml",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(m.paths(), ["/echo"]);
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("name"), Some("Passing & <fine>"));
}

/// Issue 11 part 3: a request that cannot be sent exits 1; unreadable input exits 2.
#[test]
fn errors_and_bad_usage_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    collections(dir.path());
    // Nothing listens on port 9 (discard) of 127.0.0.1 here.
    let (code, stdout, _) = portico_run(dir.path(), &["failing.json", "--env-var", "baseUrl=http://127.0.0.1:9"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("requests │          1 │          1"), "{stdout}");

    let (code, _, stderr) = portico_run(dir.path(), &["missing.json"]);
    assert_eq!(code, 2, "{stderr}");
    std::fs::write(dir.path().join("bad.json"), "{\"info\": {}}").unwrap();
    let (code, _, stderr) = portico_run(dir.path(), &["bad.json"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = portico_run(dir.path(), &["passing.json", "--folder", "Nope"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Nope"), "{stderr}");
    let (code, _, _) = portico_run(dir.path(), &["passing.json", "-r", "html"]);
    assert_eq!(code, 2);
}
