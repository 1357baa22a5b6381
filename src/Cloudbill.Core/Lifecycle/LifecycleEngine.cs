using Cloudbill.Core.Accounts;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Lifecycle;

/// <summary>What one engine run did, per action and outcome ("auto-renewal charged": 3).</summary>
public sealed class EngineRunReport
{
    private readonly SortedDictionary<string, int> counts = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Counts => counts;

    public int Total => counts.Values.Sum();

    internal void Count(string what, int n = 1)
    {
        if (n > 0)
            counts[what] = counts.GetValueOrDefault(what) + n;
    }

    internal void Add(EngineRunReport other)
    {
        foreach (var (what, n) in other.counts)
            Count(what, n);
    }
}

/// <summary>What one claimed batch of engine work did: how many it claimed (0 ends the pass) and its actions.</summary>
internal sealed record EngineBatchResult(int Claimed, EngineRunReport Report);

/// <summary>
/// One kind of engine work, claimed in batches by the engine's one claim loop (<see cref="LifecycleEngine"/>):
/// the subscription lifecycle (<see cref="SubscriptionBatch"/>), the pay-as-you-go hours
/// (<see cref="PayAsYouGoBatch"/>) and the unpaid-order time-outs (<see cref="OrderTimeoutBatch"/>).
/// A batch runs in one transaction: it claims up to <c>size</c> due items not in <c>skipped</c>,
/// does their actions under their unique keys and commits, or fails and rolls back whole.
/// </summary>
internal interface IEngineBatch
{
    /// <summary>What one claimed item is, for the log: "instance", "order".</summary>
    string ItemName { get; }

    /// <summary>The items this batch claimed (also when it then failed).</summary>
    IReadOnlyList<string> ClaimedIds { get; }

    Task<EngineBatchResult> Run(DateTimeOffset until, int size, HashSet<string> skipped, EngineRunCache cache, DatabaseProvider provider, CancellationToken ct);
}

/// <summary>A claimed batch of instances: its transaction, the instances, and the accounts locked for it.</summary>
internal sealed record InstanceClaim(IDbContextTransaction? Transaction, List<Instance> Instances, HashSet<long> LockedAccounts) : IAsyncDisposable
{
    /// <summary>Nothing claimed: on SQLite another run held the one write lock past the busy timeout.</summary>
    public static InstanceClaim Busy() => new(null, [], []);

    public Task Commit(CancellationToken ct) =>
        Transaction?.CommitAsync(ct) ?? throw new InvalidOperationException("A busy claim has nothing to commit.");

