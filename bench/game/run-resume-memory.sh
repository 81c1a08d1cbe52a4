#!/usr/bin/env bash
# What seamless reconnect costs the server in memory: the same bot load against gameserver with
# --resume-window 0 (no replay buffers) and with the default 30 s, in paired rounds (off, on,
# off, on, ...), reporting each run's peak RSS (VmRSS from /proc/PID/status, sampled every
# 0.5 s) and the bots' summary. The load: BOTS bots in ROOMS rooms, 2 chats, 2 moves and 1 ping
# a second each, for SECONDS once they are in. Writes BUILD_DIR/bench-results/resume-memory-
# <UTC time>.json (commit a copy under bench/results/ to quote it in the README): every run's
# peak, the per-round difference (on - off) and its share per bot, and their medians.
#
#   bench/game/run-resume-memory.sh [BUILD_DIR] [ROUNDS] [SECONDS]
#   env: BOTS (200: a burst of logins past 256 overflows the server's login executor and is
#        refused "service unavailable"), ROOMS (2), SERVER_WORKERS (2)
set -euo pipefail
build=${1:-build}
rounds=${2:-2}
seconds=${3:-25}
bots=${BOTS:-200}
rooms=${ROOMS:-2}
server_workers=${SERVER_WORKERS:-2}
server_bin="$build/gameserver/gameserver"
client_bin="$build/client/test_client"
for bin in "$server_bin" "$client_bin"; do
  [[ -x "$bin" ]] || { echo "missing $bin: build the project first" >&2; exit 2; }
done
. "$(dirname "$0")/../bench-lib.sh"
results_begin "$build" resume-memory "$0" "$@"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

run() {  # run WINDOW ROUND
  local window=$1 round=$2 db="$work/run-$1-$2.db"
  "$server_bin" --host 127.0.0.1 --port 0 --workers "$server_workers" --log-level warn \
    --db "sqlite:$db" --password-cost min --resume-window "$window" >"$work/server.out" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^gameserver listening on port \([0-9]*\).*/\1/p' "$work/server.out" || true)
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  [[ -n "$port" ]] || { echo "the server did not start" >&2; cat "$work/server.out" >&2; exit 1; }
  "$client_bin" --port "$port" --bots "$bots" --rooms "$rooms" --duration "$seconds" \
    --join-timeout 60 --chat-per-sec 2 --move-per-sec 2 --ping-per-sec 1 --quiet \
    >"$work/bots.out" 2>&1 &
  local bots_pid=$! peak=0 rss
  while kill -0 "$bots_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
    (( rss > peak )) && peak=$rss
    sleep 0.5
  done
  wait "$bots_pid" || true
  kill -INT "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  local summary
  summary=$(grep '^summary:' "$work/bots.out" | tail -n1 || true)
  printf 'round %d  resume-window %2s s  peak_rss_mb=%s  in_game=%s chat_recv=%s refused=%s dropped=%s\n' \
    "$round" "$window" "$(awk -v kib="$peak" 'BEGIN { printf "%.1f", kib / 1024 }')" \
    "$(field in_game "$summary")" "$(field chat_recv "$summary")" "$(field refused "$summary")" \
    "$(field dropped "$summary")"
  last_peak=$peak
  runs+=("$(printf '{"round": %s, "resume_window_s": %s, "peak_rss_kib": %s, "summary": %s}' \
    "$round" "$window" "$peak" "$(summary_json "$summary")")")
}

runs=() diffs=()
echo "bench/game/run-resume-memory.sh $build $rounds $seconds ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "$bots bots, $rooms rooms, 2 chats + 2 moves + 1 ping /s each, ${seconds} s;" \
  "gameserver --workers $server_workers; $(nproc) cores; load average at start: $results_load_before"
for round in $(seq 1 "$rounds"); do
  run 0 "$round"
  off=$last_peak
  run 30 "$round"
  diffs+=("$((last_peak - off))")
done
per_bot=()
for d in "${diffs[@]}"; do per_bot+=("$(awk -v d="$d" -v b="$bots" 'BEGIN { printf "%.0f", d * 1024 / b }')"); done
printf 'peak RSS with the window minus without, per round: %s KiB; per bot: %s bytes (median %s)\n' \
  "${diffs[*]}" "${per_bot[*]}" "$(median "${per_bot[*]}")"
{
  echo "{"
  results_head
  printf '  "bots": %s,\n  "rooms": %s,\n  "chat_per_s": 2,\n  "move_per_s": 2,\n  "ping_per_s": 1,\n' "$bots" "$rooms"
  printf '  "seconds": %s,\n  "rounds": %s,\n  "server_workers": %s,\n  "resume_windows_s": [0, 30],\n' \
    "$seconds" "$rounds" "$server_workers"
  printf '  "peak_rss_kib_on_minus_off": %s,\n  "bytes_per_bot": %s,\n  "median_bytes_per_bot": %s,\n  "runs": [\n' \
    "$(json_list "${diffs[*]}")" "$(json_list "${per_bot[*]}")" "$(json_num "$(median "${per_bot[*]}")")"
  json_items "${runs[@]}"
  printf '  ]\n}\n'
} >"$results"
echo "results: $results"
