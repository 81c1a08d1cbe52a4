#!/usr/bin/env bash
# The login storm: logins per second into one gameserver for new and for returning accounts, at
# the `min` and `interactive` Argon2id costs, on SQLite and on PostgreSQL, with name-only login
# (no accounts, `--db ""`) as the reference in the same run; and the ping of 1,000 players who
# stay connected through each storm (each pings once a second; p99 over the storm plus about 3 s
# around it). The server (2 workers, and its hashing threads) is pinned to one core, the load
# (login_storm with 64 logins in flight, and the 1,000 pingers) to the other. Returning logins at
# `min` cost also run capped at 2,000 a second: the issue's target is that rate with the
# pingers' p99 under 5 ms. Writes
# BUILD_DIR/bench-results/login-storm-<UTC time>.json. Loopback only; bounded: about 3 minutes
# with 10 s storms.
#
#   bench/login/run-login-storm.sh [BUILD_DIR] [STORM_SECONDS]
#   env: TAVERN_BENCH_CPUS ("0 1": server core, load core), TAVERN_BENCH_STORES ("none sqlite postgresql")
set -euo pipefail
build=${1:-build}
seconds=${2:-10}
stores=${TAVERN_BENCH_STORES:-none sqlite postgresql}
read -r server_cpu load_cpu <<<"${TAVERN_BENCH_CPUS:-0 1}"
server="$build/gameserver/gameserver"
storm="$build/bench/login/login_storm"
pingers="$build/bench/c100k/c100k_clients"
pg="$build/bench/login/pg_for_bench"
source "$(dirname "$0")/../bench-lib.sh"
require_pinned_tools "$server" "$storm" "$pingers"
ulimit -n "$(ulimit -Hn)"
port=$(first_port)
out=$(results_file "$build" login-storm json)
stamp=$(basename "$out" .json)
stamp=${stamp#login-storm-}
work=$(mktemp -d)
trap 'bench_cleanup; [ -n "${pg_pid:-}" ] && kill "$pg_pid" 2>/dev/null; rm -rf "$work"' EXIT
password=storm-password
cases=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
command_line="$0 $*"

serve() {  # DB_URL COST: starts the server on a new port
  port=$((port + 1))
  start_server "$port" taskset -c "$server_cpu" "$server" --port "$port" --workers 2 --db "$1" \
    --password-cost "$2" --stats-interval 0 --log-level error --admin-port -1 \
    --login-failures-per-address 1000000
}

storm_once() {  # ARGS...: runs login_storm, prints its report line
  taskset -c "$load_cpu" "$storm" --port "$port" --password "$password" "$@" | grep "login_storm:"
}

measure() {  # LABEL STORE COST KIND RATE STORM_ARGS...: one storm with the pingers on (RATE: logins
  # started per second at most, 0: as many as the server answers), as a JSON object
  local label=$1 store=$2 cost=$3 kind=$4 rate=$5 line pinger_line status=0
  shift 5
  taskset -c "$load_cpu" "$pingers" --port "$port" --count 1000 --first 900000 --ping-interval 1 \
    --hold $((seconds + 3)) --password "$password" --in-flight 64 >"$work/pingers" 2>&1 &
  local pinger_pid=$!
  until grep -qs "logged in in" "$work/pingers"; do
    kill -0 "$pinger_pid" 2>/dev/null || { cat "$work/pingers"; echo "the pingers did not log in"; exit 1; }
    sleep 0.2
  done
  sleep 1
  line=$(storm_once --seconds "$seconds" --rate "$rate" "$@") || status=$?
  wait "$pinger_pid" || status=$?
  pinger_line=$(grep "connected=" "$work/pingers" | tail -1)
  printf '%-28s %s | pingers: p50_us=%s p99_us=%s lost=%s\n' "$label" "$line" \
    "$(field p50_us "$pinger_line")" "$(field p99_us "$pinger_line")" "$(field lost "$pinger_line")"
  cases+=("$(printf '{"store": "%s", "cost": "%s", "accounts": "%s", "rate_cap": %s, "logins": %s, "created": %s, "failed": %s, "seconds": %s, "logins_per_s": %s, "login_p50_ms": %s, "login_p99_ms": %s, "ping_p50_us": %s, "ping_p99_us": %s, "pongs_lost": %s, "ok": %s}' \
    "$store" "$cost" "$kind" "$rate" "$(field logins "$line")" "$(field created "$line")" "$(field failed "$line")" "$(field seconds "$line")" \
    "$(field per_s "$line")" "$(field p50_ms "$line")" "$(field p99_ms "$line")" \
    "$(field p50_us "$pinger_line")" "$(field p99_us "$pinger_line")" "$(field lost "$pinger_line")" \
    "$([ "$status" = 0 ] && echo true || echo false)")")
}

for store in $stores; do
  case $store in
    none) url="" ;;
    sqlite) url="sqlite:$work/storm.db" ;;
    postgresql)
      [ -x "$pg" ] || { echo "postgresql: skipped ($pg not built)"; continue; }
      coproc PG { "$pg" 2>&1; }
      pg_pid=$PG_PID
      read -r url <&"${PG[0]}" || true
      case $url in postgresql://*) ;; *) echo "postgresql: skipped: $url"; continue ;; esac ;;
  esac
  if [ "$store" = none ]; then
    serve "" min
    measure "name only (no accounts)" none - - 0 --names n --count 100000000
    stop_server
    continue
  fi
  # Accounts the measurements need first: the pingers' and the returning pools.
  serve "$url" min
  taskset -c "$load_cpu" "$pingers" --port "$port" --count 1000 --first 900000 --hold 0 \
    --password "$password" >/dev/null 2>&1 || true
  storm_once --names rm --count 2000 --seconds 120 >/dev/null
  measure "$store min new" "$store" min new 0 --names nm --count 100000000
  measure "$store min returning" "$store" min returning 0 --names rm --count 2000 --cycle
  measure "$store min returning 2000/s" "$store" min returning 2000 --names rm --count 2000 --cycle
  stop_server
  serve "$url" interactive
  measure "$store interactive new" "$store" interactive new 0 --names ri --count 100000000
  measure "$store interactive returning" "$store" interactive returning 0 --names ri --count 100 --cycle
  stop_server
  if [ "$store" = postgresql ]; then
    eval "exec ${PG[1]}>&-"  # pg_for_bench removes the server once its stdin closes
    kill "$pg_pid" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
    pg_pid=
  fi
done

{
  printf '{\n  "bench": "login-storm",\n  "utc": "%s",\n  "storm_seconds": %s,\n' "$stamp" "$seconds"
  printf '  "command": %s,\n  "load_before": "%s",\n  "load_after": "%s",\n  "cases": [\n' \
    "$(json_str "$command_line")" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
  json_items "${cases[@]}"
  printf '  ]\n}\n'
} >"$out"
echo "results: $out"
