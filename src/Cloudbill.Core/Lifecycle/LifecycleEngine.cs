using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
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
/// the subscription lifecycle (<see cref="EngineBatch"/>), the pay-as-you-go hours
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
        await Pass<EngineBatch>(until, report, ct);
        await Pass<PayAsYouGoBatch>(until, report, ct);
        await Pass<OrderTimeoutBatch>(until, report, ct);
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

/// <summary>
/// One claimed batch of due instances, processed in one transaction, set-based: the actions are
/// decided in memory (auto-renewal charges by <see cref="AutoRenewalCharges"/>), then the batch's
/// orders, its payments, its instances, notices and action records are written a table at a time
/// (PostgreSQL: one statement per table; SQLite: EF's batched SaveChanges) (docs/decisions/0013).
/// </summary>
internal sealed class EngineBatch(
    CloudbillDbContext db,
    ProductCatalog catalog,
    LedgerService ledger,
    OrderService orders,
    Notifier notifier,
    TimeProvider clock,
    ILogger<EngineBatch> logger) : IEngineBatch
{
    public string ItemName => "instance";

    public IReadOnlyList<string> ClaimedIds { get; private set; } = [];

    private readonly AutoRenewalCharges charges = new(db, ledger, orders, clock);

    /// <summary>
    /// Notices and action records, made once the batch's orders have ids (they name them), in
    /// the order the actions ran, and written together.
    /// </summary>
    private readonly List<Func<object>> writes = [];

    public async Task<EngineBatchResult> Run(DateTimeOffset until, int size, HashSet<string> skipped, EngineRunCache cache, DatabaseProvider provider, CancellationToken ct)
    {
        var report = new EngineRunReport();
        await using var claim = await EngineClaims.Begin(db, nameof(Instance.NextDueAt), until, size, skipped, provider, ct);
        var (claimed, accounts) = (claim.Instances, claim.LockedAccounts);
        ClaimedIds = claimed.Select(i => i.Id).ToList();
        if (claimed.Count == 0)
            return new EngineBatchResult(0, report);
        var done = await AlreadyDone(claimed, until, ct);
        // Only auto-renewal instances can be charged: their accounts' balances and coupons, read once.
        await charges.Load(claimed.Where(i => i.RenewalMethod == RenewalMethod.AutoRenewal && accounts.Contains(i.AccountId)).Select(i => i.AccountId).ToList(), cache, ct);

        var processed = new List<PostgresBulkWrites.InstanceBefore>();
        foreach (var instance in claimed.OrderBy(i => i.AccountId).ThenBy(i => i.Id))
        {
            if (!accounts.Contains(instance.AccountId))
            {
                skipped.Add(instance.Id);
                continue;
            }
            if (catalog.FindProduct(instance.ProductCode) is null)
            {
                // A product removed from the catalog must not stop everyone else's lifecycle.
                logger.LogError("Instance {InstanceId} is of product {ProductCode}, which is not in the catalog; its lifecycle actions wait until it is", instance.Id, instance.ProductCode);
                skipped.Add(instance.Id);
                continue;
            }

            // Read untracked; only processed instances are written (PostgreSQL: all in one statement).
            if (provider == DatabaseProvider.Postgres)
                processed.Add(new(instance, instance.ExpiresAt, instance.NextDueAt, instance.ReleasedAt));
            else
                db.Instances.Attach(instance);
            await Process(instance, until, done, report, ct);
        }

        // Orders first: their ids name the payments, notices and action records.
        await charges.SaveOrders(ct);
        await charges.SavePayments(ct);
        var rows = writes.Select(write => write()).ToList();
        if (provider == DatabaseProvider.Postgres)
        {
            await PostgresBulkWrites.UpdateInstances(db, processed, ct);
            // Nobody reads these rows' generated ids: one multi-row insert per table, not one statement per row.
            await PostgresBulkWrites.Insert(db, rows.OfType<Notification>().ToList(), ct);
            await PostgresBulkWrites.Insert(db, rows.OfType<EngineAction>().ToList(), ct);
        }
        else
        {
            db.AddRange(rows);
        }
        await db.SaveChangesAsync(ct);
        await claim.Commit(ct);
        return new EngineBatchResult(claimed.Count, report);
    }

    /// <summary>
    /// The actions due now that an earlier run already recorded (a renewal or a method change can
    /// move an instance's due time back over its own records). Looked up by their unique keys:
    /// the planner trusts a unique index without statistics, where a lookup by instance id
    /// scanned the whole table whenever it had none (a fresh or quickly grown table: the
    /// benchmark's catch-up read 34 million rows in 500 batches). Only the keys of the claimed
    /// state are asked for: an auto-renewal in this batch moves the expiry forward, to a cycle no
    /// run has seen (expiries only move forward), so its new keys cannot have records.
    /// </summary>
    private async Task<HashSet<string>> AlreadyDone(List<Instance> claimed, DateTimeOffset until, CancellationToken ct)
    {
        // An instance whose product left the catalog is skipped by the batch, so it has no keys here.
        var keys = claimed
            .SelectMany(i => catalog.FindProduct(i.ProductCode) is { } product
                ? LifecycleSchedule.Due(i, product, i.NextDueAt!.Value, until).Select(a => a.Key)
                : [])
            .ToList();
        if (keys.Count == 0)
            return new HashSet<string>(StringComparer.Ordinal);
        return (await db.EngineActions.AsNoTracking().Where(a => keys.Contains(a.Key)).Select(a => a.Key).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Runs the instance's due actions in memory; their records are written with the batch.</summary>
    private async Task Process(Instance instance, DateTimeOffset until, HashSet<string> done, EngineRunReport report, CancellationToken ct)
    {
        var product = catalog.GetProduct(instance.ProductCode);
        var cursor = instance.NextDueAt!.Value;
        while (LifecycleSchedule.Due(instance, product, cursor, until).FirstOrDefault(a => !done.Contains(a.Key)) is { } action)
        {
            done.Add(action.Key);
            cursor = action.DueAt;
            var outcome = await Execute(instance, product, action, ct);
            report.Count(outcome.Summary);
            var record = new EngineAction
            {
                Key = action.Key,
                Kind = EngineAction.KindOf(action.Kind),
                AccountId = instance.AccountId,
                InstanceId = instance.Id,
                DueAt = action.DueAt,
                DoneAt = clock.GetUtcNow(),
                Outcome = outcome.Detail,
            };
            writes.Add(() =>
            {
                if (outcome.DetailOnceSaved is { } detail)
                    record.Outcome = detail();
                return record;
            });
        }
        instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, until);
    }

    /// <param name="DetailOnceSaved">The detail when it names an order, which has its id only once the batch's orders are saved.</param>
    private sealed record Outcome(string Summary, string Detail, Func<string>? DetailOnceSaved = null);

    private async Task<Outcome> Execute(Instance instance, Product product, ScheduledAction action, CancellationToken ct) => action.Kind switch
    {
        ScheduledActionKind.AutoRenewal => await AutoRenew(instance, product, action, ct),
        ScheduledActionKind.Reminder => Remind(instance, product, action),
        ScheduledActionKind.Expiry => new Outcome("expiry", "expired"),
        ScheduledActionKind.Suspension => Suspend(instance, product, action),
        ScheduledActionKind.Release => await Release(instance, product, action, ct),
    };

    /// <summary>R4.1 to R4.5: charge the balance for the auto-renewal period, with the best coupon; on failure cancel at once and say why.</summary>
    private async Task<Outcome> AutoRenew(Instance instance, Product product, ScheduledAction action, CancellationToken ct)
    {
        // R4.5: a renewal already moved the expiry past this cycle: nothing to charge.
        if (instance.ExpiresAt != action.CycleEnd || instance.AutoRenewPeriodMonths is not { } months)
            return new Outcome("auto-renewal skipped", "skipped: the cycle was already renewed");

        if (product.FindSpec(instance.SpecCode) is not { } spec || !spec.IsSoldIn(instance.RegionId))
            return Failed(instance, action, null, RefusalReason.NoPrice(instance.SpecCode, instance.RegionId));

        var attempt = await charges.Charge(instance, product, spec, months, action, ct);
        if (attempt.Plan.Refusal is { } refusal)
            return Failed(instance, action, attempt.Order, refusal.Reason);

        var order = attempt.Order;
        var expires = BusinessCalendar.FormatDateTime(instance.ExpiresAt!.Value);
        writes.Add(() => OrderPayments.Notice(notifier, attempt.Plan.Notice([])));
        return new Outcome("auto-renewal charged", "", () => $"charged order {order.Id}: {order.Payable} CNY, expires {expires}");
    }

    private Outcome Failed(Instance instance, ScheduledAction action, Order? order, RefusalReason why)
    {
        var lastAttempt = BusinessCalendar.LocalDate(action.DueAt) >= BusinessCalendar.LocalDate(action.CycleEnd);
        var (accountId, instanceId, instanceName) = (instance.AccountId, instance.Id, instance.Name);
        // The order's id exists once the batch's orders are saved: the notice is made then.
        writes.Add(() => notifier.Create(accountId, action.Key, new AutoRenewalFailed(instanceId, instanceName, order?.Id, why, lastAttempt, action.CycleEnd)));
        return new Outcome("auto-renewal failed", $"failed: {why.Code}");
    }

    /// <summary>R4.6.</summary>
    private Outcome Remind(Instance instance, Product product, ScheduledAction action)
    {
        var expires = action.CycleEnd;
        var auto = instance.RenewalMethod == RenewalMethod.AutoRenewal;
        Notice notice = action.Label switch
        {
            "expiry-day" => new ExpiredToday(instance.Id, instance.Name, product.Code, expires, product.Lifecycle.GraceDays, auto),
            "before-release" => new ReleasedTomorrow(instance.Id, instance.Name, product.Code, expires, InstanceLifecycle.ReleasesAt(expires, product.Lifecycle)),
            _ => new ExpiresSoon(instance.Id, instance.Name, product.Code, expires, int.Parse(action.Label.TrimEnd('d'), System.Globalization.CultureInfo.InvariantCulture), auto),
        };
        Notify(instance, action.Key, notice);
        return new Outcome("reminder", $"reminder {action.Label}");
    }

    private Outcome Suspend(Instance instance, Product product, ScheduledAction action)
    {
        Notify(instance, action.Key, new InstanceStopped(instance.Id, instance.Name, product.Code, action.CycleEnd, InstanceLifecycle.ReleasesAt(action.CycleEnd, product.Lifecycle)));
        return new Outcome("suspension", "suspended");
    }

    private async Task<Outcome> Release(Instance instance, Product product, ScheduledAction action, CancellationToken ct)
    {
        instance.Release(action.DueAt);
        if (instance.UnpaidOrderId is { } orderId && await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.Status == OrderStatus.Unpaid, ct) is { } unpaid)
            await orders.CancelUnpaid(unpaid, CancelReason.InstanceReleased, ct);
        Notify(instance, action.Key, new InstanceReleased(instance.Id, instance.Name, product.Code, action.CycleEnd));
        return new Outcome("release", "released");
    }

    /// <summary>R9: a notice for the instance's owner, written with the batch.</summary>
    private void Notify(Instance instance, string causeKey, Notice notice)
    {
        var accountId = instance.AccountId;
        writes.Add(() => notifier.Create(accountId, causeKey, notice));
    }
}
