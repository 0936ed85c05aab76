//! Runs v2.1 collections: folder order and selection, iterations with data
//! files, variable scopes and `{{…}}` substitution, auth, every body mode,
//! and pre-request and test scripts (`portico-script`).
//!
//! The API is synchronous: [`Runner`] owns a single-threaded tokio runtime
//! for its HTTP client, so call it from a plain thread, never from inside a
//! tokio runtime.

pub mod auth;
pub mod cli;
pub mod collection;
pub mod data;
pub mod http;
pub mod report;
mod request;
pub mod vars;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use portico_script::{
    Assertion, Engine, Event, HttpRequest, HttpResponse, Info, Limits, NextRequest, Scopes, Sender, Vars,
};
use serde_json::Value;

pub use report::{CliReporter, json_report, junit_report};

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Iterations; default: the data file's rows, or 1.
    pub iteration_count: Option<u32>,
    /// Rows of the data file; row `i` is the data scope of iteration `i`
    /// (the last row when there are more iterations than rows).
    pub data: Vec<Vars>,
    /// Run only the requests inside these folders (or these requests), by name or id.
    pub folders: Vec<String>,
    pub environment: Vars,
    pub globals: Vars,
    /// Per request; `None`: no limit.
    pub timeout_request: Option<Duration>,
    /// Pause between requests.
    pub delay_request: Duration,
    /// Accept any TLS certificate.
    pub insecure: bool,
    pub follow_redirects: bool,
    pub max_redirects: usize,
    /// `false` refuses private, loopback and link-local targets (server runs).
    pub allow_private_targets: bool,
    /// Internal addresses allowed even when private targets are refused
    /// (an operator's own API, say).
    pub allowed_private_targets: Vec<std::net::IpAddr>,
    /// Stop the run at the first failure.
    pub bail: bool,
    /// Where `formdata` and `file` bodies read files from; `None` refuses file bodies.
    pub working_dir: Option<PathBuf>,
    pub script_limits: Limits,
    /// Stop the run after this many requests (a server's bound on a run;
    /// `pm.setNextRequest` loops included).
    pub max_requests: Option<u64>,
    /// Stop the run once it has taken this long.
    pub max_duration: Option<Duration>,
    /// Fail a request whose response body is larger than this.
    pub max_response_bytes: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            iteration_count: None,
            data: Vec::new(),
            folders: Vec::new(),
            environment: Vars::new(),
            globals: Vars::new(),
            timeout_request: None,
            delay_request: Duration::ZERO,
            insecure: false,
            follow_redirects: true,
            max_redirects: 10,
            allow_private_targets: true,
            allowed_private_targets: Vec::new(),
            bail: false,
            working_dir: None,
            script_limits: Limits::default(),
            max_requests: None,
            max_duration: None,
            max_response_bytes: None,
        }
    }
}

/// The response of an execution, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseInfo {
    pub code: u16,
    pub status: String,
    pub time_ms: u64,
    pub size: usize,
}

/// A script that failed (threw, did not compile, or went over its limits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub event: Event,
    pub message: String,
}

/// One request of one iteration.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Zero-based.
    pub iteration: u32,
    pub name: String,
    pub id: String,
    /// The folders around the request, outermost first.
    pub path: Vec<String>,
    pub method: String,
    pub url: String,
    pub response: Option<ResponseInfo>,
    /// Why the request got no response (refused, timed out, invalid URL, …).
    pub error: Option<String>,
    pub assertions: Vec<Assertion>,
    pub script_errors: Vec<ScriptError>,
    pub console: Vec<String>,
    /// A pre-request script called `pm.execution.skipRequest()`: the
    /// request was not sent.
    pub skipped: bool,
}

impl Execution {
    pub fn failed(&self) -> bool {
        self.error.is_some()
            || !self.script_errors.is_empty()
            || self.assertions.iter().any(|a| !a.passed && !a.skipped)
    }
}

