//! The collection-format work of the domain, in memory, on the benchmark
//! collection (docs/benchmarks.md).
//!
//! ```text
//! cargo bench -p portico-domain --bench collection              # criterion, full size
//! cargo bench -p portico-domain --bench collection -- --quick export
//! cargo test -p portico-domain --bench collection               # smoke run: 10 × 10, each benchmark once
//! ```
//!
//! Generates the benchmark collection (100 folders × 100 requests, the
//! fixture of `parse_collection` and of the `collections` bench of
//! `portico-app`), pretty-printed as `parse_collection generate` writes it,
//! and times:
//!
//! - `import_nodes_slice`: the import's parser, from the file's text in
//!   memory to the nodes to store (each body as compact JSON text);
//! - `export_text`: the stored texts spliced back into the v2.1 text of the
//!   download, with and without the item ids;
//! - `policy::authorize`: a partner viewer reading a Partner Workspace (the
//!   check in front of every read), and an outsider refused one.
//!
//! The database around import and export is measured by the `collections`
//! bench of `portico-app`. A criterion bench: timings are measured here,
//! never asserted. Without `--bench` (`cargo test`, CI) criterion runs each
//! benchmark once, on a 100-request collection, so that this target keeps
//! compiling and running.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/parse_collection/fixture.rs"]
mod fixture;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use portico_domain::collection::{NodeKind, export_text, import_nodes_slice};
use portico_domain::ids::{TeamId, UserId};
use portico_domain::plan::Plan;
use portico_domain::policy::{Action, Actor, Denied, Resource, TeamFacts, WorkspaceFacts, authorize};
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};

/// The collection id the nodes are stored under.
const ROOT: &str = "bench";

/// The collection's folders × requests per folder: full size under
/// `cargo bench` (`--bench`, without criterion's `--test`), small otherwise
/// (`cargo test`, CI).
fn size() -> (usize, usize) {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test") {
        (100, 100)
    } else {
        (10, 10)
    }
}

fn collection(c: &mut Criterion) {
    let (folders, per_folder) = size();
    let text = serde_json::to_string_pretty(&fixture::collection(folders, per_folder)).unwrap();
    let nodes = import_nodes_slice(text.as_bytes(), ROOT).unwrap();
    let requests = nodes.iter().filter(|n| n.kind == NodeKind::Request).count();
    assert_eq!(requests, folders * per_folder);
    let exported = export_text(ROOT, &nodes, true).unwrap();
    println!(
        "Collection: {requests} requests in {folders} folders, {} nodes; {:.1} MB of pretty-printed JSON, \
         exported {:.1} MB.",
        nodes.len(),
        text.len() as f64 / 1e6,
        exported.len() as f64 / 1e6,
    );

    // About 100 ms per call at full size: few samples of the same number
    // of calls each, rather than criterion's 100 growing ones.
    let mut group = c.benchmark_group("collection");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(text.len() as u64));
    // The nodes (the whole collection) are dropped after the clock stops.
    group.bench_function("import_nodes_slice", |b| {
        b.iter_with_large_drop(|| import_nodes_slice(black_box(text.as_bytes()), ROOT).unwrap())
    });
    group.throughput(Throughput::Bytes(exported.len() as u64));
    group.bench_function("export_text_with_ids", |b| {
        b.iter_with_large_drop(|| export_text(ROOT, black_box(&nodes), true).unwrap())
    });
    group.bench_function("export_text", |b| {
        b.iter_with_large_drop(|| export_text(ROOT, black_box(&nodes), false).unwrap())
    });
    group.finish();
}

/// What a partner viewer of a Partner Workspace is to it: not a member of
/// the publisher's team (an enterprise team with a Partner Manager).
fn partner_viewer() -> WorkspaceFacts {
    WorkspaceFacts {
        kind: WorkspaceKind::Partner,
        multi_partner: false,
        pending_approval: false,
        team: TeamFacts {
            team_id: TeamId::generate(),
            plan: Plan::Enterprise,
            actor_roles: None,
            has_partner_manager: true,
        },
        actor_role: Some(WorkspaceRole::PartnerViewer),
        actor_is_lead: false,
        element_role: None,
    }
}

fn policy(c: &mut Criterion) {
    let actor = Actor {
        user_id: UserId::generate(),
        is_server_admin: false,
    };
    let partner = partner_viewer();
    let outsider = WorkspaceFacts {
        actor_role: None,
        ..partner_viewer()
    };
    assert_eq!(
        authorize(&actor, Action::ViewWorkspace, Resource::Workspace(&partner)),
        Ok(())
    );
    assert_eq!(
        authorize(&actor, Action::ViewWorkspace, Resource::Workspace(&outsider)),
        Err(Denied::Invisible)
    );
    let mut group = c.benchmark_group("policy");
    group.bench_function("authorize_partner_views_workspace", |b| {
        b.iter(|| {
            authorize(
                black_box(&actor),
                black_box(Action::ViewWorkspace),
                Resource::Workspace(black_box(&partner)),
            )
        })
    });
    group.bench_function("authorize_outsider_refused", |b| {
        b.iter(|| {
            authorize(
                black_box(&actor),
                black_box(Action::ViewWorkspace),
                Resource::Workspace(black_box(&outsider)),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, collection, policy);
criterion_main!(benches);
