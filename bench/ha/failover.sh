#!/usr/bin/env bash
# The failover test's longer form (bench/BENCHMARKS.md, "High availability"): a fresh
# pg_auto_failover cluster (bench/ha/cluster.sh), two Cloudbill nodes under the storm of
# tests/Cloudbill.Server.Tests/Failover/FailoverStormTests.cs, the primary killed KILLS times
# (the old primary rejoining as the standby between kills), STORM seconds of storm after each.
# Prints per kill the time without writes, and that no confirmed write was lost.
#
#   bench/ha/failover.sh [KILLS (default 3)] [STORM seconds (default 30)]
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-3}
storm=${2:-30}

export CLOUDBILL_HA_CLUSTER="$PWD/bench/ha/cluster.sh"
trap '"$CLOUDBILL_HA_CLUSTER" down || true' EXIT
"$CLOUDBILL_HA_CLUSTER" down
CLOUDBILL_HA_POSTGRES=$("$CLOUDBILL_HA_CLUSTER" up)
export CLOUDBILL_HA_POSTGRES CLOUDBILL_HA_KILLS=$kills CLOUDBILL_HA_STORM_SECONDS=$storm
export CLOUDBILL_HA_REPORT=${CLOUDBILL_HA_REPORT:-$PWD/artifacts/failover-report.txt}
mkdir -p "$(dirname "$CLOUDBILL_HA_REPORT")"
rm -f "$CLOUDBILL_HA_REPORT"

dotnet build tests/Cloudbill.Server.Tests --nologo -v q
dotnet test --project tests/Cloudbill.Server.Tests --no-build -- --filter-class '*FailoverStormTests*'
echo
cat "$CLOUDBILL_HA_REPORT"
