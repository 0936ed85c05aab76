#!/usr/bin/env bash
# The HTTP load test of docs/benchmarks.md: authorised reads and durable
# writes against `portico serve` with wrk (Debian's package), the bare axum
# baseline, server memory idle and under load, and the start-up time on a
# 1 GB database. Prints one markdown table.
#
#   benches/load/run.sh              everything, release build (about 10 min,
#                                    plus 5-10 min once to build the 1 GB database)
#   benches/load/run.sh --smoke      tiny sizes, 1-second runs, debug build (CI)
#   options: --duration S  --connections N  --threads N  --only sqlite|postgres
#            --no-big (skip the 1 GB start-up row)
#            --no-pair (skip one process against two behind nginx, PostgreSQL)
#
# PostgreSQL rows need PORTICO_TEST_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/test); the script creates and drops
# the database portico_load next to it.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/portico-target}"
PG_URL="${PORTICO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
smoke=0 duration=15 connections=32 threads=2 only="" big=1 pair=1
pws=50 updates=5
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 duration=1 pws=2 updates=1 big=0 pair=0 ;;
    --duration) duration="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --only) only="$2"; shift ;;
    --no-big) big=0 ;;
    --no-pair) pair=0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk is not installed: installing it from Debian's packages"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi

if [ "$smoke" = 1 ]; then
  cargo build -q --locked -p portico -p portico-load
  bin="$CARGO_TARGET_DIR/debug"
else
  cargo build -q --locked --release -p portico -p portico-load
  bin="$CARGO_TARGET_DIR/release"
fi

work=$(mktemp -d)
results="$work/results.md"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
addr="127.0.0.1:$port"

wait_healthy() {
  for _ in $(seq 1 600); do
    curl -fs "http://$addr/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "the server did not start" >&2
  return 1
}

# start_server CMD...: runs a server in the background, waits for /healthz
# (or, for the bare baseline, for its port).
start_server() {
  "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do
    if curl -s -o /dev/null "http://$addr/"; then return 0; fi
    sleep 0.05
  done
  cat "$work/server.log" >&2
  return 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

mem_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# load NAME URL SCRIPT [KEY]: one wrk run; appends a table row and keeps
# wrk's output.
load() {
  local name="$1" url="$2" script="$3" out="$work/wrk-$(echo "$1" | tr -c 'a-zA-Z0-9' '-').txt"
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "benches/load/$script" "$url" >"$out"
  local rps p50 p99 errors
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50=$(awk '$1 == "50%" { print $2 }' "$out")
  p99=$(awk '$1 == "99%" { print $2 }' "$out")
  errors=$(awk '/Non-2xx/ { print $NF } /Socket errors/ { print "socket errors" }' "$out" | paste -sd' ')
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}" >>"$results"
  echo "$name: $rps req/s, p50 $p50, p99 $p99, errors ${errors:-0}" >&2
  if [ -z "$rps" ] || [ "${errors:-0}" != 0 ]; then
    echo "$name: failed requests; wrk said:" >&2
    cat "$out" >&2
    exit 1
  fi
  rps_of["$name"]=$rps
}

# seed DATABASE: writes the data set and reads its ids and keys.
seed() {
  "$bin/portico-load" seed --database "$1" --partner-workspaces "$pws" --updates "$updates" >"$work/seed.env"
  # shellcheck disable=SC1091
  . "$work/seed.env"
}

{
  echo "Load test on $(nproc) cores, wrk -t$threads -c$connections -d${duration}s, $pws Partner Workspaces of the partner, $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo
  echo "| what | req/s | p50 | p99 | errors |"
  echo "|---|---:|---:|---:|---|"
} >"$results"
notes=()
declare -A rps_of

run_backend() {
  local backend="$1" database
  if [ "$backend" = sqlite ]; then
    database="$work/portico.db"
  else
    local admin="$PG_URL"
    database="${PG_URL%/*}/portico_load"
    psql "$admin" -qc "DROP DATABASE IF EXISTS portico_load" >/dev/null
    psql "$admin" -qc "CREATE DATABASE portico_load" >/dev/null
  fi
  seed "$database"
  start_server "$bin/portico" serve --listen "$addr" --database "$database" --data-dir "$work/data"
  wait_healthy
  sleep 1
  local idle
  idle=$(mem_kb "$server_pid" VmRSS)
  export KEY="$PARTNER_KEY"
  load "$backend: GET /api/workspaces (partner, $pws PWs)" "http://$addr/api/workspaces" read.lua
  load "$backend: GET /api/workspaces/{id}" "http://$addr/api/workspaces/$WORKSPACE" read.lua
  notes+=("$backend server memory: idle $((idle / 1024)) MB; peak under the read load $(($(mem_kb "$server_pid" VmHWM) / 1024)) MB")
  export KEY="$PUBLISHER_KEY" WORKSPACE COLLECTION REQUEST
  load "$backend: POST /api/workspaces/{id}/updates" "http://$addr" post-update.lua
  load "$backend: PUT /api/collections/{id}/requests/{id}" "http://$addr" edit-request.lua
  notes+=("$backend server memory after the writes: peak $(($(mem_kb "$server_pid" VmHWM) / 1024)) MB")
  stop_server

  start_server "$bin/portico-load" bare --database "$database" --listen "$addr" --user "$PARTNER_USER"
  unset KEY
  load "$backend: bare axum, same query as GET /api/workspaces" "http://$addr/bare/workspaces" read.lua
  load "$backend: bare axum, same query as GET /api/workspaces/{id}" "http://$addr/bare/workspaces/$WORKSPACE" read.lua
  stop_server
  local list="$backend: GET /api/workspaces (partner, $pws PWs)" one="$backend: GET /api/workspaces/{id}"
  notes+=("$backend ratio authorised / bare: list $(ratio "${rps_of[$list]}" "${rps_of["$backend: bare axum, same query as GET /api/workspaces"]}"), one workspace $(ratio "${rps_of[$one]}" "${rps_of["$backend: bare axum, same query as GET /api/workspaces/{id}"]}")")
  if [ "$backend" = postgres ]; then
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS portico_load" >/dev/null
  fi
}

