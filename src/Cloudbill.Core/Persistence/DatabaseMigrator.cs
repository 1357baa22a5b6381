using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudbill.Core.Persistence;

/// <summary>Applies the provider's migrations, at server start and from the `migrate` verb: the only way the schema is made.</summary>
public sealed class DatabaseMigrator(DatabaseSettings settings, IDataProtectionProvider protection, TimeProvider clock)
{
    /// <returns>The migrations that were applied now (empty when the schema was current).</returns>
    public async Task<IReadOnlyList<string>> Migrate(CancellationToken ct)
    {
        try
        {
            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                var file = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (file != ":memory:" && !string.IsNullOrEmpty(folder))
                    Directory.CreateDirectory(folder);
            }

            // A context without logging: EF probes the migrations history table by querying it,
            // and that expected failure on a new database would be logged as an error.
            var options = new DbContextOptionsBuilder<CloudbillDbContext>().UseLoggerFactory(NullLoggerFactory.Instance);
            settings.Configure(options);
            await using var db = new CloudbillDbContext(options.Options);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await db.Database.MigrateAsync(ct);
            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                // WAL lets readers work while the engine writes; the mode is stored in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }

            // The shared ledger accounts exist before any posting, so two first payments cannot
            // race to create them. The same upsert syntax works on SQLite and PostgreSQL.
            foreach (var (code, kind) in Ledger.LedgerService.SystemAccounts)
            {
                await db.Database.ExecuteSqlAsync(
                    $"""INSERT INTO "LedgerAccounts" ("Code", "Kind", "BalanceFen") VALUES ({code}, {kind.ToString()}, 0) ON CONFLICT ("Code") DO NOTHING""", ct);
            }

            // R8.1: pay-as-you-go instances from before hourly billing existed are charged from now on.
            await StartUnmeteredPayAsYouGo(db, ct);

            // Create the Data Protection key ring now, on its own connection: created lazily
            // inside a business transaction, it would wait on that transaction's SQLite lock.
            protection.CreateProtector("Cloudbill.Startup").Protect([1]);
            return pending;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException or System.Security.Cryptography.CryptographicException)
        {
            throw new ConfigurationProblemException($"Cannot open the database ({settings.Describe()}): {FirstLine(e)}", e);
        }
    }

    private async Task StartUnmeteredPayAsYouGo(CloudbillDbContext db, CancellationToken ct)
    {
        var start = PayAsYouGo.PayAsYouGoSchedule.MeterStart(clock.GetUtcNow());
        var due = start + PayAsYouGo.PayAsYouGoSchedule.Hour;
        await db.Instances.Where(i => i.ChargeType == Instances.ChargeType.PayAsYouGo && i.ReleasedAt == null && i.ChargedUntil == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ChargedUntil, start).SetProperty(i => i.PayAsYouGoDueAt, due), ct);
    }

    private static string FirstLine(Exception e)
    {
        var root = e;
        while (root.InnerException is not null && root is InvalidOperationException)
            root = root.InnerException;
        return root.Message.Split('\n')[0].Trim();
    }
}
