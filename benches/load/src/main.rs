//! What the HTTP load test needs beside `portico serve` and `wrk`
//! (benches/load/run.sh, docs/benchmarks.md):
//!
//! - `seed`: the data set, written through Portico's own use cases: a
//!   publisher team with 50 Partner Workspaces shared with one partner, each
//!   with updates the partner has not read, a collection to edit, and API
//!   keys; optionally grown to a given size (1 GB for the start-up row) with
//!   large collections and many updates. Prints the ids and keys as shell
//!   assignments.
//! - `bare`: the baseline of the read rows: a bare axum server answering the
//!   same single store query as `GET /api/workspaces` and
//!   `GET /api/workspaces/{id}`, without authentication or policy.
//! - `startup`: times a command from its start until `GET /healthz`
//!   answers 200.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

mod bare;
mod seed;

#[derive(Parser)]
#[command(name = "portico-load", about = "Data sets and baselines for Portico's load test.")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Writes the load test's data set into an empty database.
    Seed(seed::SeedArgs),
    /// Serves the bare baseline of the read rows.
    Bare(bare::BareArgs),
    /// Times a server command from its start to its first healthy answer.
    Startup {
        /// Where the command listens, e.g. 127.0.0.1:8080.
        #[arg(long)]
        addr: String,
        /// Runs to time.
        #[arg(long, default_value_t = 10)]
        runs: usize,
        /// The command and its arguments.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
}

fn main() -> Result<(), String> {
    match Cli::parse().command {
        Cmd::Seed(args) => runtime()?.block_on(seed::run(args)),
        Cmd::Bare(args) => runtime()?.block_on(bare::run(args)),
        Cmd::Startup { addr, runs, command } => startup(&addr, runs, &command),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

/// The store behind a database URL: `postgres://…`, or a SQLite file path.
pub fn open_store(database: &str) -> Result<portico_store::Store, String> {
    let store = if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        portico_store_postgres::open(database, &portico_store_postgres::PostgresOptions::default())
    } else {
        let path = database.strip_prefix("sqlite://").unwrap_or(database);
        portico_store_sqlite::open(
            std::path::Path::new(path),
            &portico_store_sqlite::SqliteOptions::default(),
        )
    };
    store.map_err(|e| format!("cannot open {database}: {e}"))
}

/// Starts `command` `runs` times; each time measures how long until
/// `GET /healthz` on `addr` answers 200, then stops the process.
fn startup(addr: &str, runs: usize, command: &[String]) -> Result<(), String> {
    let (program, args) = command.split_first().ok_or("no command")?;
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut child = Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let ready = loop {
            if healthy(addr) {
                break Some(start.elapsed());
            }
            if start.elapsed() > Duration::from_secs(30) {
                break None;
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("{program} exited with {status} before serving"));
            }
            std::thread::sleep(Duration::from_micros(500));
        };
        let _ = child.kill();
        let _ = child.wait();
        let ready = ready.ok_or("the server did not answer /healthz within 30 s")?;
        times.push(ready);
        std::thread::sleep(Duration::from_millis(200));
    }
    times.sort();
    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    println!(
        "start to serving: median {:.1} ms (min {:.1}, max {:.1}) over {} runs",
        ms(&times[times.len() / 2]),
        ms(&times[0]),
        ms(&times[times.len() - 1]),
        times.len()
    );
    Ok(())
}

/// Whether `GET /healthz` answers 200 now.
fn healthy(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}
