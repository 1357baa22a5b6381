#!/usr/bin/env bash
# Cloudbill's benchmark: the lifecycle engine over 1,000,000 instances with 100,000 due, next to
# pgbench TPC-B measured in the same run, and the renewal views of a 10,000-instance account.
# Writes its figures into bench/BENCHMARKS.md. Talks only to PostgreSQL on 127.0.0.1.
#
#   bench/run.sh            full size (1,000,000 / 100,000 / 10,000; several minutes)
#   bench/run.sh --quick    smoke size (50,000 / 5,000 / 2,000; about a minute)
#   bench/run.sh --instances N --due N --big-account N --batch-size N --one-engine ...
#   bench/run.sh [--quick] --api   only the BSS OpenAPI on the big account (docs/api.md)
#   bench/run.sh [--quick] --console [--reuse]   only the operator console's lists and pages (issue 22)
#   bench/run.sh [--quick] --renewals-only   the engine on a due set of auto-renewals only, beside pgbench's bare renewal
#   bench/run.sh [--quick] --http [--sqlite] [--two-nodes] [--clients 4,8]   paid RenewInstance over signed HTTP
#
# Connection: CLOUDBILL_BENCH_POSTGRES (an Npgsql connection string without Database), default
# Host=127.0.0.1;Username=cloudbill;Password=cloudbill (a role with CREATEDB).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--help" ]; then
  sed -n '2,15p' "$0"
  exit 0
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "== Starting PostgreSQL 15"
  as_root pg_ctlcluster 15 main start
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
fi
pg_isready -h 127.0.0.1 -p 5432
# The bench checkpoints after its bulk load (PostgreSQL 15: superuser or pg_checkpoint); best effort.
as_root su postgres -c "psql -q -c 'GRANT pg_checkpoint TO ${CLOUDBILL_BENCH_ROLE:-cloudbill}'" >/dev/null 2>&1 || true
command -v pgbench >/dev/null || { echo "pgbench is missing (apt-get install postgresql-15 / postgresql-contrib)"; exit 1; }

echo "== Building the benchmark (Release)"
dotnet build bench/Cloudbill.Bench/Cloudbill.Bench.csproj -c Release -v quiet -nologo
# `--http` starts the real server as its own process: its own build output, with its runtimeconfig.
case " $* " in *" --http "*) dotnet build src/Cloudbill.Server/Cloudbill.Server.csproj -c Release -v quiet -nologo ;; esac

# The OpenAPI runs in the server's own pipeline, so it gets the server's runtime settings too
# (Cloudbill.Server's runtimeconfig: Server GC without DATAS, no thread-pool spinning); the engine
# keeps the bench's own (workstation GC).
case " $* " in *" --api "*) export DOTNET_gcServer=1 DOTNET_gcConcurrent=1 DOTNET_GCDynamicAdaptationMode=1 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 ;; esac

echo "== Running (the program creates fresh databases cloudbill_bench, _copy and _pgbench and drops the last two)"
# A hard stop, whatever happens: the full run takes a few minutes.
timeout 3600 dotnet bench/Cloudbill.Bench/bin/Release/net10.0/Cloudbill.Bench.dll --output bench/BENCHMARKS.md "$@"
