#!/usr/bin/env bash
# The store benchmark (store_bench, see StoreBench.cpp) with its figures written to
# BUILD_DIR/bench-results/store-<UTC time>.json, beside the date, the machine's load average
# before and after, and the command. SQLite and a throwaway PostgreSQL 15 (fsync on), in /tmp.
#
#   bench/store/run-store-bench.sh [BUILD_DIR] [ROUNDS] [PLAYERS]
set -euo pipefail
build=${1:-build}
rounds=${2:-5}
players=${3:-1000}
bench="$build/bench/store/store_bench"
[ -x "$bench" ] || { echo "missing $bench: build the project first (store_bench)"; exit 2; }
source "$(dirname "$0")/../bench-lib.sh"
results_begin "$build" store "$0" "$@"
part=$(mktemp)
trap 'rm -f "$part"' EXIT
"$bench" --rounds "$rounds" --players "$players" --out "$part"
{
  echo "{"
  results_head
  printf '  "store_bench": '
  cat "$part"
  echo "}"
} >"$results"
echo "results: $results"
