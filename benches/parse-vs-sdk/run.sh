#!/usr/bin/env bash
# Side-by-side parse of the benchmark collection (10,000 requests): Portico's
# `import_nodes_reader` (Rust, release build) against the `postman-collection` SDK
# (Node), each run in its own process under /usr/bin/time -v, alternating.
# See docs/benchmarks.md.
#
#   benches/parse-vs-sdk/run.sh [RUNS]      # default 5 runs of each
#
# The file is written by `parse_collection generate` (the same generator the
# `collections` bench of portico-app uses) to
# $CARGO_TARGET_DIR/tmp/collection-10k.postman_collection.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-5}"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portico-target}"
file="$CARGO_TARGET_DIR/tmp/collection-10k.postman_collection.json"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/time ]; then
  echo "GNU time is missing: installing Debian's package 'time'"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
command -v node >/dev/null || { echo "node (v20) is needed" >&2; exit 1; }

# The SDK, at the exact version of package-lock.json.
if ! node -e "process.exit(require('$here/node_modules/postman-collection/package.json').version === require('$here/package-lock.json').packages['node_modules/postman-collection'].version ? 0 : 1)" 2>/dev/null; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi
sdk_version="$(node -p "require('$here/node_modules/postman-collection/package.json').version")"

(cd "$root" && cargo build --release --locked -q -p portico-domain --example parse_collection)
bin="$CARGO_TARGET_DIR/release/examples/parse_collection"
mkdir -p "$(dirname "$file")"
"$bin" generate "$file" >/dev/null

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# Context: what Node holds before parsing anything.
/usr/bin/time -v -o "$out/node-baseline.time" node -e "require('$here/node_modules/postman-collection')"
for i in $(seq 1 "$runs"); do
  /usr/bin/time -v -o "$out/rust.$i.time" "$bin" "$file" >"$out/rust.$i.json"
  /usr/bin/time -v -o "$out/node.$i.time" node "$here/parse.js" "$file" >"$out/node.$i.json"
done

node "$here/summarize.js" "$out" "$runs" "$file" "$sdk_version"
