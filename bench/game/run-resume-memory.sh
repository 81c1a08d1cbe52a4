#!/usr/bin/env bash
# What seamless reconnect costs the server in memory: the same bot load against gameserver with
# --resume-window 0 (no replay buffers) and with the default 30 s, in paired rounds (off, on,
# off, on, ...), reporting each run's peak RSS (VmRSS from /proc/PID/status, sampled every
# 0.5 s) and the bots' summary. The load: BOTS bots in ROOMS rooms, 2 chats, 2 moves and 1 ping
# a second each, for SECONDS once they are in. Writes BUILD_DIR/bench-results/resume-memory-
# <UTC time>.txt (commit a copy under bench/results/ to quote it in the README).
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
results=$(results_file "$build" resume-memory txt)
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
  summary=$(tail -n1 "$work/bots.out" | grep -o 'in_game=[0-9]*\|chat_recv=[0-9]*\| refused=[0-9]*\|dropped=[0-9]*' |
    tr '\n' ' ')
  printf 'round %d  resume-window %2s s  peak_rss_mb=%s  %s\n' "$round" "$window" \
    "$(awk -v kib="$peak" 'BEGIN { printf "%.1f", kib / 1024 }')" "$summary"
}

{
  echo "# bench/game/run-resume-memory.sh $build $rounds $seconds ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo "# $bots bots, $rooms rooms, 2 chats + 2 moves + 1 ping /s each, ${seconds} s;" \
    "gameserver --workers $server_workers; $(nproc) cores; load average at start:" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  for round in $(seq 1 "$rounds"); do
    run 0 "$round"
    run 30 "$round"
  done
} | tee "$results"
