//! The unread badge of workspace updates with 100 and with 100,000 updates
//! (docs/benchmarks-updates.md).
//!
//! ```text
//! cargo bench -p portico-app --bench updates
//! cargo test -p portico-app --bench updates    # smoke run: 20 and 60 updates, 2 calls each
//! ```
//!
//! One SQLite file database in a temporary directory, opened like
//! production (WAL, `synchronous = FULL`, 8 readers), holds four team
//! workspaces of one team: 100 and 100,000 updates posted by one member
//! ("plain"), and the same sizes with 10 % of the updates written by each
//! of two editors who also read them and 1 % deleted ("mixed"). The last 10
//! updates of each workspace are posted through `App::post_update` after
//! some readers opened the Updates tab (`App::mark_updates_seen`); the ones
//! before are written directly through the store, 500 per transaction, with
//! exactly the rows `post_update` writes (the update, one notification per
//! other member) and, for deleted ones, what `delete_update` changes.
//!
//! For each reader it times, alternating the two sizes:
//!
//! - the store call `Tx::unread_updates` alone, inside a read transaction;
//! - `App::workspace`, the use case behind `GET /api/workspaces/{id}`
//!   (load, policy, unread count, in one read transaction).
//!
//! Prints markdown tables with median, min and max, and the ratio of the
//! medians 100,000 / 100 against the target (≤ 2×). Timings are measured
//! here, never asserted; the unread counts are checked. Without `--bench`
//! (`cargo test`, CI) it runs the same with the sizes of [`Scale::SMOKE`],
//! so that it keeps compiling and running.
//!
//! The same measurement runs on PostgreSQL from the server's bench target
//! (`cargo bench -p portico-server --bench sse_fanout -- --unread-postgres`),
//! which includes this file: this crate has no PostgreSQL backend among its
//! dev-dependencies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use portico_app::updates::{CATEGORIES, UpdateDraft};
use portico_app::workspaces::RoleChange;
use portico_app::{App, AppConfig, AuthMethod, Principal, Store};
use portico_domain::Error;
use portico_domain::ids::{TeamId, UserId, WorkspaceId};
use portico_domain::values::{DisplayName, Email};
use portico_store::UpdateRecord;
use serde_json::json;

/// The sizes of one run.
pub struct Scale {
    /// Updates of the small and the large workspace (at least [`RECENT`]).
    pub sizes: [usize; 2],
    /// Timed calls per reader, workspace and operation (after the warm-up).
    pub runs: usize,
    pub warm_up: usize,
    /// Whether the target applies (full size, optimised build).
    pub targets: bool,
}

impl Scale {
    /// `cargo bench`: what docs/benchmarks-updates.md reports.
    pub const FULL: Scale = Scale {
        sizes: [100, 100_000],
        runs: 301,
        warm_up: 20,
        targets: true,
    };

    /// `cargo test` (CI): every step, quickly, in the debug profile (60
    /// updates: one of the mixed workspace's is deleted).
    pub const SMOKE: Scale = Scale {
        sizes: [20, 60],
        runs: 2,
        warm_up: 1,
        targets: false,
    };

    /// `cargo bench` passes `--bench`; `cargo test` runs bench targets
    /// without it.
    pub fn from_args() -> &'static Scale {
        if std::env::args().any(|a| a == "--bench") {
            &Self::FULL
        } else {
            &Self::SMOKE
        }
    }
}

/// Updates posted through the use case after the "behind" readers last
/// opened the Updates tab.
const RECENT: usize = 10;
/// Updates written per store transaction while preparing. Each one bumps
/// the workspace's update number: PostgreSQL slows down quadratically when
/// one transaction updates the same row 100,000 times.
const BATCH: usize = 500;

/// The members of every workspace.
struct People {
    /// Posts (almost) every update; admin of the workspaces.
    poster: Principal,
    /// Viewer who never opened the Updates tab.
    viewer_fresh: Principal,
    /// Viewer who opened it before the last 10 updates.
    viewer_behind: Principal,
    /// Editor who wrote every 10th update of the mixed workspaces and never
    /// opened the tab.
    editor_fresh: Principal,
    /// Editor who wrote every 10th update (another tenth) and opened the tab
    /// before the last 10 updates.
    editor_behind: Principal,
}

/// A workspace and, per update number (`seq` − 1), its author and whether
/// it was deleted.
struct Space {
    id: WorkspaceId,
    log: Vec<(UserId, bool)>,
    /// `seen_seq` of the "behind" readers.
    behind_at: usize,
}

impl Space {
    /// What `unread_updates` must answer for `user` with cursor `seen`.
    fn expected(&self, user: UserId, seen: usize) -> i64 {
        self.log[seen..]
            .iter()
            .filter(|(author, deleted)| !deleted && *author != user)
            .count() as i64
    }
}