/// Executed and failed counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub total: u64,
    pub failed: u64,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub collection_name: String,
    pub iterations: Count,
    pub requests: Count,
    pub prerequest_scripts: Count,
    pub test_scripts: Count,
    pub assertions: Count,
    /// Milliseconds since the Unix epoch.
    pub started_ms: u64,
    pub duration: Duration,
    pub response_time_total_ms: u64,
    pub executions: Vec<Execution>,
    /// Set when `--bail` ended the run early.
    pub bailed: bool,
    /// Why the run stopped before its end (`max_requests`, `max_duration`).
    pub stopped: Option<String>,
}

impl RunSummary {
    /// Whether every assertion passed and no request or script failed.
    pub fn passed(&self) -> bool {
        self.requests.failed == 0
            && self.assertions.failed == 0
            && self.prerequest_scripts.failed == 0
            && self.test_scripts.failed == 0
    }

    pub fn average_response_ms(&self) -> u64 {
        let answered = self.executions.iter().filter(|e| e.response.is_some()).count() as u64;
        self.response_time_total_ms.checked_div(answered).unwrap_or(0)
    }
}

/// Follows a run as it goes.
pub trait Reporter {
    fn iteration_start(&mut self, _iteration: u32, _count: u32) {}
    fn execution(&mut self, _execution: &Execution) {}
}

/// Reports nothing.
pub struct Quiet;
impl Reporter for Quiet {}

/// Runs collections.
pub struct Runner {
    options: RunOptions,
    rt: tokio::runtime::Runtime,
    /// The client of the run's options; requests whose
    /// `protocolProfileBehavior` asks for other redirect or TLS settings get
    /// their own client (same cookie jar), made once.
    client: reqwest::Client,
    other_clients: std::collections::HashMap<(bool, usize, bool), reqwest::Client>,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    http_options: http::HttpOptions,
    guard: http::Guard,
    engine: Option<Engine>,
    random: vars::Random,
}

/// `pm.sendRequest` goes through the run's client and its target rules.
struct ClientSender<'a> {
    rt: &'a tokio::runtime::Runtime,
    client: &'a reqwest::Client,
    timeout: Option<Duration>,
    guard: &'a http::Guard,
}

impl Sender for ClientSender<'_> {
    fn send(&mut self, request: HttpRequest) -> Result<HttpResponse, String> {
        self.rt
            .block_on(http::send(self.client, &request, self.timeout, self.guard))
    }
}

