#!/usr/bin/env bash
# The collection runner benchmark of docs/benchmarks.md: a 1,000-request
# collection with one test script per request, run by newman (clients/,
# pinned 6.2.2) and by `portico run` (release build) against the same local
# mock server, in one run. Wall time with hyperfine, peak RSS with GNU time.
# Prints a markdown table and writes it to benches/runner/results.md (not on
# a smoke run).
#
#   benches/runner/run.sh                1,000 requests, 5 runs each
#   benches/runner/run.sh --smoke        20 requests, 1 run each, debug build (CI)
#   options: --requests N  --runs N
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portico-target}"
requests=1000 runs=5 profile=release results=benches/runner/results.md
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) requests=20 runs=1 profile=debug results=/dev/null ;;
    --requests) requests="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in hyperfine node; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install -y $tool)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "GNU time is not installed (apt-get install -y time)" >&2; exit 1; }
newman=clients/node_modules/newman/bin/newman.js
[ -f "$newman" ] || { echo "newman is missing: run npm ci in clients/" >&2; exit 1; }

if [ "$profile" = release ]; then
  cargo build --release --locked -q -p portico -p portico-runner --bin portico --example mock_server
else
  cargo build --locked -q -p portico -p portico-runner --bin portico --example mock_server
fi
bin="$CARGO_TARGET_DIR/$profile"
work=$(mktemp -d)
mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$bin/examples/mock_server" > "$work/mock.out" &
mock_pid=$!
for _ in $(seq 50); do [ -s "$work/mock.out" ] && break; sleep 0.1; done
base=$(head -n1 "$work/mock.out")
node benches/runner/generate.js "$requests" > "$work/collection.json"

portico_cmd="$bin/portico run $work/collection.json --env-var baseUrl=$base -r json --reporter-json-export $work/portico.json"
newman_cmd="node $newman run $work/collection.json --env-var baseUrl=$base -r json --reporter-json-export $work/newman.json"

# Both must run every request and pass every assertion.
$portico_cmd
node "$newman" run "$work/collection.json" --env-var "baseUrl=$base" -r json --reporter-json-export "$work/newman.json" >/dev/null
for report in portico newman; do
  node -e '
    const r = require(process.argv[1]);
    const s = r.run.stats;
    if (s.requests.total !== Number(process.argv[2]) || s.assertions.total !== Number(process.argv[2]) || s.assertions.failed !== 0) {
      console.error(process.argv[3] + ": unexpected stats " + JSON.stringify(s)); process.exit(1);
    }' "$work/$report.json" "$requests" "$report"
done

hyperfine --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
  -n portico "$portico_cmd" -n newman "$newman_cmd" >&2

peak() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'; }
portico_rss=$(peak $portico_cmd)
newman_rss=$(peak $newman_cmd)

node -e '
  const h = require(process.argv[1]).results;
  const [p, n] = [h.find(r => r.command === "portico"), h.find(r => r.command === "newman")];
  const prss = Number(process.argv[2]), nrss = Number(process.argv[3]);
  const ms = (s) => (s * 1000).toFixed(0) + " ms";
  const mb = (kb) => (kb / 1024).toFixed(1) + " MB";
  const rows = [
    "| Runner | Wall time (mean ± σ, " + process.argv[5] + " runs) | Peak RSS |",
    "|---|---|---|",
    "| portico run | " + ms(p.mean) + " ± " + ms(p.stddev || 0) + " | " + mb(prss) + " |",
    "| newman 6.2.2 | " + ms(n.mean) + " ± " + ms(n.stddev || 0) + " | " + mb(nrss) + " |",
    "| ratio | " + (n.mean / p.mean).toFixed(1) + "× faster (goal ≥ 20×) | " + (prss / nrss * 100).toFixed(1) + " % of newman (goal ≤ 25 %) |",
  ];
  console.log("Collection runner, " + process.argv[4] + " requests with one test script each, " + new Date().toISOString().slice(0, 10) + "\n\n" + rows.join("\n"));
' "$work/hyperfine.json" "$portico_rss" "$newman_rss" "$requests" "$runs" | tee "$results"
