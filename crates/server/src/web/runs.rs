//! Collection runs in the web pages (issue 11): **Run** on a collection's
//! page (an environment, iterations), the viewer's own recent runs there,
//! and a run's page with every request and assertion.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::collections::{Loaded, collection_id};
use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;
use crate::runs::{MAX_ITERATIONS, RunRequest, run_collection};

#[derive(Debug, Deserialize)]
pub struct RunForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub environment: String,
    pub iterations: Option<String>,
}

fn badge(passed: bool) -> &'static str {
    if passed {
        "<span class=\"badge run-passed\" data-run-passed=\"true\">Passed</span>"
    } else {
        "<span class=\"badge run-failed\" data-run-passed=\"false\">Failed</span>"
    }
}

/// The **Run** card of a collection's page, with the viewer's own runs.
pub async fn section(s: &AppState, v: &Viewer, c: &Loaded) -> Result<String, WebError> {
    let id = c.record.id;
    let environments = s.app.list_environments(&v.who, Some(c.record.workspace_id)).await?;
    let options: String = environments
        .iter()
        .map(|e| {
            format!(
                "<option value=\"{}\">{}</option>",
                escape(&e.id.to_string()),
                escape(&e.name)
            )
        })
        .collect();
    let runs = s.app.runs(&v.who, id).await?;
    let recent: String = runs
        .iter()
        .take(5)
        .map(|r| {
            format!(
                "<li class=\"row\" data-run=\"{rid}\"><div class=\"row-main\"><a class=\"row-title\" href=\"/runs/{rid}\">{at}</a>\
                 <span class=\"muted small\">{env} · {req} requests · {fa} of {a} assertions failed</span></div>{badge}</li>",
                rid = escape(&r.id),
                at = when(r.started_at),
                env = escape(r.environment_name.as_deref().unwrap_or("No environment")),
                req = r.requests,
                a = r.assertions,
                fa = r.failed_assertions,
                badge = badge(r.passed),
            )
        })
        .collect();
    let recent = if recent.is_empty() {
        "<p class=\"muted small\" data-no-runs>You have not run this collection yet. Only you see your runs.</p>"
            .to_string()
    } else {
        format!("<h3 class=\"sub\">Your runs</h3><ul class=\"list bordered\">{recent}</ul>")
    };
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"run-h\"><h2 id=\"run-h\">Run</h2>\
         <p>Send every request of the collection in order from this server and run its tests.</p>\
         <form method=\"post\" action=\"/collections/{cid}/runs\" class=\"field-row\" data-run-form>{csrf}\
         <div class=\"field grow\"><label for=\"run-env\">Environment</label>\
         <select id=\"run-env\" name=\"environment\"><option value=\"\">No environment</option>{options}</select></div>\
         <div class=\"field\"><label for=\"run-iterations\">Iterations</label>\
         <input id=\"run-iterations\" name=\"iterations\" type=\"number\" min=\"1\" max=\"{MAX_ITERATIONS}\" value=\"1\"></div>\
         <div class=\"field\"><button type=\"submit\" class=\"button\">Run collection</button></div></form>{recent}</section>",
        cid = escape(&id.to_string()),
        csrf = csrf_field(v.csrf()),
    ))
}

