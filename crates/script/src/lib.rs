//! Pre-request and test scripts of collection runs: the `pm` API that real
//! collections use, in a sandboxed JavaScript engine (no file system, no
//! process, bounded time and memory per script).
//!
//! The runner (`portico-runner`) owns one [`Engine`] per run and calls
//! [`Engine::run`] for every script event, passing the variable scopes, the
//! request being sent and, for test scripts, the response.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rquickjs::{Context, Ctx, Function, Object, Runtime};
use serde_json::{Map, Value, json};

/// One variable scope: name → value (strings mostly; scripts may set any JSON value).
pub type Vars = BTreeMap<String, Value>;

/// The variable scopes of a run, narrowest last: `{{name}}` and
/// `pm.variables.get` look in local, then data, environment, collection, globals.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    pub globals: Vars,
    pub collection: Vars,
    pub environment: Vars,
    /// The current iteration's row of the data file (`pm.iterationData`).
    pub data: Vars,
    /// `pm.variables.set`: lives for the rest of the run.
    pub local: Vars,
}

/// A request as scripts see it. In a pre-request script it is the request
/// before `{{…}}` substitution (scripts may change its URL, headers and body);
/// in a test script it is the request as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response as test scripts see it (`pm.response`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub code: u16,
    /// Reason phrase, e.g. "OK".
    pub status: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub response_time_ms: u64,
}

/// Which script is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    PreRequest,
    Test,
}

/// What `pm.info` tells a script.
#[derive(Debug, Clone)]
pub struct Info {
    pub event: Event,
    /// Zero-based.
    pub iteration: u32,
    pub iteration_count: u32,
    pub request_name: String,
    pub request_id: String,
}

/// Sends the requests of `pm.sendRequest` (the runner's HTTP client, with
/// its target rules).
pub trait Sender {
    fn send(&mut self, request: HttpRequest) -> Result<HttpResponse, String>;
}

/// Bounds on every script.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time: Duration::from_secs(10),
            memory_bytes: 64 * 1024 * 1024,
        }
    }
}

/// One `pm.test` (or legacy `tests["…"]`) result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub name: String,
    pub passed: bool,
    /// `pm.test.skip`.
    pub skipped: bool,
    /// The assertion error's message when it failed.
    pub error: Option<String>,
}

/// What `pm.setNextRequest` asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NextRequest {
    #[default]
    Unchanged,
    /// `pm.setNextRequest(null)`: end the run after this request.
    Stop,
    /// The name (or id) of the request to run next.
    Named(String),
}

/// What one script did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub assertions: Vec<Assertion>,
    pub next_request: NextRequest,
    /// Lines written with `console.log` and friends.
    pub console: Vec<String>,
    /// Set when the script threw, did not compile, or went over its limits.
    pub error: Option<String>,
    /// `pm.execution.skipRequest()` was called (pre-request scripts): the
    /// request is not sent.
    pub skip_request: bool,
}

/// Replaces `{{name}}` in `template` the way `pm.variables.replaceIn` does
/// (so that the runner substitutes requests exactly as scripts see it):
/// names resolve local > data > environment > collection > globals, values
/// go in as JavaScript's `String(value)`, values that hold `{{…}}` are
/// resolved in turn (up to 20 levels), unknown names stay as they are, and
/// `{{$guid}}`, `{{$randomUUID}}`, `{{$timestamp}}`, `{{$isoTimestamp}}`,
/// `{{$randomInt}}` and `{{$randomBoolean}}` are made up on the spot.
pub fn replace_in(template: &str, scopes: &Scopes) -> String {
    let lookup = |name: &str| -> Option<String> {
        [
            &scopes.local,
            &scopes.data,
            &scopes.environment,
            &scopes.collection,
            &scopes.globals,
        ]
        .iter()
        .find_map(|scope| scope.get(name))
        .map(js_string)
        .or_else(|| dynamic_variable(name))
    };
    let mut out = template.to_string();
    for _ in 0..20 {
        let (next, changed) = substitute_once(&out, &lookup);
        out = next;
        if !changed || !out.contains("{{") {
            break;
        }
    }
    out
}