    public ValueTask DisposeAsync() => Transaction?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>The claim of the engine's instance work, by the due-time column the work keeps.</summary>
internal static class EngineClaims
{
    /// <summary>
    /// Starts a batch of instance work: one transaction without savepoints (a failure rolls the
    /// whole batch back and its instances stay due, so per-save savepoints buy nothing), the due
    /// instances claimed, and their accounts locked with SKIP LOCKED. The engine never waits for
    /// an account a customer is paying on: an account locked by someone else is missing from
    /// <see cref="InstanceClaim.LockedAccounts"/>, and its instances stay due for the next run.
    /// </summary>
    public static async Task<InstanceClaim> Begin(CloudbillDbContext db, string dueColumn, DateTimeOffset until, int size, HashSet<string> skipped, DatabaseProvider provider, CancellationToken ct)
    {
        db.Database.AutoSavepointsEnabled = false;
        if (await BeginUnlessBusy(db, provider, ct) is not { } tx)
            return InstanceClaim.Busy();
        try
        {
            var claimed = await DueInstances(db, dueColumn, until, size, skipped, provider, ct);
            var locked = claimed.Count == 0 ? [] : await db.LockAvailable(claimed.Select(i => i.AccountId).Distinct().Order().ToArray(), provider, ct);
            return new InstanceClaim(tx, claimed, locked);
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A batch's transaction, or null when SQLite's claim, its one writer (BEGIN IMMEDIATE), was
    /// held past the busy timeout: another engine run has that work in hand, so, like SKIP LOCKED
    /// on PostgreSQL, this run leaves it to that one and ends the pass instead of failing.
    /// </summary>
    public static async Task<IDbContextTransaction?> BeginUnlessBusy(CloudbillDbContext db, DatabaseProvider provider, CancellationToken ct)
    {
        try
        {
            return await db.Database.BeginTransactionAsync(ct);
        }
        catch (SqliteException e) when (provider == DatabaseProvider.Sqlite && e.SqliteErrorCode == SQLitePCL.raw.SQLITE_BUSY)
        {
            return null;
        }
    }

    /// <summary>
    /// Claims up to <paramref name="size"/> instances whose <paramref name="dueColumn"/> has come,
    /// earliest first, not in <paramref name="skipped"/>: on PostgreSQL FOR UPDATE SKIP LOCKED, so
    /// nodes share the work; on SQLite the transaction (BEGIN IMMEDIATE, one writer) is the claim.
    /// Read untracked: a batch attaches or bulk-writes only what it processed.
    /// </summary>
    /// <param name="dueColumn"><c>NextDueAt</c> (the subscription lifecycle) or <c>PayAsYouGoDueAt</c> (the hours); a fixed name, never input.</param>
    public static async Task<List<Instance>> DueInstances(CloudbillDbContext db, string dueColumn, DateTimeOffset until, int size, HashSet<string> skipped, DatabaseProvider provider, CancellationToken ct)
    {
        if (dueColumn is not (nameof(Instance.NextDueAt) or nameof(Instance.PayAsYouGoDueAt)))
            throw new ArgumentOutOfRangeException(nameof(dueColumn), dueColumn, "Not a due-time column of Instances.");
        if (provider == DatabaseProvider.Postgres)
        {
            var exclude = skipped.ToArray();
#pragma warning disable EF1002 // The column name is one of two constants checked above; the values are parameters.
            return await db.Instances.FromSqlRaw($$"""
                SELECT * FROM "Instances"
                WHERE "{{dueColumn}}" <= {0} AND NOT ("Id" = ANY({1}))
                ORDER BY "{{dueColumn}}"
                LIMIT {2}
                FOR UPDATE SKIP LOCKED
                """, until, exclude, size).AsNoTracking().ToListAsync(ct);
#pragma warning restore EF1002
        }

        return await db.Instances.AsNoTracking().Where(i => EF.Property<DateTimeOffset?>(i, dueColumn) <= until && !skipped.Contains(i.Id))
            .OrderBy(i => EF.Property<DateTimeOffset?>(i, dueColumn)).Take(size).ToListAsync(ct);
    }
}

/// <summary>
/// The lifecycle engine (R4, R1.5, R5.2, R8): does every action due up to a time, exactly once.
/// Work items carry their due time; the engine claims due items in batches (PostgreSQL:
/// FOR UPDATE SKIP LOCKED, so nodes share the work), runs each due action in order and records
/// it under its unique key in the same transaction, then sets the next due time. Work is
/// proportional to what is due; after downtime each missed action runs once. The subscription
/// lifecycle, the pay-as-you-go hours (docs/decisions/0010) and the order time-outs are three
/// kinds of work of the same claim loop, with the same per-item isolation.
/// </summary>
public sealed class LifecycleEngine(IServiceScopeFactory scopes, DatabaseSettings database, EngineOptions options, ILogger<LifecycleEngine> logger)
{
    /// <summary>Items that fail on their own a pass leaves due before it gives up: more means the fault is not theirs.</summary>
    private const int MaxIsolatedPerPass = 10;

    public async Task<EngineRunReport> RunUntil(DateTimeOffset until, CancellationToken ct)
    {
        var report = new EngineRunReport();
        // R4, R1.5: the subscription lifecycle; R8: the pay-as-you-go hours; R5.2: unpaid orders' time-outs.
        await Pass<SubscriptionBatch>(until, report, ct);
        await Pass<PayAsYouGoBatch>(until, report, ct);
        await Pass<OrderTimeoutBatch>(until, report, ct);
        EngineMetrics.Record(report);
        if (report.Total > 0)
            logger.LogInformation("Lifecycle engine up to {Until}: {Actions} action(s)", until, report.Total);
        return report;
    }

    /// <summary>The claim loop: batches of one kind of work until none is due, isolating an item that fails on its own.</summary>
    private async Task Pass<TBatch>(DateTimeOffset until, EngineRunReport report, CancellationToken ct) where TBatch : IEngineBatch
    {
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        var cache = new EngineRunCache();
        var singlesLeft = 0;
        var isolated = 0;
        while (!ct.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var work = scope.ServiceProvider.GetRequiredService<TBatch>();
            var size = singlesLeft > 0 ? 1 : Math.Max(1, options.BatchSize);
            EngineBatchResult batch;
            try
            {
                batch = await work.Run(until, size, skipped, cache, database.Provider, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException && work.ClaimedIds.Count > 0 && isolated < MaxIsolatedPerPass)
            {
                // The batch rolled back whole and its items stay due. Its items are claimed again
                // one at a time, so one that fails on its own is left due for the next run (and
                // logged) while the others, and the other kinds of work, go on; a fault that is
                // not an item's fails the run.
                cache = new EngineRunCache();
                if (size > 1)
                {
                    logger.LogWarning(e, "A lifecycle engine batch of {Count} {Item}(s) failed; trying them one at a time", work.ClaimedIds.Count, work.ItemName);
                    singlesLeft = work.ClaimedIds.Count;
                    continue;
                }
                isolated++;
                singlesLeft--;
                skipped.UnionWith(work.ClaimedIds);
                logger.LogError(e, "The lifecycle actions of {Item} {ItemId} failed; it stays due and is tried again on the next run", work.ItemName, work.ClaimedIds[0]);
                continue;
            }
            if (size == 1 && singlesLeft > 0)
                singlesLeft--;
            report.Add(batch.Report);
            if (batch.Claimed == 0)
                break;
        }
    }
}