async fn user(app: &App, n: &str) -> Principal {
    let user = app
        .create_user(
            Email::parse(&format!("{n}@portico.example")).unwrap(),
            DisplayName::parse(&format!("Bench {n}")).unwrap(),
            None,
            false,
        )
        .await
        .unwrap();
    Principal {
        user,
        via: AuthMethod::ApiKey,
    }
}

async fn people(app: &App) -> (People, TeamId) {
    let poster = user(app, "poster").await;
    let team = app.create_team(&poster, "Publisher").await.unwrap();
    let p = People {
        viewer_fresh: user(app, "viewer-fresh").await,
        viewer_behind: user(app, "viewer-behind").await,
        editor_fresh: user(app, "editor-fresh").await,
        editor_behind: user(app, "editor-behind").await,
        poster,
    };
    for u in [&p.viewer_fresh, &p.viewer_behind, &p.editor_fresh, &p.editor_behind] {
        app.add_member(&p.poster, team.id, u.user.email.as_str(), &["developer".into()])
            .await
            .unwrap();
    }
    (p, team.id)
}

fn topic(seq: usize) -> String {
    format!("Release 2026.{seq}: pagination on /orders and a new webhook event")
}

fn description(seq: usize) -> String {
    format!(
        "## What changed in {seq}\n\n- `GET /orders` takes `cursor` and `limit` (at most 100).\n- \
         A new `order.refunded` webhook event.\n- `POST /payments` answers `409` on a repeated \
         idempotency key instead of `500`.\n\nSee the collection's changelog for the requests touched."
    )
}

/// Creates a workspace with `n` updates; see the module documentation.
async fn space(app: &App, p: &People, team: TeamId, name: &str, n: usize, mixed: bool) -> Space {
    let ws = app
        .create_workspace(&p.poster, Some(team), name, "team", None)
        .await
        .unwrap()
        .access
        .workspace;
    let role = |u: &Principal, role: &str| RoleChange {
        add: true,
        partner: false,
        user_id: u.id().to_string(),
        role: role.into(),
    };
    app.change_workspace_roles(
        &p.poster,
        ws.id,
        vec![
            role(&p.viewer_fresh, "viewer"),
            role(&p.viewer_behind, "viewer"),
            role(&p.editor_fresh, "editor"),
            role(&p.editor_behind, "editor"),
        ],
    )
    .await
    .unwrap();

    // The bulk: what `post_update` (and, for some, `delete_update`) writes,
    // for n − RECENT updates, BATCH per transaction. The workspace has no
    // integrations and nobody asked for emails, so posting writes no
    // webhook delivery and no outbox row.
    let bulk = n - RECENT;
    let authors: Vec<(UserId, bool)> = (1..=bulk)
        .map(|seq| {
            let author = match seq % 10 {
                0 if mixed => p.editor_fresh.id(),
                5 if mixed => p.editor_behind.id(),
                _ => p.poster.id(),
            };
            (author, mixed && seq % 100 == 37)
        })
        .collect();
    for (b, batch) in authors.chunks(BATCH).enumerate() {
        let (wid, ws_name, batch, first) = (ws.id, ws.name.clone(), batch.to_vec(), b * BATCH + 1);
        app.store
            .write(move |tx| {
                let members = tx.workspace_members(wid)?;
                let at = portico_app::now();
                for (i, (author, deleted)) in batch.iter().enumerate() {
                    let seq = first + i;
                    let update = tx.insert_update(&UpdateRecord {
                        id: 0,
                        workspace_id: wid,
                        seq: 0,
                        author_id: *author,
                        author_name: String::new(),
                        updated_by: *author,
                        topic: topic(seq),
                        description: description(seq),
                        category: CATEGORIES[seq % CATEGORIES.len()].into(),
                        related: "[]".into(),
                        element_changes: "[]".into(),
                        is_pinned: false,
                        created_at: at,
                        updated_at: at,
                    })?;
                    assert_eq!(update.seq, seq as i64);
                    for m in members.iter().filter(|m| m.active && m.user_id != *author) {
                        tx.insert_notification(
                            m.user_id,
                            "update_posted",
                            &format!("New update in {ws_name}: {}", update.topic),
                            &json!({ "workspaceId": wid.to_string(), "updateId": update.id }).to_string(),
                            at,
                        )?;
                    }
                    if *deleted {
                        assert!(tx.delete_update(wid, update.id)?);
                    }
                }
                Ok::<(), Error>(())
            })
            .await
            .unwrap();
    }

    // Two readers open the Updates tab, then 10 more updates arrive.
    app.mark_updates_seen(&p.viewer_behind, ws.id).await.unwrap();
    app.mark_updates_seen(&p.editor_behind, ws.id).await.unwrap();
    let mut log = authors;
    for seq in bulk + 1..=n {
        let draft = UpdateDraft {
            topic: Some(topic(seq)),
            description: Some(description(seq)),
            category: Some(CATEGORIES[seq % CATEGORIES.len()].into()),
            ..Default::default()
        };
        let u = app.post_update(&p.poster, ws.id, draft).await.unwrap();
        assert_eq!(u.seq, seq as i64);
        log.push((p.poster.id(), false));
    }
    Space {
        id: ws.id,
        log,
        behind_at: bulk,
    }
}