/// One pass of `/\{\{([^{}]+)\}\}/g`: every `{{name}}` whose `lookup`
/// answers is replaced, others stay. Answers whether anything changed.
pub fn substitute_once(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let name_len = after.find(['{', '}']).unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with("}}") {
            let name = &after[..name_len];
            match lookup(name) {
                Some(value) => {
                    out.push_str(&value);
                    changed = true;
                }
                None => {
                    out.push_str("{{");
                    out.push_str(name);
                    out.push_str("}}");
                }
            }
            rest = &after[name_len + 2..];
        } else {
            out.push('{');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    (out, changed)
}

/// JavaScript's `String(value)` of a JSON value.
fn js_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        // [null] and [undefined] elements print as ''.
        Value::Array(items) => items
            .iter()
            .map(|v| if v.is_null() { String::new() } else { js_string(v) })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

fn dynamic_variable(name: &str) -> Option<String> {
    let random = || uuid::Uuid::new_v4().as_u128();
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    };
    match name {
        "$guid" | "$randomUUID" => Some(uuid::Uuid::new_v4().to_string()),
        "$timestamp" => Some(now().as_secs().to_string()),
        "$isoTimestamp" => Some(iso_timestamp(now())),
        "$randomInt" => Some((random() % 1001).to_string()),
        "$randomBoolean" => Some((random() % 2 == 1).to_string()),
        _ => None,
    }
}

/// `new Date().toISOString()` for a time since the Unix epoch.
fn iso_timestamp(since_epoch: Duration) -> String {
    let (year, month, day, h, m, sec) = civil(since_epoch.as_secs());
    format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.{:03}Z",
        since_epoch.subsec_millis()
    )
}

