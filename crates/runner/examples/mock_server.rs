//! The runner tests' mock server as a program, for benchmarks
//! (benches/runner/run.sh): `mock_server [PORT]` prints its base URL and
//! serves until killed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mock.rs"]
mod mock;

fn main() {
    let port = std::env::args().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    let m = mock::start_on(port);
    println!("{}", m.base);
    loop {
        std::thread::park();
    }
}
