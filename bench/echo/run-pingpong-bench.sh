#!/usr/bin/env bash
# The ping-pong benchmark (the one muduo, evpp and Asio publish): C connections each send one
# block, then client and server both echo back whatever arrives. Servers: Tavern's echo_server
# on io_uring and on epoll, and the Asio echo server; each gets one thread, pinned to one core,
# and the load client (echo_client --pingpong, one worker) is pinned to another. For 1, 100,
# 1,000 and 10,000 connections with 64-byte and 16 KiB blocks it runs paired rounds: in each
# round every case runs the three servers back to back (Asio first in odd rounds, last in even
# ones) and takes the Tavern / Asio ratios within the round; it reports the median ratio over the
# rounds with the smallest and largest. Throughput is bytes received by the client per second;
# server CPU is read from /proc over the measured window only. Results go to
# BUILD_DIR/bench-results/pingpong-<UTC time>.json. Loopback only; bounded in time: about
# rounds x 8 cases x 3 servers x (SECONDS + 1-2 s), 5-6 minutes with the defaults.
#
#   bench/echo/run-pingpong-bench.sh [BUILD_DIR] [SECONDS_PER_CASE] [ROUNDS]
#   env: TAVERN_BENCH_CONNECTIONS ("1 100 1000 10000"), TAVERN_BENCH_SIZES ("64 16384"),
#        TAVERN_BENCH_CPUS ("0 1": server core, client core)
set -euo pipefail
build=${1:-build}
seconds=${2:-3}
rounds=${3:-3}
conn_list=${TAVERN_BENCH_CONNECTIONS:-1 100 1000 10000}
size_list=${TAVERN_BENCH_SIZES:-64 16384}
read -r server_cpu client_cpu <<<"${TAVERN_BENCH_CPUS:-0 1}"
tavern_server="$build/examples/echo/echo_server"
asio_server="$build/bench/echo/asio_echo_server"
client="$build/examples/echo/echo_client"
for tool in "$tavern_server" "$asio_server" "$client"; do
  [ -x "$tool" ] || { echo "missing $tool: build the project first (libasio-dev for Asio)"; exit 2; }
done
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed to pin the processes"; exit 2; }
ulimit -n "$(ulimit -Hn)"

source "$(dirname "$0")/../bench-lib.sh"
port=$(first_port)

run_case() {  # server conns size -> sets mibs (MiB/s) and cpu_gib (server CPU s per GiB)
  local name=$1 conns=$2 size=$3 out bytes c
  port=$((port + 1))
  case $name in
    uring|epoll)
      start_server "$port" taskset -c "$server_cpu" "$tavern_server" --port "$port" --workers 1 \
        --backend "$name" ;;
    asio) start_server "$port" taskset -c "$server_cpu" "$asio_server" --port "$port" --threads 1 ;;
  esac
  out=$(taskset -c "$client_cpu" "$client" --pingpong --port "$port" --connections "$conns" \
    --size "$size" --duration "$seconds" --workers 1 --server-pid "$server_pid" 2>/dev/null) || {
    stop_server
    # Once in a few runs on a loaded machine some of 10,000 connections drop: say so, run the
    # case again; a second failure ends the run.
    if [ "${retried:-0}" = 1 ]; then echo "load client failed again against $name: $out"; exit 1; fi
    echo "load client failed against $name ($conns x $size), running the case again: $(tail -n1 <<<"$out")"
    retried=1 run_case "$@"
    return; }
  stop_server
  bytes=$(field bytes_received "$out"); c=$(field server_cpu_s "$out")
  mibs=$(awk -v b="$bytes" -v s="$(field seconds "$out")" 'BEGIN{printf "%.3f", b/s/1048576}')
  cpu_gib=$(awk -v c="$c" -v b="$bytes" 'BEGIN{printf "%.3f", (b>0? c/(b/1073741824) : 0)}')
}

ratio() { awk -v x="$1" -v y="$2" 'BEGIN{printf "%.3f", (y>0? x/y : 0)}'; }

