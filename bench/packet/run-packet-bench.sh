#!/usr/bin/env bash
# The packet pipeline benchmark: packets per second through frame -> job -> parse -> handler ->
# serialize -> send (packet_server, C_ECHO -> S_ECHO with a 32-byte payload), beside the raw
# echo message rate of the engine's echo_server with the same connection count, message size
# (the whole packet, header included) and pipeline depth, in the same run. Each server gets one
# worker thread, each load client one. For each pipeline depth it prints both rates, the server's
# CPU seconds per million messages, and the packet / raw ratios. Raw and packet runs alternate
# for several rounds and the medians are reported, so that a noisy neighbour on a shared machine
# skews both alike (which goes first alternates); the packet / raw ratios are taken within each
# round. Results go to BUILD_DIR/bench-results/packet-<UTC time>.json. Loopback only; bounded
# in time (rounds x pipelines x 2 x (SECONDS + ~1 s)).
#
#   bench/packet/run-packet-bench.sh BUILD_DIR [SECONDS_PER_CASE]
#   env: TAVERN_BENCH_BACKEND (uring), TAVERN_BENCH_CONNECTIONS (1000),
#        TAVERN_BENCH_PIPELINES ("1 16"), TAVERN_BENCH_PAYLOAD (32), TAVERN_BENCH_ROUNDS (3)
set -euo pipefail
build=${1:?usage: run-packet-bench.sh BUILD_DIR [SECONDS]}
seconds=${2:-5}
backend=${TAVERN_BENCH_BACKEND:-uring}
conns=${TAVERN_BENCH_CONNECTIONS:-1000}
pipelines=${TAVERN_BENCH_PIPELINES:-1 16}
payload=${TAVERN_BENCH_PAYLOAD:-32}
rounds=${TAVERN_BENCH_ROUNDS:-3}
echo_server="$build/examples/echo/echo_server"
echo_client="$build/examples/echo/echo_client"
packet_server="$build/bench/packet/packet_server"
packet_load="$build/bench/packet/packet_load"
for tool in "$echo_server" "$echo_client" "$packet_server" "$packet_load"; do
  [ -x "$tool" ] || { echo "missing $tool: build the project first"; exit 2; }
done
ulimit -n "$(ulimit -Hn)"

source "$(dirname "$0")/../bench-lib.sh"
results_begin "$build" packet "$0" "$@"
port=$(first_port)
declare -A tput cpuq

# C_ECHO's wire size: 4-byte header + field tag + length byte(s) + payload.
size=$(awk -v p="$payload" 'BEGIN{print 4 + (p > 0 ? 1 + (p < 128 ? 1 : (p < 16384 ? 2 : 3)) + p : 0)}')

run_case() {  # mode pipeline -> sets r (msgs/s) and c (server cpu s per M msgs)
  local mode=$1 pipeline=$2 out n cpu_s
  port=$((port + 1))
  if [ "$mode" = raw ]; then
    start_server "$port" "$echo_server" --port "$port" --workers 1 --backend "$backend"
    out=$("$echo_client" --port "$port" --connections "$conns" --size "$size" \
      --pipeline "$pipeline" --duration "$seconds" --workers 1 --backend "$backend" \
      --server-pid "$server_pid" 2>/dev/null) || { echo "echo_client failed: $out"; exit 1; }
    n=$(field messages "$out"); r=$(field msgs_per_s "$out")
  else
    start_server "$port" "$packet_server" --port "$port" --workers 1 --backend "$backend"
    out=$("$packet_load" --port "$port" --connections "$conns" --payload "$payload" \
      --pipeline "$pipeline" --duration "$seconds" --workers 1 --backend "$backend" \
      --server-pid "$server_pid" 2>/dev/null) || { echo "packet_load failed: $out"; exit 1; }
    n=$(field packets "$out"); r=$(field packets_per_s "$out")
  fi
  cpu_s=$(field server_cpu_s "$out")
  stop_server
  c=$(awk -v c="$cpu_s" -v n="$n" 'BEGIN{printf "%.3f", (n>0? c/n*1e6 : 0)}')
}

