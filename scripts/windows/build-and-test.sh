#!/usr/bin/env bash
# Builds Tavern for Windows with mingw-w64 and runs its tests under Wine, on Debian 12.
#
#   scripts/windows/build-and-test.sh
#
# 1. scripts/windows/prepare-deps.sh: packages, the Windows dependency prefix (cached outside
#    the repository), a Wine prefix. Seconds when already done.
# 2. A host build of the protoc plugin (protoc and its plugins run on the build machine) and of
#    the Linux test client, in build-windows-host/.
# 3. The whole project for Windows with cmake/toolchains/mingw-w64-x86_64.cmake, in
#    build-windows/ (incremental on a second run).
# 4. Every *_tests.exe under Wine (IOCP is the backend there); any failure fails the script.
# 5. Once: gameserver.exe under Wine, driven over loopback by the Linux test_client's bots.
#
# Environment: TAVERN_WIN_DEPS_DIR (dependency cache), WINEPREFIX, TAVERN_JOBS (parallel
# jobs), TAVERN_WIN_TEST_TIMEOUT (seconds per test executable, default 900),
# TAVERN_WIN_BUILD_TYPE (default RelWithDebInfo, the project's default).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
JOBS="${TAVERN_JOBS:-$(nproc)}"
BUILD_TYPE="${TAVERN_WIN_BUILD_TYPE:-RelWithDebInfo}"
HOST_BUILD="$REPO/build-windows-host"
WIN_BUILD="$REPO/build-windows"
TEST_TIMEOUT="${TAVERN_WIN_TEST_TIMEOUT:-900}"
start=$(date +%s)
step() { printf '\n=== windows: %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

step "dependencies"
PREFIX="$(scripts/windows/prepare-deps.sh | tail -n 1)"
DEPS="$(dirname "$PREFIX")"
export WINEPREFIX="${WINEPREFIX:-$DEPS/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
WINE64="$(dpkg -L wine64 | grep -E '/wine64$' | head -n 1)"
WINESERVER="$(dirname "$WINE64")/wineserver64"
[ -x "$WINESERVER" ] || WINESERVER="$(dirname "$WINE64")/wineserver"

step "host tools (protoc-gen-tavern, test_client)"
mkdir -p "$HOST_BUILD" "$WIN_BUILD"
cmake -S . -B "$HOST_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTAVERN_BUILD_TESTS=OFF -DTAVERN_BUILD_BENCH=OFF > "$HOST_BUILD/tavern-configure.log" 2>&1 ||
  { cat "$HOST_BUILD/tavern-configure.log"; exit 1; }
host_targets=(protoc-gen-tavern)
if cmake --build "$HOST_BUILD" --target help | grep -q '^test_client:'; then
  host_targets+=(test_client)
fi
cmake --build "$HOST_BUILD" -j "$JOBS" --target "${host_targets[@]}"
PLUGIN="$(find "$HOST_BUILD" -type f -name protoc-gen-tavern -perm -u+x | head -n 1)"
[ -n "$PLUGIN" ] || { echo "no protoc-gen-tavern in $HOST_BUILD"; exit 1; }

step "configure and build for Windows ($BUILD_TYPE)"
# Tests are discovered when CTest runs (through Wine), not at build time.
cmake -S . -B "$WIN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DCMAKE_TOOLCHAIN_FILE="$REPO/cmake/toolchains/mingw-w64-x86_64.cmake" \
  -DTAVERN_WIN_DEPS="$PREFIX" -DTAVERN_PROTOC_PLUGIN="$PLUGIN" \
  -DTAVERN_BUILD_BENCH=OFF -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST \
  > "$WIN_BUILD/tavern-configure.log" 2>&1 || { cat "$WIN_BUILD/tavern-configure.log"; exit 1; }
cmake --build "$WIN_BUILD" -j "$JOBS"

step "tests under Wine"
"$WINESERVER" -p 2> /dev/null || true  # one wineserver for every run below, not one each
mapfile -t suites < <(find "$WIN_BUILD" -name '*_tests.exe' -type f | sort)
[ "${#suites[@]}" -gt 0 ] || { echo "no *_tests.exe in $WIN_BUILD"; exit 1; }
passed=0
failed=0
failures=()
# Tests that cannot run in a cross build under Wine, each with the reason (printed, not hidden):
declare -A EXCLUDED=(
  [protocol_tests]="GeneratorTest.*"
)
declare -A EXCLUDED_WHY=(
  [protocol_tests]="GeneratorTest runs the host's protoc and protoc-gen-tavern (Linux ELF
    binaries baked in at configure time) through _popen, i.e. cmd.exe /c; Wine's cmd.exe starts
    only files with a PATHEXT extension (.exe, .bat, ...), so it cannot start them. This is a
    limit of running a cross build's tests under Wine, not of IOCP: the same tests run on Linux
    (scripts/test.sh) and would run natively on Windows with protoc.exe."
)
for exe in "${suites[@]}"; do
  name="$(basename "$exe" .exe)"
  filter="*"
  if [ -n "${EXCLUDED[$name]:-}" ]; then
    filter="-${EXCLUDED[$name]}"
    echo "--- $name: SKIPPING ${EXCLUDED[$name]}: ${EXCLUDED_WHY[$name]}"
  fi
  echo "--- $name"
  suite_start=$SECONDS
  # Run from the executable's folder, as CTest would (some tests read files relative to it).
  if (cd "$(dirname "$exe")" && timeout --kill-after=10 "$TEST_TIMEOUT" "$WINE64" "$exe" \
        --gtest_brief=1 "--gtest_filter=$filter" 2>&1); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
  echo "--- $name: $((SECONDS - suite_start)) s"
