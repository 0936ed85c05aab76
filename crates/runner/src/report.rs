//! Reports: progress lines and a summary table for terminals, a JSON
//! report, and JUnit XML for CI systems.

use std::fmt::Write as _;
use std::io::Write;

use portico_script::Event;
use serde_json::{Value, json};

use crate::{Count, Execution, Reporter, RunSummary};

/// Progress lines (request, status, time, ✓/✗ per assertion) like newman's
/// cli reporter, written as the run goes.
pub struct CliReporter<W: Write> {
    out: W,
    last_path: Vec<String>,
    failures: usize,
}

impl<W: Write> CliReporter<W> {
    pub fn new(out: W) -> CliReporter<W> {
        CliReporter {
            out,
            last_path: Vec::new(),
            failures: 0,
        }
    }
}

fn size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes}B")
    } else {
        format!("{:.1}kB", bytes as f64 / 1024.0)
    }
}

impl<W: Write> Reporter for CliReporter<W> {
    fn iteration_start(&mut self, iteration: u32, count: u32) {
        self.last_path.clear();
        if count > 1 {
            let _ = writeln!(self.out, "\nIteration {}/{count}", iteration + 1);
        }
    }

    fn execution(&mut self, e: &Execution) {
        if e.path != self.last_path {
            if !e.path.is_empty() {
                let _ = writeln!(self.out, "\n❏ {}", e.path.join(" / "));
            }
            self.last_path = e.path.clone();
        }
        let mut text = format!("↳ {}\n  {} {}", e.name, e.method, e.url);
        match (&e.response, &e.error) {
            (Some(r), _) => {
                let _ = write!(text, " [{} {}, {}, {}ms]", r.code, r.status, size(r.size), r.time_ms);
            }
            (None, Some(err)) => {
                self.failures += 1;
                let _ = write!(text, " [errored]\n  {}. {err}", self.failures);
            }
            (None, None) if e.skipped => text.push_str(" [skipped by its pre-request script]"),
            (None, None) => {}
        }
        for s in &e.script_errors {
            self.failures += 1;
            let _ = write!(
                text,
                "\n  {}. {} script: {}",
                self.failures,
                event_name(s.event),
                s.message
            );
        }
        for a in &e.assertions {
            if a.skipped {
                let _ = write!(text, "\n  -  {}", a.name);
            } else if a.passed {
                let _ = write!(text, "\n  ✓  {}", a.name);
            } else {
                self.failures += 1;
                let _ = write!(text, "\n  {}. {}", self.failures, a.name);
            }
        }
        let _ = writeln!(self.out, "{text}\n");
    }
}

fn event_name(e: Event) -> &'static str {
    match e {
        Event::PreRequest => "prerequest",
        Event::Test => "test",
    }
}

/// The summary table, run duration, average response time and the numbered
/// failures.
pub fn summary_text(s: &RunSummary) -> String {
    let mut t = String::new();
    let rows: [(&str, Count); 5] = [
        ("iterations", s.iterations),
        ("requests", s.requests),
        ("test-scripts", s.test_scripts),
        ("prerequest-scripts", s.prerequest_scripts),
        ("assertions", s.assertions),
    ];
    let line =
        |l: char, m: char, r: char| format!("{l}{}{m}{}{m}{}{r}\n", "─".repeat(27), "─".repeat(12), "─".repeat(12));
    t.push_str(&line('┌', '┬', '┐'));
    let _ = writeln!(t, "│{:>26} │{:>11} │{:>11} │", "", "executed", "failed");
    t.push_str(&line('├', '┼', '┤'));
    for (name, c) in rows {
        let _ = writeln!(t, "│{name:>26} │{:>11} │{:>11} │", c.total, c.failed);
    }
    t.push_str(&line('├', '┴', '┤'));
    let dur = format!("total run duration: {:.1}s", s.duration.as_secs_f64());
    let _ = writeln!(t, "│ {dur:<52}│");
    t.push_str(&line('├', '─', '┤').replace('┬', "─"));
    let avg = format!("average response time: {}ms", s.average_response_ms());
    let _ = writeln!(t, "│ {avg:<52}│");
    t.push_str(&line('└', '─', '┘'));
    let failures = failures(s);
    if !failures.is_empty() {
        let _ = writeln!(t, "\n  #  failure         detail\n");
        for (i, f) in failures.iter().enumerate() {
            let _ = writeln!(
                t,
                " {:>2}. {:<15} {}\n      {}\n      inside \"{}\"\n",
                i + 1,
                f.kind,
                f.title,
                f.message,
                f.location
            );
        }
    }
    if s.bailed {
        t.push_str("\nThe run stopped at the first failure (--bail).\n");
    }
    t
}

/// One failure of a run.
pub struct Failure {
    pub kind: &'static str,
    pub title: String,
    pub message: String,
    pub location: String,
    pub iteration: u32,
}

fn location(e: &Execution) -> String {
    let mut parts = e.path.clone();
    parts.push(e.name.clone());
    parts.join(" / ")
}

/// Every failed request, script and assertion, in run order.
pub fn failures(s: &RunSummary) -> Vec<Failure> {
    let mut out = Vec::new();
    for e in &s.executions {
        if let Some(err) = &e.error {
            out.push(Failure {
                kind: "Error",
                title: "request".into(),
                message: err.clone(),
                location: location(e),
                iteration: e.iteration,
            });
        }
        for se in &e.script_errors {
            out.push(Failure {
                kind: "ScriptError",
                title: format!("{}-script", event_name(se.event)),
                message: se.message.clone(),
                location: location(e),
                iteration: e.iteration,
            });
        }
        for a in e.assertions.iter().filter(|a| !a.passed && !a.skipped) {
            out.push(Failure {
                kind: "AssertionError",
                title: a.name.clone(),
                message: a.error.clone().unwrap_or_default(),
                location: location(e),
                iteration: e.iteration,
            });
        }
    }
    out
}

