#!/usr/bin/env bash
# Installs what Tavern needs (Debian 12), builds it, and runs the demo: the game server on a
# loopback port and a few seconds of bots against it (scripts/run-demo.sh prints what happened),
# then how to open the browser client.
# Set TAVERN_SKIP_INSTALL=1 to skip the package install (already done).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TAVERN_SKIP_INSTALL:-0}" != 1 ]; then scripts/install-deps.sh; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
scripts/run-demo.sh build
# The browser client (built above when node and npm are present): one more server to start.
if [ -f build/client/web/dist/index.html ]; then
  printf '\nThe browser client: run\n  build/gameserver/gameserver --port 7777 --ws-port 8080\n'
  printf 'and open http://localhost:8080/?name=alice&password=secret&room=1\n'
fi
