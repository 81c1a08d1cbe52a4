#!/usr/bin/env bash
# The engine benchmark: Tavern's echo_server and a plain Asio echo server, side by side, driven
# by the same load client (echo_client, one worker thread) in the same run. Each server gets one
# thread. For 1, 100 and 1,000 connections with 64-byte and 16 KiB messages it runs paired
# rounds: each round runs both servers back to back (Asio first in even rounds) and takes the
# Tavern / Asio ratios of messages per second and of server CPU per message within the round;
# the medians over the rounds, with the smallest and largest, are reported. Then it measures each
# server's resident memory with 10,000 idle connections. Results go to
# BUILD_DIR/bench-results/echo-<UTC time>.json. Loopback only; every run is bounded in time:
# about ROUNDS x 12 x (SECONDS + 1 s) plus 10 s.
#
#   bench/echo/run-echo-bench.sh [BUILD_DIR] [SECONDS_PER_CASE] [ROUNDS]
#   env: TAVERN_BENCH_BACKEND (uring)
set -euo pipefail
build=${1:-build}
seconds=${2:-3}
rounds=${3:-3}
backend=${TAVERN_BENCH_BACKEND:-uring}
tavern_server="$build/examples/echo/echo_server"
asio_server="$build/bench/echo/asio_echo_server"
client="$build/examples/echo/echo_client"
idle="$build/bench/echo/idle_clients"
for tool in "$tavern_server" "$asio_server" "$client" "$idle"; do
  [ -x "$tool" ] || { echo "missing $tool: build the project first (libasio-dev for Asio)"; exit 2; }
done
ulimit -n "$(ulimit -Hn)"

source "$(dirname "$0")/../bench-lib.sh"
results_begin "$build" echo "$0" "$@"
port=$(first_port)

start() {  # name port -> sets server_pid
  if [ "$1" = tavern ]; then
    start_server "$2" "$tavern_server" --port "$2" --workers 1 --backend "$backend"
  else
    start_server "$2" "$asio_server" --port "$2" --threads 1
  fi
}

pipeline_for() { case $1 in 1) echo 16 ;; 100) echo 4 ;; *) echo 1 ;; esac; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN{printf "%.3f", (y>0? x/y : 0)}'; }
minmax() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%s-%s", lo, hi}'; }

declare -A rate cpu_mmsg tput_ratio cpu_ratio
printf '\nEcho benchmark: %s s per case, %s paired rounds, server 1 thread (Tavern on %s), load client 1 thread\n' \
  "$seconds" "$rounds" "$backend"
printf 'load average before: %s\n' "$results_load_before"
printf '%-5s %-6s %-6s %-6s %14s %16s\n' round server conns size "msgs/s" "cpu s/M msgs"
for round in $(seq "$rounds"); do
  if ((round % 2)); then order="tavern asio"; else order="asio tavern"; fi
  for conns in 1 100 1000; do
    for size in 64 16384; do
      declare -A last_rate=() last_cpu=()
      for name in $order; do
        port=$((port + 1))
        start "$name" "$port"
        out=$("$client" --port "$port" --connections "$conns" --size "$size" \
          --pipeline "$(pipeline_for "$conns")" --duration "$seconds" --workers 1 \
          --server-pid "$server_pid" 2>/dev/null) || { echo "load client failed against $name: $out"; exit 1; }
        stop_server
        msgs=$(field messages "$out"); r=$(field msgs_per_s "$out"); c=$(field server_cpu_s "$out")
        m=$(awk -v c="$c" -v n="$msgs" 'BEGIN{printf "%.3f", (n>0? c/n*1e6 : 0)}')
        key="$name,$conns,$size"
        rate[$key]="${rate[$key]:-} $r"; cpu_mmsg[$key]="${cpu_mmsg[$key]:-} $m"
        last_rate[$name]=$r; last_cpu[$name]=$m
        printf '%-5s %-6s %-6s %-6s %14s %16s\n' "$round" "$name" "$conns" "$size" "$r" "$m"
      done
      k="$conns,$size"
      tput_ratio[$k]="${tput_ratio[$k]:-} $(ratio "${last_rate[tavern]}" "${last_rate[asio]}")"
      cpu_ratio[$k]="${cpu_ratio[$k]:-} $(ratio "${last_cpu[tavern]}" "${last_cpu[asio]}")"
    done
  done
