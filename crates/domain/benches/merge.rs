//! The three-way merge of a pull (R-FORK-3) on a 10,000-request collection.
//!
//! ```text
//! cargo bench -p portico-domain --bench merge                  # criterion, full size
//! cargo bench -p portico-domain --bench merge -- --quick three_way
//! cargo test -p portico-domain --bench merge                   # smoke run: 10 × 10, each benchmark once
//! ```
//!
//! Builds the benchmark collection (100 folders × 100 requests, the fixture
//! of `parse_collection` and of the `collections` bench of `portico-app`),
//! flattens it as stored, and derives two sides from it with 100 seeded
//! changes each (field edits, additions, deletions, moves). Times, on nodes
//! in memory:
//!
//! - `three_way(base, source, destination)`, and `three_way_owned`, which
//!   moves the destination's bodies into the result instead of copying them
//!   (the destination is copied before the clock starts);
//! - `changes` from the base to the source (a pull request's diff), and from
//!   the destination to the merge (a pull's preview);
//! - `match_identities` of a re-import of the whole collection (fresh uids
//!   for every item without an id) onto the stored one.
//!
//! A criterion bench: timings are measured here, never asserted. Without
//! `--bench` (`cargo test`, CI) criterion runs each benchmark once, on a
//! 100-request collection with 10 changes a side, so that this target keeps
//! compiling and running; the target of docs/benchmarks.md (`three_way`
//! ≤ 100 ms) applies to the full size only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/parse_collection/fixture.rs"]
mod fixture;

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use portico_domain::collection::{
    FlatNode, NodeKind, Resolutions, changes, flatten_owned, import, match_identities, three_way, three_way_owned,
};
use serde_json::{Value, json};

/// The sizes of one run: the collection's folders × requests per folder,
/// and the seeded changes on each side.
#[derive(Clone, Copy)]
struct Size {
    folders: usize,
    per_folder: usize,
    changes: usize,
}

impl Size {
    /// `cargo bench` (`--bench`, without criterion's `--test`) measures the
    /// full size; otherwise (`cargo test`, CI) a smoke run of a small one.
    fn from_args() -> Self {
        let args: Vec<String> = std::env::args().collect();
        let bench = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
        if bench {
            Self {
                folders: 100,
                per_folder: 100,
                changes: 100,
            }
        } else {
            Self {
                folders: 10,
                per_folder: 10,
                changes: 10,
            }
        }
    }
}

/// SplitMix64, so that both sides are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Default)]
struct Mix {
    edits: usize,
    additions: usize,
    deletions: usize,
    moves: usize,
}

