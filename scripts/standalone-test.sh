#!/usr/bin/env bash
# Builds a game against an installed Tavern, the way a game team would:
#   1. installs Tavern from a build folder into a temporary prefix (cmake --install);
#   2. configures and builds examples/standalone with find_package(Tavern) from that prefix,
#      together with the README's "A server in a few lines", cut out of README.md as written;
#   3. runs the example (its server and a client exchange over loopback) and starts and stops
#      the README's server (echoing a line through it when port 7777 is free).
# Exits 0 on success.
#   scripts/standalone-test.sh [BUILD_DIR]      (default: build; configured already)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tavern-standalone.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '== %s\n' "$*"; }

step "building Tavern's installed targets in $build"
targets="tavern_jobs tavern_core tavern_protocol tavern_log protoc-gen-tavern"
if cmake --build "$build" --target help 2>/dev/null | grep -q '^tavern_admin\b'; then
    targets="$targets tavern_admin"
fi
# shellcheck disable=SC2086
cmake --build "$build" --target $targets

step "installing into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" >/dev/null

step "cutting \"A server in a few lines\" out of README.md"
awk '/^## A server in a few lines/ {section = 1; next}
     section && /^```cpp/ {code = 1; next}
     code && /^```/ {exit}
     code {print}' "$root/README.md" >"$work/readme_server.cpp"
if [ ! -s "$work/readme_server.cpp" ]; then
    echo "README.md has no C++ block under \"A server in a few lines\"" >&2
    exit 1
fi

step "building examples/standalone against the installed package"
cmake -S "$root/examples/standalone" -B "$work/build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DTAVERN_README_SNIPPET="$work/readme_server.cpp" \
    ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} \
    >/dev/null
cmake --build "$work/build"

step "running the lobby example"
timeout 60 "$work/build/lobby"

step "starting and stopping the README's server"
port_free=1
if command -v ss >/dev/null && ss -ltn | grep -q ':7777 '; then port_free=0; fi
"$work/build/readme_server" &
server_pid=$!
sleep 1
kill -0 "$server_pid"  # still running: it waits for SIGINT / SIGTERM
if [ "$port_free" = 1 ]; then
    exec 3<>/dev/tcp/127.0.0.1/7777
    printf 'hello tavern\n' >&3
    IFS= read -r -t 5 reply <&3
    exec 3<&-
    if [ "$reply" != "hello tavern" ]; then
        echo "the README's server echoed \"$reply\"" >&2
        exit 1
    fi
    echo "echoed: $reply"
else
    echo "port 7777 is taken on this machine: not echoing through the README's server"
fi
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
if [ "$status" != 0 ]; then
    echo "the README's server exited $status after SIGTERM" >&2
    exit 1
fi
step "standalone build and run: ok"
