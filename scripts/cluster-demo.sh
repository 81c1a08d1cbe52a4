#!/usr/bin/env bash
# A cluster on loopback: starts a nats-server (JetStream) and a PostgreSQL of this run's own on
# free loopback ports, three gameserver nodes on them, and bots spread over the three nodes in
# shared room ids (test_client --servers A,B,C: bot i starts on node i % 3 and enters room
# first-room + i % rooms, so every room has members on every node). Prints per-node and total
# figures from each node's /metrics, then stops everything (nodes with SIGINT, whose exit must
# be 0) and removes what it made.
#
#   scripts/cluster-demo.sh BUILD_DIR [BOTS] [ROOMS] [SECONDS] [KILL_AT]
#                                             (60 bots, 3 rooms, 10 s; no kill)
#
# KILL_AT: node-c is killed with SIGKILL that many seconds after the bots start; its bots'
# reconnects are refused there, so they move to the next node and log in with their saved state
# (the summary's resumes_refused counts them). Its figures are then missing from the table.
#
# Needs nats-server and PostgreSQL 15 (scripts/install-deps.sh). PostgreSQL refuses to run as
# root: as root it runs as the system user tavern-pg, as the tests' PostgreSQL fixture does.
# Exit status 0 only if every bot got into its room and none was refused, dropped or timed out,
# and every node exited 0.
set -euo pipefail

