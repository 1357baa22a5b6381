using System.Diagnostics;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Bench;

/// <summary>
/// `--http --sqlite`: the generated data, copied from PostgreSQL into a migrated SQLite file
/// through EF Core (each entity as the SQLite provider stores it), the same rows and ids.
/// </summary>
public static class SqliteCopy
{
    public static async Task<TimeSpan> Run(Func<ServiceProvider> postgres, Func<ServiceProvider> sqlite, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var from = postgres();
        await using var to = sqlite();
        await using (var scope = to.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().Migrate(ct);
            // The migrator made the shared ledger accounts; the copy brings them with the generator's ids.
            await scope.ServiceProvider.GetRequiredService<CloudbillDbContext>().LedgerAccounts.ExecuteDeleteAsync(ct);
        }
        await Copy(from, to, db => db.BillingAccounts.OrderBy(a => a.Id), ct);
        await Copy(from, to, db => db.LedgerAccounts.OrderBy(a => a.Id), ct);
        await Copy(from, to, db => db.JournalTransactions.OrderBy(a => a.Id), ct);
        await Copy(from, to, db => db.Postings.OrderBy(a => a.Id), ct);
        await Copy(from, to, db => db.Instances.OrderBy(a => a.Id), ct);
        await using (var scope = to.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CloudbillDbContext>().Database.ExecuteSqlRawAsync("ANALYZE", ct);
        return watch.Elapsed;
    }

    private static async Task Copy<T>(ServiceProvider from, ServiceProvider to, Func<CloudbillDbContext, IQueryable<T>> rows, CancellationToken ct)
        where T : class
    {
        await using var read = from.CreateAsyncScope();
        var source = read.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        CloudbillDbContext? target = null;
        AsyncServiceScope? write = null;
        var batch = 0;
        await foreach (var row in rows(source).AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            if (target is null)
            {
                write = to.CreateAsyncScope();
                target = write.Value.ServiceProvider.GetRequiredService<CloudbillDbContext>();
                target.ChangeTracker.AutoDetectChangesEnabled = false;
                await target.Database.BeginTransactionAsync(ct);
            }
            target.Add(row);
            if (++batch == 20_000)
            {
                await target.SaveChangesAsync(ct);
                await target.Database.CommitTransactionAsync(ct);
                await write!.Value.DisposeAsync();
                target = null;
                batch = 0;
            }
        }
        if (target is not null)
        {
            await target.SaveChangesAsync(ct);
            await target.Database.CommitTransactionAsync(ct);
            await write!.Value.DisposeAsync();
        }
    }
}
