//! Parses a collection file the way Portico imports one, and nothing else:
//! the Rust side of `benches/parse-vs-sdk/run.sh` (docs/benchmarks.md).
//!
//! ```text
//! parse_collection FILE                   # read FILE, import_json, print timing
//! parse_collection generate FILE [F] [R]  # write the benchmark collection:
//!                                         # F folders × R requests (100 × 100)
//! ```
//!
//! The parse prints one line of JSON: `parse_ms` (`import_nodes_reader`
//! reading the file as it parses it: JSON syntax, the item tree, the ids, each
//! element's stored text), `read_ms` (0: reading is part of the parse),
//! `requests` and `bytes`.

mod fixture;

use std::error::Error;
use std::time::Instant;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let out = args.get(1).ok_or("generate FILE [FOLDERS] [REQUESTS_PER_FOLDER]")?;
            let folders = args.get(2).map_or(Ok(100), |s| s.parse())?;
            let per_folder = args.get(3).map_or(Ok(100), |s| s.parse())?;
            let text = serde_json::to_string_pretty(&fixture::collection(folders, per_folder))?;
            std::fs::write(out, &text)?;
            println!(
                "{{\"file\": {:?}, \"requests\": {}, \"bytes\": {}}}",
                out,
                folders * per_folder,
                text.len()
            );
            Ok(())
        }
        Some(path) => {
            // The import path of `portico import` and of the benchmark: the
            // file is read as it is parsed, straight to the nodes to store.
            let bytes = std::fs::metadata(path)?.len();
            let started = Instant::now();
            let file = std::io::BufReader::with_capacity(64 * 1024, std::fs::File::open(path)?);
            let nodes = portico_domain::collection::import_nodes_reader(file, "collection")?;
            let parse = started.elapsed();
            let requests = nodes
                .iter()
                .filter(|n| n.kind == portico_domain::collection::NodeKind::Request)
                .count();
            println!(
                "{{\"parse_ms\": {:.3}, \"read_ms\": 0, \"requests\": {}, \"bytes\": {}}}",
                parse.as_secs_f64() * 1e3,
                requests,
                bytes
            );
            Ok(())
        }
        None => {
            Err("usage: parse_collection FILE | parse_collection generate FILE [FOLDERS] [REQUESTS_PER_FOLDER]".into())
        }
    }
}
