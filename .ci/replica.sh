#!/usr/bin/env bash
# Starts a streaming read replica of the local PostgreSQL (127.0.0.1:5432) on
# 127.0.0.1:5433, for the tests of the replica read path (docs/operations.md, "Read
# replicas"). It is what an operator does with a managed replica, on one machine: allow
# replication connections on the primary, take a base backup with `pg_basebackup -R`
# (which writes the standby's primary_conninfo and standby.signal), and start the standby.
# A replica already answering on the port is reused. Run as root (CI) or as postgres.
#
#   bash .ci/replica.sh && WENMING_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:5433/test go test ./...
set -euo pipefail

port=5433
dir=/var/tmp/wenming-replica
version="$(ls /etc/postgresql | sort -V | tail -1)"
bin="/usr/lib/postgresql/$version/bin"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi; }

if pg_isready -q -h 127.0.0.1 -p "$port"; then
  in_recovery="$(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()')"
  [ "$in_recovery" = t ] || { echo "127.0.0.1:$port answers but is not a standby" >&2; exit 1; }
  # A paused replay left by an interrupted test would make every later run stale.
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atqc 'SELECT pg_wal_replay_resume()' >/dev/null
  echo "replica already running on 127.0.0.1:$port"
  exit 0
fi

# The primary must accept replication connections from loopback.
hba="/etc/postgresql/$version/main/pg_hba.conf"
if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$hba"
  psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'SELECT pg_reload_conf()' >/dev/null
fi

as_postgres "$bin/pg_ctl" -D "$dir" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$dir"
chown postgres:postgres "$dir" 2>/dev/null || true
chmod 700 "$dir"
as_postgres pg_basebackup -h 127.0.0.1 -p 5432 -U postgres -D "$dir" -R -X stream -c fast
# Debian keeps the configuration outside the data directory; the standby gets its own.
max_connections="$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'SHOW max_connections')"
cat >"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = $max_connections
hot_standby = on
hot_standby_feedback = on
EOF
cat >"$dir/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
chown postgres:postgres "$dir/postgresql.conf" "$dir/pg_hba.conf" 2>/dev/null || true
as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/log" -w start >/dev/null
for _ in $(seq 30); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()' | grep -qx t
echo "replica running on 127.0.0.1:$port"