/// UTC calendar date and time (year, month, day, hour, minute, second) of
/// a Unix time (Howard Hinnant's algorithm).
pub fn civil(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

/// The `pm` API and chai, evaluated once per engine.
const PRELUDE: &str = include_str!("prelude.js");

/// The lodash subset behind the `_` global, evaluated before the prelude.
const LODASH: &str = include_str!("lodash.js");

/// Native stack the interpreter may use (deep recursion ends in a
/// "stack overflow" error instead of crashing the thread).
const MAX_STACK_BYTES: usize = 512 * 1024;

/// Garbage allowed to pile up between two cycle collections.
const GC_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// No deadline (between scripts).
const NO_DEADLINE: u64 = u64::MAX;

/// A JavaScript engine for one run (reused by every script of the run).
///
/// One QuickJS runtime and context: the prelude is evaluated once, each
/// script runs as a fresh function (its `let`/`var` bindings do not outlive
/// it), compiled once per distinct source.
pub struct Engine {
    limits: Limits,
    runtime: Runtime,
    context: Context,
    /// Nanoseconds after `epoch` at which the running script is interrupted.
    deadline: Arc<AtomicU64>,
    epoch: Instant,
    /// An uncatchable error (out of memory, interrupted) that ended a
    /// promise chain: QuickJS turns it into a rejection.
    stopped: Arc<Mutex<Option<String>>>,
}

/// A fresh runtime and context with the limits set and the prelude evaluated.
fn boot(
    limits: Limits,
    deadline: &Arc<AtomicU64>,
    epoch: Instant,
    stopped: &Arc<Mutex<Option<String>>>,
) -> Result<(Runtime, Context), String> {
    let runtime = Runtime::new().map_err(|e| format!("script engine: {e}"))?;
    runtime.set_max_stack_size(MAX_STACK_BYTES);
    let handler_deadline = Arc::clone(deadline);
    runtime.set_interrupt_handler(Some(Box::new(move || {
        let limit = handler_deadline.load(Ordering::Relaxed);
        limit != NO_DEADLINE && nanos_since(epoch) >= limit
    })));
    let tracker_stopped = Arc::clone(stopped);
    runtime.set_host_promise_rejection_tracker(Some(Box::new(move |_ctx, _promise, reason, handled| {
        if handled {
            return;
        }
        let text = value_text(&reason);
        if is_uncatchable(&text)
            && let Ok(mut slot) = tracker_stopped.lock()
        {
            *slot = Some(text);
        }
    })));
    let context = Context::full(&runtime).map_err(|e| format!("script engine: {e}"))?;
    context.with(|ctx| {
        let lodash: rquickjs::Value = ctx
            .eval(LODASH)
            .map_err(|e| format!("script engine lodash: {}", exception_text(&ctx, e)))?;
        ctx.globals()
            .set("__lodash", lodash)
            .map_err(|e| format!("script engine lodash: {e}"))?;
        ctx.eval::<(), _>(PRELUDE)
            .map_err(|e| format!("script engine prelude: {}", exception_text(&ctx, e)))
    })?;
    // The limit applies from here on: the prelude itself is not counted
    // against a script, but everything a script allocates is.
    let base = usize::try_from(runtime.memory_usage().memory_used_size).unwrap_or(0);
    runtime.set_memory_limit(limits.memory_bytes.saturating_add(base));
    // Each script leaves a little cyclic garbage (its pm objects); collecting
    // it in larger batches keeps the per-script cost low.
    runtime.set_gc_threshold(base.saturating_add(GC_BATCH_BYTES.min(limits.memory_bytes / 4)));
    Ok((runtime, context))
}

impl Engine {
    pub fn new(limits: Limits) -> Result<Engine, String> {
        let deadline = Arc::new(AtomicU64::new(NO_DEADLINE));
        let epoch = Instant::now();
        let stopped = Arc::new(Mutex::new(None));
        let (runtime, context) = boot(limits, &deadline, epoch, &stopped)?;
        Ok(Engine {
            limits,
            runtime,
            context,
            deadline,
            epoch,
            stopped,
        })
    }

    /// Runs one script. Changes to variables land in `scopes`, changes to the
    /// request (pre-request scripts) in `request`.
    pub fn run(
        &mut self,
        source: &str,
        info: &Info,
        scopes: &mut Scopes,
        request: &mut HttpRequest,
        response: Option<&HttpResponse>,
        sender: &mut dyn Sender,
    ) -> Outcome {
        let state = state_json(info, scopes, request, response);
        let body = response
            .map(|r| String::from_utf8_lossy(&r.body).into_owned())
            .unwrap_or_default();
        let limit = self.limits.time.as_nanos();
        let start = nanos_since(self.epoch);
        let deadline = u64::try_from(u128::from(start).saturating_add(limit)).unwrap_or(NO_DEADLINE - 1);
        self.deadline.store(deadline.min(NO_DEADLINE - 1), Ordering::Relaxed);
        let limits = self.limits;
        let epoch = self.epoch;
        let expired = move || nanos_since(epoch) >= deadline;
        let result = drive(
            (&self.runtime, &self.context),
            &state,
            body,
            source,
            sender,
            limits,
            &expired,
        );
        self.deadline.store(NO_DEADLINE, Ordering::Relaxed);
        let stopped = self.stopped.lock().ok().and_then(|mut slot| slot.take());
        // The outcome JSON when the script ran to its end, and the limit
        // that stopped it or a promise chain of it.
        let (json, limit_error) = match (result, stopped) {
            (Ok(json), stopped) => (Some(json), stopped.map(|text| limit_text(&text, limits))),
            (Err(error), _) => (None, Some(error)),
        };
        let stopped_by_limit = limit_error.is_some();
        let mut outcome = match json {
            Some(json) => apply(&json, scopes, request),
            None => {
                // The script was stopped (time, memory): collect what it
                // recorded before.
                let partial = self.context.with(|ctx| finish(&ctx).ok());
                partial.map(|json| apply(&json, scopes, request)).unwrap_or_default()
            }
        };
        if let Some(error) = limit_error {
            outcome.error = Some(error);
        } else if let Some(e) = &outcome.error
            && e.contains(OUT_OF_MEMORY)
        {
            // A script may catch QuickJS's out-of-memory error; name the limit anyway.
            outcome.error = Some(limit_text(e, limits));
        }
        if stopped_by_limit {
            // A stopped script may leave promise jobs or a half-updated heap
            // behind: the next script gets a fresh runtime.
            if let Ok((runtime, context)) = boot(self.limits, &self.deadline, self.epoch, &self.stopped) {
                self.context = context;
                self.runtime = runtime;
            }
        } else if outcome.error.is_some() {
            self.runtime.run_gc();
        }
        outcome
    }
}

fn nanos_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(NO_DEADLINE - 1)
}

