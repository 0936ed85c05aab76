//! Parses a collection file the way Portico imports one, and nothing else:
//! the Rust side of `benches/parse-vs-sdk/run.sh` (docs/benchmarks.md).
//!
//! ```text
//! parse_collection FILE                   # read FILE, import_json, print timing
//! parse_collection generate FILE [F] [R]  # write the benchmark collection:
//!                                         # F folders × R requests (100 × 100)
//! ```
//!
//! The parse prints one line of JSON: `parse_ms` (`import_json` on the text
//! already in memory: JSON syntax, the item tree, the ids), `read_ms`,
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
            let started = Instant::now();
            let text = std::fs::read_to_string(path)?;
            let read = started.elapsed();
            let started = Instant::now();
            let collection = portico_domain::collection::import_json(&text)?;
            let parse = started.elapsed();
            println!(
                "{{\"parse_ms\": {:.3}, \"read_ms\": {:.3}, \"requests\": {}, \"bytes\": {}}}",
                parse.as_secs_f64() * 1e3,
                read.as_secs_f64() * 1e3,
                collection.request_count(),
                text.len()
            );
            Ok(())
        }
        None => {
            Err("usage: parse_collection FILE | parse_collection generate FILE [FOLDERS] [REQUESTS_PER_FOLDER]".into())
        }
    }
}
