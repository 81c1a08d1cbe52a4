#!/usr/bin/env bash
# Tavern over WebSocket beside Colyseus (@colyseus/core, the server of npm's `colyseus`), the
# same chat room on both: every line goes to every client in the room, sender included. One
# server core each (taskset, SERVER_CORE), the load driver on another (LOAD_CORE), one server
# running at a time, loopback only. The driver (chat-load.mjs) is the same Node.js program for
# both, only the protocol differs (Colyseus' SDK / a raw WebSocket speaking Tavern's packets).
#   case 1 (steady):     200 clients, 1 line/s each: 40,000 deliveries/s offered
#   case 2 (saturation): 200 clients, the rate raised step by step until the own-line round trip
#                        p50 reaches 50 ms or fewer than 97% of the lines arrive
# Rounds are paired (both servers each round, the order alternating). Every step, the machine's
# load before and after, the versions and the summary (summarize.mjs --json) go to the results
# file, BUILD_DIR/bench-results/colyseus-<UTC time>.json.
# Other work on the machine moves every number (taskset pins, it does not reserve): run it on
# an idle machine; the header records the load average before and after.
#
#   bench/colyseus/run-colyseus-bench.sh [BUILD_DIR] [ROUNDS]
#   env: CLIENTS (200), STEADY_SECONDS (10: case 1's
#        window; Tavern's CPU there is a few hundredths of a second), SECONDS_PER_STEP (4),
#        WARMUP (1), RAMP_RATES (lines/s per client), SERVER_CORE (0), LOAD_CORE (1),
#        CASES ("steady ramp")
#   bench/colyseus/run-colyseus-bench.sh --summary FILE   prints a results file's summary
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${1:-} == --summary ]]; then
  node "$here/summarize.mjs" < "${2:?usage: run-colyseus-bench.sh --summary RESULTS_FILE}"
  exit 0
fi
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
rounds=${2:-3}
source "$here/../bench-lib.sh"
results_begin "$build" colyseus "$0" "$@"
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
echo "Tavern over WebSocket beside Colyseus: one chat room, every line to every client"
echo "@colyseus/core $colyseus_version, @colyseus/sdk $sdk_version, node $(node --version);" \
  "server on core $server_core, load driver on core $load_core; load average before: $results_load_before"

for round in $(seq 1 "$rounds"); do
  order="colyseus tavern"
  (( round % 2 == 0 )) && order="tavern colyseus"
  for case in $cases; do
    for server in $order; do run_case "$round" "$server" "$case"; done
  done
done

{
  echo "{"
  results_head
  printf '  "tavern_commit": "%s",\n  "colyseus_core": "%s",\n  "colyseus_sdk": "%s",\n  "node": "%s",\n' \
    "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" "$colyseus_version" "$sdk_version" "$(node --version)"
  printf '  "cpu_model": %s,\n  "server_core": %s,\n  "load_core": %s,\n' \
    "$(json_str "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)")" "$server_core" "$load_core"
  printf '  "tavern_server": "gameserver --workers 1 --ws-port (broadcast tick 20 ms)",\n  "colyseus_server": "one Node.js process",\n'
  printf '  "clients": %s,\n  "rounds": %s,\n  "warmup_s": %s,\n  "steady_seconds": %s,\n  "seconds_per_step": %s,\n' \
    "$clients" "$rounds" "$warmup" "$steady_seconds" "$seconds"
  printf '  "ramp_rates": [%s],\n  "cases": %s,\n  "failures": [' "$ramp" "$(json_str "$cases")"
  if [[ -s "$tmp/failures.txt" ]]; then
    sep=""
    while IFS= read -r line; do printf '%s%s' "$sep" "$(json_str "$line")"; sep=", "; done <"$tmp/failures.txt"
  fi
  printf '],\n  "summary": %s,\n  "steps": [\n' \
    "$(node "$work/summarize.mjs" --json < "$tmp/steps.jsonl" | sed '2,$s/^/  /')"
  sed '$!s/$/,/; s/^/    /' "$tmp/steps.jsonl"
  printf '  ]\n}\n'
} > "$results"
echo
node "$work/summarize.mjs" < "$tmp/steps.jsonl"
echo "results: $results"
