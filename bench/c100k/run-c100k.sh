#!/usr/bin/env bash
# C100K: one gameserver (one worker, pinned to one core) holding COUNT concurrent connections,
# every client logged in and pinging every 10 s; the load (c100k_clients, one thread) is pinned
# to the other core and spreads its connections over several 127.0.0.x source addresses to get
# past the ephemeral port range. Login is by name only (--db ""): account hashing is what the
# login-storm benchmark measures, not this one. Prints, and writes to
# BUILD_DIR/bench-results/c100k-<UTC time>.json: the server's resident memory per connection
# (resident set with every client in, minus before the first), its CPU while the clients ping,
# and the ping round trip (p50, p99, max).
# The server needs a hard descriptor limit above COUNT (root with CAP_SYS_RESOURCE can raise it;
# the script tries); the load is split over as many processes as that limit asks for. Loopback
# only; bounded in time: the ramp (about 10-30 s) plus HOLD seconds.
#
#   bench/c100k/run-c100k.sh [BUILD_DIR] [COUNT] [HOLD_SECONDS] [BACKEND]
#   env: TAVERN_BENCH_CPUS ("0 1": server core, client core)
set -euo pipefail
build=${1:-build}
count=${2:-100000}
hold=${3:-60}
backend=${4:-auto}
interval=10
read -r server_cpu client_cpu <<<"${TAVERN_BENCH_CPUS:-0 1}"
server="$build/gameserver/gameserver"
clients="$build/bench/c100k/c100k_clients"
source "$(dirname "$0")/../bench-lib.sh"
require_pinned_tools "$server" "$clients"
ulimit -Hn $((count + 1000)) 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -Hn)
if [ "$count" -gt $((fd_limit - 200)) ]; then
  echo "the hard descriptor limit here is $fd_limit and cannot be raised (root with" \
       "CAP_SYS_RESOURCE can): one server process holds at most $((fd_limit - 200)) clients"
  exit 2
fi
per_process=$((fd_limit - 200))

port=$(first_port)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
command_line="$0 $*"
out=$(results_file "$build" c100k json)
stamp=$(basename "$out" .json)
stamp=${stamp#c100k-}
log=$(mktemp)


rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_server "$port" taskset -c "$server_cpu" "$server" --port "$port" --workers 1 \
  --backend "$backend" --db "" --max-sessions $((count + 100)) --idle-timeout $((interval * 3)) \
  --stats-interval 0 --log-level warn --admin-port -1
sleep 1
rss_before=$(rss_kib "$server_pid")

client_pids=()
processes=0
for ((first = 0; first < count; first += per_process)); do
  n=$(( count - first < per_process ? count - first : per_process ))
  taskset -c "$client_cpu" "$clients" --port "$port" --count "$n" --first "$first" --sources 5 \
    --ping-interval "$interval" --hold "$hold" --rtt-file "$log.rtt$processes" >"$log.$processes" 2>&1 &
  client_pids+=($!)
  pids+=($!)
  processes=$((processes + 1))
done
for ((p = 0; p < processes; p++)); do
  until grep -q "logged in in" "$log.$p"; do
    kill -0 "${client_pids[$p]}" 2>/dev/null || { cat "$log.$p"; echo "the load ended before every client was in"; exit 1; }
    sleep 1
  done
  grep "logged in in" "$log.$p"
done
# Measure the steady state: skip one ping interval (the first pings of all clients are still
# spreading), then read the server's CPU over the rest of the hold, less 5 s of margin.
sleep "$interval"
window=$((hold - interval - 5))
[ "$window" -ge 10 ] || { echo "HOLD must be at least $((interval + 15)) s"; exit 2; }
rss_in=$(rss_kib "$server_pid")
ticks0=$(cpu_ticks "$server_pid")
sleep "$window"
ticks1=$(cpu_ticks "$server_pid")
rss_in=$(( $(rss_kib "$server_pid") > rss_in ? $(rss_kib "$server_pid") : rss_in ))
status=0
for p in "${client_pids[@]}"; do wait "$p" || status=$?; done
sum() { local total=0 v; for ((p = 0; p < processes; p++)); do
  v=$(field "$1" "$(grep "connected=" "$log.$p" | tail -1)"); total=$(awk -v a="$total" -v b="${v:-0}" 'BEGIN {print a + b}'); done; echo "$total"; }
maxof() { local best=0 v; for ((p = 0; p < processes; p++)); do
  v=$(field "$1" "$(grep "connected=" "$log.$p" | tail -1)"); best=$(awk -v a="$best" -v b="${v:-0}" 'BEGIN {print (b > a) ? b : a}'); done; echo "$best"; }
grep -h "connected=" "$log".[0-9]*
sort -n "$log".rtt* >"$log.rtt"
pongs=$(wc -l <"$log.rtt")
pct() { awk -v q="$1" -v n="$pongs" 'NR == int(q * n) + 1 {print; exit} END {if (n == 0) print 0}' "$log.rtt"; }
p50=$(pct 0.5)
p99=$(pct 0.99)
pmax=$(tail -1 "$log.rtt")
hz=$(getconf CLK_TCK)
cpu_pct=$(awk -v t=$((ticks1 - ticks0)) -v hz="$hz" -v w="$window" 'BEGIN {printf "%.1f", 100 * t / hz / w}')
per_conn=$(awk -v a="$rss_before" -v b="$rss_in" -v n="$count" 'BEGIN {printf "%.0f", (b - a) * 1024 / n}')
cat >"$out" <<EOF
{
  "bench": "c100k",
  "command": $(json_str "$command_line"),
  "load_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
  "utc": "$stamp",
  "backend": "$backend",
  "connections": $count,
  "ping_interval_s": $interval,
  "server_workers": 1,
  "load_before": "$load_before",
  "server_rss_kib_before": $rss_before,
  "server_rss_kib_with_clients": $rss_in,
  "server_rss_bytes_per_connection": $per_conn,
  "server_cpu_percent_of_one_core": $cpu_pct,
  "measured_window_s": $window,
  "load": {
    "processes": $processes,
    "logged_in": $(sum logged_in),
    "ramp_s": $(maxof ramp_s),
    "pongs": $pongs,
    "lost": $(sum lost),
    "skipped": $(sum skipped),
    "ping_p50_us": ${p50:-0},
    "ping_p99_us": ${p99:-0},
    "ping_max_us": ${pmax:-0}
  }
}
EOF
printf 'C100K (%s, %s): %s connections; server RSS %s -> %s KiB = %s bytes per connection; server CPU %s%% of one core; ping p50 %s us, p99 %s us\n' \
  "$backend" "$stamp" "$count" "$rss_before" "$rss_in" "$per_conn" "$cpu_pct" \
  "$p50" "$p99"
echo "results: $out"
stop_server
rm -f "$log" "$log".*
exit "$status"
