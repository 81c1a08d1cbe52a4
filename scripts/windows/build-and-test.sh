#!/usr/bin/env bash
# Builds Tavern for Windows with mingw-w64 and runs its tests under Wine, on Debian 12.
#
#   scripts/windows/build-and-test.sh
#
# 1. scripts/windows/prepare-deps.sh: packages, the Windows dependency prefix (cached outside
#    the repository), a Wine prefix. Seconds when already done.
# 2. The host tools: protoc-gen-tavern (protoc and its plugins run on the build machine) and
#    the Linux test_client, built in build-windows-host/, or taken from an existing Linux build
#    of this tree (TAVERN_WIN_HOST_BUILD=build, as CI does after its Linux build).
# 3. For Windows with cmake/toolchains/mingw-w64-x86_64.cmake, in build-windows/: the test
#    suites to run and gameserver.exe, nothing else (incremental on a second run).
# 4. Each suite's *_tests.exe under Wine (IOCP is the backend there); any failure fails the
#    script. Skipped tests are listed with their reasons.
# 5. Once: gameserver.exe under Wine (--backend iocp, with --ws-port), driven over loopback by
#    the Linux test_client's bots, over TCP and over WebSocket at once in the same rooms; then
#    Ctrl+C, and the server must exit 0 with no protocol error.
#
# Environment:
#   TAVERN_WIN_SUITES      test suites to build and run (default: every *_tests target)
#   TAVERN_WIN_HOST_BUILD  host build directory to take the host tools from
#                          (default build-windows-host/, configured and built here)
#   TAVERN_WIN_BUILD_TYPE  default Release (-O2, no debug information); RelWithDebInfo adds
#                          it, which makes every compile half again slower and the .exe files
#                          70-120 MB
#   TAVERN_WIN_TEST_TIMEOUT seconds per test executable (default 900)
#   TAVERN_WIN_DEPS_DIR, WINEPREFIX, TAVERN_JOBS (parallel jobs, default: cores)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
JOBS="${TAVERN_JOBS:-$(nproc)}"
BUILD_TYPE="${TAVERN_WIN_BUILD_TYPE:-Release}"
HOST_BUILD="${TAVERN_WIN_HOST_BUILD:-$REPO/build-windows-host}"
[[ "$HOST_BUILD" = /* ]] || HOST_BUILD="$REPO/$HOST_BUILD"
WIN_BUILD="$REPO/build-windows"
TEST_TIMEOUT="${TAVERN_WIN_TEST_TIMEOUT:-900}"
start=$SECONDS
step_names=()
step_starts=()
step() {
  step_names+=("$1")
  step_starts+=("$SECONDS")
  printf '\n=== windows: %s (%ss)\n' "$1" "$((SECONDS - start))"
}
step_report() {  # one line per step with its wall-clock time
  local i end
  for i in "${!step_names[@]}"; do
    end=$SECONDS
    [ $((i + 1)) -lt "${#step_names[@]}" ] && end="${step_starts[$((i + 1))]}"
    printf 'windows: %5d s  %s\n' "$((end - step_starts[i]))" "${step_names[$i]}"
  done
  printf 'windows: %5d s  total\n' "$((SECONDS - start))"
}

step "dependencies (scripts/windows/prepare-deps.sh)"
PREFIX="$(scripts/windows/prepare-deps.sh | tail -n 1)"
DEPS="$(dirname "$PREFIX")"
export WINEPREFIX="${WINEPREFIX:-$DEPS/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
WINE64="$(dpkg -L wine64 | grep -E '/wine64$' | head -n 1)"
WINESERVER="$(dirname "$WINE64")/wineserver64"
[ -x "$WINESERVER" ] || WINESERVER="$(dirname "$WINE64")/wineserver"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
    kill -KILL "$server_pid" 2> /dev/null || true
  fi
  "$WINESERVER" -k 2> /dev/null || true  # the prefix's wineserver, made persistent below
}
trap cleanup EXIT

step "host tools (protoc-gen-tavern, test_client) in ${HOST_BUILD#"$REPO"/}"
mkdir -p "$HOST_BUILD" "$WIN_BUILD"
if [ ! -f "$HOST_BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$HOST_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTAVERN_BUILD_TESTS=OFF -DTAVERN_BUILD_BENCH=OFF > "$HOST_BUILD/tavern-configure.log" 2>&1 ||
    { cat "$HOST_BUILD/tavern-configure.log"; exit 1; }
fi
cmake --build "$HOST_BUILD" -j "$JOBS" --target protoc-gen-tavern test_client
PLUGIN="$HOST_BUILD/protocol/generator/protoc-gen-tavern"
CLIENT="$HOST_BUILD/client/test_client"
for tool in "$PLUGIN" "$CLIENT"; do
  [ -x "$tool" ] || { echo "no $tool after the host build"; exit 1; }
done

step "configure and build for Windows ($BUILD_TYPE)"
# Tests are discovered when CTest runs (through Wine), not after each link. Release is built
# with -O2, the optimisation of the project's default RelWithDebInfo, minus the debug
# information (CMake's -O3 also trips GCC 12's false -Wrestrict on std::string concatenation).
cmake -S . -B "$WIN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DCMAKE_TOOLCHAIN_FILE="$REPO/cmake/toolchains/mingw-w64-x86_64.cmake" \
  -DTAVERN_WIN_DEPS="$PREFIX" -DTAVERN_PROTOC_PLUGIN="$PLUGIN" \
  -DTAVERN_BUILD_BENCH=OFF -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST \
  > "$WIN_BUILD/tavern-configure.log" 2>&1 || { cat "$WIN_BUILD/tavern-configure.log"; exit 1; }
if [ -n "${TAVERN_WIN_SUITES:-}" ]; then
  read -r -a suites <<< "$TAVERN_WIN_SUITES"
else
  mapfile -t suites < <(cmake --build "$WIN_BUILD" --target help |
                        sed -n 's/^\([A-Za-z0-9_]*_tests\):.*/\1/p' | sort -u)
fi
[ "${#suites[@]}" -gt 0 ] || { echo "no test suites to build"; exit 1; }
echo "suites: ${suites[*]}"
cmake --build "$WIN_BUILD" -j "$JOBS" --target "${suites[@]}" gameserver

step "tests under Wine"
"$WINESERVER" -p 2> /dev/null || true  # one wineserver for every run below, not one each
# The first program started in a Wine session also starts Wine's services (services.exe,
# winedevice.exe, ...), which live on with that program's stdout: started here on /dev/null,
# not by a test whose output goes through a pipe, or the pipe would never reach its end.
"$WINE64" cmd.exe /c exit 0 < /dev/null > /dev/null 2>&1 || true
passed=0
failed=0
failures=()
tests_passed=0
tests_failed=0
tests_skipped=0
skipped_lines=()
# From gtest's summary: "[  PASSED  ] N tests.", "[  SKIPPED ] N tests, ...", "[  FAILED  ] N ..."
count() { sed -n "s/^\[  $1 *\] \([0-9]*\) tests\{0,1\}[.,].*/\1/p" "$2" | tail -n 1; }
for name in "${suites[@]}"; do
  exe="$(find "$WIN_BUILD/tests" -name "$name.exe" -type f | head -n 1)"
  [ -n "$exe" ] || { echo "no $name.exe in $WIN_BUILD"; exit 1; }
  echo "--- $name"
  suite_start=$SECONDS
  log="$WIN_BUILD/$name-wine.log"
  # From the executable's folder, as CTest would (some tests read files relative to it).
  set +e
  (cd "$(dirname "$exe")" && timeout --kill-after=10 "$TEST_TIMEOUT" "$WINE64" "$exe" 2>&1) |
    tr -d '\r' | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  n_passed="$(count PASSED "$log")"
  n_skipped="$(count SKIPPED "$log")"
  n_failed="$(count FAILED "$log")"
  tests_passed=$((tests_passed + ${n_passed:-0}))
  tests_skipped=$((tests_skipped + ${n_skipped:-0}))
  tests_failed=$((tests_failed + ${n_failed:-0}))
  # Each skip's reason is the line after "<file>:<line>: Skipped"; one line per reason.
  while IFS= read -r line; do skipped_lines+=("$name: $line"); done \
    < <(grep -A1 ': Skipped$' "$log" | grep -v -e ': Skipped$' -e '^--$' | sort | uniq -c || true)
  if [ "$status" -eq 0 ] && [ -n "$n_passed" ]; then
    passed=$((passed + 1))
  else
    [ "$status" -eq 124 ] && echo "$name: timed out after $TEST_TIMEOUT s"
    failed=$((failed + 1))
    failures+=("$name")
  fi
  echo "--- $name: ${n_passed:-0} passed, ${n_skipped:-0} skipped, ${n_failed:-0} failed," \
       "$((SECONDS - suite_start)) s"
done

step "end to end: gameserver.exe under Wine, Linux test_client bots over TCP and WebSocket"
SERVER_EXE="$WIN_BUILD/gameserver/gameserver.exe"
log="$WIN_BUILD/gameserver-e2e.log"
# Port 0 for both listeners: Windows picks free ports and the server prints them (no race).
"$WINE64" "$SERVER_EXE" --host 127.0.0.1 --port 0 --ws-port 0 --workers 2 --backend iocp \
  --stats-interval 0 > "$log" 2>&1 &
server_pid=$!
port=""
ws_port=""
for _ in $(seq 1 300); do  # up to 30 s for Wine to start it
  port="$(sed -n 's/^gameserver listening on port \([0-9]*\) (iocp.*/\1/p' "$log")"
  ws_port="$(sed -n 's/^websocket listening on port \([0-9]*\) .*/\1/p' "$log")"
  [ -n "$port" ] && [ -n "$ws_port" ] && break
  kill -0 "$server_pid" 2> /dev/null || break
  sleep 0.1
done
# summary_field LOG NAME: NAME=<value> from test_client's summary line.
summary_field() { sed -n "s/^summary: .* $2=\([0-9]*\) .*/\1/p" "$1" | tail -n 1; }
# One room mixes both transports: 20 TCP bots and 20 WebSocket bots over rooms 1 and 2, all
# at once. Each client must pass (every bot in a room, none refused, dropped or timed out), and
# each must have received more chat lines than its own bots can have sent one another (lines
# sent x its bots per room): the rest came over the other transport.
E2E_BOTS=20
E2E_ROOMS=2
e2e_ok=0
if [ -n "$port" ] && [ -n "$ws_port" ]; then
  grep -m1 '^gameserver listening' "$log"
  grep -m1 '^websocket listening' "$log"
  e2e_ok=1
  transports=(tcp ws)
  bot_pids=()
  for transport in "${transports[@]}"; do
    if [ "$transport" = ws ]; then flags=(--ws --port "$ws_port"); else flags=(--port "$port"); fi
    timeout 120 "$CLIENT" "${flags[@]}" --name-prefix "$transport" --bots "$E2E_BOTS" \
      --rooms "$E2E_ROOMS" --duration 5 --chat-per-sec 2 --move-per-sec 2 --ping-per-sec 2 \
      --quiet > "$WIN_BUILD/e2e-$transport-bots.log" 2>&1 &
    bot_pids+=($!)
  done
  for i in "${!transports[@]}"; do
    transport="${transports[$i]}"
    bots_log="$WIN_BUILD/e2e-$transport-bots.log"
    set +e
    wait "${bot_pids[$i]}"
    status=$?
    set -e
    echo "$transport bots: $(grep '^summary:' "$bots_log" || echo 'no summary')"
    sent="$(summary_field "$bots_log" chats_sent)"
    received="$(summary_field "$bots_log" chat_recv)"
    own_bound=$(( ${sent:-0} * ((E2E_BOTS + E2E_ROOMS - 1) / E2E_ROOMS) ))
    if [ "$status" -ne 0 ]; then
      cat "$bots_log"
      echo "the $transport bots failed (status $status)"
      e2e_ok=0
    elif [ -z "$received" ] || [ "$received" -le "$own_bound" ]; then
      echo "the $transport bots received ${received:-no} chat lines, no more than their own" \
           "bots can have sent one another ($own_bound): no line crossed transports"
      e2e_ok=0
    fi
  done
else
  echo "gameserver.exe did not start listening on iocp (TCP and WebSocket)"
fi
# Ctrl+C for a console program under Wine: SIGINT becomes CTRL_C_EVENT.
kill -INT "$server_pid" 2> /dev/null || true
for _ in $(seq 1 100); do kill -0 "$server_pid" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2> /dev/null; then
  echo "gameserver.exe did not stop on Ctrl+C within 10 s; killing it"
  kill -KILL "$server_pid" 2> /dev/null || true
  e2e_ok=0
fi
set +e
wait "$server_pid" 2> /dev/null
server_status=$?
set -e
server_pid=""
tail -n 3 "$log"
if [ "$server_status" -ne 0 ]; then
  echo "gameserver.exe exited with status $server_status"
  e2e_ok=0
fi
if ! tr -d '\r' < "$log" | grep -q ' 0 protocol errors$'; then  # Wine writes CRLF
  echo "gameserver.exe did not report 0 protocol errors at exit"
  e2e_ok=0
fi
if [ "$e2e_ok" = 1 ]; then
  passed=$((passed + 1))
else
  cat "$log"
  failed=$((failed + 1))
  failures+=("gameserver-e2e")
fi

step "done"
if [ "${#skipped_lines[@]}" -gt 0 ]; then
  echo "skipped under Wine (how many, and why):"
  printf '  %s\n' "${skipped_lines[@]}"
fi
echo "windows: tests: $tests_passed passed, $tests_skipped skipped, $tests_failed failed"
[ "$failed" -eq 0 ] || echo "windows: failed: ${failures[*]}"
echo "windows: $passed of $((passed + failed)) runs passed (${#suites[@]} suites + gameserver-e2e)"
step_report
[ "$failed" -eq 0 ]
