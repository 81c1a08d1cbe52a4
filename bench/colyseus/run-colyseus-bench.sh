#!/usr/bin/env bash
# Tavern over WebSocket beside Colyseus (@colyseus/core, the server of npm's `colyseus`), the
# same chat room on both: every line goes to every client in the room, sender included. One
# server core each (taskset, SERVER_CORE), the load driver on another (LOAD_CORE), one server
# running at a time, loopback only. The driver (chat-load.mjs) is the same Node.js program for
# both, only the protocol differs (Colyseus' SDK / a raw WebSocket speaking Tavern's packets).
#   case 1 (steady):     200 clients, 1 line/s each: 40,000 deliveries/s offered
#   case 2 (saturation): 200 clients, the rate raised step by step until the own-line round trip
#                        p50 reaches 50 ms or fewer than 97% of the lines arrive
# Rounds are paired (both servers each round, the order alternating). Every step's JSON line,
# the machine's load before and after, and the summary (summarize.mjs) go to the results file.
# Other work on the machine moves every number (taskset pins, it does not reserve): run it on
# an idle machine; the header records the load average before and after.
#
#   bench/colyseus/run-colyseus-bench.sh [BUILD_DIR] [ROUNDS]
#   env: RESULTS (default BUILD_DIR/bench-results/colyseus-<UTC time>.txt; the committed copies
#        are in bench/results/), CLIENTS (200), STEADY_SECONDS (10: case 1's
#        window; Tavern's CPU there is a few hundredths of a second), SECONDS_PER_STEP (4),
#        WARMUP (1), RAMP_RATES (lines/s per client), SERVER_CORE (0), LOAD_CORE (1),
#        CASES ("steady ramp")
#   bench/colyseus/run-colyseus-bench.sh --summary FILE   rewrites FILE's summary from its steps
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${1:-} == --summary ]]; then
  file=${2:?usage: run-colyseus-bench.sh --summary RESULTS_FILE}
  { sed -n '1,/^load average after/p' "$file"; echo; node "$here/summarize.mjs" < "$file"; echo
    echo "Every measured step (JSON):"; grep '^{' "$file"; } > "$file.new"
  mv "$file.new" "$file"
  exit 0
fi
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
rounds=${2:-3}
results=${RESULTS:-$build/bench-results/colyseus-$(date -u +%Y%m%dT%H%M%SZ).txt}
mkdir -p "$(dirname "$results")"
clients=${CLIENTS:-200}
seconds=${SECONDS_PER_STEP:-4}
steady_seconds=${STEADY_SECONDS:-10}
warmup=${WARMUP:-1}
ramp=${RAMP_RATES:-1,2,3,4,5,6,8,10,12,15,20,25,30,40,50,60,80,100}
server_core=${SERVER_CORE:-0}
load_core=${LOAD_CORE:-1}
cases=${CASES:-steady ramp}
gameserver="$build/gameserver/gameserver"
[[ -x "$gameserver" ]] || { echo "missing $gameserver: build the project first" >&2; exit 2; }
"$gameserver" --help | grep -q -- --ws-port || { echo "$gameserver has no --ws-port" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"

# The npm packages and the scripts in the build folder, never beside the sources.
work="$build/bench/colyseus"
mkdir -p "$work"
cp "$here"/package.json "$here"/package-lock.json "$here"/*.mjs "$work"/
if [[ ! "$work/node_modules/.package-lock.json" -nt "$here/package-lock.json" ]]; then
  npm ci --prefix "$work" --no-audit --no-fund --loglevel=error >/dev/null
fi

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_server() {  # NAME -> server_pid, port
  port=$(free_port)
  if [[ $1 == tavern ]]; then
    taskset -c "$server_core" "$gameserver" --host 127.0.0.1 --port 0 --ws-port "$port" \
      --workers 1 --db "" --stats-interval 0 --log-level warn >"$tmp/server.out" 2>&1 &
  else
    taskset -c "$server_core" node "$work/colyseus-server.mjs" "$port" >"$tmp/server.out" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$1 did not start:" >&2
  cat "$tmp/server.out" >&2
  exit 1
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

run_case() {  # ROUND SERVER CASE
  local rates=1 window=$steady_seconds extra=()
  [[ $3 == ramp ]] && { rates=$ramp; window=$seconds; extra=(--ramp); }
  start_server "$2"
  # A driver that fails (a room that carries no lines) is written down, and the rounds go on.
  taskset -c "$load_core" node "$work/chat-load.mjs" --server "$2" --port "$port" \
    --clients "$clients" --rates "$rates" --warmup "$warmup" --seconds "$window" \
    --server-pid "$server_pid" --proto-tools "$root/client/web/tools/ProtocolTable.mjs" \
    --protocol "$root/protocol" "${extra[@]}" |
    sed "s/^{/{\"round\":$1,\"case\":\"$3\",/" | tee -a "$tmp/steps.jsonl" ||
    echo "round $1, $3, $2: the load driver failed" | tee -a "$tmp/failures.txt"
  stop_server
}

colyseus_version=$(node -p "require('$work/node_modules/@colyseus/core/package.json').version")
sdk_version=$(node -p "require('$work/node_modules/@colyseus/sdk/package.json').version")
{
  echo "Tavern over WebSocket beside Colyseus: one chat room, every line to every client"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); tavern $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?');" \
       "@colyseus/core $colyseus_version (npm colyseus 0.18.8's server), @colyseus/sdk $sdk_version; node $(node --version)"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); server on core $server_core, load driver on core $load_core"
  echo "tavern: gameserver --workers 1 --ws-port (broadcast tick 20 ms, the default); colyseus: one Node.js process"
  echo "$clients clients; case 1: $warmup s warm-up, $steady_seconds s measured; case 2: steps of $warmup s warm-up and $seconds s measured at $ramp lines/s per client"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$tmp/header.txt"
cat "$tmp/header.txt"

for round in $(seq 1 "$rounds"); do
  order="colyseus tavern"
  (( round % 2 == 0 )) && order="tavern colyseus"
  for case in $cases; do
    for server in $order; do run_case "$round" "$server" "$case"; done
  done
done

{
  cat "$tmp/header.txt"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  [[ -s "$tmp/failures.txt" ]] && cat "$tmp/failures.txt"
  node "$work/summarize.mjs" < "$tmp/steps.jsonl"
  echo
  echo "Every measured step (JSON):"
  cat "$tmp/steps.jsonl"
} > "$results"
echo
sed -n '/^Case 1/,/^Every measured/p' "$results"
echo "results: $results"
