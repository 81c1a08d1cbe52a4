#!/usr/bin/env bash
# The cluster benchmark: rooms shared by gameserver nodes over NATS, beside one node alone, in
# the same run with the same bots. A nats-server (JetStream, with its monitoring port) and a
# PostgreSQL of the run's own on free loopback ports, then four cases in turn:
#   single-one-room:   1 node alone (no --nats),  BOTS bots in 1 room,   1 chat/s each
#   two-nodes-one-room: 2 nodes, the bots spread over both, 1 room,     1 chat/s each
#   single-ten-rooms:  1 node alone,               BOTS bots in 10 rooms, 10 chats/s each
#   three-nodes-ten-rooms: 3 nodes, the bots spread, 10 rooms,          10 chats/s each
# (test_client --servers: bot i enters room i % rooms on node (i / rooms) % nodes, so every room
# has members on every node.) Every bot pings once a second. For each case: S_CHAT delivered per
# second (counted by the bots), NATS messages per second (nats-server's in_msgs over the
# window, from /varz: the rooms' calls and ticks, and the leases' and directory's JetStream
# requests), ping p50/p99, and the most the ticks may take, one message per node per tick per
# room (ticks of 20 ms: 50/s from a room's owner to each other node with members; a tick with
# nothing to say sends nothing).
#
#   bench/cluster/run-cluster-bench.sh [BUILD_DIR] [SECONDS_PER_CASE] [BOTS]   (build, 10, 1000)
#   env: SERVER_WORKERS (each node's workers, 1), CLIENT_WORKERS (0: the machine's),
#        NODE_LOG_LEVEL (warn; a failed case keeps its nodes' logs beside the results),
#        CASES (names of the cases to run, space-separated; all by default)
#
# Writes BUILD_DIR/bench-results/cluster-<time>.json and a copy in bench/results/. Needs
# nats-server and PostgreSQL 15 (scripts/install-deps.sh); as root PostgreSQL runs as the
# system user tavern-pg, as in scripts/cluster-demo.sh.
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
bots=${3:-1000}
server_workers=${SERVER_WORKERS:-1}
client_workers=${CLIENT_WORKERS:-0}
server_bin="$build/gameserver/gameserver"
client_bin="$build/client/test_client"
pg_bin=${TAVERN_PG_BINDIR:-/usr/lib/postgresql/15/bin}
nats_bin=${TAVERN_NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
for bin in "$server_bin" "$client_bin" "$nats_bin" "$pg_bin/initdb" "$pg_bin/pg_ctl"; do
  [[ -x "$bin" ]] || { echo "cluster-bench: $bin not found (build first; scripts/install-deps.sh)" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)"
repo=$(cd "$(dirname "$0")/../.." && pwd)

work=$(mktemp -d /tmp/tavern-cluster-bench-XXXXXX)
chmod 755 "$work"
node_pids=()
label=cluster-bench
. "$repo/scripts/cluster-lib.sh"
cleanup() {
  for pid in "${node_pids[@]:-}"; do [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true; done
  stop_cluster_servers
  rm -rf "$work"
}
trap cleanup EXIT
monitor_port=$(free_port)
start_nats "$monitor_port"
nats_in() {  # messages nats-server has received from its clients so far
  python3 -c 'import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1], timeout=10))["in_msgs"])' \
    "http://127.0.0.1:$monitor_port/varz"
}

start_postgres

# start_nodes COUNT: COUNT nodes (1: alone, without --nats); sets servers (HOST:PORT,...).
start_nodes() {
  local count=$1 i
  node_pids=()
  servers=""
  for ((i = 0; i < count; i++)); do
    local cluster=()
    [[ $count -gt 1 ]] && cluster=(--nats "$nats_url" --node "node-$i")
    "$server_bin" --host 127.0.0.1 --port 0 --workers "$server_workers" --stats-interval 0 \
      --log-level "${NODE_LOG_LEVEL:-warn}" --db "$db" --password-cost min "${cluster[@]}" \
      >"$work/node-$i.out" 2>"$work/node-$i.err" &
    node_pids+=($!)
  done
  for ((i = 0; i < count; i++)); do
    local port=""
    for _ in $(seq 1 300); do
      port=$(sed -n 's/^gameserver listening on port \([0-9]*\).*/\1/p' "$work/node-$i.out")
      [[ -n "$port" ]] && break
      sleep 0.1
    done
    [[ -n "$port" ]] || { echo "cluster-bench: node-$i did not start" >&2; cat "$work/node-$i.err" >&2; exit 1; }
    servers+="${servers:+,}127.0.0.1:$port"
  done
}
stop_nodes() {
  local status=0 pid
  for pid in "${node_pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do wait "$pid" || status=1; done
  node_pids=()
  return $status
}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$build/bench-results"
results="$build/bench-results/cluster-$stamp.json"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
printf '\nCluster benchmark: %s s per case, %s bots, %s cores, load average at start: %s\n' \
  "$seconds" "$bots" "$(nproc)" "$load_start"
printf '%-22s %5s %5s %6s %14s %12s %14s %9s %9s %s\n' case nodes rooms chat/s "S_CHAT recv/s" \
  "NATS msg/s" "ticks at most" "ping p50" "ping p99" status
failed=0
cases_json=""
for spec in "single-one-room 1 1 1" "two-nodes-one-room 2 1 1" "single-ten-rooms 1 10 10" \
  "three-nodes-ten-rooms 3 10 10"; do
  read -r name nodes rooms chat <<<"$spec"
  [[ -z "${CASES:-}" || " $CASES " == *" $name "* ]] || continue
  start_nodes "$nodes"
  before=$(nats_in)
  set +e
  "$client_bin" --servers "$servers" --workers "$client_workers" --bots "$bots" \
    --rooms "$rooms" --chat-per-sec "$chat" --move-per-sec 0 --ping-per-sec 1 \
    --duration "$seconds" --join-timeout 60 --json "$work/$name.json" --quiet \
    >"$work/$name.out" 2>&1
  bots_status=$?
  set -e
  after=$(nats_in)
  node_status=0
  stop_nodes || node_status=$?
  status=ok
  if [[ $bots_status -ne 0 || $node_status -ne 0 ]]; then
    status="FAILED (bots $bots_status, nodes $node_status)"
    failed=1
  fi
  line=$(python3 - "$work/$name.json" "$before" "$after" "$nodes" "$rooms" "$name" "$chat" \
    "$status" <<'EOF'
import json, sys
path, before, after, nodes, rooms, name, chat, status = sys.argv[1:]
try:
    summary = json.load(open(path))["summary"]
except (OSError, ValueError, KeyError):
    summary = {}
window = float(summary.get("window_s", 0) or 0)
# The bots' window is what the rates are over; NATS is counted over the whole case (connects,
# logins and the end included), divided by the same window: an upper bound.
nats_rate = (int(after) - int(before)) / window if window > 0 else 0
nodes, rooms = int(nodes), int(rooms)
# At most: the owner's ticks of 20 ms go to every other node with members.
expected = ((nodes - 1) * rooms * 50) if nodes > 1 else 0
case = {"case": name, "nodes": nodes, "rooms": rooms, "chat_per_s": float(chat),
        "chat_recv_per_s": summary.get("chat_recv_per_s"), "nats_msgs_per_s": round(nats_rate),
        "nats_one_per_node_tick_room": expected, "ping_p50_ms": summary.get("ping_p50_ms"),
        "ping_p99_ms": summary.get("ping_p99_ms"), "in_game": summary.get("in_game"),
        "bots": summary.get("bots"), "status": status}
print(json.dumps(case))
EOF
)
  cases_json+="${cases_json:+,}$line"
  python3 - "$line" <<'EOF'
import json, sys
c = json.loads(sys.argv[1])
fmt = lambda v, f: (f % v) if isinstance(v, (int, float)) else "?"
print("%-22s %5d %5d %6s %14s %12s %14s %7sms %7sms %s" % (
    c["case"], c["nodes"], c["rooms"], fmt(c["chat_per_s"], "%.0f"),
    fmt(c["chat_recv_per_s"], "%.0f"), fmt(c["nats_msgs_per_s"], "%.0f"),
    fmt(c["nats_one_per_node_tick_room"], "%d"), fmt(c["ping_p50_ms"], "%.2f"),
    fmt(c["ping_p99_ms"], "%.2f"), c["status"]))
EOF
  grep -E "^summary:" "$work/$name.out" | sed "s/^/  /" || true
  if [[ $status != ok ]]; then  # the nodes' logs, kept beside the results
    mkdir -p "$build/bench-results/cluster-$stamp-logs"
    for ((i = 0; i < nodes; i++)); do
      cp "$work/node-$i.out" "$build/bench-results/cluster-$stamp-logs/$name-node-$i.out"
      cp "$work/node-$i.err" "$build/bench-results/cluster-$stamp-logs/$name-node-$i.err"
    done
  fi
  [[ $status == ok ]] || grep -v "^summary:" "$work/$name.out" | sort | uniq -c | sort -rn | head -n 5 | sed "s/^/  bots: /"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
printf 'load average at the end: %s\n' "$load_end"
printf '{"bench": "cluster", "time": "%s", "seconds_per_case": %s, "bots": %s, "cores": %s, "server_workers": %s, "load_start": "%s", "load_end": "%s", "cases": [%s]}\n' \
  "$stamp" "$seconds" "$bots" "$(nproc)" "$server_workers" "$load_start" "$load_end" "$cases_json" >"$results"
mkdir -p "$repo/bench/results"
cp "$results" "$repo/bench/results/"
echo "cluster-bench: results in $results (and bench/results/)"
exit $failed
