#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The model-based differential test of authorization: random sequences of
//! actions by random principals, played against the HTTP server and against
//! a small reference model written from SPEC (`model.rs`); after each step
//! the answer and the acting principal's visible workspaces and collections
//! are compared, and at the end of each sequence everyone's.
//!
//! `PORTICO_MODEL_SEQUENCES` (default 1,000 on SQLite, 100 on PostgreSQL),
//! `PORTICO_MODEL_STEPS` (default 30) and `PORTICO_MODEL_SEED` (replays one
//! sequence) change the run. A divergence prints the seed of its sequence
//! and the shortest sequence found that still diverges.
//!
//! When extending the model, `PORTICO_MODEL_TALLY=1` counts refusals whose
//! status differs (`403` against `409`, say) instead of stopping at the
//! first, and `PORTICO_MODEL_DEBUG=1` splits the summary of actions by the
//! server's error code.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod driver;
mod model;

use std::time::Instant;

use helpers::{Backend, TestApp};
use model::Step;

/// Sequences played per pool of accounts before a fresh pool is signed up,
/// so that listings stay short.
const SEQUENCES_PER_POOL: u64 = 25;
/// Sequences played side by side.
const WORKERS: u64 = 4;

/// splitmix64: a small, well-known generator, enough to spread steps.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The steps of the sequence with this seed.
fn sequence(seed: u64, steps: usize) -> Vec<Step> {
    let mut rng = Rng(seed);
    (0..steps)
        .map(|_| {
            let r = rng.next();
            Step {
                kind: (r % 120) as u8,
                who: ((r >> 8) % 13) as u8,
                a: (r >> 16) as u16,
                b: (r >> 32) as u16,
                c: (r >> 48) as u8,
            }
        })
        .collect()
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

async fn operator(app: &TestApp) -> helpers::Client {
    app.user("operator@ops.example", "Operator").await
}

/// Plays the sequences; panics with the seed and a shrunk sequence at the
/// first divergence.
async fn differential(backend: Backend, default_sequences: u64) {
    let Some(app) = TestApp::spawn_with(backend, |c| {
        c.app.invites_per_hour = u32::MAX;
        c.app.forks_per_hour = u32::MAX;
        c.app.exports_per_hour = u32::MAX;
        c.app.runs_per_hour = u32::MAX;
        c.app.runs_at_once = 64;
    })
    .await
    else {
        return;
    };
    let app = std::sync::Arc::new(app);
    let steps = env_u64("PORTICO_MODEL_STEPS").unwrap_or(30) as usize;
    let ops = operator(&app).await;
    let started = Instant::now();
    if let Some(seed) = env_u64("PORTICO_MODEL_SEED") {
        let people = driver::People::sign_up(&app, &ops, "operator@ops.example", "replay").await;
        check(&people, seed, steps).await;
        return;
    }
    let sequences = env_u64("PORTICO_MODEL_SEQUENCES").unwrap_or(default_sequences);
    let base = env_u64("PORTICO_MODEL_BASE_SEED").unwrap_or(0x5EED);
    let mut workers = Vec::new();
    for w in 0..WORKERS {
        let app = app.clone();
        let ops = helpers::Client::like(&ops);
        workers.push(tokio::spawn(async move {
            let mut people = None;
            for (played, i) in (w..sequences).step_by(WORKERS as usize).enumerate() {
                if (played as u64).is_multiple_of(SEQUENCES_PER_POOL) {
                    let pool = format!("p{w}x{played}");
                    people = Some(driver::People::sign_up(&app, &ops, "operator@ops.example", &pool).await);
                }
                let seed = base.wrapping_mul(1_000_003).wrapping_add(i);
                check(people.as_ref().unwrap(), seed, steps).await;
            }
        }));
    }
    for w in workers {
        if let Err(e) = w.await {
            std::panic::resume_unwind(e.into_panic());
        }
    }
    eprintln!(
        "model: {sequences} sequences x {steps} steps on {backend:?}, 0 divergences, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    eprintln!("actions (played, carried out): {:?}", driver::PLAYED.lock().unwrap());
    for (k, n) in driver::TALLY.lock().unwrap().iter() {
        eprintln!("refusal status differs: {k}: {n}");
    }
}

/// Plays one sequence; on a divergence shrinks it and panics with the seed.
async fn check(people: &driver::People, seed: u64, steps: usize) {
    let all = sequence(seed, steps);
    let mut trace = Vec::new();
    let Err(first) = driver::play(people, &all, &mut trace).await else {
        return;
    };
    // Shrink: keep the prefix up to the divergence, then drop steps one by
    // one while the sequence still diverges.
    let mut kept: Vec<Step> = all[..(first.step + 1).min(all.len())].to_vec();
    let mut last = first;
    let mut i = kept.len();
    while i > 0 {
        i -= 1;
        let mut shorter = kept.clone();
        shorter.remove(i);
        let mut t = Vec::new();
        if let Err(d) = driver::play(people, &shorter, &mut t).await {
            shorter.truncate((d.step + 1).min(shorter.len()));
            i = i.min(shorter.len());
            kept = shorter;
            last = d;
        }
    }
    let mut trace = Vec::new();
    let _ = driver::play(people, &kept, &mut trace).await;
    panic!(
        "the server and the model diverge: {}\nreplay: PORTICO_MODEL_SEED={seed} cargo test -p portico-server --test model\nshrunk to {} steps:\n  {}\nsteps: {kept:?}",
        last.what,
        kept.len(),
        trace.join("\n  ")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_as_the_model_of_spec_on_sqlite() {
    differential(Backend::Sqlite, 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_as_the_model_of_spec_on_postgres() {
    differential(Backend::Postgres, 100).await;
}

/// Findings of the differential test, kept as scenarios: each diverged
/// before its fix.
mod findings {
    use super::*;
    use model::{Action, Kind, Role, Team, Who};

    async fn scenario(backend: Backend, actions: &[Action]) {
        let Some(app) = TestApp::spawn(backend).await else {
            return;
        };
        let ops = operator(&app).await;
        let people = driver::People::sign_up(&app, &ops, "operator@ops.example", "s").await;
        if let Err(d) = driver::play_actions(&people, actions).await {
            panic!("step {}: {}", d.step, d.what);
        }
    }

    /// R-ISO-4: a partner who left their team and comes back has no access
    /// to the Partner Workspaces they reached through it before.
    fn rejoining_the_team() -> Vec<Action> {
        vec![
            Action::CreateWorkspace {
                who: Who::PubAdmin,
                team: Team::Pub,
                kind: Kind::Partner,
            },
            Action::InvitePartner {
                who: Who::PubAdmin,
                ws: 0,
                to: Who::T1Dev,
                role: Role::PartnerViewer,
                lead: false,
            },
            Action::Accept {
                who: Who::T1Dev,
                invitation: 0,
            },
            Action::ReadWorkspace { who: Who::T1Dev, ws: 0 },
            Action::LeaveTeam { who: Who::T1Dev },
            Action::ReadWorkspace { who: Who::T1Dev, ws: 0 },
            Action::Rejoin {
                who: Who::T1Admin,
                to: Who::T1Dev,
            },
            Action::ReadWorkspace { who: Who::T1Dev, ws: 0 },
        ]
    }

    /// R-MULTI-3: a fork made by a partner of another partner team stays
    /// out of a partner's fork list after its author left the workspace.
    fn a_removed_partners_fork() -> Vec<Action> {
        vec![
            Action::CreateWorkspace {
                who: Who::PubAdmin,
                team: Team::Pub,
                kind: Kind::Partner,
            },
            Action::CreateCollection {
                who: Who::PubAdmin,
                ws: 0,
            },
            Action::InvitePartner {
                who: Who::PubAdmin,
                ws: 0,
                to: Who::T1Admin,
                role: Role::PartnerEditor,
                lead: false,
            },
            Action::Accept {
                who: Who::T1Admin,
                invitation: 0,
            },
            Action::Fork {
                who: Who::T1Admin,
                collection: 0,
                dest: 0,
            },
            Action::EnableMultiPartner {
                who: Who::PubAdmin,
                ws: 0,
            },
            Action::InvitePartner {
                who: Who::PubAdmin,
                ws: 0,
                to: Who::T2Admin,
                role: Role::PartnerViewer,
                lead: false,
            },
            Action::Accept {
                who: Who::T2Admin,
                invitation: 1,
            },
            Action::ReadForks {
                who: Who::T2Admin,
                collection: 0,
            },
            Action::SetPartnerRole {
                who: Who::PubAdmin,
                ws: 0,
                to: Who::T1Admin,
                role: None,
                lead: false,
            },
            Action::ReadForks {
                who: Who::T2Admin,
                collection: 0,
            },
            Action::ReadMembers {
                who: Who::T2Admin,
                ws: 0,
            },
        ]
    }

    /// R-MULTI-3: a partner the publisher removes through the workspace's
    /// roles leaves nothing in another partner team's activity feed (the
    /// "leave" entry named them to every team).
    fn a_removed_partners_leaving() -> Vec<Action> {
        let mut actions = a_removed_partners_fork();
        actions.push(Action::ReadActivity {
            who: Who::T2Admin,
            ws: 0,
        });
        actions
    }

    /// R-PR-1, R-ISO-3: someone who sees a pull request through its fork
    /// but not its destination is refused the merge like any non-editor
    /// (`403`), not told the request they just read is missing (`404`).
    fn merging_with_a_hidden_destination() -> Vec<Action> {
        use model::Review;
        vec![
            Action::CreateWorkspace {
                who: Who::PubAdmin,
                team: Team::Pub,
                kind: Kind::Partner,
            },
            Action::CreateWorkspace {
                who: Who::PubDev2,
                team: Team::Pub,
                kind: Kind::Partner,
            },
            Action::Rejoin {
                who: Who::PubAdmin,
                to: Who::PubPm,
            },
            Action::CreateCollection {
                who: Who::PubAdmin,
                ws: 0,
            },
            Action::Fork {
                who: Who::PubPm,
                collection: 0,
                dest: 1,
            },
            Action::OpenPullRequest {
                who: Who::PubPm,
                fork: 1,
                reviewer: Who::PubAdmin,
            },
            Action::ReadPullRequest {
                who: Who::PubDev2,
                pr: 0,
            },
            Action::ReviewPullRequest {
                who: Who::PubDev2,
                pr: 0,
                review: Review::Merge,
            },
            Action::ReviewPullRequest {
                who: Who::PubDev2,
                pr: 0,
                review: Review::Decline,
            },
        ]
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn r_pr_1_a_merge_by_someone_who_cannot_see_the_destination_is_refused_not_hidden() {
        scenario(Backend::Sqlite, &merging_with_a_hidden_destination()).await;
        scenario(Backend::Postgres, &merging_with_a_hidden_destination()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn r_multi_3_a_removed_partners_fork_stays_hidden_from_other_partner_teams() {
        scenario(Backend::Sqlite, &a_removed_partners_fork()).await;
        scenario(Backend::Postgres, &a_removed_partners_fork()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn r_multi_3_a_partner_removed_by_the_publisher_stays_out_of_other_teams_feeds() {
        scenario(Backend::Sqlite, &a_removed_partners_leaving()).await;
        scenario(Backend::Postgres, &a_removed_partners_leaving()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn r_iso_4_a_partner_back_in_their_team_does_not_regain_the_partner_workspace() {
        scenario(Backend::Sqlite, &rejoining_the_team()).await;
        scenario(Backend::Postgres, &rejoining_the_team()).await;
    }
}
