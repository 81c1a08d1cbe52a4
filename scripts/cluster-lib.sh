# The servers a cluster run needs, for scripts/cluster-demo.sh and bench/cluster/: a nats-server
# (JetStream) and a PostgreSQL of the run's own, on free loopback ports, in the run's folder.
# Source it after setting `work` (the run's folder, mode 755), `pg_bin` and `nats_bin`; `label`
# prefixes its messages. PostgreSQL refuses to run as root: as root it runs as the system user
# tavern-pg (made if missing), as the tests' PostgreSQL fixture does.
nats_pid=""
pg_started=0

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_run() {  # a PostgreSQL program as the server's user, from its folder
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$work/pg" && runuser -u tavern-pg -- "$pg_bin/$1" "${@:2}")
  else
    (cd "$work/pg" && "$pg_bin/$1" "${@:2}")
  fi
}

# start_nats [MONITOR_PORT]: sets nats_pid and nats_url.
start_nats() {
  local port monitor=()
  port=$(free_port)
  [[ -n "${1:-}" ]] && monitor=(-m "$1")
  "$nats_bin" -a 127.0.0.1 -p "$port" "${monitor[@]}" -js -sd "$work/js" >"$work/nats.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 1 100); do grep -q "Server is ready" "$work/nats.log" && break; sleep 0.1; done
  grep -q "Server is ready" "$work/nats.log" ||
    { echo "$label: nats-server did not start" >&2; cat "$work/nats.log" >&2; exit 1; }
  nats_url="nats://127.0.0.1:$port"
}

# start_postgres: initdb and pg_ctl into $work/pg, trust on loopback, fsync off; sets pg_port
# and db.
start_postgres() {
  mkdir "$work/pg"
  if [[ $(id -u) -eq 0 ]]; then
    id -u tavern-pg >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin tavern-pg
    chown tavern-pg: "$work/pg"
  fi
  pg_run initdb -D "$work/pg/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$work/initdb.log" 2>&1 ||
    { echo "$label: initdb failed" >&2; cat "$work/initdb.log" >&2; exit 1; }
  pg_port=$(free_port)
  pg_run pg_ctl -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pg -c fsync=off" start >/dev/null ||
    { echo "$label: PostgreSQL did not start" >&2; cat "$work/pg/server.log" >&2; exit 1; }
  pg_started=1
  db="postgresql://postgres@127.0.0.1:$pg_port/postgres"
}

# stop_cluster_servers: both, at once (from the run's EXIT trap).
stop_cluster_servers() {
  [[ -n "$nats_pid" ]] && kill -KILL "$nats_pid" 2>/dev/null || true
  if [[ $pg_started -eq 1 ]]; then pg_run pg_ctl -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
}
