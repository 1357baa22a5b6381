#!/usr/bin/env bash
# A PostgreSQL primary and a synchronous standby managed by pg_auto_failover, all on 127.0.0.1:
# what the failover test runs against and what an operator can start by hand (docs/operations.md,
# "High availability"). The monitor's health checks are tuned so that a dead primary is replaced
# in about 7 s (the defaults take about 50 s); see docs/decisions/0034.
#
#   bench/ha/cluster.sh up            start the monitor and two nodes, create the cloudbill role and
#                                     database, wait for primary + secondary, print the connection string
#   bench/ha/cluster.sh down          stop everything and remove the base directory (idempotent)
#   bench/ha/cluster.sh kill-primary  SIGKILL the primary node (its pg_autoctl, children and postmaster)
#   bench/ha/cluster.sh start NODE    start a killed node again (it rejoins as the standby: pg_rewind)
#   bench/ha/cluster.sh wait          wait until there is a primary and a secondary again
#   bench/ha/cluster.sh status        the monitor's view: node, port, reported and goal state
#   bench/ha/cluster.sh uri           the Npgsql multi-host connection string
#
# Settings (environment): CLOUDBILL_HA_DIR (default /tmp/cloudbill-ha), CLOUDBILL_HA_PORT (the
# monitor's port; the nodes take the next two; default 6000), CLOUDBILL_HA_USER/PASSWORD (the
# application's role, default cloudbill/cloudbill), CLOUDBILL_HA_DATABASE (default cloudbill).
# The PostgreSQL processes run as the `postgres` user (pg_ctl refuses root).
set -euo pipefail

B=${CLOUDBILL_HA_DIR:-/tmp/cloudbill-ha}
MONITOR_PORT=${CLOUDBILL_HA_PORT:-6000}
NODE1_PORT=$((MONITOR_PORT + 1))
NODE2_PORT=$((MONITOR_PORT + 2))
APP_USER=${CLOUDBILL_HA_USER:-cloudbill}
APP_PASSWORD=${CLOUDBILL_HA_PASSWORD:-cloudbill}
APP_DATABASE=${CLOUDBILL_HA_DATABASE:-cloudbill}
PGBIN=/usr/lib/postgresql/15/bin
MON="postgres://autoctl_node@127.0.0.1:${MONITOR_PORT}/pg_auto_failover?sslmode=disable"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Runs a command as postgres with pg_autoctl's files kept in the base directory (not postgres's home).
as_postgres() {
  local envs=(PATH="$PGBIN:/usr/bin:/bin" HOME="$B" XDG_CONFIG_HOME="$B/xdg/config" XDG_DATA_HOME="$B/xdg/share"
    XDG_RUNTIME_DIR="$B/xdg/run" PGHOST="$B/sock")
  if [ "$(id -un)" = postgres ]; then
    env "${envs[@]}" "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- env "${envs[@]}" "$@"
  else
    sudo -u postgres env "${envs[@]}" "$@"
  fi
}

monitor_sql() { as_postgres psql -X -h 127.0.0.1 -p "$MONITOR_PORT" -U autoctl_node -d pg_auto_failover -Atc "$1" 2>/dev/null; }

uri() {
  echo "Host=127.0.0.1:${NODE1_PORT},127.0.0.1:${NODE2_PORT};Database=${APP_DATABASE};Username=${APP_USER};Password=${APP_PASSWORD};Target Session Attributes=read-write;Host Recheck Seconds=1;Timeout=5"
}

# Waits until the monitor's query prints what is expected (up to $3 seconds).
wait_for() {
  local query=$1 expected=$2 seconds=${3:-120} i
  for ((i = 0; i < seconds * 4; i++)); do
    [ "$(monitor_sql "$query" || true)" = "$expected" ] && return 0
    sleep 0.25
  done
  echo "cluster.sh: timed out after ${seconds}s waiting for '$query' = '$expected'; state:" >&2
  status >&2 || true
  return 1
}

wait_healthy() {
  wait_for "select count(*) filter (where reportedstate = 'primary' and goalstate = 'primary')
              || '/' || count(*) filter (where reportedstate = 'secondary' and goalstate = 'secondary')
            from pgautofailover.node" "1/1" "${1:-120}"
}

status() {
  monitor_sql "select nodename || ' ' || nodeport || ' ' || reportedstate || ' ' || goalstate from pgautofailover.node order by nodeid"
}

mkinit() {
  as_postgres initdb -D "$B/$1" --auth=trust --encoding=UTF8 --locale=C.UTF-8 -U postgres >"$B/log/initdb-$1.log"
  # pg_autoctl's include comes first: these lines win (sockets here, localhost only, a small
  # buffer, checkpoints that do not hold a standby's base backup, a standby that reconnects fast).
  as_postgres tee -a "$B/$1/postgresql.conf" >/dev/null <<EOC
unix_socket_directories = '$B/sock'
listen_addresses = '127.0.0.1'
shared_buffers = '128MB'
max_connections = 300
checkpoint_completion_target = 0
wal_retrieve_retry_interval = '1s'
EOC
}

start_node() {
  local name=$1 port=$2
  in_session "$name" pg_autoctl create postgres --pgdata "$B/$name" --pgport "$port" --hostname 127.0.0.1 --listen 127.0.0.1 \
    --name "$name" --dbname "$APP_DATABASE" --auth trust --no-ssl --ssl-mode disable --monitor "$MON" --run
}