/// `base` with `size.changes` seeded changes.
fn changed(base: &[FlatNode], size: Size, seed: u64, tag: &str) -> (Vec<FlatNode>, Mix) {
    let mut rng = Rng(seed);
    let mut nodes = base.to_vec();
    let requests: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].kind == NodeKind::Request)
        .collect();
    let folders: Vec<String> = nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Folder)
        .map(|n| n.uid.clone())
        .collect();
    let mut gone: HashSet<String> = HashSet::new();
    let mut added = Vec::new();
    let mut mix = Mix::default();
    let mut done = 0;
    while done < size.changes {
        let i = requests[rng.below(requests.len())];
        if gone.contains(&nodes[i].uid) {
            continue;
        }
        match rng.below(10) {
            0..=3 => {
                let body = &mut nodes[i].body;
                match rng.below(5) {
                    0 => {
                        body.insert("name".into(), json!(format!("{tag} renamed {done}")));
                    }
                    1 => body["request"]["method"] = json!("PATCH"),
                    2 => body["request"]["url"]["raw"] = json!(format!("{{{{baseUrl}}}}/v2/{tag}/{done}")),
                    3 => {
                        if let Some(headers) = body["request"]["header"].as_array_mut() {
                            headers.push(json!({"key": "X-Change", "value": format!("{tag}{done}")}));
                        }
                    }
                    _ => {
                        body.insert(
                            "event".into(),
                            json!([{"listen": "test", "script": {"type": "text/javascript", "exec": [format!("pm.test('{tag} {done}')")]}}]),
                        );
                    }
                }
                mix.edits += 1;
            }
            4 | 5 => {
                let mut node = nodes[i].clone();
                node.uid = format!("{tag}-added-{done}");
                node.body.insert("name".into(), json!(format!("{tag} added {done}")));
                node.position += 1 + rng.below(500) as i64;
                added.push(node);
                mix.additions += 1;
            }
            6 | 7 => {
                gone.insert(nodes[i].uid.clone());
                mix.deletions += 1;
            }
            _ => {
                let folder = folders[rng.below(folders.len())].clone();
                nodes[i].parent = Some(folder);
                nodes[i].position = (1 + rng.below(size.per_folder)) as i64 * 1024 + 1 + rng.below(500) as i64;
                mix.moves += 1;
            }
        }
        done += 1;
    }
    nodes.retain(|n| !gone.contains(&n.uid) && !n.parent.as_ref().is_some_and(|p| gone.contains(p)));
    nodes.extend(added);
    (nodes, mix)
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn merge(c: &mut Criterion) {
    let size = Size::from_args();
    let file: Value = fixture::collection(size.folders, size.per_folder);
    let base = flatten_owned(import(&file).unwrap(), "root").unwrap();
    let (source, s_mix) = changed(&base, size, 0x5EED_0001, "s");
    let (destination, d_mix) = changed(&base, size, 0x5EED_0002, "d");
    let none = Resolutions::new();

    // What the benchmarks work on, printed once.
    let outcome = three_way(&base, &source, &destination, &none);
    let reimport = flatten_owned(import(&file).unwrap(), "root").unwrap();
    let mut rematched = reimport.clone();
    match_identities(&base, &mut rematched);
    let old: HashSet<&str> = base.iter().map(|n| n.uid.as_str()).collect();
    let kept = rematched.iter().filter(|n| old.contains(n.uid.as_str())).count();
    let kinds: HashMap<&str, usize> = outcome.summary.iter().fold(HashMap::new(), |mut acc, c| {
        *acc.entry(match c.change {
            portico_domain::collection::ChangeKind::Addition => "additions",
            portico_domain::collection::ChangeKind::Deletion => "deletions",
            portico_domain::collection::ChangeKind::Modification => "modifications",
        })
        .or_default() += 1;
        acc
    });
    println!(
        "Collection: {} nodes ({} requests in {} folders, with their example responses). \
         Source: {} edits, {} additions, {} deletions, {} moves; destination: {} edits, {} additions, \
         {} deletions, {} moves.",
        base.len(),
        size.folders * size.per_folder,
        size.folders,
        s_mix.edits,
        s_mix.additions,
        s_mix.deletions,
        s_mix.moves,
        d_mix.edits,
        d_mix.additions,
        d_mix.deletions,
        d_mix.moves,
    );
    println!(
        "Merge: {} nodes, {} conflicts; summary for the destination: {} additions, {} deletions, {} modifications. \
         Re-import: {kept} of {} nodes matched back onto their stored uid.",
        outcome.nodes.len(),
        outcome.conflicts.len(),
        kinds.get("additions").unwrap_or(&0),
        kinds.get("deletions").unwrap_or(&0),
        kinds.get("modifications").unwrap_or(&0),
        rematched.len(),
    );
    println!("Load average: {}", load());

    // Tens of milliseconds per call at full size: few samples of the same
    // number of calls each, rather than criterion's 100 growing ones.
    let mut group = c.benchmark_group("merge");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(5));
    // The results (a whole tree each) are dropped after the clock stops.
    group.bench_function("three_way", |b| {
        b.iter_with_large_drop(|| three_way(black_box(&base), &source, &destination, &none))
    });
    // The destination is copied before the clock starts.
    group.bench_function("three_way_owned", |b| {
        b.iter_batched(
            || destination.clone(),
            |d| three_way_owned(black_box(&base), &source, d, &none),
            BatchSize::LargeInput,
        )
    });
    // A pull request's diff, and a pull's preview.
    group.bench_function("changes_base_to_source", |b| {
        b.iter_with_large_drop(|| changes(black_box(&base), &source))
    });
    group.bench_function("changes_destination_to_merge", |b| {
        b.iter_with_large_drop(|| changes(black_box(&destination), &outcome.nodes))
    });
    group.bench_function("match_identities_reimport", |b| {
        b.iter_batched(
            || reimport.clone(),
            |mut nodes| {
                match_identities(black_box(&base), &mut nodes);
                nodes
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, merge);
criterion_main!(benches);
