using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Lifecycle;

/// <summary>
/// One claimed batch of due instances, processed in one transaction, set-based: the actions are
/// decided in memory (auto-renewal charges by <see cref="AutoRenewalCharges"/>), then the batch's
/// orders, its payments, its instances, notices and action records are written a table at a time
/// (PostgreSQL: one statement per table; SQLite: EF's batched SaveChanges) (docs/decisions/0013).
/// </summary>
internal sealed class SubscriptionBatch(
    CloudbillDbContext db,
    ProductCatalog catalog,
    LedgerService ledger,
    OrderService orders,
    Notifier notifier,
    TimeProvider clock,
    ILogger<SubscriptionBatch> logger) : IEngineBatch
{
    public string ItemName => "instance";

    public IReadOnlyList<string> ClaimedIds { get; private set; } = [];

    private readonly AutoRenewalCharges charges = new(db, ledger, orders, clock);

    /// <summary>
    /// Notices, lifecycle events and action records, made once the batch's orders have ids (they
    /// name them), in the order the actions ran, and written together.
    /// </summary>
    private readonly List<Func<IEnumerable<object>>> writes = [];

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
        var rows = writes.SelectMany(write => write()).ToList();
        if (provider == DatabaseProvider.Postgres)
        {
            await PostgresBulkWrites.UpdateInstances(db, processed, ct);
            // Nobody reads these rows' generated ids: one multi-row insert per table, not one statement per row.
            await PostgresBulkWrites.Insert(db, rows.OfType<Notification>().ToList(), ct);
            await PostgresBulkWrites.Insert(db, rows.OfType<EngineAction>().ToList(), ct);
            await PostgresBulkWrites.Insert(db, rows.OfType<LifecycleEvent>().ToList(), ct);
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
                return [record];
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
        ScheduledActionKind.Expiry => Expire(instance, product, action),
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
        writes.Add(() => [OrderPayments.Notice(notifier, attempt.Plan.Notice([])), .. attempt.Plan.Events([])]);
        return new Outcome("auto-renewal charged", "", () => $"charged order {order.Id}: {order.Payable} CNY, expires {expires}");
    }

    private Outcome Failed(Instance instance, ScheduledAction action, Order? order, RefusalReason why)
    {
        var lastAttempt = BusinessCalendar.LocalDate(action.DueAt) >= BusinessCalendar.LocalDate(action.CycleEnd);
        var (accountId, instanceId, instanceName) = (instance.AccountId, instance.Id, instance.Name);
        // The order's id exists once the batch's orders are saved: the notice is made then.
        writes.Add(() =>
        [
            notifier.Create(accountId, action.Key, new AutoRenewalFailed(instanceId, instanceName, order?.Id, why, lastAttempt, action.CycleEnd)),
            LifecycleEvents.Create($"{LifecycleEventTypes.AutoRenewalFailed}:{action.Key}", accountId, action.DueAt,
                new AutoRenewalFailedEvent(instanceId, order?.Id, LifecycleEvents.Code(why.Code), lastAttempt, action.CycleEnd)),
        ]);
        return new Outcome("auto-renewal failed", "failed: " + Why(why));
    }

    /// <summary>The reason as staff read it in the operator console's lifecycle history, with the amounts that decided it.</summary>
    private static string Why(RefusalReason why) => why.Code switch
    {
        RefusalCode.InsufficientCredit => $"{why.Code}: Available Credit ¥{why.Available.ToDisplayString()} short of ¥{why.Amount.ToDisplayString()}",
        RefusalCode.Overdue => $"{why.Code}: ¥{why.Amount.ToDisplayString()} overdue",
        _ => why.Code.ToString(),
    };

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

    private Outcome Expire(Instance instance, Product product, ScheduledAction action)
    {
        Emit(instance, action, new InstanceExpiredEvent(instance.Id, action.CycleEnd,
            InstanceLifecycle.SuspendsAt(action.CycleEnd, product.Lifecycle), InstanceLifecycle.ReleasesAt(action.CycleEnd, product.Lifecycle)));
        return new Outcome("expiry", "expired");
    }

    private Outcome Suspend(Instance instance, Product product, ScheduledAction action)
    {
        var releases = InstanceLifecycle.ReleasesAt(action.CycleEnd, product.Lifecycle);
        Notify(instance, action.Key, new InstanceStopped(instance.Id, instance.Name, product.Code, action.CycleEnd, releases));
        Emit(instance, action, new InstanceSuspendedEvent(instance.Id, "expired", action.DueAt, releases));
        return new Outcome("suspension", "suspended");
    }

    private async Task<Outcome> Release(Instance instance, Product product, ScheduledAction action, CancellationToken ct)
    {
        instance.Release(action.DueAt);
        if (instance.UnpaidOrderId is { } orderId && await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.Status == OrderStatus.Unpaid, ct) is { } unpaid)
            await orders.CancelUnpaid(unpaid, CancelReason.InstanceReleased, ct);
        Notify(instance, action.Key, new InstanceReleased(instance.Id, instance.Name, product.Code, action.CycleEnd));
        Emit(instance, action, new InstanceReleasedEvent(instance.Id, "expired", action.DueAt));
        return new Outcome("release", "released");
    }

    /// <summary>R9: a notice for the instance's owner, written with the batch.</summary>
    private void Notify(Instance instance, string causeKey, Notice notice)
    {
        var accountId = instance.AccountId;
        writes.Add(() => [notifier.Create(accountId, causeKey, notice)]);
    }

    /// <summary>The action's lifecycle event (docs/webhooks.md), under the action's key: once, however many runs.</summary>
    private void Emit(Instance instance, ScheduledAction action, EventData data)
    {
        var accountId = instance.AccountId;
        writes.Add(() => [LifecycleEvents.Create($"{data.Type}:{action.Key}", accountId, action.DueAt, data)]);
    }
}
