//! One workspace update delivered live to 5,000 connected readers
//! (docs/benchmarks-updates.md).
//!
//! ```text
//! cargo bench -p portico-server --bench sse_fanout                  # 5,000 readers, 5 updates
//! cargo bench -p portico-server --bench sse_fanout -- --readers 1000 --posts 3
//! cargo bench -p portico-server --bench sse_fanout -- --unread-postgres
//! cargo test -p portico-server --bench sse_fanout                   # smoke run: 5 readers, 2 updates
//! ```
//!
//! 1. Prepares an SQLite data directory (opened like `portico serve` opens
//!    it): one team, one team workspace, its admin (who posts), and N
//!    members of the team who are viewers of the workspace, each with an API
//!    key. The members are written directly through the store, 1,000 per
//!    transaction, with the rows the use cases would write (account, team
//!    membership, workspace role, hashed key).
//! 2. Starts the server in a child process (this program again, with
//!    `--serve DB`), built as `portico serve` builds it, on a loopback port,
//!    so that its memory can be read alone from `/proc/PID/status`.
//! 3. Opens N `GET /api/events` streams from this process (a lean
//!    HTTP/1.1 client over plain sockets, chunked transfer decoded, SSE
//!    comments such as heartbeats ignored) and waits until every stream has
//!    its `200` header: the server subscribes a stream to the event bus
//!    before answering.
//! 4. Posts updates one at a time through `POST /api/workspaces/{id}/updates`
//!    as the admin and records, for each reader, the time from just before
//!    the POST until its `update_posted` event for that update arrived.
//!
//! Prints the delivery percentiles per update, the server's CPU time, its
//! RSS idle, with the streams open, after the updates, and its peak (VmHWM).
//! Timings are measured here, never asserted.
//!
//! `--unread-postgres` instead runs the unread-count benchmark of
//! `crates/app/benches/updates.rs` on PostgreSQL (the server crate has the
//! PostgreSQL backend; the app crate's benches do not), in a schema of its
//! own that it drops afterwards: once as loaded and once after
//! `VACUUM ANALYZE`, which autovacuum would do on a production server.
//!
//! Without `--bench` (`cargo test`, CI) it runs with the sizes of
//! [`SMOKE`] (and `--unread-postgres` with the unread bench's smoke sizes),
//! so that it keeps compiling and running; the targets apply to
//! `cargo bench` only. The smoke run also runs the PostgreSQL part, on a
//! smoke scale, when `PORTICO_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../../app/benches/updates.rs"]
mod updates;

use std::collections::HashMap;
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_app::crypto::{random_hex, token_hash};
use portico_app::{App, AppConfig, AuthMethod, Principal, Store};
use portico_domain::Error;

/// The allocator of the `portico` binary, so that the server process this
/// bench starts (`--serve`) uses memory as production does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use portico_domain::ids::{ApiKeyId, UserId};
use portico_domain::roles::{TeamRole, TeamRoles};
use portico_domain::values::{DisplayName, Email};
use portico_domain::workspace::WorkspaceRole;
use portico_store::{ApiKeyRecord, UserRecord};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc};

/// The sizes of one run.
struct Scale {
    /// Live readers and updates posted, unless `--readers` and `--posts`
    /// say otherwise.
    readers: usize,
    posts: usize,
    /// Pause before the idle memory is read, after the streams are open,
    /// and between two updates.
    idle_wait: Duration,
    open_wait: Duration,
    between_posts: Duration,
    /// The sizes of `--unread-postgres`.
    unread: &'static updates::Scale,
    /// Whether the targets apply (full size, optimised build).
    targets: bool,
}

/// `cargo bench`: what docs/benchmarks-updates.md reports.
const FULL: Scale = Scale {
    readers: 5_000,
    posts: 5,
    idle_wait: Duration::from_millis(500),
    open_wait: Duration::from_secs(2),
    between_posts: Duration::from_secs(2),
    unread: &updates::Scale::FULL,
    targets: true,
};

