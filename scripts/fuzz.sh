#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan, and runs each for a
# bounded time from its seed corpus plus the corpus earlier runs grew. Exits non-zero when a
# target crashes, leaks, times out, runs out of memory or trips a sanitizer; the input that did
# it is kept under BUILD_DIR/fuzz/<target>/artifacts/ (replay: <fuzzer> <that file>).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR] [-- extra libFuzzer flags]
#   scripts/fuzz.sh 60                      # what CI runs
#   scripts/fuzz.sh 0 build-fuzz -- -runs=10000000   # a fixed number of executions instead
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${2:-build-fuzz}
shift $(( $# < 2 ? $# : 2 ))
[ "${1:-}" = "--" ] && shift
extra=("$@")
targets=(packet_stream_fuzzer)

cxx=${CXX_FUZZ:-$(command -v clang++ || command -v clang++-14 || true)}
[ -n "$cxx" ] || { echo "fuzz.sh: clang++ not found (apt install clang libclang-rt-dev)"; exit 2; }

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$cxx" -DTAVERN_SANITIZE='address;undefined' \
    -DTAVERN_BUILD_FUZZ=ON -DTAVERN_BUILD_BENCH=OFF >/dev/null
fi
# Host tools built with ASan (protoc-gen-tavern) run during the build: no leak report there.
ASAN_OPTIONS=detect_leaks=0 cmake --build "$build" --target "${targets[@]}" packet_fuzz_seeds

status=0
for target in "${targets[@]}"; do
  work="$build/fuzz/$target"
  rm -rf "$work/seeds"
  mkdir -p "$work/corpus" "$work/artifacts"
  "$build/tests/fuzz/packet_fuzz_seeds" "$work/seeds" >/dev/null
  # 8 KiB inputs keep executions fast; the size limits are still probed at their edges, as
  # the input picks a maximum of 4, 37 or 1024 bytes as well as 65535 (tests/fuzz/FuzzInput.h).
  flags=(-timeout=10 -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-8192}" -print_final_stats=1
         -artifact_prefix="$work/artifacts/")
  [ "$seconds" -gt 0 ] && flags+=(-max_total_time="$seconds")
  echo "fuzz.sh: $target for ${seconds}s ${extra[*]:-}"
  if "$build/tests/fuzz/$target" "${flags[@]}" "${extra[@]}" "$work/corpus" "$work/seeds" \
       2>"$work/log"; then
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/log" || true
    echo "fuzz.sh: $target: no failure; corpus $(ls "$work/corpus" | wc -l) inputs"
  else
    status=1
    tail -n 60 "$work/log"
    echo "fuzz.sh: $target FAILED; inputs kept in $work/artifacts/ (log: $work/log)"
  fi
done
exit $status
