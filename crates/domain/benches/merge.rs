//! The three-way merge of a pull (R-FORK-3) on a 10,000-request collection.
//!
//! ```text
//! cargo bench -p portico-domain --bench merge
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
//! Prints a markdown table. Timings are measured here, never asserted.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/parse_collection/fixture.rs"]
mod fixture;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use portico_domain::collection::{
    FlatNode, NodeKind, Resolutions, changes, flatten_owned, import, match_identities, three_way, three_way_owned,
};
use serde_json::{Value, json};

const FOLDERS: usize = 100;
const PER_FOLDER: usize = 100;
const CHANGES: usize = 100;
const RUNS: usize = 30;

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

/// `base` with `CHANGES` seeded changes.
fn changed(base: &[FlatNode], seed: u64, tag: &str) -> (Vec<FlatNode>, Mix) {
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
    while done < CHANGES {
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
                nodes[i].position = (1 + rng.below(PER_FOLDER)) as i64 * 1024 + 1 + rng.below(500) as i64;
                mix.moves += 1;
            }
        }
        done += 1;
    }
    nodes.retain(|n| !gone.contains(&n.uid) && !n.parent.as_ref().is_some_and(|p| gone.contains(p)));
    nodes.extend(added);
    (nodes, mix)
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// Times `f` on a fresh `setup()` each run; what `f` returns is dropped
/// after the clock stops.
fn time<T, R>(runs: usize, mut setup: impl FnMut() -> T, mut f: impl FnMut(T) -> R) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let input = setup();
            // glibc defers part of the work of freeing the previous run's
            // output (hundreds of thousands of small blocks) to the next
            // large allocation: have it done before the clock starts.
            drop(std::hint::black_box(Vec::<u8>::with_capacity(64 * 1024)));
            let started = Instant::now();
            let output = std::hint::black_box(f(input));
            let elapsed = started.elapsed();
            drop(output);
            elapsed
        })
        .collect()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs bench
    // targets without it, and must stay quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("merge bench: skipped outside `cargo bench`");
        return;
    }
    let load_before = load();
    let file: Value = fixture::collection(FOLDERS, PER_FOLDER);
    let base = flatten_owned(import(&file).unwrap(), "root").unwrap();
    let (source, s_mix) = changed(&base, 0x5EED_0001, "s");
    let (destination, d_mix) = changed(&base, 0x5EED_0002, "d");
    let none = Resolutions::new();

    let outcome = three_way(&base, &source, &destination, &none);
    let merge = time(RUNS, || (), |()| three_way(&base, &source, &destination, &none));
    let merge_owned = time(
        RUNS,
        || destination.clone(),
        |d| three_way_owned(&base, &source, d, &none),
    );
    let pr = time(RUNS, || (), |()| changes(&base, &source));
    let preview = time(RUNS, || (), |()| changes(&destination, &outcome.nodes));
    let reimport = flatten_owned(import(&file).unwrap(), "root").unwrap();
    let mut rematched = reimport.clone();
    match_identities(&base, &mut rematched);
    let old: HashSet<&str> = base.iter().map(|n| n.uid.as_str()).collect();
    let kept = rematched.iter().filter(|n| old.contains(n.uid.as_str())).count();
    let rematch = time(
        RUNS,
        || reimport.clone(),
        |mut nodes| {
            match_identities(&base, &mut nodes);
            nodes
        },
    );

    let kinds: HashMap<&str, usize> = outcome.summary.iter().fold(HashMap::new(), |mut acc, c| {
        *acc.entry(match c.change {
            portico_domain::collection::ChangeKind::Addition => "additions",
            portico_domain::collection::ChangeKind::Deletion => "deletions",
            portico_domain::collection::ChangeKind::Modification => "modifications",
        })
        .or_default() += 1;
        acc
    });
    println!();
    println!(
        "Collection: {} nodes ({} requests in {FOLDERS} folders, with their example responses). \
         Source: {} edits, {} additions, {} deletions, {} moves; destination: {} edits, {} additions, \
         {} deletions, {} moves.",
        base.len(),
        FOLDERS * PER_FOLDER,
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
    println!("Load average before and after: {load_before} → {}", load());
    println!();
    println!("| measurement | runs | median | min | max | target | result |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    let rows: [(&str, Vec<Duration>, Option<Duration>); 5] = [
        (
            "`three_way` (10k requests, 100 changes a side)",
            merge,
            Some(Duration::from_millis(100)),
        ),
        ("`three_way_owned` (the same, destination moved in)", merge_owned, None),
        ("`changes` base → source (pull request diff)", pr, None),
        ("`changes` destination → merge (pull preview)", preview, None),
        ("`match_identities` of a re-import", rematch, None),
    ];
    for (what, mut samples, target) in rows {
        samples.sort();
        let n = samples.len();
        let median = if n % 2 == 1 {
            samples[n / 2]
        } else {
            (samples[n / 2 - 1] + samples[n / 2]) / 2
        };
        let (target, result) = match target {
            Some(t) if median <= t => (format!("≤ {}", ms(t)), "pass"),
            Some(t) => (format!("≤ {}", ms(t)), "**FAIL**"),
            None => (String::new(), ""),
        };
        println!(
            "| {what} | {n} | {} | {} | {} | {target} | {result} |",
            ms(median),
            ms(samples[0]),
            ms(samples[n - 1]),
        );
    }
}
