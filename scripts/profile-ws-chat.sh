#!/usr/bin/env bash
# Where gameserver's CPU goes per delivered S_CHAT, over WebSocket and over TCP: the Colyseus
# side-by-side's first case (200 clients in one room, 1 line/s each, every line to every
# client), driven by test_client's bots, with the server on one core and the bots on another.
#
#   scripts/profile-ws-chat.sh [BUILD_DIR] [ROUNDS] [SECONDS]
#
# Each round measures WebSocket and TCP back to back (which goes first alternates): the
# server's user and system CPU over the window (/proc/PID/stat) per million delivered, and its
# sends per second (the server's stats line). Then one `perf record` of each (cpu-clock, call
# graphs) sorts the server's samples into where they were spent. Needs perf (linux-perf) and
# root or perf_event_paranoid <= 1. RATE (lines/s per client, 1) and TICK_MS (the broadcast
# tick, 20) can be set in the environment. Writes BUILD_DIR/profiles/ws-chat-<time>.txt.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
rounds=${2:-3}
seconds=${3:-10}
rate=${RATE:-1}
tick=${TICK_MS:-20}
clients=200
here=$(cd "$(dirname "$0")" && pwd)
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 2; }
mkdir -p "$build/profiles"
out="$build/profiles/ws-chat-$(date -u +%Y%m%dT%H%M%SZ).txt"
tmp=$(mktemp -d)
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

run() {  # MODE(ws|tcp) PERF(0|1) -> one line of figures; perf data in $tmp/MODE.data
  local mode=$1 profile=$2 tcp ws target
  tcp=$(free_port); ws=$(free_port)
  taskset -c 0 "$build/gameserver/gameserver" --host 127.0.0.1 --port "$tcp" --ws-port "$ws" \
    --workers 1 --db "" --stats-interval 1 --log-level warn --broadcast-tick-ms "$tick" \
    >"$tmp/server.out" 2>&1 &
  server_pid=$!
  sleep 1
  if [[ $mode == ws ]]; then target=(--ws --port "$ws"); else target=(--port "$tcp"); fi
  taskset -c 1 "$build/client/test_client" "${target[@]}" --bots "$clients" --rooms 1 \
    --chat-per-sec "$rate" --move-per-sec 0 --ping-per-sec 0 --duration $((seconds + 6)) \
    --workers 1 --quiet >"$tmp/bots.out" 2>&1 &
  local bots=$!
  sleep 4  # every bot in the room, the rate steady
  local before after start end lines_before
  before=$(awk '{print $14, $15}' "/proc/$server_pid/stat")
  lines_before=$(wc -l <"$tmp/server.out")
  start=$(date +%s.%N)
  if [[ $profile == 1 ]]; then
    perf record -F 4999 -g -o "$tmp/$mode.data" -p "$server_pid" -- sleep "$seconds" >/dev/null 2>&1
  else
    sleep "$seconds"
  fi
  after=$(awk '{print $14, $15}' "/proc/$server_pid/stat")
  end=$(date +%s.%N)
  local sends
  sends=$(tail -n +"$((lines_before + 1))" "$tmp/server.out" | sed -n 's/.* sends\/s=\([0-9]*\).*/\1/p' |
          sort -n | awk '{a[NR] = $1} END {print NR ? a[int((NR + 1) / 2)] : 0}')
  wait "$bots" || true
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
  [[ $profile == 1 ]] && return 0
  python3 - "$mode" "$before" "$after" "$start" "$end" "$sends" "$rate" "$clients" "$(getconf CLK_TCK)" <<'PY'
import sys
mode, before, after = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
start, end, sends, rate, clients, hz = map(float, sys.argv[4:10])
window = end - start
user = (int(after[0]) - int(before[0])) / hz
system = (int(after[1]) - int(before[1])) / hz
delivered = clients * clients * rate * window
per_m = lambda s: s / delivered * 1e6
print(f"{mode:<3}  {window:5.1f} s  core {(user + system) / window:.3f}  "
      f"cpu-s/M delivered {per_m(user + system):.3f} (user {per_m(user):.3f}, system {per_m(system):.3f})  "
      f"sends/s {sends:,.0f}  cpu per send {(user + system) / window / max(sends, 1) * 1e6:.1f} us")
PY
}

{
  echo "gameserver's CPU per delivered S_CHAT, WebSocket and TCP"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); tavern $(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?'); kernel $(uname -r)"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); server on core 0 (--workers 1, io_uring), $clients bots on core 1"
  echo "$clients clients in one room, $rate line/s each, broadcast tick $tick ms; $rounds rounds of $seconds s each way"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "CPU (no profiler attached):"
} | tee "$out"
for round in $(seq 1 "$rounds"); do
  order="ws tcp"
  (( round % 2 == 0 )) && order="tcp ws"
  for mode in $order; do echo "round $round  $(run "$mode" 0)"; done
done | tee -a "$out"
for mode in ws tcp; do run "$mode" 1; done
{
  echo
  echo "Where the server's samples were (perf record -F 4999 -g, cpu-clock, one $seconds s window each):"
  for mode in ws tcp; do
    echo
    echo "$mode:"
    perf script -i "$tmp/$mode.data" -F ip,sym,dso 2>/dev/null | python3 "$here/profile-categories.py"
  done
  echo
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$out"
echo "results: $out"