/// `cargo test` (CI): every step, quickly, in the debug profile.
const SMOKE: Scale = Scale {
    readers: 5,
    posts: 2,
    idle_wait: Duration::from_millis(100),
    open_wait: Duration::from_millis(200),
    between_posts: Duration::from_millis(200),
    unread: &updates::Scale::SMOKE,
    targets: false,
};

/// Streams being opened at the same time.
const CONNECTING: usize = 64;
/// Members written per store transaction while preparing.
const PER_TX: usize = 1_000;
/// How long to wait for every reader to get one update.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);
const TARGET_P99: Duration = Duration::from_secs(1);
const TARGET_RSS_KB: u64 = 300 * 1024;

fn arg_value(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(db) = arg_value(&args, "--serve") {
        serve(Path::new(&db));
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test` runs bench targets
    // without it: a smoke run.
    let scale = if args.iter().any(|a| a == "--bench") {
        &FULL
    } else {
        &SMOKE
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if args.iter().any(|a| a == "--unread-postgres") {
        runtime.block_on(unread_postgres(scale.unread));
        return;
    }
    let readers = arg_value(&args, "--readers").map_or(scale.readers, |n| n.parse().expect("--readers N"));
    let posts = arg_value(&args, "--posts").map_or(scale.posts, |n| n.parse().expect("--posts N"));
    runtime.block_on(fanout(readers, posts, scale));
    if !scale.targets {
        if std::env::var_os("PORTICO_TEST_POSTGRES_URL").is_some() {
            runtime.block_on(unread_postgres(scale.unread));
        } else {
            println!();
            println!("Unread updates on PostgreSQL: skipped (PORTICO_TEST_POSTGRES_URL is not set).");
        }
    }
}

// ---------------------------------------------------------------------------
// The server, in the child process.

/// Serves the database at `db` as `portico serve --database DB --listen
/// 127.0.0.1:0` does (without the log subscriber), printing the same line
/// once it accepts connections.
fn serve(db: &Path) {
    // As `portico serve` builds its runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(32)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = portico_server::Database::Sqlite(db.to_path_buf()).open().await.unwrap();
        let config = portico_server::ServerConfig {
            listen: "127.0.0.1:0".into(),
            app: AppConfig::default(),
            mail: portico_server::mail::MailConfig::default(),
            webhooks: portico_server::webhooks::WebhookConfig::default(),
        };
        let server = portico_server::build(&config, store).await.unwrap();
        println!("Portico listening on http://{}", server.local_addr().unwrap());
        server.run_until_stopped().await.unwrap();
    });
}