done

printf '\nMedians over %s rounds; Tavern / Asio within each round, median (smallest-largest)\n' "$rounds"
printf '(throughput: higher is better; CPU per message: lower is better)\n'
printf '%-6s %-6s %14s %14s %-22s %-22s\n' conns size "tavern msgs/s" "asio msgs/s" throughput "cpu per msg"
cases=()
for conns in 1 100 1000; do
  for size in 64 16384; do
    k="$conns,$size"
    printf '%-6s %-6s %14s %14s %-22s %-22s\n' "$conns" "$size" "$(median ${rate[tavern,$k]})" \
      "$(median ${rate[asio,$k]})" "$(median ${tput_ratio[$k]})x ($(minmax ${tput_ratio[$k]}))" \
      "$(median ${cpu_ratio[$k]})x ($(minmax ${cpu_ratio[$k]}))"
    cases+=("$(printf '{"connections": %s, "size": %s, "pipeline": %s,\n     "tavern": {"msgs_per_s": %s, "server_cpu_s_per_million": %s},\n     "asio": {"msgs_per_s": %s, "server_cpu_s_per_million": %s},\n     "tavern_over_asio": {"throughput": %s, "cpu_per_msg": %s, "median_throughput": %s, "median_cpu_per_msg": %s}}' \
      "$conns" "$size" "$(pipeline_for "$conns")" \
      "$(json_list ${rate[tavern,$k]})" "$(json_list ${cpu_mmsg[tavern,$k]})" \
      "$(json_list ${rate[asio,$k]})" "$(json_list ${cpu_mmsg[asio,$k]})" \
      "$(json_list ${tput_ratio[$k]})" "$(json_list ${cpu_ratio[$k]})" \
      "$(median ${tput_ratio[$k]})" "$(median ${cpu_ratio[$k]})")")
  done
done

rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
idle_count=10000
printf '\nIdle connections: server resident memory with %s idle connections\n' "$idle_count"
idle_json=()
for name in tavern asio; do
  port=$((port + 1))
  start "$name" "$port"
  before=$(rss_kib "$server_pid")
  coproc IDLE { "$idle" --port "$port" --count "$idle_count" --hold 60; }
  read -r line <&"${IDLE[0]}"
  sleep 1
  after=$(rss_kib "$server_pid")
  exec {IDLE[1]}>&-
  wait "$IDLE_PID" 2>/dev/null || true
  stop_server
  per=$(awk -v a="$after" -v b="$before" -v n="$idle_count" 'BEGIN{printf "%.0f", (a-b)*1024/n}')
  printf '%-6s %s; RSS %s KiB -> %s KiB: %s bytes per idle connection\n' "$name" "$line" "$before" "$after" "$per"
  idle_json+=("$(printf '"%s": {"rss_kib_before": %s, "rss_kib_with_connections": %s, "bytes_per_connection": %s, "client": %s}' \
    "$name" "$before" "$after" "$per" "$(json_str "$line")")")
done

{
  echo "{"
  results_head
  printf '  "seconds_per_case": %s,\n  "rounds": %s,\n  "backend": "%s",\n  "server_threads": 1,\n  "client_workers": 1,\n' \
    "$seconds" "$rounds" "$backend"
  printf '  "cases": [\n'
  json_items "${cases[@]}"
  printf '  ],\n  "idle": {"connections": %s, %s, %s}\n}\n' "$idle_count" "${idle_json[0]}" "${idle_json[1]}"
} >"$results"
printf '\nresults: %s\n' "$results"
