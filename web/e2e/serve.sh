#!/usr/bin/env bash
# Starts a real platform for the browser tests: the binary built from this checkout, a
# fresh data directory (embedded SQLite, in-process Redis) and the demo data. Playwright
# runs it as its webServer and stops it at the end (docs/console.md "Tests"). With
# E2E_DATABASE (CI sets it) the platform runs on a fresh PostgreSQL database of that name
# instead, and E2E_REDIS_URL points it at a Redis server.
set -euo pipefail
cd "$(dirname "$0")"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
data="${E2E_DATA_DIR:-.data}"
rm -rf "$data" && mkdir -p "$data" .bin
if [ -n "${E2E_DATABASE:-}" ]; then
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $E2E_DATABASE WITH (FORCE)" -c "CREATE DATABASE $E2E_DATABASE"
  export WENMING_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$E2E_DATABASE?sslmode=disable"
  # On a database of its own the platform admin is made the production way.
  export WENMING_BOOTSTRAP_ADMIN_PASSWORD="e2e-admin-$RANDOM$RANDOM$RANDOM"
fi
if [ -n "${E2E_REDIS_URL:-}" ]; then
  export WENMING_REDIS_URL="$E2E_REDIS_URL" WENMING_REDIS_PREFIX="wenming-e2e:$$:"
fi
(cd ../.. && go build -o web/e2e/.bin/wenming ./cmd/wenming)
exec .bin/wenming serve --demo --data-dir "$data" --http-addr "127.0.0.1:${E2E_PORT:-18480}" \
  --grpc-addr "127.0.0.1:${E2E_GRPC_PORT:-18490}"