done

step "end to end: gameserver.exe under Wine, Linux test_client bots"
e2e_start=$SECONDS
SERVER_EXE="$(find "$WIN_BUILD" -name gameserver.exe -type f | head -n 1)"
CLIENT="$(find "$HOST_BUILD" -name test_client -type f -perm -u+x | head -n 1)"
if [ -z "$SERVER_EXE" ] || [ -z "$CLIENT" ]; then
  echo "skipped: gameserver.exe (${SERVER_EXE:-not built}) or the Linux test_client" \
       "(${CLIENT:-not built}) does not exist yet"
else
  port=$(( 20000 + RANDOM % 20000 ))
  log="$WIN_BUILD/gameserver-e2e.log"
  "$WINE64" "$SERVER_EXE" --port "$port" --workers 2 --stats-interval 0 > "$log" 2>&1 &
  server_pid=$!
  up=0
  for _ in $(seq 1 300); do  # up to 30 s for Wine to start it
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2> /dev/null; then up=1; break; fi
    sleep 0.1
  done
  e2e_ok=0
  if [ "$up" = 1 ] &&
     timeout 120 "$CLIENT" --port "$port" --bots 20 --rooms 2 --duration 5 --chat-per-sec 2 \
       --move-per-sec 2 --ping-per-sec 2 --quiet; then
    e2e_ok=1
  fi
  # Ctrl+C for a console program under Wine: SIGINT becomes CTRL_C_EVENT.
  kill -INT "$server_pid" 2> /dev/null || true
  for _ in $(seq 1 100); do kill -0 "$server_pid" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "$server_pid" 2> /dev/null; then
    echo "gameserver.exe did not stop on Ctrl+C within 10 s; killing it"
    kill -KILL "$server_pid" 2> /dev/null || true
  fi
  wait "$server_pid" 2> /dev/null || true
  tail -n 5 "$log"
  echo "--- gameserver-e2e: $((SECONDS - e2e_start)) s"
  if [ "$e2e_ok" = 1 ]; then
    passed=$((passed + 1))
  else
    [ "$up" = 1 ] || { echo "gameserver.exe did not listen on $port"; cat "$log"; }
    failed=$((failed + 1))
    failures+=("gameserver-e2e")
  fi
fi
"$WINESERVER" -k 2> /dev/null || true

step "done"
[ "$failed" -eq 0 ] || echo "failed: ${failures[*]}"
echo "windows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