/// Everything the prelude's `start` needs, as one JSON document.
fn state_json(info: &Info, scopes: &Scopes, request: &HttpRequest, response: Option<&HttpResponse>) -> String {
    let headers =
        |list: &[(String, String)]| -> Value { Value::Array(list.iter().map(|(k, v)| json!([k, v])).collect()) };
    let state = json!({
        "info": {
            "event": match info.event { Event::PreRequest => "prerequest", Event::Test => "test" },
            "iteration": info.iteration,
            "iterationCount": info.iteration_count,
            "requestName": info.request_name,
            "requestId": info.request_id,
        },
        "scopes": {
            "globals": scopes.globals,
            "collection": scopes.collection,
            "environment": scopes.environment,
            "data": scopes.data,
            "local": scopes.local,
        },
        "request": {
            "id": info.request_id,
            "name": info.request_name,
            "method": request.method,
            "url": request.url,
            "headers": headers(&request.headers),
            "body": request.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()),
        },
        "response": response.map(response_json),
    });
    state.to_string()
}

fn response_json(r: &HttpResponse) -> Value {
    json!({
        "code": r.code,
        "status": r.status,
        "headers": Value::Array(r.headers.iter().map(|(k, v)| json!([k, v])).collect()),
        "time": r.response_time_ms,
        "size": r.body.len(),
    })
}

/// Runs the script, its timers, promise jobs and `pm.sendRequest` callbacks;
/// returns the outcome JSON of the prelude's `finish`.
fn drive(
    (runtime, context): (&Runtime, &Context),
    state: &str,
    body: String,
    source: &str,
    sender: &mut dyn Sender,
    limits: Limits,
    expired: &dyn Fn() -> bool,
) -> Result<String, String> {
    let call = |name: &str, args: CallArgs<'_>| -> Result<String, String> {
        context.with(|ctx| {
            let fail = |e: rquickjs::Error| limit_text(&exception_text(&ctx, e), limits);
            let api: Object = ctx.globals().get("__portico").map_err(fail)?;
            let f: Function = api.get(name).map_err(fail)?;
            let out: Option<String> = match args {
                CallArgs::None => f.call(()),
                CallArgs::Start(state, body, source) => f.call((state, body, source)),
                CallArgs::Reply(id, meta, text) => f.call((id, rquickjs::Null, meta, text)),
                CallArgs::Failure(id, err) => f.call((id, err, rquickjs::Null, rquickjs::Null)),
            }
            .map_err(fail)?;
            Ok(out.unwrap_or_default())
        })
    };
    call("start", CallArgs::Start(state, body, source))?;
    loop {
        run_jobs(runtime, limits, expired)?;
        let sends = call("pump", CallArgs::None)?;
        if sends.is_empty() {
            break;
        }
        let Ok(Value::Array(list)) = serde_json::from_str::<Value>(&sends) else {
            return Err("script engine: malformed pm.sendRequest queue".into());
        };
        for item in list {
            let id = item.get("id").and_then(Value::as_u64).unwrap_or(0);
            let request = http_request(item.get("request").unwrap_or(&Value::Null));
            match sender.send(request) {
                Ok(resp) => {
                    let meta = response_json(&resp).to_string();
                    let text = String::from_utf8_lossy(&resp.body).into_owned();
                    call("deliver", CallArgs::Reply(id, meta, text))?;
                }
                Err(err) => {
                    call("deliver", CallArgs::Failure(id, err))?;
                }
            }
            run_jobs(runtime, limits, expired)?;
        }
    }
    call("finish", CallArgs::None)
}

/// Arguments of the prelude's bridge functions.
enum CallArgs<'a> {
    None,
    Start(&'a str, String, &'a str),
    Reply(u64, String, String),
    Failure(u64, String),
}

/// Runs pending promise jobs. A job only fails on an uncatchable error
/// (interrupted, out of memory): that ends the script.
fn run_jobs(runtime: &Runtime, limits: Limits, expired: &dyn Fn() -> bool) -> Result<(), String> {
    loop {
        if expired() {
            return Err(limit_text(INTERRUPTED, limits));
        }
        match runtime.execute_pending_job() {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(job) => {
                let text = job.0.with(|ctx| value_text(&ctx.catch()));
                return Err(limit_text(&text, limits));
            }
        }
    }
}

fn finish(ctx: &Ctx<'_>) -> Result<String, rquickjs::Error> {
    let api: Object = ctx.globals().get("__portico")?;
    let f: Function = api.get("finish")?;
    f.call(())
}