# Starts pg_autoctl in its own session (so its process group holds its children and the postmaster),
# its pid (= the group's id) in $B/NAME.autoctl.pid, its output in $B/log/NAME.log.
in_session() {
  local name=$1
  shift
  as_postgres setsid sh -c 'echo $$ >"$0"; exec "$@"' "$B/$name.autoctl.pid" "$@" >>"$B/log/$name.log" 2>&1 </dev/null &
  for _ in $(seq 1 40); do [ -s "$B/$name.autoctl.pid" ] && return 0; sleep 0.05; done
}


up() {
  if [ -f "$B/monitor.autoctl.pid" ] && kill -0 "$(cat "$B/monitor.autoctl.pid")" 2>/dev/null; then
    wait_healthy 60
    uri
    return
  fi
  command -v pg_autoctl >/dev/null || { echo "cluster.sh: pg_autoctl is missing: apt-get install -y postgresql-15-auto-failover pg-auto-failover-cli" >&2; exit 1; }
  as_root rm -rf "$B"
  as_root mkdir -p "$B"
  as_root chown postgres: "$B"
  as_postgres mkdir -p "$B/sock" "$B/log" "$B/xdg/run"
  as_postgres chmod 700 "$B/xdg/run"
  cd "$B"

  mkinit monitor
  as_postgres tee -a "$B/monitor/postgresql.conf" >/dev/null <<EOC
pgautofailover.health_check_period = 1000
pgautofailover.health_check_timeout = 1000
pgautofailover.health_check_max_retries = 1
pgautofailover.health_check_retry_delay = 500
pgautofailover.node_considered_unhealthy_timeout = 3000
pgautofailover.primary_demote_timeout = 3000
EOC
  in_session monitor pg_autoctl create monitor --pgdata "$B/monitor" --pgport "$MONITOR_PORT" --hostname 127.0.0.1 --listen 127.0.0.1 \
    --auth trust --no-ssl --ssl-mode disable --run
  wait_for "select count(*) from pgautofailover.formation" 1 60

  mkinit node1
  start_node node1 "$NODE1_PORT"
  wait_for "select reportedstate from pgautofailover.node where nodename = 'node1'" single 60
  # No initdb for the standby: pg_basebackup from node1.
  start_node node2 "$NODE2_PORT"
  wait_healthy 120
  for n in node1 node2; do
    # Below primary_demote_timeout: a cut-off primary demotes itself before the standby is promoted.
    as_postgres pg_autoctl config set --pgdata "$B/$n" timeout.network_partition_timeout 2 >/dev/null
  done

  local primary
  primary=$(primary_port)
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$primary" -U postgres -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_USER}') THEN
    CREATE ROLE ${APP_USER} LOGIN PASSWORD '${APP_PASSWORD}' CREATEDB;
  END IF;
END \$\$;
GRANT pg_signal_backend TO ${APP_USER};
ALTER DATABASE ${APP_DATABASE} OWNER TO ${APP_USER};
SQL
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$primary" -U postgres -d "$APP_DATABASE" \
    -c "ALTER SCHEMA public OWNER TO ${APP_USER}"
  uri
}

primary_port() { monitor_sql "select nodeport from pgautofailover.node where reportedstate in ('primary', 'wait_primary', 'single') order by nodeid limit 1"; }
primary_name() { monitor_sql "select nodename from pgautofailover.node where reportedstate in ('primary', 'wait_primary', 'single') order by nodeid limit 1"; }

# SIGKILL to a node's whole process group: pg_autoctl (started with setsid), its children and the
# postmaster with its backends. Killing only the postmaster races a local restart against a failover.
kill_node() {
  local name=$1 pid
  pid=$(cat "$B/$name.autoctl.pid")
  as_root kill -KILL -- "-$pid" 2>/dev/null || true
  # A postmaster outside the group (it should not be) goes too.
  if [ -f "$B/$name/postmaster.pid" ]; then
    as_root kill -KILL "$(head -n 1 "$B/$name/postmaster.pid")" 2>/dev/null || true
  fi
}

kill_primary() {
  local name
  name=$(primary_name)
  [ -n "$name" ] || { echo "cluster.sh: no primary to kill" >&2; status >&2; exit 1; }
  kill_node "$name"
  echo "$name"
}

start_again() {
  local name=$1
  # The killed node's pg_autoctl runs again with its existing configuration: it rejoins as the standby.
  as_postgres rm -f "$B/$name.autoctl.pid"
  in_session "$name" pg_autoctl run --pgdata "$B/$name"
}

down() {
  [ -d "$B" ] || return 0
  local pids=() n pid
  for n in node1 node2 monitor; do
    [ -f "$B/$n.autoctl.pid" ] || continue
    pid=$(cat "$B/$n.autoctl.pid")
    if kill -0 "$pid" 2>/dev/null; then
      as_root kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    # The monitor last: the nodes report to it while they stop.
    if [ "$n" = node2 ]; then
      for pid in "${pids[@]}"; do
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      done
      pids=()
    fi
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  done
  # Whatever did not stop (a killed node's orphaned postmaster) is killed.
  for n in node1 node2 monitor; do
    [ -f "$B/$n.autoctl.pid" ] && as_root kill -KILL -- "-$(cat "$B/$n.autoctl.pid")" 2>/dev/null || true
    [ -f "$B/$n/postmaster.pid" ] && as_root kill -KILL "$(head -n 1 "$B/$n/postmaster.pid")" 2>/dev/null || true
  done
  as_root rm -rf "$B"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  kill-primary) kill_primary ;;
  start) start_again "${2:?node name (node1 or node2)}" ;;
  wait) wait_healthy "${2:-120}" ;;
  status) status ;;
  uri) uri ;;
  *) echo "usage: $0 up|down|kill-primary|start NODE|wait|status|uri" >&2; exit 2 ;;
esac