stamp=$(date -u +%Y-%m-%dT%H-%M-%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
command_line="$0 $*"
mkdir -p "$build/bench-results"
json="$build/bench-results/pingpong-$stamp.json"
printf '\nPing-pong benchmark: %s s per case, %s paired rounds; server 1 thread on CPU %s, load client 1 worker on CPU %s\n' \
  "$seconds" "$rounds" "$server_cpu" "$client_cpu"
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

declare -A mib cpu tput_ratio cpu_ratio
for round in $(seq "$rounds"); do
  if ((round % 2)); then order="asio uring epoll"; else order="uring epoll asio"; fi
  for conns in $conn_list; do
    for size in $size_list; do
      for name in $order; do
        run_case "$name" "$conns" "$size"
        mib[$name,$conns,$size]="${mib[$name,$conns,$size]:-} $mibs"
        cpu[$name,$conns,$size]="${cpu[$name,$conns,$size]:-} $cpu_gib"
        eval "last_mib_$name=$mibs last_cpu_$name=$cpu_gib"
      done
      for name in uring epoll; do
        eval "m=\$last_mib_$name c=\$last_cpu_$name"
        tput_ratio[$name,$conns,$size]="${tput_ratio[$name,$conns,$size]:-} $(ratio "$m" "$last_mib_asio")"
        cpu_ratio[$name,$conns,$size]="${cpu_ratio[$name,$conns,$size]:-} $(ratio "$c" "$last_cpu_asio")"
      done
      printf 'round %s: %5s x %5s B  MiB/s uring %8s epoll %8s asio %8s   cpu s/GiB uring %6s epoll %6s asio %6s\n' \
        "$round" "$conns" "$size" "$last_mib_uring" "$last_mib_epoll" "$last_mib_asio" \
        "$last_cpu_uring" "$last_cpu_epoll" "$last_cpu_asio"
    done
  done
done

minmax() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%s-%s", lo, hi}'; }
jsonlist() { echo "[$(echo $* | tr ' ' ',')]"; }

printf '\nMedians over %s rounds. Ratios are Tavern / Asio within each round, median (smallest-largest):\n' "$rounds"
printf 'throughput higher is better; CPU per byte (= per message) lower is better\n'
printf '%6s %6s %10s %10s %10s  %-22s %-22s %-22s %-22s\n' conns size "uring MiB/s" "epoll MiB/s" "asio MiB/s" \
  "uring/asio throughput" "epoll/asio throughput" "uring/asio cpu/msg" "epoll/asio cpu/msg"
{
  printf '{\n  "benchmark": "pingpong",\n  "utc": "%s",\n  "seconds_per_case": %s,\n  "rounds": %s,\n' \
    "$stamp" "$seconds" "$rounds"
  printf '  "command": %s,\n  "server_cpu": %s,\n  "client_cpu": %s,\n' \
    "$(json_str "$command_line")" "$server_cpu" "$client_cpu"
  printf '  "load_average_before": "%s",\n  "load_average_after": "%s",\n  "cases": [\n' \
    "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$json"
first=1
for conns in $conn_list; do
  for size in $size_list; do
    k="$conns,$size"
    printf '%6s %6s %10s %10s %10s  %-22s %-22s %-22s %-22s\n' "$conns" "$size" \
      "$(median ${mib[uring,$k]})" "$(median ${mib[epoll,$k]})" "$(median ${mib[asio,$k]})" \
      "$(median ${tput_ratio[uring,$k]})x ($(minmax ${tput_ratio[uring,$k]}))" \
      "$(median ${tput_ratio[epoll,$k]})x ($(minmax ${tput_ratio[epoll,$k]}))" \
      "$(median ${cpu_ratio[uring,$k]})x ($(minmax ${cpu_ratio[uring,$k]}))" \
      "$(median ${cpu_ratio[epoll,$k]})x ($(minmax ${cpu_ratio[epoll,$k]}))"
    ((first)) || printf ',\n' >>"$json"
    first=0
    {
      printf '    {"connections": %s, "size": %s,\n' "$conns" "$size"
      for name in uring epoll asio; do
        printf '     "%s": {"mib_per_s": %s, "server_cpu_s_per_gib": %s},\n' "$name" \
          "$(jsonlist ${mib[$name,$k]})" "$(jsonlist ${cpu[$name,$k]})"
      done
      printf '     "uring_over_asio": {"throughput": %s, "cpu_per_msg": %s, "median_throughput": %s, "median_cpu_per_msg": %s},\n' \
        "$(jsonlist ${tput_ratio[uring,$k]})" "$(jsonlist ${cpu_ratio[uring,$k]})" \
        "$(median ${tput_ratio[uring,$k]})" "$(median ${cpu_ratio[uring,$k]})"
      printf '     "epoll_over_asio": {"throughput": %s, "cpu_per_msg": %s, "median_throughput": %s, "median_cpu_per_msg": %s}}' \
        "$(jsonlist ${tput_ratio[epoll,$k]})" "$(jsonlist ${cpu_ratio[epoll,$k]})" \
        "$(median ${tput_ratio[epoll,$k]})" "$(median ${cpu_ratio[epoll,$k]})"
    } >>"$json"
  done
done
printf '\n  ]\n}\n' >>"$json"
printf '\nresults: %s\n' "$json"
