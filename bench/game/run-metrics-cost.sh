#!/usr/bin/env bash
# What counting for /metrics costs the game server: bench/game/run-game-bench.sh on one build,
# without and with --admin-port 0 (per-packet counting on, nothing scraping), in paired rounds
# whose order alternates. Per round and case it takes the ratio on / off of the server's CPU
# seconds per million S_CHAT delivered. Results go to BUILD_DIR/bench-results/metrics-cost-<UTC
# time>.json (every run's game results beside the ratios); bounded: about ROUNDS x 2 x 2 x
# (SECONDS + 10 s).
#
#   bench/game/run-metrics-cost.sh [BUILD_DIR] [ROUNDS] [SECONDS_PER_CASE]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
seconds=${3:-8}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../bench-lib.sh"
results_begin "$build" metrics-cost "$0" "$@"

# run VARIANT: one run-game-bench.sh; sets game_file to the JSON it wrote.
run() {
  local args="" out
  [[ $1 == on ]] && args="--admin-port 0"
  out=$(SERVER_ARGS="$args" "$(dirname "$0")/run-game-bench.sh" "$build" "$seconds") || {
    echo "$out"; echo "the game bench failed ($1)"; exit 1; }
  game_file=$(sed -n 's/^results: //p' <<<"$out")
  sed -n '/^one-room\|^ten-rooms/p' <<<"$out" | sed "s/^/$1  /"
}
cpu_of() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next(c["server_cpu_s_per_million"] for c in d["cases"] if c["case"]==sys.argv[2]))' "$1" "$2"; }

declare -A ratios
runs=()
printf 'metrics cost: %s rounds of run-game-bench.sh %s s, --admin-port 0 (on) against none (off); load average before: %s\n' \
  "$rounds" "$seconds" "$results_load_before"
for round in $(seq "$rounds"); do
  if ((round % 2)); then order="off on"; else order="on off"; fi
  declare -A file_of=()
  for variant in $order; do
    run "$variant"
    file_of[$variant]=$game_file
    runs+=("$(printf '{"round": %s, "variant": "%s", "game": %s}' "$round" "$variant" "$(sed 's/^/      /' "$game_file")")")
  done
  for case in one-room ten-rooms; do
    r=$(awk -v a="$(cpu_of "${file_of[on]}" "$case")" -v b="$(cpu_of "${file_of[off]}" "$case")" \
      'BEGIN { if (b > 0) printf "%.3f", a / b; else print "nan" }')
    ratios[$case]="${ratios[$case]:-} $r"
  done
  unset file_of
  printf 'round %s: server CPU per delivered, on / off: one room %s, ten rooms %s\n' "$round" \
    "$(echo ${ratios[one-room]} | awk '{print $NF}')" "$(echo ${ratios[ten-rooms]} | awk '{print $NF}')"
done
{
  echo "{"
  results_head
  printf '  "rounds": %s,\n  "seconds_per_case": %s,\n  "on_args": "--admin-port 0",\n' "$rounds" "$seconds"
  printf '  "on_over_off_cpu_per_delivered": {"one-room": %s, "ten-rooms": %s},\n' \
    "$(json_list ${ratios[one-room]})" "$(json_list ${ratios[ten-rooms]})"
  printf '  "median_on_over_off_cpu_per_delivered": {"one-room": %s, "ten-rooms": %s},\n  "runs": [\n' \
    "$(json_num "$(median ${ratios[one-room]})")" "$(json_num "$(median ${ratios[ten-rooms]})")"
  json_items "${runs[@]}"
  printf '  ]\n}\n'
} >"$results"
echo "results: $results"