fn count_json(c: Count) -> Value {
    json!({"total": c.total, "pending": 0, "failed": c.failed})
}

/// A JSON report shaped like newman's (`run.stats`, `run.executions`,
/// `run.failures`).
pub fn json_report(s: &RunSummary) -> Value {
    let executions: Vec<Value> = s
        .executions
        .iter()
        .map(|e| {
            json!({
                "cursor": {"iteration": e.iteration},
                "item": {"id": e.id, "name": e.name, "path": e.path},
                "request": {"method": e.method, "url": e.url},
                "response": e.response.as_ref().map(|r| json!({
                    "code": r.code, "status": r.status,
                    "responseTime": r.time_ms, "responseSize": r.size,
                })),
                "requestError": e.error,
                "skipped": e.skipped,
                "scriptErrors": e.script_errors.iter().map(|se| json!({
                    "event": event_name(se.event), "message": se.message,
                })).collect::<Vec<_>>(),
                "assertions": e.assertions.iter().map(|a| {
                    let mut v = json!({"assertion": a.name, "skipped": a.skipped, "passed": a.passed});
                    if let (false, false, Some(msg)) = (a.passed, a.skipped, &a.error) {
                        v["error"] = json!({"name": "AssertionError", "message": msg});
                    } else if !a.passed && !a.skipped {
                        v["error"] = json!({"name": "AssertionError", "message": ""});
                    }
                    v
                }).collect::<Vec<_>>(),
                "console": e.console,
            })
        })
        .collect();
    let failures: Vec<Value> = failures(s)
        .into_iter()
        .map(|f| {
            json!({
                "error": {"name": f.kind, "test": f.title, "message": f.message},
                "at": f.title, "source": {"name": f.location},
                "cursor": {"iteration": f.iteration},
            })
        })
        .collect();
    json!({
        "collection": {"info": {"name": s.collection_name}},
        "run": {
            "stats": {
                "iterations": count_json(s.iterations),
                "requests": count_json(s.requests),
                "prerequestScripts": count_json(s.prerequest_scripts),
                "testScripts": count_json(s.test_scripts),
                "assertions": count_json(s.assertions),
            },
            "timings": {
                "started": s.started_ms,
                "completed": s.started_ms + s.duration.as_millis() as u64,
                "responseAverage": s.average_response_ms(),
            },
            "executions": executions,
            "failures": failures,
            "passed": s.passed(),
        }
    })
}

/// Escapes text for XML attributes and content, dropping characters XML 1.0
/// does not allow.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `testsuite` per request per iteration, one `testcase` per
/// assertion (a request error or script error is a testcase with `<error>`).
pub fn junit_report(s: &RunSummary) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests: usize = s.executions.iter().map(|e| e.assertions.len().max(1)).sum();
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{}\" time=\"{:.3}\">",
        xml_escape(&s.collection_name),
        failures(s).len(),
        s.duration.as_secs_f64()
    );
    for e in &s.executions {
        let loc = location(e);
        let failed = e.assertions.iter().filter(|a| !a.passed && !a.skipped).count();
        let errors = usize::from(e.error.is_some()) + e.script_errors.len();
        let skipped = e.assertions.iter().filter(|a| a.skipped).count();
        let time = e.response.as_ref().map(|r| r.time_ms as f64 / 1000.0).unwrap_or(0.0);
        let classname = xml_escape(&format!("{}.{}", s.collection_name, loc.replace(" / ", ".")));
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time:.3}\">",
            xml_escape(&format!("{loc} (iteration {})", e.iteration + 1)),
            xml_escape(&e.id),
            e.assertions.len() + errors,
        );
        if let Some(err) = &e.error {
            let _ = writeln!(
                x,
                "    <testcase name=\"request\" classname=\"{classname}\" time=\"{time:.3}\">\n      <error type=\"RequestError\" message=\"{}\">{}</error>\n    </testcase>",
                xml_escape(err),
                xml_escape(err)
            );
        }
        for se in &e.script_errors {
            let _ = writeln!(
                x,
                "    <testcase name=\"{}-script\" classname=\"{classname}\" time=\"0.000\">\n      <error type=\"ScriptError\" message=\"{}\">{}</error>\n    </testcase>",
                event_name(se.event),
                xml_escape(&se.message),
                xml_escape(&se.message)
            );
        }
        for a in &e.assertions {
            let name = xml_escape(&a.name);
            if a.skipped {
                let _ = writeln!(
                    x,
                    "    <testcase name=\"{name}\" classname=\"{classname}\" time=\"0.000\"><skipped/></testcase>"
                );
            } else if a.passed {
                let _ = writeln!(
                    x,
                    "    <testcase name=\"{name}\" classname=\"{classname}\" time=\"{time:.3}\"/>"
                );
            } else {
                let msg = xml_escape(a.error.as_deref().unwrap_or("assertion failed"));
                let _ = writeln!(
                    x,
                    "    <testcase name=\"{name}\" classname=\"{classname}\" time=\"{time:.3}\">\n      <failure type=\"AssertionFailure\" message=\"{msg}\">{msg}</failure>\n    </testcase>"
                );
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}
