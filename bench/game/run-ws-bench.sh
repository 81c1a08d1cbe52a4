#!/usr/bin/env bash
# WebSocket vs TCP on the game bench's one-room case, in paired rounds: 1,000 bots in one room,
# each chatting once a second and pinging once a second, once over TCP (--port) and once over
# WebSocket (--ws-port, test_client --ws), against a fresh gameserver each, the order of the pair
# alternating from round to round. For each run: S_CHAT delivered per second (counted by the
# bots) and the server's CPU seconds per million delivered (from /proc/<pid>/stat over the
# window); then the medians and the per-round WS / TCP ratio of CPU per delivered message.
# The bots run on the same cores as the server; the load average is recorded. The server runs
# without accounts (name-only logins), so that a thousand logins at once all get in.
#
#   bench/game/run-ws-bench.sh [BUILD_DIR] [SECONDS_PER_RUN] [ROUNDS]
# Results go to BUILD_DIR/bench-results/ws-<UTC time>.json (every run's bot summary, the medians
# and the per-round ratios); kept copies of the runs the README quotes are in bench/results/.
#   env: TAVERN_BENCH_BACKEND (auto|uring|epoll), SERVER_WORKERS, CLIENT_WORKERS, BOTS
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
rounds=${3:-3}
backend=${TAVERN_BENCH_BACKEND:-auto}
server_workers=${SERVER_WORKERS:-0}
client_workers=${CLIENT_WORKERS:-0}
bots=${BOTS:-1000}
server_bin="$build/gameserver/gameserver"
client_bin="$build/client/test_client"
source "$(dirname "$0")/../bench-lib.sh"  # field, median, results_begin, summary_json
results_begin "$build" ws "$0" "$@"
for bin in "$server_bin" "$client_bin"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build the project first" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT


start_server() {
  # Name-only logins (--db ""): a thousand logins at once overrun the account service's queue
  # ("service unavailable"), and what is measured here is the room's fan-out, not accounts.
  "$server_bin" --host 127.0.0.1 --port 0 --ws-port 0 --workers "$server_workers" \
    --backend "$backend" --stats-interval 0 --log-level warn --db "" >"$work/server.out" 2>&1 &
  server_pid=$!
  tcp_port="" ws_port=""
  for _ in $(seq 1 100); do
    tcp_port=$(sed -n 's/^gameserver listening on port \([0-9]*\).*/\1/p' "$work/server.out")
    ws_port=$(sed -n 's/^websocket listening on port \([0-9]*\).*/\1/p' "$work/server.out")
    [[ -n "$tcp_port" && -n "$ws_port" ]] && return 0
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

# run TRANSPORT: one run; prints "rate cpu_per_million status".
run() {
  local transport=$1 port flag=""
  start_server
  if [[ $transport == ws ]]; then port=$ws_port; flag=--ws; else port=$tcp_port; fi
  local summary bots_status=0 server_status=0
  "$client_bin" --port "$port" $flag --workers "$client_workers" --backend "$backend" \
    --bots "$bots" --rooms 1 --chat-per-sec 1 --move-per-sec 0 --ping-per-sec 1 \
    --duration "$seconds" --join-timeout 60 --server-pid "$server_pid" --quiet \
    >"$work/load.out" 2>"$work/bots.err" || bots_status=$?
  summary=$(grep '^summary:' "$work/load.out" || true)
  stop_server || server_status=$?
  local rate cpu window
  rate=$(field chat_recv_per_s "$summary")
  cpu=$(field server_cpu_s "$summary")
  window=$(field window_s "$summary")
  local per_million
  per_million=$(awk -v c="${cpu:-0}" -v r="${rate:-0}" -v w="${window:-1}" \
    'BEGIN { m = r * w / 1e6; if (m > 0) printf "%.3f", c / m; else print "nan" }')
  local status=ok
  [[ $bots_status -ne 0 || $server_status -ne 0 ]] && status="failed(bots=$bots_status,server=$server_status)"
  echo "${rate:-0} $per_million $status"
  echo "$summary" >"$work/last-summary"
}

printf 'WebSocket vs TCP, game one-room case: %s bots in 1 room, 1 chat/s + 1 ping/s each, %s s per run, %s rounds\n' \
  "$bots" "$seconds" "$rounds"
printf 'date %s, %s cores, load average at start: %s\n' "$(date -u +%FT%TZ)" "$(nproc)" \
  "$results_load_before"
printf 'server: gameserver --workers %s --backend %s (tick 20 ms); bots: test_client [--ws] --workers %s, same machine\n' \
  "$server_workers" "$backend" "$client_workers"
printf '%-6s %-10s %16s %14s %-8s\n' round transport "S_CHAT recv/s" "cpu s/M chats" status

tcp_rates=() ws_rates=() tcp_cpus=() ws_cpus=() ratios=() runs=()
failed=0
for round in $(seq 1 "$rounds"); do
  if (( round % 2 == 1 )); then order="tcp ws"; else order="ws tcp"; fi
  declare -A cpu_of=()
  for transport in $order; do
    read -r rate per_million status < <(run "$transport")
    printf '%-6s %-10s %16s %14s %-8s\n' "$round" "$transport" "$rate" "$per_million" "$status"
    runs+=("$(printf '{"round": %s, "transport": "%s", "chat_recv_per_s": %s, "server_cpu_s_per_million": %s, "ok": %s, "summary": %s}' \
      "$round" "$transport" "$(json_num "$rate")" "$(json_num "$per_million")" "$([[ $status == ok ]] && echo true || echo false)" \
      "$(summary_json "$(cat "$work/last-summary")")")")
    [[ $status == ok ]] || failed=1
    cpu_of[$transport]=$per_million
    if [[ $transport == tcp ]]; then tcp_rates+=("$rate"); tcp_cpus+=("$per_million")
    else ws_rates+=("$rate"); ws_cpus+=("$per_million"); fi
  done
  ratios+=("$(awk -v w="${cpu_of[ws]}" -v t="${cpu_of[tcp]}" 'BEGIN { if (t > 0) printf "%.3f", w / t; else print "nan" }')")
  unset cpu_of
done

printf 'median TCP: %s S_CHAT/s, %s cpu s/M\n' "$(median "${tcp_rates[*]}")" "$(median "${tcp_cpus[*]}")"
printf 'median WS:  %s S_CHAT/s, %s cpu s/M\n' "$(median "${ws_rates[*]}")" "$(median "${ws_cpus[*]}")"
printf 'WS/TCP cpu per delivered, per round: %s; median %s (target <= 1.2)\n' "${ratios[*]}" \
  "$(median "${ratios[*]}")"
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "{"
  results_head
  printf '  "bots": %s,\n  "rooms": 1,\n  "chat_per_s": 1,\n  "ping_per_s": 1,\n  "seconds_per_run": %s,\n  "rounds": %s,\n' \
    "$bots" "$seconds" "$rounds"
  printf '  "backend": "%s",\n  "server_workers": %s,\n  "client_workers": %s,\n' "$backend" "$server_workers" "$client_workers"
  printf '  "median": {"tcp": {"chat_recv_per_s": %s, "server_cpu_s_per_million": %s}, "ws": {"chat_recv_per_s": %s, "server_cpu_s_per_million": %s}},\n' \
    "$(json_num "$(median "${tcp_rates[*]}")")" "$(json_num "$(median "${tcp_cpus[*]}")")" \
    "$(json_num "$(median "${ws_rates[*]}")")" "$(json_num "$(median "${ws_cpus[*]}")")"
  printf '  "ws_over_tcp_cpu_per_delivered": %s,\n  "median_ws_over_tcp_cpu_per_delivered": %s,\n  "failed": %s,\n  "runs": [\n' \
    "$(json_list "${ratios[*]}")" "$(json_num "$(median "${ratios[*]}")")" "$([[ $failed == 0 ]] && echo false || echo true)"
  json_items "${runs[@]}"
  printf '  ]\n}\n'
} >"$results"
echo "results: $results"
exit $failed