build=${1:?usage: scripts/cluster-demo.sh BUILD_DIR [BOTS] [ROOMS] [SECONDS] [KILL_AT]}
bots=${2:-60}
rooms=${3:-3}
seconds=${4:-10}
kill_at=${5:-}
server_bin="$build/gameserver/gameserver"
client_bin="$build/client/test_client"
pg_bin=${TAVERN_PG_BINDIR:-/usr/lib/postgresql/15/bin}
nats_bin=${TAVERN_NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
for bin in "$server_bin" "$client_bin"; do
  [[ -x "$bin" ]] || { echo "cluster-demo: $bin not found; build first" >&2; exit 2; }
done
# Without nats-server or PostgreSQL: 77, "skipped" (CTest), unless CI requires them.
for bin in "$nats_bin" "$pg_bin/initdb" "$pg_bin/pg_ctl"; do
  if [[ ! -x "$bin" ]]; then
    echo "cluster-demo: $bin not found (scripts/install-deps.sh)" >&2
    [[ "${TAVERN_REQUIRE_NATS:-0}" == 1 || "${TAVERN_REQUIRE_POSTGRES:-0}" == 1 ]] && exit 2
    exit 77
  fi
done

work=$(mktemp -d /tmp/tavern-cluster-XXXXXX)
chmod 755 "$work"  # the PostgreSQL user reaches its folder inside
nodes=(node-a node-b node-c)
node_pids=()
label=cluster-demo
. "$(dirname "$0")/cluster-lib.sh"
cleanup() {
  for pid in "${node_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  stop_cluster_servers
  rm -rf "$work"
}
trap cleanup EXIT
# nats-server with JetStream (the directories' key-value buckets) and PostgreSQL, on free ports.
start_nats
start_postgres

# Three nodes, started together (the schema is migrated once: an advisory lock). Port 0: each
# prints the port it got.
for node in "${nodes[@]}"; do
  "$server_bin" --host 127.0.0.1 --port 0 --admin-port 0 --workers 1 --stats-interval 0 \
    --db "$db" --password-cost min --nats "$nats_url" --node "$node" \
    >"$work/$node.out" 2>"$work/$node.err" &
  node_pids+=($!)
done
game_ports=()
admin_ports=()
for i in "${!nodes[@]}"; do
  node=${nodes[$i]}
  game="" admin=""
  for _ in $(seq 1 300); do
    game=$(sed -n 's/^gameserver listening on port \([0-9]*\).*/\1/p' "$work/$node.out")
    admin=$(sed -n 's/^admin listening on port \([0-9]*\).*/\1/p' "$work/$node.out")
    [[ -n "$game" && -n "$admin" ]] && break
    kill -0 "${node_pids[$i]}" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$game" && -n "$admin" ]] || { echo "cluster-demo: $node did not start" >&2; cat "$work/$node.err" >&2; exit 1; }
  game_ports+=("$game")
  admin_ports+=("$admin")
done
servers=""
for i in "${!nodes[@]}"; do
  servers+="${servers:+,}127.0.0.1:${game_ports[$i]}"
  echo "cluster-demo: ${nodes[$i]} on port ${game_ports[$i]} (metrics: http://127.0.0.1:${admin_ports[$i]}/metrics)"
done
echo "cluster-demo: nats-server $nats_url, PostgreSQL 127.0.0.1:$pg_port"
echo "cluster-demo: $bots bots over 3 nodes in $rooms shared room ids for $seconds s (1 chat/s, 1 move/s, 1 ping/s each)"

# Per-node figures from /metrics: a scrape during the run (gauges) and one after (counters).
scrape() {  # scrape LABEL: writes $work/LABEL.<node>.prom for every node
  for i in "${!nodes[@]}"; do
    python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
      "http://127.0.0.1:${admin_ports[$i]}/metrics" >"$work/$1.${nodes[$i]}.prom" 2>/dev/null || true
  done
}
scrape before
set +e
"$client_bin" --servers "$servers" --bots "$bots" --rooms "$rooms" --duration "$seconds" \
  --chat-per-sec 1 --move-per-sec 1 --ping-per-sec 1 --quiet >"$work/bots.out" 2>&1 &
bots_pid=$!
if [[ -n "$kill_at" ]]; then
  sleep "$kill_at"
  kill -KILL "${node_pids[2]}"
  wait "${node_pids[2]}" 2>/dev/null || true
  echo "cluster-demo: killed ${nodes[2]} (SIGKILL) ${kill_at} s into the run"
  unset 'node_pids[2]'
  sleep 3  # its bots reconnect elsewhere
else
  sleep "$(python3 -c "print(min($seconds, 3) + 1)")"
fi
scrape during
wait "$bots_pid"
bots_status=$?
set -e
scrape after
grep -E '^(server |bots|.*refused=)' "$work/bots.out" | sed 's/^/cluster-demo: bots: /' || cat "$work/bots.out"

python3 - "$work" "$seconds" "${nodes[@]}" <<'EOF'
import re
import sys

work, seconds, nodes = sys.argv[1], float(sys.argv[2]), sys.argv[3:]


def read(label, node):
    values = {}
    try:
        text = open("%s/%s.%s.prom" % (work, label, node)).read()
    except OSError:
        return values
    for line in text.splitlines():
        match = re.match(r'^([a-z_]+)(\{[^}]*\})? ([-0-9.e+]+)$', line)
        if match:
            key = match.group(1) + (match.group(2) or "")
            values[key] = float(match.group(3))
    return values


def total(values, name, **labels):
    out = 0.0
    for key, value in values.items():
        if key.split("{")[0] != name:
            continue
        if all('%s="%s"' % item in key for item in labels.items()):
            out += value
    return out


rows = []
for node in nodes:
    before, during, after = read("before", node), read("during", node), read("after", node)
    moved = lambda name, **labels: total(after, name, **labels) - total(before, name, **labels)
    rows.append([
        node,
        total(during, "tavern_players"),
        total(during, "tavern_room_members"),
        total(during, "tavern_rooms"),
        moved("tavern_packets_received_total", packet="C_CHAT"),
        moved("tavern_packets_sent_total", packet="S_CHAT"),
        moved("tavern_bus_messages_sent_total"),
        moved("tavern_bus_messages_received_total"),
    ])
heads = ["node", "players", "in_rooms", "rooms", "C_CHAT_in", "S_CHAT_out", "bus_out", "bus_in"]
sums = ["total"] + [sum(row[i] for row in rows) for i in range(1, len(heads))]
print("cluster-demo: per node (players, in_rooms, rooms: during the run; the rest: over it)")
for row in [heads] + rows + [sums]:
    cells = [row[0]] + [("%d" % v if isinstance(v, float) else v) for v in row[1:]]
    print("cluster-demo:   " + "".join("%-10s" % cells[0] if i == 0 else "%11s" % c
                                        for i, c in enumerate(cells)))
print("cluster-demo: S_CHAT delivered per second, all nodes: %.0f" % (sums[5] / max(seconds, 1)))
EOF

failed=0
for i in "${!node_pids[@]}"; do  # the live ones (not a killed node-c)
  status=0
  kill -INT "${node_pids[$i]}"
  wait "${node_pids[$i]}" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "cluster-demo: FAILED: ${nodes[$i]} exited with $status after SIGINT"
    tail -n 20 "$work/${nodes[$i]}.err" >&2
    failed=1
  fi
done
node_pids=()
if [[ $bots_status -ne 0 ]]; then
  echo "cluster-demo: FAILED: the bots exited with $bots_status (refused, dropped or timed out)"
  tail -n 20 "$work/bots.out"
  failed=1
fi
if [[ -n "$kill_at" ]]; then
  # Every bot of the killed node must have come back elsewhere with a fresh login.
  summary=$(grep 'summary:' "$work/bots.out" || true)
  drops=$(sed -n 's/.* drops=\([0-9]*\).*/\1/p' <<<"$summary")
  refused=$(sed -n 's/.* resumes_refused=\([0-9]*\).*/\1/p' <<<"$summary")
  if [[ -z "$drops" || "$drops" -eq 0 || "$drops" != "$refused" ]]; then
    echo "cluster-demo: FAILED: after the kill, drops=${drops:-?} and resumes_refused=${refused:-?} (equal and non-zero expected)"
    failed=1
  fi
fi
[[ $failed -eq 0 ]] && echo "cluster-demo: OK"
exit $failed
