#!/usr/bin/env bash
# The soak's three README runs, one after the other: tests/soak/soak_test on epoll with the
# server's default idle timeout, on epoll with a 4 s idle timeout (sessions idle out during the
# run), and on io_uring with the default. Each runs SECONDS of waves with seed SEED; every field
# of the run's final "soak: PASS|FAIL ..." line goes into
# BUILD_DIR/bench-results/soak-<UTC time>.json (commit a copy under bench/results/ to quote it in
# the README; bench/readme-tables.py renders it). Loopback only, one process per run.
#
#   bench/soak/run-soak.sh [BUILD_DIR] [SECONDS] [SEED]
set -euo pipefail
build=${1:-build}
seconds=${2:-300}
seed=${3:-7}
soak_bin="$build/tests/soak/soak_test"
[[ -x "$soak_bin" ]] || { echo "missing $soak_bin: build the project first" >&2; exit 2; }
. "$(dirname "$0")/../bench-lib.sh"
results_begin "$build" soak "$0" "$@"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runs=()
for config in "epoll 0" "epoll 4" "uring 0"; do
  read -r backend idle <<<"$config"
  args=(--backend "$backend" --duration "$seconds" --seed "$seed" --log-level warn)
  (( idle > 0 )) && args+=(--idle-timeout "$idle")
  echo "soak: $backend, idle timeout ${idle/#0/default}, $seconds s" >&2
  "$soak_bin" "${args[@]}" >"$work/out" 2>&1 || true
  last=$(grep -E '^soak: (PASS|FAIL)' "$work/out" | tail -1)
  [[ -n "$last" ]] || { echo "no result line from soak_test" >&2; tail -5 "$work/out" >&2; exit 1; }
  echo "$last" >&2
  runs+=("$(python3 - "$last" "$idle" <<'PY'
import json, re, sys
line, idle = sys.argv[1], float(sys.argv[2])
fields = {"result": line.split()[1], "idle_timeout_s": idle or None}
for key, quoted, plain in re.findall(r'(\w+)=(?:"([^"]*)"|(\S+))', line):
    value = quoted if quoted else plain
    number = re.fullmatch(r"(-?[\d.]+)(MiB)?", value)
    fields[key] = float(number.group(1)) if number else value
print(json.dumps(fields))
PY
)")
done

{
  printf '{\n'
  results_head
  printf '  "seconds": %s,\n  "seed": %s,\n  "runs": [\n' "$seconds" "$seed"
  json_items "${runs[@]}"
  printf '  ]\n}\n'
} >"$results"
python3 -m json.tool "$results" >/dev/null
echo "written: $results"