/// The server process; killed when dropped.
struct ServerProcess {
    child: std::process::Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(db: &Path) -> Self {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .arg("--serve")
            .arg(db)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Some(addr) = line.strip_prefix("Portico listening on http://") {
                    let _ = tx.send(addr.to_string());
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server did not start")
            .parse()
            .unwrap();
        Self { child, addr }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// VmRSS, VmHWM (kB) and thread count of a process.
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss_kb: u64,
    hwm_kb: u64,
    threads: u64,
}

fn memory(pid: u32) -> Memory {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Memory {
        rss_kb: field("VmRSS:"),
        hwm_kb: field("VmHWM:"),
        threads: field("Threads:"),
    }
}

/// User + system CPU time of a process.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which ends with ')': state is field 3,
    // utime field 14, stime field 15.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|v| v.parse().unwrap())
        .collect();
    // Clock ticks are 1/100 s on Linux.
    Duration::from_millis((f[0] + f[1]) * 10)
}

fn mb(kb: u64) -> String {
    format!("{:.0} MB", kb as f64 / 1024.0)
}

// ---------------------------------------------------------------------------
// Preparing the data directory.

struct Prepared {
    workspace: String,
    poster_key: String,
    reader_keys: Vec<String>,
}

async fn prepare(db: &Path, readers: usize) -> Prepared {
    let path = db.to_path_buf();
    let store = Store::open_with(move || portico_store_sqlite::open(&path, &Default::default()))
        .await
        .unwrap();
    let app = App::new(store, AppConfig::default());
    let admin = app
        .create_user(
            Email::parse("publisher@portico.example").unwrap(),
            DisplayName::parse("Publisher Admin").unwrap(),
            None,
            false,
        )
        .await
        .unwrap();
    let admin = Principal {
        user: admin,
        via: AuthMethod::ApiKey,
    };
    let team = app.create_team(&admin, "Publisher").await.unwrap();
    let ws = app
        .create_workspace(&admin, Some(team.id), "Announcements", "team", None)
        .await
        .unwrap()
        .access
        .workspace;
    let poster_key = app.create_api_key(&admin, "bench").await.unwrap().key;

    let mut reader_keys = Vec::with_capacity(readers);
    let mut next = 0;
    while next < readers {
        let batch: Vec<(usize, String)> = (next..readers.min(next + PER_TX))
            .map(|i| (i, format!("ptk_{}", random_hex(24).unwrap())))
            .collect();
        next += batch.len();
        reader_keys.extend(batch.iter().map(|(_, k)| k.clone()));
        let (team_id, ws_id) = (team.id, ws.id);
        app.store
            .write(move |tx| {
                let at = portico_app::now();
                for (i, key) in &batch {
                    let user = UserRecord {
                        id: UserId::generate(),
                        email: Email::parse(&format!("reader-{i}@partner.example"))?,
                        name: format!("Reader {i}"),
                        password_hash: None,
                        is_server_admin: false,
                        created_at: at,
                    };
                    tx.insert_user(&user)?;
                    tx.insert_member(team_id, user.id, &TeamRoles::single(TeamRole::Developer), at)?;
                    tx.set_workspace_member(ws_id, user.id, WorkspaceRole::Viewer, false, None, at)?;
                    tx.insert_api_key(
                        &ApiKeyRecord {
                            id: ApiKeyId::generate(),
                            user_id: user.id,
                            name: "events".into(),
                            prefix: key[..12].to_string(),
                            created_at: at,
                        },
                        &token_hash(key),
                    )?;
                }
                Ok::<(), Error>(())
            })
            .await
            .unwrap();
    }
    Prepared {
        workspace: ws.id.to_string(),
        poster_key,
        reader_keys,
    }
}

// ---------------------------------------------------------------------------
// A lean HTTP/1.1 client.

async fn write_all(s: &TcpStream, mut buf: &[u8]) -> std::io::Result<()> {
    while !buf.is_empty() {
        s.writable().await?;
        match s.try_write(buf) {
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn read_some(s: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        s.readable().await?;
        match s.try_read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends one request with `Connection: close` and answers status and body.
async fn request(addr: SocketAddr, method: &str, path: &str, key: &str, body: &str) -> (u16, String) {
    let s = TcpStream::connect(addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nx-api-key: {key}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    write_all(&s, head.as_bytes()).await.unwrap();
    let mut all = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = read_some(&s, &mut buf).await.unwrap();
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    let end = find(&all, b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&all[..end]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let mut body = all[end + 4..].to_vec();
    if chunked {
        let mut d = Chunked::default();
        let mut out = Vec::new();
        d.feed(&body, &mut out);
        body = out;
    }
    (status, String::from_utf8_lossy(&body).to_string())
}

/// Decodes `Transfer-Encoding: chunked`.
#[derive(Default)]
struct Chunked {
    pending: Vec<u8>,
    /// Bytes left in the current chunk (data + CRLF), or `None` before a size line.
    left: Option<usize>,
}

impl Chunked {
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.pending.extend_from_slice(bytes);
        let mut at = 0;
        loop {
            match self.left {
                None => {
                    let Some(eol) = find(&self.pending[at..], b"\r\n") else {
                        break;
                    };
                    let line = String::from_utf8_lossy(&self.pending[at..at + eol]).to_string();
                    let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
                    at += eol + 2;
                    self.left = Some(size + 2);
                }
                Some(left) => {
                    let take = left.min(self.pending.len() - at);
                    if take == 0 {
                        break;
                    }
                    // Everything but the chunk's closing CRLF is data.
                    let data = take.min(left.saturating_sub(2));
                    out.extend_from_slice(&self.pending[at..at + data]);
                    at += take;
                    self.left = if take == left { None } else { Some(left - take) };
                }
            }
        }
        self.pending.drain(..at);
    }
}

/// Reads SSE events out of the decoded stream; comments (heartbeats) and
/// other events are skipped. Answers the update ids of `update_posted`
/// events.
#[derive(Default)]
struct Events {
    text: Vec<u8>,
}

impl Events {
    fn feed(&mut self, bytes: &[u8], found: &mut Vec<i64>) {
        self.text.extend_from_slice(bytes);
        while let Some(end) = find(&self.text, b"\n\n") {
            let block: Vec<u8> = self.text.drain(..end + 2).collect();
            let block = String::from_utf8_lossy(&block);
            let field = |name: &str| block.lines().find_map(|l| l.strip_prefix(name)).map(str::trim);
            if field("event:") != Some("update_posted") {
                continue;
            }
            let data: serde_json::Value = serde_json::from_str(field("data:").unwrap_or("null")).unwrap_or_default();
            if let Some(id) = data["data"]["updateId"].as_i64() {
                found.push(id);
            }
        }
    }
}

/// One live reader: opens the stream, says when it is subscribed, then
/// reports `(update id, arrival)` for every update event.
async fn reader(
    addr: SocketAddr,
    key: String,
    connecting: Arc<Semaphore>,
    ready: mpsc::UnboundedSender<Result<(), String>>,
    heard: mpsc::UnboundedSender<(i64, Instant)>,
) {
    let permit = connecting.acquire_owned().await.unwrap();
    let opened = async {
        let s = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let head = format!(
            "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nx-api-key: {key}\r\nAccept: text/event-stream\r\n\r\n"
        );
        write_all(&s, head.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut got = Vec::new();
        let mut buf = vec![0u8; 4096];
        let end = loop {
            let n = read_some(&s, &mut buf).await.map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("closed before the response head".to_string());
            }
            got.extend_from_slice(&buf[..n]);
            if let Some(end) = find(&got, b"\r\n\r\n") {
                break end;
            }
        };
        let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
        if !head.starts_with("http/1.1 200") || !head.contains("transfer-encoding: chunked") {
            return Err(head.lines().next().unwrap_or("").to_string());
        }
        Ok((s, got[end + 4..].to_vec(), buf))
    }
    .await;
    drop(permit);
    let (s, rest, mut buf) = match opened {
        Ok(o) => o,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    let (mut chunked, mut events) = (Chunked::default(), Events::default());
    let (mut decoded, mut found) = (Vec::new(), Vec::new());
    let mut input = rest;
    loop {
        let at = Instant::now();
        chunked.feed(&input, &mut decoded);
        events.feed(&decoded, &mut found);
        decoded.clear();
        for id in found.drain(..) {
            let _ = heard.send((id, at));
        }
        match read_some(&s, &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => input = buf[..n].to_vec(),
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    if d == Duration::MAX {
        return "missing".into();
    }
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

struct Delivery {
    received: usize,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    first: Duration,
    post: Duration,
    server_cpu: Duration,
}

async fn fanout(readers: usize, posts: usize, scale: &Scale) {
    let load_before = updates::load();
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let open_files = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(
        open_files >= readers + 200,
        "{readers} streams need more open files than the soft limit {open_files}: raise it with `ulimit -n`"
    );

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("portico.db");
    let started = Instant::now();
    let prepared = prepare(&db, readers).await;
    let prepare_time = started.elapsed();

    let server = ServerProcess::start(&db);
    let (addr, pid) = (server.addr, server.pid());
    let (status, _) = request(addr, "GET", "/healthz", "", "").await;
    assert_eq!(status, 200);
    tokio::time::sleep(scale.idle_wait).await;
    let idle = memory(pid);

    // Open every stream.
    let connecting = Arc::new(Semaphore::new(CONNECTING));
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel();
    let (heard_tx, mut heard_rx) = mpsc::unbounded_channel();
    let started = Instant::now();
    for key in &prepared.reader_keys {
        tokio::spawn(reader(
            addr,
            key.clone(),
            connecting.clone(),
            ready_tx.clone(),
            heard_tx.clone(),
        ));
    }
    drop(heard_tx);
    let mut failures: HashMap<String, usize> = HashMap::new();
    for _ in 0..readers {
        if let Err(e) = ready_rx.recv().await.unwrap() {
            *failures.entry(e).or_default() += 1;
        }
    }
    let connect_time = started.elapsed();
    let subscribed = readers - failures.values().sum::<usize>();
    tokio::time::sleep(scale.open_wait).await;
    let connected = memory(pid);

    // Post updates one at a time.
    let path = format!("/api/workspaces/{}/updates", prepared.workspace);
    let mut early: HashMap<i64, Vec<Instant>> = HashMap::new();
    let mut deliveries = Vec::new();
    let mut after_posts = Vec::new();
    for k in 1..=posts {
        let body = serde_json::json!({
            "topic": format!("Release 2026.{k}: pagination on /orders"),
            "description": "`GET /orders` takes `cursor` and `limit`. See the changelog.",
            "category": "new_feature",
        })
        .to_string();
        let cpu_before = cpu_time(pid);
        let t0 = Instant::now();
        let (status, answer) = request(addr, "POST", &path, &prepared.poster_key, &body).await;
        let post = t0.elapsed();
        assert_eq!(status, 200, "{answer}");
        let id = serde_json::from_str::<serde_json::Value>(&answer).unwrap()["id"]
            .as_i64()
            .unwrap();
        let mut arrivals = early.remove(&id).unwrap_or_default();
        let deadline = tokio::time::Instant::now() + DELIVERY_TIMEOUT;
        while arrivals.len() < subscribed {
            match tokio::time::timeout_at(deadline, heard_rx.recv()).await {
                Ok(Some((got, at))) if got == id => arrivals.push(at),
                Ok(Some((got, at))) => early.entry(got).or_default().push(at),
                Ok(None) | Err(_) => break,
            }
        }
        let server_cpu = cpu_time(pid) - cpu_before;
        let mut lat: Vec<Duration> = arrivals.iter().map(|at| at.saturating_duration_since(t0)).collect();
        lat.sort();
        let received = lat.len();
        // Readers that never got the update count as infinitely late.
        lat.resize(readers, Duration::MAX);
        deliveries.push(Delivery {
            received,
            p50: percentile(&lat, 0.50),
            p90: percentile(&lat, 0.90),
            p99: percentile(&lat, 0.99),
            max: lat[readers - 1],
            first: lat[0],
            post,
            server_cpu,
        });
        tokio::time::sleep(scale.between_posts).await;
        after_posts.push(memory(pid));
    }
    let end = memory(pid);
    drop(server);

    println!();
    println!("## One update to {readers} live readers (SSE), SQLite");
    println!();
    if !scale.targets {
        println!("Smoke run (without `--bench`): sizes cut down, targets not checked.");
        println!();
    }
    println!(
        "Prepared {readers} members with API keys in {:.1} s; {subscribed} of {readers} streams open and \
         subscribed in {:.1} s{}.",
        prepare_time.as_secs_f64(),
        connect_time.as_secs_f64(),
        if failures.is_empty() {
            String::new()
        } else {
            format!(" (failures: {failures:?})")
        }
    );
    println!("Load average before and after: {load_before} → {}", updates::load());
    println!();
    println!("| update | received | first | p50 | p90 | p99 | max | POST answered in | server CPU (user+sys) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (i, d) in deliveries.iter().enumerate() {
        println!(
            "| {} | {}/{readers} | {} | {} | {} | {} | {} | {} | {:.2} s |",
            i + 1,
            d.received,
            ms(d.first),
            ms(d.p50),
            ms(d.p90),
            ms(d.p99),
            ms(d.max),
            ms(d.post),
            d.server_cpu.as_secs_f64(),
        );
    }
    let median = |f: fn(&Delivery) -> Duration| {
        let mut v: Vec<Duration> = deliveries.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    let p99 = median(|d| d.p99);
    let verdict = |ok: bool| match (scale.targets, ok) {
        (false, _) => "(smoke run)",
        (true, true) => "pass",
        (true, false) => "**FAIL**",
    };
    println!();
    println!("| measurement | median of the {posts} updates | target | result |");
    println!("|---|---:|---:|---|");
    println!("| delivery p50 | {} | | |", ms(median(|d| d.p50)));
    println!("| delivery p90 | {} | | |", ms(median(|d| d.p90)));
    println!(
        "| delivery p99 | {} | ≤ 1000 ms | {} |",
        ms(p99),
        verdict(p99 <= TARGET_P99)
    );
    println!("| delivery max | {} | | |", ms(median(|d| d.max)));
    println!("| POST answered in | {} | | |", ms(median(|d| d.post)));
    println!(
        "| server CPU per update | {:.2} s | | |",
        median(|d| d.server_cpu).as_secs_f64()
    );
    println!();
    println!("| server memory | RSS | threads |");
    println!("|---|---:|---:|");
    println!("| idle, before the streams | {} | {} |", mb(idle.rss_kb), idle.threads);
    println!(
        "| {subscribed} streams open | {} | {} |",
        mb(connected.rss_kb),
        connected.threads
    );
    for (i, m) in after_posts.iter().enumerate() {
        println!("| after update {} | {} | {} |", i + 1, mb(m.rss_kb), m.threads);
    }
    println!(
        "| peak (VmHWM), target ≤ 300 MB | {} | {} |",
        mb(end.hwm_kb),
        verdict(end.hwm_kb <= TARGET_RSS_KB)
    );
}

// ---------------------------------------------------------------------------
// The unread-count benchmark on PostgreSQL.

/// A schema of its own in the test server, dropped when this goes away.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    fn create(url: &str) -> Result<Self, postgres::Error> {
        let name = format!("portico_bench_{}", uuid::Uuid::new_v4().simple());
        postgres::Client::connect(url, postgres::NoTls)?.batch_execute(&format!("CREATE SCHEMA {name}"))?;
        Ok(Self {
            url: url.to_string(),
            name,
        })
    }

    /// What autovacuum does after a bulk load: visibility map and
    /// statistics for every table of the schema.
    fn vacuum_analyze(&self) {
        let mut c = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        let tables: Vec<String> = c
            .query("SELECT tablename FROM pg_tables WHERE schemaname = $1", &[&self.name])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        for t in tables {
            c.batch_execute(&format!("VACUUM ANALYZE {}.{t}", self.name)).unwrap();
        }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let (url, name) = (self.url.clone(), self.name.clone());
        // The sync client runs its own runtime: keep it off async threads.
        let _ = std::thread::spawn(move || {
            if let Ok(mut c) = postgres::Client::connect(&url, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
            }
        })
        .join();
    }
}

/// The unread-count benchmark on PostgreSQL (`PORTICO_TEST_POSTGRES_URL`,
/// default `postgres://postgres@127.0.0.1:5432/test`), in a schema of its
/// own opened with the production pool size; measured as loaded, then again
/// after `VACUUM ANALYZE` of that schema, with the sizes of `scale`.
async fn unread_postgres(scale: &updates::Scale) {
    let url = portico_store_postgres::testing::test_url();
    let u = url.clone();
    let schema = match tokio::task::spawn_blocking(move || Schema::create(&u)).await.unwrap() {
        Ok(s) => Arc::new(s),
        Err(e) => {
            println!(
                "PostgreSQL not reachable at {}: skipped (set PORTICO_TEST_POSTGRES_URL): {e}",
                portico_server::redact_url(&url)
            );
            return;
        }
    };
    let (u, name) = (url.clone(), schema.name.clone());
    let store = tokio::task::spawn_blocking(move || {
        portico_store_postgres::open(
            &u,
            &portico_store_postgres::PostgresOptions {
                schema: Some(name),
                ..Default::default()
            },
        )
    })
    .await
    .unwrap()
    .unwrap();
    let s = schema.clone();
    let vacuum = async move {
        tokio::task::spawn_blocking(move || s.vacuum_analyze()).await.unwrap();
    };
    updates::run(store, scale, "PostgreSQL", None, Some(("after VACUUM ANALYZE", vacuum))).await;
    tokio::task::spawn_blocking(move || drop(schema)).await.unwrap();
}
