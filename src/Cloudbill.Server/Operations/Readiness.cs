using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cloudbill.Server.Operations;

/// <summary>
/// /readyz for a load balancer: this node can take traffic when its database accepts writes (a
/// PostgreSQL standby, or a primary that was demoted, does not), the schema is the one this build
/// expects, and the lifecycle engine keeps up. /healthz only says the process is alive.
/// </summary>
internal sealed class Readiness(CloudbillDbContext db, DatabaseMigrator migrator, DatabaseSettings database, OperationsGauges gauges, MetricsOptions options) : IHealthCheck
{
    public const string Tag = "ready";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            if (!await Writable(ct))
                return HealthCheckResult.Unhealthy("The database is read-only (a standby): writes would fail.");
            await migrator.RequireCurrent(ct);
        }
        catch (Exception e) when (e is ConfigurationProblemException or System.Data.Common.DbException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(e.Message.Split('\n')[0]);
        }
        var lag = (gauges.Latest ?? await gauges.Sample(ct)).EngineLag;
        return lag.TotalSeconds > options.ReadyMaxEngineLagSeconds
            ? HealthCheckResult.Unhealthy($"The lifecycle engine lags {lag.TotalSeconds:0} s behind (more than {options.ReadyMaxEngineLagSeconds} s).")
            : HealthCheckResult.Healthy();
    }

    private async Task<bool> Writable(CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.Postgres)
            return !await db.Database.SqlQueryRaw<bool>("SELECT (pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on') AS \"Value\"").SingleAsync(ct);
        // SQLite: the file takes the write lock (BEGIN IMMEDIATE), then nothing is written.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await tx.RollbackAsync(ct);
        return true;
    }
}