impl Runner {
    pub fn new(options: RunOptions) -> Result<Runner, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let http_options = http::HttpOptions {
            timeout: options.timeout_request,
            follow_redirects: options.follow_redirects,
            max_redirects: options.max_redirects,
            insecure: options.insecure,
            allow_private_targets: options.allow_private_targets,
            allowed_private: options.allowed_private_targets.clone(),
            max_response_bytes: options.max_response_bytes,
        };
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = http::client(&http_options, jar.clone())?;
        Ok(Runner {
            options,
            rt,
            client,
            other_clients: std::collections::HashMap::new(),
            jar,
            guard: http_options.guard(),
            http_options,
            engine: None,
            random: vars::Random::new(),
        })
    }

    /// Runs `collection` (v2.1 JSON). Errors only when the collection cannot
    /// run at all (not a collection, unknown `--folder`, no script engine).
    pub fn run(&mut self, collection: &Value, reporter: &mut dyn Reporter) -> Result<RunSummary, String> {
        let started = Instant::now();
        let plan = collection::plan(collection, &self.options.folders)?;
        let needs_engine = plan.iter().any(|p| !p.prerequest.is_empty() || !p.test.is_empty());
        if needs_engine && self.engine.is_none() {
            self.engine = Some(Engine::new(self.options.script_limits)?);
        }
        let mut scopes = Scopes {
            globals: self.options.globals.clone(),
            collection: data::collection_variables(collection),
            environment: self.options.environment.clone(),
            ..Scopes::default()
        };
        let rows = self.options.data.len() as u32;
        let count = self.options.iteration_count.unwrap_or(rows.max(1));
        let mut summary = RunSummary {
            collection_name: collection
                .pointer("/info/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            started_ms: {
                let (s, ms) = vars::unix_now();
                s * 1000 + u64::from(ms)
            },
            ..RunSummary::default()
        };
        'run: for iteration in 0..count {
            scopes.data = match self.options.data.get(iteration as usize) {
                Some(row) => row.clone(),
                None => self.options.data.last().cloned().unwrap_or_default(),
            };
            reporter.iteration_start(iteration, count);
            summary.iterations.total += 1;
            let mut iteration_failed = false;
            let mut i = 0;
            let mut first = true;
            while let Some(planned) = plan.get(i) {
                if let Some(reason) = self.limit_reached(summary.executions.len(), started) {
                    summary.stopped = Some(reason);
                    break 'run;
                }
                if !first && !self.options.delay_request.is_zero() {
                    std::thread::sleep(self.options.delay_request);
                }
                first = false;
                let (execution, next) = self.execute(planned, iteration, count, &mut scopes, &mut summary);
                let failed = execution.failed();
                iteration_failed |= failed;
                reporter.execution(&execution);
                summary.executions.push(execution);
                if failed && self.options.bail {
                    summary.bailed = true;
                    summary.iterations.failed += 1;
                    break 'run;
                }
                i = match next {
                    NextRequest::Unchanged => i + 1,
                    NextRequest::Stop => break,
                    NextRequest::Named(target) => match plan.iter().position(|p| p.name == target || p.id == target) {
                        Some(j) => j,
                        None => break,
                    },
                };
            }
            if iteration_failed {
                summary.iterations.failed += 1;
            }
        }
        summary.duration = started.elapsed();
        Ok(summary)
    }

    /// Whether a bound of the options ends the run here.
    fn limit_reached(&self, executed: usize, started: Instant) -> Option<String> {
        if let Some(max) = self.options.max_requests.filter(|m| executed as u64 >= *m) {
            return Some(format!("the run reached its limit of {max} requests"));
        }
        if let Some(max) = self.options.max_duration.filter(|d| started.elapsed() >= *d) {
            return Some(format!("the run reached its time limit of {} s", max.as_secs()));
        }
        None
    }

    fn run_scripts(
        &mut self,
        scripts: &[collection::Script],
        info: &Info,
        scopes: &mut Scopes,
        request: &mut HttpRequest,
        response: Option<&HttpResponse>,
        out: &mut ScriptsRun,
    ) {
        let Runner {
            rt,
            client,
            engine,
            options,
            guard,
            ..
        } = self;
        let Some(engine) = engine.as_mut() else {
            return;
        };
        let mut sender = ClientSender {
            rt,
            client,
            timeout: options.timeout_request,
            guard,
        };
        for script in scripts {
            let outcome = engine.run(&script.source, info, scopes, request, response, &mut sender);
            out.count.total += 1;
            if let Some(message) = outcome.error {
                out.count.failed += 1;
                out.errors.push(ScriptError {
                    event: info.event,
                    message,
                });
            }
            out.assertions.extend(outcome.assertions);
            out.console.extend(outcome.console);
            if outcome.next_request != NextRequest::Unchanged {
                out.next = outcome.next_request;
            }
            out.skip |= outcome.skip_request;
        }
    }

    fn execute(
        &mut self,
        planned: &collection::Planned<'_>,
        iteration: u32,
        count: u32,
        scopes: &mut Scopes,
        summary: &mut RunSummary,
    ) -> (Execution, NextRequest) {
        let mut info = Info {
            event: Event::PreRequest,
            iteration,
            iteration_count: count,
            request_name: planned.name.clone(),
            request_id: planned.id.clone(),
        };
        let template = request::template(planned.request);
        let mut scripted = template.clone();
        let mut pre = ScriptsRun::default();
        self.run_scripts(&planned.prerequest, &info, scopes, &mut scripted, None, &mut pre);
        summary.prerequest_scripts.total += pre.count.total;
        summary.prerequest_scripts.failed += pre.count.failed;

        let mut execution = Execution {
            iteration,
            name: planned.name.clone(),
            id: planned.id.clone(),
            path: planned.path.clone(),
            method: String::new(),
            url: String::new(),
            response: None,
            error: None,
            assertions: Vec::new(),
            script_errors: pre.errors,
            console: pre.console,
            skipped: false,
        };
        let mut next = pre.next;
        if pre.skip {
            // `pm.execution.skipRequest()`: not sent, no test scripts.
            execution.skipped = true;
            execution.assertions = pre.assertions;
            summary.assertions.total += execution.assertions.len() as u64;
            summary.assertions.failed += execution.assertions.iter().filter(|a| !a.passed && !a.skipped).count() as u64;
            return (execution, next);
        }
        summary.requests.total += 1;

        let ctx = request::Context {
            scopes,
            random: &mut self.random,
            working_dir: self.options.working_dir.as_deref(),
        };
        let built = request::build(planned, &template, &scripted, ctx);
        let result = match built {
            Ok(mut prepared) => {
                execution.method = prepared.request.method.clone();
                execution.url = prepared.request.url.clone();
                let client = match self.client_for(&planned.profile) {
                    Ok(c) => c,
                    Err(e) => return self.failed_request(execution, e, pre.assertions, summary, next),
                };
                let sent = self.rt.block_on(request::send(
                    &client,
                    &mut prepared,
                    self.options.timeout_request,
                    &self.guard,
                    &mut self.random,
                ));
                sent.map(|r| (prepared.request, r))
            }
            Err(e) => Err(e),
        };
        match result {
            Ok((sent, response)) => {
                execution.url = sent.url.clone();
                execution.response = Some(ResponseInfo {
                    code: response.code,
                    status: response.status.clone(),
                    time_ms: response.response_time_ms,
                    size: response.body.len(),
                });
                summary.response_time_total_ms += response.response_time_ms;
                info.event = Event::Test;
                let mut as_sent = sent;
                let mut tests = ScriptsRun::default();
                self.run_scripts(&planned.test, &info, scopes, &mut as_sent, Some(&response), &mut tests);
                summary.test_scripts.total += tests.count.total;
                summary.test_scripts.failed += tests.count.failed;
                execution.script_errors.extend(tests.errors);
                execution.console.extend(tests.console);
                if tests.next != NextRequest::Unchanged {
                    next = tests.next;
                }
                execution.assertions = pre.assertions;
                execution.assertions.extend(tests.assertions);
            }
            Err(e) => {
                summary.requests.failed += 1;
                execution.error = Some(e);
                execution.assertions = pre.assertions;
            }
        }
        summary.assertions.total += execution.assertions.len() as u64;
        summary.assertions.failed += execution.assertions.iter().filter(|a| !a.passed && !a.skipped).count() as u64;
        (execution, next)
    }

    /// The client for a request's `protocolProfileBehavior`
    /// (`followRedirects`, `maxRedirects`, `strictSSL`).
    fn client_for(&mut self, profile: &serde_json::Map<String, Value>) -> Result<reqwest::Client, String> {
        let o = &self.http_options;
        let key = (
            profile
                .get("followRedirects")
                .and_then(Value::as_bool)
                .unwrap_or(o.follow_redirects),
            profile
                .get("maxRedirects")
                .and_then(Value::as_u64)
                .map_or(o.max_redirects, |m| m as usize),
            o.insecure || profile.get("strictSSL").and_then(Value::as_bool) == Some(false),
        );
        if key == (o.follow_redirects, o.max_redirects, o.insecure) {
            return Ok(self.client.clone());
        }
        if let Some(c) = self.other_clients.get(&key) {
            return Ok(c.clone());
        }
        let options = http::HttpOptions {
            follow_redirects: key.0,
            max_redirects: key.1,
            insecure: key.2,
            ..self.http_options.clone()
        };
        let c = http::client(&options, self.jar.clone())?;
        self.other_clients.insert(key, c.clone());
        Ok(c)
    }

    fn failed_request(
        &self,
        mut execution: Execution,
        error: String,
        assertions: Vec<Assertion>,
        summary: &mut RunSummary,
        next: NextRequest,
    ) -> (Execution, NextRequest) {
        summary.requests.failed += 1;
        execution.error = Some(error);
        execution.assertions = assertions;
        summary.assertions.total += execution.assertions.len() as u64;
        summary.assertions.failed += execution.assertions.iter().filter(|a| !a.passed && !a.skipped).count() as u64;
        (execution, next)
    }
}

#[derive(Default)]
struct ScriptsRun {
    count: Count,
    errors: Vec<ScriptError>,
    assertions: Vec<Assertion>,
    console: Vec<String>,
    next: NextRequest,
    /// `pm.execution.skipRequest()`.
    skip: bool,
}
