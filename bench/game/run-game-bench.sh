#!/usr/bin/env bash
# The game benchmark: gameserver and test_client's bots on loopback, on one machine. Two cases,
# each delivering about 1,000,000 S_CHAT per second if the server keeps up:
#   one room:  1,000 bots in 1 room,   1 chat/s each -> 1,000 chats/s x 1,000 recipients
#   ten rooms: 1,000 bots in 10 rooms, 10 chats/s each -> 10,000 chats/s x 100 recipients
# Every bot also pings once a second. For each case it prints the S_CHAT delivered per second
# (counted by the bots), the server's CPU seconds over the measured window (from
# /proc/<pid>/stat), the bots' own CPU seconds, and the ping round trip p50/p99 under that load:
# the bots' own (their pongs queue behind the chat flood they receive) and a probe's, a player
# alone in a quiet room pinging 20 times a second during the load ("quiet p99").
#
# The bots run on the same cores as the server: on a 2-core machine they compete for the same
# CPUs, so the latency figures include the bots' own queueing. The load average at the start is
# printed because other work on the machine moves every number. Results go to
# BUILD_DIR/bench-results/game-<UTC time>.json (each case's bot and probe summaries).
#
#   bench/game/run-game-bench.sh [BUILD_DIR] [SECONDS_PER_CASE]
#   env: TAVERN_BENCH_BACKEND (auto|uring|epoll), SERVER_WORKERS, CLIENT_WORKERS,
#        BROADCAST_TICK_MS (the rooms' broadcast tick; default the server's, 20 ms; 0: none),
#        SERVER_ARGS (more gameserver flags, e.g. "--admin-port 0" to measure with metrics on)
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
backend=${TAVERN_BENCH_BACKEND:-auto}
server_workers=${SERVER_WORKERS:-0}
client_workers=${CLIENT_WORKERS:-0}
tick=${BROADCAST_TICK_MS:-20}
server_bin="$build/gameserver/gameserver"
client_bin="$build/client/test_client"
for bin in "$server_bin" "$client_bin"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build the project first" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)"

source "$(dirname "$0")/../bench-lib.sh"  # field (before the trap below: it sets one too)
results_begin "$build" game "$0" "$@"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT


start_server() {
  # Bots' accounts on a SQLite file of this run, hashed at the minimum cost (bots only).
  "$server_bin" --host 127.0.0.1 --port 0 --workers "$server_workers" --backend "$backend" \
    --broadcast-tick-ms "$tick" --stats-interval 0 --log-level warn ${SERVER_ARGS:-} \
    --db "sqlite:$work/tavern.db" --password-cost min >"$work/server.out" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^gameserver listening on port \([0-9]*\).*/\1/p' "$work/server.out")
    [[ -n "$port" ]] && return 0
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$work/server.out" >&2
  exit 1
}

stop_server() {
  kill -INT "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  return $status
}

printf '\nGame benchmark: %s s per case, %s cores, load average at start: %s\n' "$seconds" \
  "$(nproc)" "$results_load_before"
printf 'server: gameserver --workers %s --backend %s --broadcast-tick-ms %s; bots: test_client --workers %s (same machine)\n' \
  "$server_workers" "$backend" "$tick" "$client_workers"
printf '%-10s %6s %6s %8s %16s %13s %14s %13s %11s %11s %12s %s\n' case bots rooms chat/s \
  "S_CHAT recv/s" "server cpu s" "cpu s/M chats" "bots cpu s" "ping p50" "ping p99" \
  "quiet p99" status
failed=0
cases=()
for spec in "one-room 1000 1 1" "ten-rooms 1000 10 10"; do
  read -r name bots rooms chat <<<"$spec"
  start_server
  # The load, with its progress lines, so we know when every bot is in.
  "$client_bin" --port "$port" --workers "$client_workers" --backend "$backend" \
    --bots "$bots" --rooms "$rooms" --chat-per-sec "$chat" --move-per-sec 0 --ping-per-sec 1 \
    --duration "$seconds" --join-timeout 30 --server-pid "$server_pid" \
    >"$work/load.out" 2>"$work/bots.err" &
  load_pid=$!
  for _ in $(seq 1 300); do
    grep -q "in_game=$bots " "$work/load.out" 2>/dev/null && break
    kill -0 "$load_pid" 2>/dev/null || break
    sleep 0.1
  done
  # A probe: one more player, alone in a quiet room, pinging 20 times a second while the load
  # runs. Its round trip is the server's responsiveness to a player who is not in the flood.
  probe=$("$client_bin" --port "$port" --workers 1 --backend "$backend" --bots 1 \
    --first-room 1000000 --name-prefix probe --chat-per-sec 0 --move-per-sec 0 \
    --ping-per-sec 20 --duration $((seconds > 4 ? seconds - 3 : 1)) --quiet 2>/dev/null |
    grep '^summary:' || true)
  set +e
  wait "$load_pid"
  bots_status=$?
  set -e
  summary=$(grep '^summary:' "$work/load.out" || true)
  server_status=0
  stop_server || server_status=$?
  rate=$(field chat_recv_per_s "$summary")
  cpu=$(field server_cpu_s "$summary")
  window=$(field window_s "$summary")
  per_million=$(awk -v c="${cpu:-0}" -v r="${rate:-0}" -v w="${window:-1}" \
    'BEGIN { m = r * w / 1e6; if (m > 0) printf "%.3f", c / m; else print "n/a" }')
  status=ok
  if [[ $bots_status -ne 0 || $server_status -ne 0 ]]; then
    status="FAILED (bots $bots_status, server $server_status)"
    failed=1
  fi
  printf '%-10s %6s %6s %8s %16s %13s %14s %13s %9sms %9sms %10sms %s\n' "$name" "$bots" \
    "$rooms" "$chat" "${rate:-?}" "${cpu:-?}" "$per_million" "$(field client_cpu_s "$summary")" \
    "$(field ping_p50_ms "$summary")" "$(field ping_p99_ms "$summary")" \
    "$(field ping_p99_ms "$probe")" "$status"
  echo "  load:  $summary"
  echo "  probe: ${probe:-none}"
  [[ -s "$work/bots.err" ]] && sed 's/^/  bots: /' "$work/bots.err" | tail -n 5
  cases+=("$(printf '{"case": "%s", "bots": %s, "rooms": %s, "chat_per_s": %s, "chat_recv_per_s": %s, "server_cpu_s": %s, "server_cpu_s_per_million": %s, "ok": %s,\n     "load": %s,\n     "probe": %s}' \
    "$name" "$bots" "$rooms" "$chat" "$(json_num "$rate")" "$(json_num "$cpu")" "$(json_num "$per_million")" \
    "$([[ $status == ok ]] && echo true || echo false)" "$(summary_json "$summary")" "$(summary_json "$probe")")")
done
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "{"
  results_head
  printf '  "seconds_per_case": %s,\n  "backend": "%s",\n  "server_workers": %s,\n  "client_workers": %s,\n' \
    "$seconds" "$backend" "$server_workers" "$client_workers"
  printf '  "broadcast_tick_ms": %s,\n  "server_args": %s,\n  "ping_per_s": 1,\n  "cases": [\n' "$tick" "$(json_str "${SERVER_ARGS:-}")"
  json_items "${cases[@]}"
  printf '  ]\n}\n'
} >"$results"
echo "results: $results"
exit $failed
