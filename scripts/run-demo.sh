#!/usr/bin/env bash
# Runs the demo end to end on loopback: starts gameserver on a free port with its accounts in a
# SQLite file of this run (no database server needed), plays 20 bots in 2 rooms for 5 seconds
# (chat, moves, pings), prints the bots' summary and the server's stats, then stops the server
# with SIGINT and checks that it exited cleanly. Then it shows saved state: a player logs in,
# moves and quits; the server restarts on the same file, and the player finds itself restored.
#
#   scripts/run-demo.sh BUILD_DIR [BOTS] [ROOMS] [SECONDS]
#
# Exit status 0 only if every bot got into its room and none was refused, dropped or timed out,
# the server saw no protocol error, and it exited 0 after SIGINT.
set -euo pipefail

build=${1:?usage: scripts/run-demo.sh BUILD_DIR [BOTS] [ROOMS] [SECONDS]}
bots=${2:-20}
rooms=${3:-2}
seconds=${4:-5}
server_bin="$build/gameserver/gameserver"
client_bin="$build/client/test_client"
for bin in "$server_bin" "$client_bin"; do
  [[ -x "$bin" ]] || { echo "run-demo: $bin not found; build first" >&2; exit 2; }
done

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the kernel picks a free port and the server prints it, so there is no race. The bots'
# passwords are hashed at the minimum cost (fit for bots only; players get `interactive`).
start_server() {
  "$server_bin" --host 127.0.0.1 --port 0 --stats-interval 1 --db "sqlite:$work/tavern.db" \
    --password-cost min >"$work/server.out" 2>"$work/server.err" &
  server_pid=$!
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^gameserver listening on port \([0-9]*\).*/\1/p' "$work/server.out" 2>/dev/null || true)
    [[ -n "$port" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    echo "run-demo: the server did not start" >&2
    cat "$work/server.out" "$work/server.err" >&2
    exit 1
  fi
}
stop_server() {
  kill -INT "$server_pid"
  local status=0
  wait "$server_pid" || status=$?
  server_pid=""
  return $status
}
start_server
echo "run-demo: $(grep -m1 '^gameserver listening' "$work/server.out")"
echo "run-demo: $bots bots in $rooms rooms for $seconds s (2 chats/s, 2 moves/s, 1 ping/s each)"

set +e
"$client_bin" --port "$port" --bots "$bots" --rooms "$rooms" --duration "$seconds" \
  --chat-per-sec 2 --move-per-sec 2 --ping-per-sec 1 --server-pid "$server_pid" |
  tee "$work/bots.out"
bots_status=${PIPESTATUS[0]}
set -e
under_load=$(grep '^stats:' "$work/server.out" | tail -n1 || true)

kill -INT "$server_pid"
set +e
wait "$server_pid"
server_status=$?
set -e
server_pid=""

echo "run-demo: server, last stats line under load: ${under_load:-none}"
echo "run-demo: server at exit: $(tail -n1 "$work/server.out")"
errors=$(tail -n1 "$work/server.out" | sed -n 's/.* \([0-9]*\) protocol errors$/\1/p')

failed=0
if [[ $bots_status -ne 0 ]]; then
  echo "run-demo: FAILED: the bots exited with $bots_status (refused, dropped or timed out)"
  failed=1
fi
if [[ $server_status -ne 0 ]]; then
  echo "run-demo: FAILED: the server exited with $server_status after SIGINT"
  cat "$work/server.err" >&2
  failed=1
fi
if [[ "${errors:-x}" != "0" ]]; then
  echo "run-demo: FAILED: the server counted protocol errors: ${errors:-unknown}"
  failed=1
fi

# Saved state: log in (creating the account), move, quit; restart; log in again.
echo "run-demo: accounts and saved state (SQLite file $work/tavern.db):"
start_server
printf '/move 3 4\n' | "$client_bin" --port "$port" --name demo-player --password demo-pass \
  --room 2 >"$work/first.out" 2>&1 || true
stop_server || true
start_server
printf '' | "$client_bin" --port "$port" --name demo-player --password demo-pass --room 2 \
  >"$work/second.out" 2>&1 || true
stop_server || true
sed -n 's/^/run-demo:   first run:  /p' "$work/first.out" | grep -E 'logged in|restored' || true
sed -n 's/^/run-demo:   after restart: /p' "$work/second.out" | grep -E 'logged in|restored' || true
if ! grep -q 'restored: last in room 2 at (3, 4)' "$work/second.out"; then
  echo "run-demo: FAILED: the player was not restored to room 2 at (3, 4) after the restart"
  cat "$work/second.out"
  failed=1
fi
[[ $failed -eq 0 ]] && echo "run-demo: OK"
exit $failed