/// The samples of one operation for one reader on one workspace.
#[derive(Default)]
struct Samples(Vec<Duration>);

impl Samples {
    fn sorted(&self) -> Vec<Duration> {
        let mut s = self.0.clone();
        s.sort();
        s
    }

    fn median(&self) -> Duration {
        let s = self.sorted();
        let n = s.len();
        if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2
        }
    }

    fn min(&self) -> Duration {
        self.sorted()[0]
    }

    fn max(&self) -> Duration {
        self.sorted()[self.0.len() - 1]
    }
}

pub fn fmt_time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1e3)
    }
}

/// A reader's situation.
struct Case {
    what: &'static str,
    mixed: bool,
    who: fn(&People) -> &Principal,
    /// Whether this reader opened the tab before the last 10 updates.
    behind: bool,
}

const CASES: [Case; 7] = [
    Case {
        what: "viewer, nothing seen",
        mixed: false,
        who: |p| &p.viewer_fresh,
        behind: false,
    },
    Case {
        what: "viewer, all but 10 seen",
        mixed: false,
        who: |p| &p.viewer_behind,
        behind: true,
    },
    Case {
        what: "author of every update, never opened the tab",
        mixed: false,
        who: |p| &p.poster,
        behind: false,
    },
    Case {
        what: "mixed: viewer, nothing seen",
        mixed: true,
        who: |p| &p.viewer_fresh,
        behind: false,
    },
    Case {
        what: "mixed: viewer, all but 10 seen",
        mixed: true,
        who: |p| &p.viewer_behind,
        behind: true,
    },
    Case {
        what: "mixed: editor who wrote 10 %, nothing seen",
        mixed: true,
        who: |p| &p.editor_fresh,
        behind: false,
    },
    Case {
        what: "mixed: editor who wrote 10 %, all but 10 seen",
        mixed: true,
        who: |p| &p.editor_behind,
        behind: true,
    },
];

/// The results of one case: per size, (unread, store call, use case).
struct Measured {
    case: &'static str,
    per_size: Vec<(i64, Samples, Samples)>,
}

async fn store_call(store: &Store, ws: WorkspaceId, user: UserId) -> (Duration, i64) {
    store
        .read(move |tx| {
            let started = Instant::now();
            let n = tx.unread_updates(ws, user)?;
            Ok::<_, Error>((started.elapsed(), n))
        })
        .await
        .unwrap()
}

async fn use_case(app: &App, who: &Principal, ws: WorkspaceId) -> (Duration, i64) {
    let started = Instant::now();
    let view = app.workspace(who, ws).await.unwrap();
    (started.elapsed(), view.unread_updates)
}

async fn measure(app: &App, p: &People, spaces: &[&Space], case: &Case, scale: &Scale) -> Measured {
    let who = (case.who)(p);
    let expected: Vec<i64> = spaces
        .iter()
        .map(|s| s.expected(who.id(), if case.behind { s.behind_at } else { 0 }))
        .collect();
    let mut per_size: Vec<(i64, Samples, Samples)> = expected
        .iter()
        .map(|e| (*e, Samples::default(), Samples::default()))
        .collect();
    for run in 0..scale.warm_up + scale.runs {
        // Alternate which size goes first, so that both see the same noise.
        for k in 0..spaces.len() {
            let i = if run % 2 == 0 { k } else { spaces.len() - 1 - k };
            let ws = spaces[i].id;
            let (d_store, n_store) = store_call(&app.store, ws, who.id()).await;
            let (d_case, n_case) = use_case(app, who, ws).await;
            assert_eq!((n_store, n_case), (expected[i], expected[i]), "{}", case.what);
            if run >= scale.warm_up {
                per_size[i].1.0.push(d_store);
                per_size[i].2.0.push(d_case);
            }
        }
    }
    Measured {
        case: case.what,
        per_size,
    }
}