if [ -z "$only" ] || [ "$only" = sqlite ]; then run_backend sqlite; fi
if [ -z "$only" ] || [ "$only" = postgres ]; then
  if psql "$PG_URL" -qc 'select 1' >/dev/null 2>&1; then
    run_backend postgres
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required under CI=true" >&2
    exit 1
  else
    notes+=("PostgreSQL rows skipped: no server at $PG_URL")
  fi
fi

# One process against two on the same PostgreSQL, each behind nginx (as
# docs/deployment.md sets them up): the reads through the proxy.
run_pair() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || {
    notes+=("pair rows skipped: nginx is not installed"); return 0; }
  local database="${PG_URL%/*}/portico_load" pids=() ports=() nginx_pid
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS portico_load" >/dev/null
  psql "$PG_URL" -qc "CREATE DATABASE portico_load" >/dev/null
  seed "$database"
  export KEY="$PARTNER_KEY"
  for n in 1 2; do
    local p=$((port + n))
    "$bin/portico" serve --listen "127.0.0.1:$p" --database "$database" --data-dir "$work/data" >"$work/pair-$n.log" 2>&1 &
    pids+=($!)
    ports+=("$p")
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  done
  local proxy_port=$((port + 3))
  for count in 1 2; do
    mkdir -p "$work/nginx-$count"
    local servers="" i
    for i in $(seq 0 $((count - 1))); do servers+="server 127.0.0.1:${ports[$i]}; "; done
    cat >"$work/nginx-$count/nginx.conf" <<CONF
user root;
worker_processes 1;
error_log $work/nginx-$count/error.log;
pid $work/nginx-$count/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-$count/body; proxy_temp_path $work/nginx-$count/proxy;
  fastcgi_temp_path $work/nginx-$count/f; uwsgi_temp_path $work/nginx-$count/u; scgi_temp_path $work/nginx-$count/s;
  upstream portico { $servers keepalive 64; }
  server {
    listen 127.0.0.1:$proxy_port;
    location / { proxy_pass http://portico; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
    nginx -p "$work/nginx-$count" -c "$work/nginx-$count/nginx.conf" -g 'daemon off;' &
    nginx_pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/healthz" && break; sleep 0.05; done
    load "postgres, nginx + $count process(es): GET /api/workspaces" "http://127.0.0.1:$proxy_port/api/workspaces" read.lua
    load "postgres, nginx + $count process(es): GET /api/workspaces/{id}" "http://127.0.0.1:$proxy_port/api/workspaces/$WORKSPACE" read.lua
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  done
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS portico_load" >/dev/null
}

if [ "$pair" = 1 ] && { [ -z "$only" ] || [ "$only" = postgres ]; } \
  && psql "$PG_URL" -qc 'select 1' >/dev/null 2>&1; then
  run_pair
fi

if [ "$big" = 1 ]; then
  # The 1 GB database takes minutes to write: it is kept between runs.
  big_db="$HOME/.cache/portico-load/big-1gb.db"
  if [ ! -f "$big_db.done" ]; then
    rm -f "$big_db" "$big_db-wal" "$big_db-shm"
    mkdir -p "$(dirname "$big_db")"
    echo "writing the 1 GB database once: $big_db" >&2
    "$bin/portico-load" seed --database "$big_db" --partner-workspaces "$pws" --updates "$updates" --fill-mb 1100 >/dev/null
    touch "$big_db.done"
  fi
  size_mb=$(( $(stat -c %s "$big_db") / 1000000 ))
  startup=$("$bin/portico-load" startup --addr "$addr" --runs 10 -- \
    "$bin/portico" serve --listen "$addr" --database "$big_db" --data-dir "$work/data")
  notes+=("on the ${size_mb} MB database: $startup")
fi

echo
cat "$results"
echo
for n in "${notes[@]}"; do echo "- $n"; done
