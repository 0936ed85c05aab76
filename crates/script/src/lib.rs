//! Pre-request and test scripts of collection runs: the `pm` API that real
//! collections use, in a sandboxed JavaScript engine (no file system, no
//! process, bounded time and memory per script).
//!
//! The runner (`portico-runner`) owns one [`Engine`] per run and calls
//! [`Engine::run`] for every script event, passing the variable scopes, the
//! request being sent and, for test scripts, the response.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

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
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response as test scripts see it (`pm.response`).
#[derive(Debug, Clone, Default)]
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
}

/// A JavaScript engine for one run (reused by every script of the run).
pub struct Engine {
    limits: Limits,
}

impl Engine {
    pub fn new(limits: Limits) -> Result<Engine, String> {
        Ok(Engine { limits })
    }

    /// Runs one script. Changes to variables land in `scopes`, changes to the
    /// request (pre-request scripts) in `request`.
    pub fn run(
        &mut self,
        _source: &str,
        _info: &Info,
        _scopes: &mut Scopes,
        _request: &mut HttpRequest,
        _response: Option<&HttpResponse>,
        _sender: &mut dyn Sender,
    ) -> Outcome {
        let _ = self.limits;
        Outcome {
            error: Some("scripts are not supported yet".into()),
            ..Outcome::default()
        }
    }
}
