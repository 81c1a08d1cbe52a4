#!/usr/bin/env bash
# Installs what Tavern needs (Debian 12), builds it, and runs the demo: the game server on a
# loopback port and a few seconds of bots against it (scripts/run-demo.sh prints what happened).
# Set TAVERN_SKIP_INSTALL=1 to skip the package install (already done).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TAVERN_SKIP_INSTALL:-0}" != 1 ]; then scripts/install-deps.sh; fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
scripts/run-demo.sh build
