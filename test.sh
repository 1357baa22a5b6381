#!/usr/bin/env bash
# Runs every Cloudbill test on a fresh Debian machine, installing what the tests need:
# Debian's Chromium for the browser tests, a running PostgreSQL 15 for the PostgreSQL half of
# every persistence test, and the .NET tools of the repository. Exit 0 only if all is green.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
step() { printf '\n== %s\n' "$*"; }

step "Chromium for the browser tests (Debian's package, never a downloaded browser), a CJK font for the Chinese pages, sqlite3 for the SDK tests"
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! command -v sqlite3 >/dev/null 2>&1; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk sqlite3
fi
chromium --version

step "PostgreSQL 15"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15
fi
as_root pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
# The tests run classes in parallel, each with its servers and pools (two nodes, crash storms),
# beside whatever else uses the cluster (bench/run.sh): PostgreSQL's default 100 connections
# run out ("remaining connection slots are reserved"). Raised once; takes a restart.
if [ "$(as_root su postgres -c "psql -tAc 'SHOW max_connections'")" -lt 300 ]; then
  as_root su postgres -c "psql -q -c 'ALTER SYSTEM SET max_connections = 300'"
  as_root pg_ctlcluster 15 main restart
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
fi
PGUSER_NAME=${CLOUDBILL_PG_USER:-cloudbill}
PGUSER_PASSWORD=${CLOUDBILL_PG_PASSWORD:-cloudbill}
as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PGUSER_NAME}') THEN
    CREATE ROLE ${PGUSER_NAME} LOGIN PASSWORD '${PGUSER_PASSWORD}' CREATEDB;
  ELSE
    ALTER ROLE ${PGUSER_NAME} LOGIN PASSWORD '${PGUSER_PASSWORD}' CREATEDB;
  END IF;
END \$\$;
-- Test databases are dropped WITH (FORCE), which ends their leftover connections.
GRANT pg_signal_backend TO ${PGUSER_NAME};
SQL
if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'cloudbill'\"" | grep -q 1; then
  as_root su postgres -c "createdb -O ${PGUSER_NAME} cloudbill"
fi
export CLOUDBILL_TEST_POSTGRES="Host=127.0.0.1;Port=5432;Username=${PGUSER_NAME};Password=${PGUSER_PASSWORD};Database=postgres"
# A missing PostgreSQL must fail the run, not skip half of the persistence tests.
export CLOUDBILL_REQUIRE_POSTGRES=1

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

step "Restore and build (warnings are errors)"
dotnet tool restore
dotnet restore Cloudbill.slnx
dotnet build Cloudbill.slnx --no-restore -c Debug

step "Formatting (dotnet format --verify-no-changes)"
dotnet format Cloudbill.slnx --verify-no-changes --no-restore

step "Migrations match the model, for both providers"
for provider in Sqlite Postgres; do
  dotnet ef migrations has-pending-model-changes --no-build \
    --project "src/Cloudbill.Migrations.${provider}" --startup-project "src/Cloudbill.Migrations.${provider}"
done

step "pg_auto_failover: a primary and a synchronous standby for the failover test (bench/ha/cluster.sh)"
if ! command -v pg_autoctl >/dev/null 2>&1; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15-auto-failover pg-auto-failover-cli
fi
# Its own base directory and ports (6000-6002 by default), torn down at the end whatever happens.
export CLOUDBILL_HA_CLUSTER="$PWD/bench/ha/cluster.sh"
trap '"$CLOUDBILL_HA_CLUSTER" down || true' EXIT
"$CLOUDBILL_HA_CLUSTER" down
CLOUDBILL_HA_POSTGRES=$("$CLOUDBILL_HA_CLUSTER" up)
export CLOUDBILL_HA_POSTGRES

