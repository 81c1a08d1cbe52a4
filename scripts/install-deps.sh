#!/usr/bin/env bash
# Installs the Debian 12 packages Tavern builds and tests with. Run as root (or with sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake ninja-build pkg-config \
  liburing-dev libconcurrentqueue-dev libprotobuf-dev libprotoc-dev protobuf-compiler \
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libasio-dev \
  clang llvm libclang-rt-14-dev procps \
  libsqlite3-dev libpq-dev libsodium-dev libunistring-dev postgresql \
  libnats-dev nats-server libwslay-dev libhttp-parser-dev nettle-dev \
  prometheus-cpp-dev libcivetweb-dev python3-prometheus-client python3 chromium \
  iproute2
# iproute2 (ip, tc): the reconnect chaos run's lossy-link variant shapes a namespace's loopback
# with netem (skipped where the kernel has no sch_netem).
# The store's tests start their own PostgreSQL 15 (initdb and pg_ctl from the package above) in
# a temporary folder; PostgreSQL refuses to run as root, so as root they run it as this user.
if ! id -u tavern-pg > /dev/null 2>&1; then
  $SUDO useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    tavern-pg
fi
# The bus's tests start their own nats-server (with JetStream, on a free loopback port, in a
# temporary folder). Debian's package also enables a system service on port 4222 that Tavern
# never uses: stopped and disabled where systemd runs.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
  $SUDO systemctl disable --now nats-server.service >/dev/null 2>&1 || true
fi
# The admin dashboard is bundled with npm packages (esbuild, uPlot): node and npm, Debian's
# unless the machine has a node of its own already.
if ! command -v npm >/dev/null; then
  $SUDO apt-get install -y --no-install-recommends nodejs npm
fi
# perf, for scripts/profile-ws-chat.sh (a profile taken by hand; no test needs it).
$SUDO apt-get install -y --no-install-recommends linux-perf