fn http_request(v: &Value) -> HttpRequest {
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let headers = v
        .get("headers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|h| {
                    let k = h.get(0)?.as_str()?;
                    let val = h.get(1)?.as_str()?;
                    Some((k.to_string(), val.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    HttpRequest {
        method: text("method"),
        url: text("url"),
        headers,
        body: v.get("body").and_then(Value::as_str).map(|b| b.as_bytes().to_vec()),
    }
}

/// Applies the prelude's outcome JSON to the scopes and the request.
fn apply(json: &str, scopes: &mut Scopes, request: &mut HttpRequest) -> Outcome {
    let Ok(v) = serde_json::from_str::<Value>(json) else {
        return Outcome {
            error: Some("script engine: malformed outcome".into()),
            ..Outcome::default()
        };
    };
    let mut outcome = Outcome::default();
    if let Some(list) = v.get("assertions").and_then(Value::as_array) {
        for a in list {
            outcome.assertions.push(Assertion {
                name: a.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                passed: a.get("passed").and_then(Value::as_bool).unwrap_or(false),
                skipped: a.get("skipped").and_then(Value::as_bool).unwrap_or(false),
                error: a.get("error").and_then(Value::as_str).map(str::to_string),
            });
        }
    }
    if let Some(lines) = v.get("console").and_then(Value::as_array) {
        outcome.console = lines
            .iter()
            .map(|l| l.as_str().map(str::to_string).unwrap_or_else(|| l.to_string()))
            .collect();
    }
    outcome.error = v.get("error").and_then(Value::as_str).map(str::to_string);
    outcome.skip_request = v.get("skip").and_then(Value::as_bool).unwrap_or(false);
    match v.get("next") {
        Some(Value::Object(n)) if n.get("stop").is_some() => outcome.next_request = NextRequest::Stop,
        Some(Value::Object(n)) => {
            if let Some(name) = n.get("name").and_then(Value::as_str) {
                outcome.next_request = NextRequest::Named(name.to_string());
            }
        }
        _ => {}
    }
    if let Some(Value::Object(changed)) = v.get("scopes") {
        for (name, vars) in changed {
            let Value::Object(vars) = vars else { continue };
            let target = match name.as_str() {
                "environment" => &mut scopes.environment,
                "globals" => &mut scopes.globals,
                "collection" => &mut scopes.collection,
                "local" => &mut scopes.local,
                _ => continue,
            };
            *target = to_vars(vars);
        }
    }
    if let Some(r @ Value::Object(_)) = v.get("request") {
        let new = http_request(r);
        request.method = new.method;
        request.url = new.url;
        request.headers = new.headers;
        if r.get("body").is_some() {
            request.body = new.body;
        }
    }
    outcome
}

fn to_vars(map: &Map<String, Value>) -> Vars {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The text of a thrown value: "Name: message" for errors.
fn exception_text(ctx: &Ctx<'_>, e: rquickjs::Error) -> String {
    if e.is_exception() {
        value_text(&ctx.catch())
    } else {
        e.to_string()
    }
}

fn value_text(v: &rquickjs::Value<'_>) -> String {
    if let Some(obj) = v.as_object() {
        let name: Option<String> = obj.get("name").ok();
        let message: Option<String> = obj.get("message").ok();
        if let Some(message) = message {
            return match name {
                Some(name) if !name.is_empty() => format!("{name}: {message}"),
                _ => message,
            };
        }
    }
    if let Some(s) = v.as_string().and_then(|s| s.to_string().ok()) {
        return s;
    }
    if let Some(n) = v.as_number() {
        return n.to_string();
    }
    format!("{v:?}")
}

/// QuickJS's errors for a script that went over its limits.
const INTERRUPTED: &str = "InternalError: interrupted";
const OUT_OF_MEMORY: &str = "InternalError: out of memory";

fn is_uncatchable(text: &str) -> bool {
    text == INTERRUPTED || text.contains(OUT_OF_MEMORY)
}

/// Names the limit a script went over, keeping QuickJS's own text.
fn limit_text(text: &str, limits: Limits) -> String {
    if text == INTERRUPTED {
        format!(
            "script stopped: it ran longer than the time limit of {} ms",
            limits.time.as_millis()
        )
    } else if text.contains(OUT_OF_MEMORY) {
        format!(
            "script stopped: it used more than the memory limit of {} bytes",
            limits.memory_bytes
        )
    } else {
        text.to_string()
    }
}