/// The load average, to tell a quiet machine from a busy one.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Sets up the workspaces on `store` (an empty database) with the sizes of
/// `scale`, measures and prints the tables; then, when `again` is given,
/// runs its step (for example `VACUUM ANALYZE`) and measures once more
/// under its label. `files`: the database's directory, to report its size.
pub async fn run<F>(
    store: Store,
    scale: &Scale,
    backend: &str,
    files: Option<&std::path::Path>,
    again: Option<(&str, F)>,
) where
    F: std::future::Future<Output = ()>,
{
    let load_before = load();
    let app = App::new(store, AppConfig::default());
    let started = Instant::now();
    let (p, team) = people(&app).await;
    let mut plain = Vec::new();
    let mut mixed = Vec::new();
    for n in scale.sizes {
        plain.push(space(&app, &p, team, &format!("Plain {n}"), n, false).await);
        mixed.push(space(&app, &p, team, &format!("Mixed {n}"), n, true).await);
    }
    let setup = started.elapsed();
    let db = files.map(|dir| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum::<u64>()
    });
    println!();
    println!(
        "## Unread updates on {backend}: {} and {} updates",
        scale.sizes[0], scale.sizes[1]
    );
    println!();
    if !scale.targets {
        println!("Smoke run (without `--bench`): sizes cut down, target not checked.");
        println!();
    }
    println!(
        "Setup (4 workspaces, {} updates, their notifications): {:.1} s{}. \
         {} timed calls per reader, workspace and operation, after {} warm-up calls.",
        2 * (scale.sizes[0] + scale.sizes[1]),
        setup.as_secs_f64(),
        db.map(|b| format!("; database files {:.0} MB", b as f64 / 1e6))
            .unwrap_or_default(),
        scale.runs,
        scale.warm_up,
    );
    measure_all(&app, &p, &plain, &mixed, scale, &load_before).await;
    if let Some((label, step)) = again {
        let started = Instant::now();
        step.await;
        println!();
        println!("### {backend}, {label} ({:.1} s)", started.elapsed().as_secs_f64());
        measure_all(&app, &p, &plain, &mixed, scale, &load()).await;
    }
}

async fn measure_all(app: &App, p: &People, plain: &[Space], mixed: &[Space], scale: &Scale, load_before: &str) {
    let mut results = Vec::new();
    for case in &CASES {
        let spaces: Vec<&Space> = if case.mixed {
            mixed.iter().collect()
        } else {
            plain.iter().collect()
        };
        results.push(measure(app, p, &spaces, case, scale).await);
    }
    println!();
    println!("Load average before and after: {load_before} → {}", load());
    println!();
    println!("| reader | updates | unread | store call: median | min | max | `App::workspace`: median | min | max |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for m in &results {
        for (i, (unread, s, c)) in m.per_size.iter().enumerate() {
            println!(
                "| {} | {} | {unread} | {} | {} | {} | {} | {} | {} |",
                m.case,
                scale.sizes[i],
                fmt_time(s.median()),
                fmt_time(s.min()),
                fmt_time(s.max()),
                fmt_time(c.median()),
                fmt_time(c.min()),
                fmt_time(c.max()),
            );
        }
    }
    println!();
    println!(
        "| reader | store call {} → {} | ratio | `App::workspace` {} → {} | ratio | target | result |",
        scale.sizes[0], scale.sizes[1], scale.sizes[0], scale.sizes[1]
    );
    println!("|---|---:|---:|---:|---:|---:|---|");
    for m in &results {
        let (_, s0, c0) = &m.per_size[0];
        let (_, s1, c1) = &m.per_size[1];
        let rs = s1.median().as_secs_f64() / s0.median().as_secs_f64();
        let rc = c1.median().as_secs_f64() / c0.median().as_secs_f64();
        let result = match (scale.targets, rs <= 2.0 && rc <= 2.0) {
            (false, _) => "(smoke run)",
            (true, true) => "pass",
            (true, false) => "**FAIL**",
        };
        println!(
            "| {} | {} → {} | {rs:.2}× | {} → {} | {rc:.2}× | ≤ 2× | {result} |",
            m.case,
            fmt_time(s0.median()),
            fmt_time(s1.median()),
            fmt_time(c0.median()),
            fmt_time(c1.median()),
        );
    }
}

#[allow(dead_code)] // unused where the server's bench includes this file
fn main() {
    let scale = Scale::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.db");
        let store = Store::open_with(move || {
            portico_store_sqlite::open(&path, &portico_store_sqlite::SqliteOptions::default())
        })
        .await
        .unwrap();
        run(
            store,
            scale,
            "SQLite",
            Some(dir.path()),
            None::<(&str, std::future::Ready<()>)>,
        )
        .await;
    });
    println!();
    println!(
        "PostgreSQL: `cargo bench -p portico-server --bench sse_fanout -- --unread-postgres` \
         runs the same on PostgreSQL."
    );
}