mkdir -p artifacts
# The failover test (tests/Cloudbill.Server.Tests/Failover/) first and alone, on a cluster just
# started: its monitor's health checks are tuned to fail over within seconds, so under the rest of
# the run's load it could fail over by itself before the test's own kill.
step "Failover test (two nodes on the cluster, its primary killed once)"
set +e
dotnet test --project tests/Cloudbill.Server.Tests --no-build --output detailed -- --filter-class '*FailoverStormTests' 2>&1 | tee artifacts/failover-output.txt
failover_status=${PIPESTATUS[0]}
set -e
"$CLOUDBILL_HA_CLUSTER" down

# The Node packages first: the xUnit tests also run Alipay's own SDK (tests/sdk/alipay-refund.js).
step "Node packages of the SDK tests (npm ci)"
node --version
set +e
(cd tests/sdk && npm ci --ignore-scripts --no-audit --no-fund) 2>&1 | tee artifacts/sdk-output.txt
npm_status=${PIPESTATUS[0]}
set -e

step "Tests (xUnit on SQLite and PostgreSQL, Chromium end to end)"
set +e
dotnet test --solution Cloudbill.slnx --no-build --output detailed -- --filter-not-class '*FailoverStormTests' 2>&1 | tee artifacts/test-output.txt
status=${PIPESTATUS[0]}
set -e

step "SDK conformance (the official Node SDK against a real server, Node's test runner)"
if ! command -v sqlite3 >/dev/null 2>&1; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y sqlite3
fi
set +e
sdk_status=$npm_status
if [ "$npm_status" -eq 0 ]; then
  node tests/sdk/run.js 2>&1 | tee -a artifacts/sdk-output.txt
  sdk_status=${PIPESTATUS[0]}
fi
set -e

# Each dotnet test run ends with its summary (total, failed, succeeded, skipped): the two runs add up.
dotnet_sum() { for f in artifacts/failover-output.txt artifacts/test-output.txt; do grep -E "^\s+$1: [0-9]+" "$f" | tail -n 1 | grep -oE '[0-9]+'; done | awk '{ s += $1 } END { print s + 0 }'; }
passed=$(dotnet_sum succeeded)
failed=$(dotnet_sum failed)
skipped=$(dotnet_sum skipped)
# run.js runs two test runs (the provider-cloud test last, alone): each prints its own summary.
sdk_sum() { grep -E "^ℹ $1 [0-9]+" artifacts/sdk-output.txt | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'; }
sdk_passed=$(sdk_sum pass)
sdk_failed=$(sdk_sum fail)
sdk_skipped=$(sdk_sum skipped)
# A conformance run that could not start (npm ci, the server) counts as one failure.
if [ "$sdk_status" -ne 0 ] && [ "$sdk_failed" -eq 0 ]; then
  sdk_failed=1
fi
echo
# CI shows only the end of the output: name the failed tests here, where it can be read.
# With the first lines of each one's message: a failure must be understood from this output alone.
if grep -qE '^failed ' artifacts/failover-output.txt artifacts/test-output.txt; then
  echo "Failed tests:"
  awk '/^failed /{ p = 1; n = 0 } /^(passed|skipped) /{ p = 0 } p && n++ < 10' artifacts/failover-output.txt artifacts/test-output.txt | cut -c 1-400 | sed 's/^/  /'
fi
grep -E '^not ok ' artifacts/sdk-output.txt | sed 's/^/  SDK /' || true
echo "Persistence tests per provider: $(grep -c '(provider: Sqlite)' artifacts/test-output.txt) on SQLite, $(grep -c '(provider: Postgres)' artifacts/test-output.txt) on PostgreSQL"
echo "SDK conformance tests: ${sdk_passed} passed, ${sdk_failed} failed, ${sdk_skipped} skipped (tests/sdk)"
echo "$((passed + sdk_passed)) passed, $((failed + sdk_failed)) failed, $((skipped + sdk_skipped)) skipped"
if [ "$status" -ne 0 ] || [ "$failover_status" -ne 0 ] || [ "$passed" -eq 0 ] || [ "$sdk_status" -ne 0 ] || [ "$sdk_passed" -eq 0 ]; then
  exit 1
fi