ratio() { awk -v x="$1" -v y="$2" 'BEGIN{printf "%.3f", (y>0? x/y : 0)}'; }
minmax() { tr ' ' '\n' <<<"$*" | sed '/^$/d' | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%s-%s", lo, hi}'; }

printf '\nPacket pipeline benchmark: %s s per case, %s rounds, %s connections, %s-byte packets (%s-byte payload)\n' \
  "$seconds" "$rounds" "$conns" "$size" "$payload"
printf 'server: 1 worker on %s; load client: 1 worker; loopback; load average before: %s\n' \
  "$backend" "$results_load_before"
printf '%-8s %-7s %12s %14s   %s\n' pipeline mode "msgs/s" "cpu s/M msgs" "(each round: msgs/s)"
declare -A rate cpu
cases=()
for pipeline in $pipelines; do
  declare -A rates=() cpus=() last=() last_cpu=()
  tput_ratios=() cpu_ratios=()
  for round in $(seq "$rounds"); do
    if ((round % 2)); then order="raw packet"; else order="packet raw"; fi
    for mode in $order; do
      run_case "$mode" "$pipeline"
      rates[$mode]="${rates[$mode]:-} $r"; cpus[$mode]="${cpus[$mode]:-} $c"
      last[$mode]=$r; last_cpu[$mode]=$c
    done
    tput_ratios+=("$(ratio "${last[packet]}" "${last[raw]}")")
    cpu_ratios+=("$(ratio "${last_cpu[packet]}" "${last_cpu[raw]}")")
  done
  for mode in raw packet; do
    key="$mode,$pipeline"
    rate[$key]=$(median ${rates[$mode]}); cpu[$key]=$(median ${cpus[$mode]})
    printf '%-8s %-7s %12s %14s   (%s)\n' "$pipeline" "$mode" "${rate[$key]}" "${cpu[$key]}" \
      "$(echo ${rates[$mode]})"
  done
  tput[$pipeline]="$(median "${tput_ratios[*]}")x ($(minmax "${tput_ratios[*]}"))"
  cpuq[$pipeline]="$(median "${cpu_ratios[*]}")x ($(minmax "${cpu_ratios[*]}"))"
  cases+=("$(printf '{"pipeline": %s,\n     "raw": {"msgs_per_s": %s, "server_cpu_s_per_million": %s},\n     "packet": {"msgs_per_s": %s, "server_cpu_s_per_million": %s},\n     "packet_over_raw": {"throughput": %s, "cpu_per_msg": %s, "median_throughput": %s, "median_cpu_per_msg": %s}}' \
    "$pipeline" "$(json_list ${rates[raw]})" "$(json_list ${cpus[raw]})" \
    "$(json_list ${rates[packet]})" "$(json_list ${cpus[packet]})" \
    "$(json_list "${tput_ratios[*]}")" "$(json_list "${cpu_ratios[*]}")" \
    "$(median "${tput_ratios[*]}")" "$(median "${cpu_ratios[*]}")")")
done

printf '\nPacket / raw within each round, median (smallest-largest) (throughput: target >= 0.50x; CPU per message: lower is better)\n'
printf '%-8s %-22s %-22s\n' pipeline throughput "cpu per msg"
for pipeline in $pipelines; do
  printf '%-8s %-22s %-22s\n' "$pipeline" "${tput[$pipeline]}" "${cpuq[$pipeline]}"
done
{
  echo "{"
  results_head
  printf '  "seconds_per_case": %s,\n  "rounds": %s,\n  "connections": %s,\n  "payload": %s,\n  "packet_size": %s,\n' \
    "$seconds" "$rounds" "$conns" "$payload" "$size"
  printf '  "backend": "%s",\n  "server_workers": 1,\n  "client_workers": 1,\n  "cases": [\n' "$backend"
  json_items "${cases[@]}"
  printf '  ]\n}\n'
} >"$results"
echo "results: $results"
