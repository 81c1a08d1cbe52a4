#!/usr/bin/env bash
# The engine benchmark: Tavern's echo_server and a plain Asio echo server, side by side, driven
# by the same load client (echo_client, one worker thread) in the same run. Each server gets one
# thread. For 1, 100 and 1,000 connections with 64-byte and 16 KiB messages it prints messages
# per second, MiB per second, and the server's CPU seconds per GiB echoed and per million
# messages, with Tavern / Asio ratios. Then it measures each server's resident memory with
# 10,000 idle connections. Loopback only; every run is bounded in time.
#
#   bench/echo/run-echo-bench.sh [BUILD_DIR] [SECONDS_PER_CASE]
set -euo pipefail
build=${1:-build}
# Everything printed is also kept, for the README, under the build folder.
mkdir -p "$build/bench-results"
exec > >(tee "$build/bench-results/echo-$(date -u +%Y-%m-%dT%H-%M-%SZ).txt") 2>&1
seconds=${2:-3}
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
port_base=$(first_port)

start() {  # name port -> sets server_pid
  if [ "$1" = tavern ]; then
    start_server "$2" "$tavern_server" --port "$2" --workers 1 --backend "$backend"
  else
    start_server "$2" "$asio_server" --port "$2" --threads 1
  fi
}

declare -A rate mib cpu_gib cpu_mmsg
printf '\nEcho benchmark: %s s per case, server 1 thread (Tavern on %s), load client 1 thread\n' \
  "$seconds" "$backend"
printf 'load average before: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %-6s %-6s %14s %10s %14s %16s\n' server conns size "msgs/s" "MiB/s" "cpu s/GiB" "cpu s/M msgs"
port=$port_base
for conns in 1 100 1000; do
  case $conns in 1) pipeline=16 ;; 100) pipeline=4 ;; *) pipeline=1 ;; esac
  for size in 64 16384; do
    for name in tavern asio; do
      port=$((port + 1))
      start "$name" "$port"
      out=$("$client" --port "$port" --connections "$conns" --size "$size" --pipeline "$pipeline" \
        --duration "$seconds" --workers 1 --server-pid "$server_pid" 2>/dev/null) || {
        echo "load client failed against $name: $out"; exit 1; }
      stop_server
      msgs=$(field messages "$out"); r=$(field msgs_per_s "$out"); m=$(field MiB_per_s "$out")
      c=$(field server_cpu_s "$out")
      key="$name,$conns,$size"
      rate[$key]=$r; mib[$key]=$m
      cpu_gib[$key]=$(awk -v c="$c" -v n="$msgs" -v s="$size" 'BEGIN{g=n*s/1073741824; printf "%.3f", (g>0? c/g : 0)}')
      cpu_mmsg[$key]=$(awk -v c="$c" -v n="$msgs" 'BEGIN{printf "%.3f", (n>0? c/n*1e6 : 0)}')
      printf '%-6s %-6s %-6s %14s %10s %14s %16s\n' "$name" "$conns" "$size" "$r" "$m" \
        "${cpu_gib[$key]}" "${cpu_mmsg[$key]}"
    done
  done
done

printf '\nRatios, Tavern / Asio (throughput: higher is better; CPU per message: lower is better)\n'
printf '%-6s %-6s %12s %16s\n' conns size throughput "cpu per msg"
for conns in 1 100 1000; do
  for size in 64 16384; do
    t="tavern,$conns,$size"; a="asio,$conns,$size"
    printf '%-6s %-6s %12s %16s\n' "$conns" "$size" \
      "$(awk -v x="${rate[$t]}" -v y="${rate[$a]}" 'BEGIN{printf "%.2fx", x/y}')" \
      "$(awk -v x="${cpu_mmsg[$t]}" -v y="${cpu_mmsg[$a]}" 'BEGIN{printf "%.2fx", x/y}')"
  done
done

rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
printf '\nIdle connections: server resident memory with 10,000 idle connections\n'
for name in tavern asio; do
  port=$((port + 1))
  start "$name" "$port"
  before=$(rss_kib "$server_pid")
  coproc IDLE { "$idle" --port "$port" --count 10000 --hold 60; }
  read -r line <&"${IDLE[0]}"
  sleep 1
  after=$(rss_kib "$server_pid")
  exec {IDLE[1]}>&-
  wait "$IDLE_PID" 2>/dev/null || true
  stop_server
  printf '%-6s %s; RSS %s KiB -> %s KiB: %s bytes per idle connection\n' "$name" "$line" \
    "$before" "$after" "$(awk -v a="$after" -v b="$before" 'BEGIN{printf "%.0f", (a-b)*1024/10000}')"
done