pub async fn start(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<RunForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = collection_id(&id)?;
    let iterations = match f.iterations.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            WebError::Refused(
                axum::http::StatusCode::BAD_REQUEST,
                format!("Iterations must be a number from 1 to {MAX_ITERATIONS}."),
            )
        })?),
    };
    let run = run_collection(
        &s.app,
        &v.who,
        id,
        RunRequest {
            environment: Some(f.environment).filter(|e| !e.is_empty()),
            iteration_count: iterations,
            folders: Vec::new(),
        },
    )
    .await?;
    Ok(see_other(&format!("/runs/{}", run.id)))
}

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// One execution of the report as a list item.
fn execution_html(e: &Value) -> String {
    let name = text(e, "/item/name");
    let method = text(e, "/request/method");
    let url = text(e, "/request/url");
    let iteration = e.pointer("/cursor/iteration").and_then(Value::as_u64).unwrap_or(0) + 1;
    let outcome = match e.get("response").filter(|r| !r.is_null()) {
        Some(r) => format!(
            "<span class=\"badge\">{} {}</span> <span class=\"muted small\">{} ms</span>",
            r.get("code").and_then(Value::as_u64).unwrap_or(0),
            escape(text(r, "/status")),
            r.get("responseTime").and_then(Value::as_u64).unwrap_or(0),
        ),
        None => format!(
            "<span class=\"badge run-failed\">No response</span> <span class=\"small\">{}</span>",
            escape(e.get("requestError").and_then(Value::as_str).unwrap_or("")),
        ),
    };
    let assertions: String = e
        .get("assertions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let passed = a.get("passed").and_then(Value::as_bool).unwrap_or(false);
            let skipped = a.get("skipped").and_then(Value::as_bool).unwrap_or(false);
            let (mark, label) = match (skipped, passed) {
                (true, _) => ("–", "skipped"),
                (false, true) => ("✓", "passed"),
                (false, false) => ("✗", "failed"),
            };
            let error = a
                .pointer("/error/message")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty())
                .map(|m| format!(" <span class=\"muted small\">{}</span>", escape(m)))
                .unwrap_or_default();
            format!(
                "<li data-assertion=\"{label}\"><span aria-label=\"{label}\">{mark}</span> {}{error}</li>",
                escape(text(a, "/assertion")),
            )
        })
        .collect();
    let script_errors: String = e
        .get("scriptErrors")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|se| {
            format!(
                "<li data-script-error><span aria-label=\"failed\">✗</span> {} script: {}</li>",
                escape(text(se, "/event")),
                escape(text(se, "/message")),
            )
        })
        .collect();
    format!(
        "<li class=\"row run-execution\"><div class=\"row-main\"><span class=\"row-title\">{name}</span>\
         <span class=\"muted small\">iteration {iteration}</span>\
         <p class=\"small\"><code>{method} {url}</code> {outcome}</p><ul class=\"assertions\">{assertions}{script_errors}</ul></div></li>",
        name = escape(name),
        method = escape(method),
        url = escape(url),
    )
}

/// A run's page: the counts, then every request with its assertions.
pub async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let run = s.app.run(&v.who, &id).await?;
    let report: Value = serde_json::from_str(&run.report).unwrap_or(Value::Null);
    let executions: String = report
        .pointer("/run/executions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(execution_html)
        .collect();
    let name = text(&report, "/collection/info/name");
    let withheld = report
        .get("secretsWithheld")
        .and_then(Value::as_u64)
        .map(|n| {
            format!(
                "<p class=\"hint\" data-secrets-withheld>{n} secret value(s) of the environment were left empty: \
                 only those who may edit it use its secrets.</p>"
            )
        })
        .unwrap_or_default();
    let stopped = report
        .get("stopped")
        .and_then(Value::as_str)
        .map(|r| {
            format!(
                "<p class=\"alert\" role=\"status\" data-run-stopped>Stopped early: {}.</p>",
                escape(r)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<div class=\"ws-head\"><p class=\"crumbs\"><a href=\"/collections/{cid}\">{name}</a></p>\
         <h1>Run of {name}</h1><p class=\"badges\">{badge}</p></div>\
         <section class=\"card\" aria-labelledby=\"sum-h\"><h2 id=\"sum-h\">Summary</h2>\
         <dl class=\"facts\"><dt>Started</dt><dd>{at}</dd><dt>Took</dt><dd>{ms} ms</dd>\
         <dt>Environment</dt><dd>{env}</dd>\
         <dt>Requests</dt><dd data-requests>{req} ({freq} failed)</dd>\
         <dt>Assertions</dt><dd data-assertions>{a} ({fa} failed)</dd></dl>{stopped}{withheld}\
         <p class=\"muted small\">Only you see this run.</p></section>\
         <section class=\"card\" aria-labelledby=\"ex-h\"><h2 id=\"ex-h\">Requests</h2><ul class=\"list bordered\">{executions}</ul></section>",
        cid = escape(&run.collection_id.to_string()),
        name = escape(name),
        badge = badge(run.passed),
        at = when(run.started_at),
        ms = run.duration_ms,
        env = escape(run.environment_name.as_deref().unwrap_or("No environment")),
        req = run.requests,
        freq = run.failed_requests,
        a = run.assertions,
        fa = run.failed_assertions,
    );
    Ok(layout::page(&s, &v, &format!("Run of {name}"), Section::Workspaces, &body).await)
}
