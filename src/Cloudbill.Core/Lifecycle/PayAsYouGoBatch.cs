using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Lifecycle;

/// <summary>
/// The lifecycle engine's pay-as-you-go work (R8), one claimed batch in one transaction: charges
/// every full hour of every running pay-as-you-go instance from the balance, once; turns a
/// shortfall into an overdue amount; stops and releases the instances of an overdue account on
/// the configured days. Instances carry their own due time (<see cref="Instance.PayAsYouGoDueAt"/>);
/// the engine's one claim loop (<see cref="LifecycleEngine"/>) runs these batches as it runs the
/// subscription lifecycle, so downtime is caught up once, nodes share the work and an instance
/// that fails on its own is left due while the rest goes on (docs/decisions/0010).
/// </summary>
internal sealed class PayAsYouGoBatch(
    CloudbillDbContext db,
    ProductCatalog catalog,
    LedgerService ledger,
    Notifier notifier,
    PayAsYouGoOptions options,
    TimeProvider clock,
    ILogger<PayAsYouGoBatch> logger) : IEngineBatch
{
    public string ItemName => "pay-as-you-go instance";

    public IReadOnlyList<string> ClaimedIds { get; private set; } = [];

    private sealed record Metered(Instance Instance, Product Product, Money Hourly);

    public async Task<EngineBatchResult> Run(DateTimeOffset until, int size, HashSet<string> skipped, EngineRunCache cache, DatabaseProvider provider, CancellationToken ct)
    {
        var report = new EngineRunReport();
        // As in the subscription pass: an account a customer is paying on (a top-up settling its
        // overdue amount) is never waited for; it is left out of the locked accounts and its
        // instances stay due for the next run.
        await using var claim = await EngineClaims.Begin(db, nameof(Instance.PayAsYouGoDueAt), until, size, skipped, provider, ct);
        var (claimed, locked) = (claim.Instances, claim.LockedAccounts);
        ClaimedIds = claimed.Select(i => i.Id).ToList();
        if (claimed.Count == 0)
            return new EngineBatchResult(0, report);
        cache.RevenueAccountId ??= await ledger.SystemAccount(LedgerService.RevenueCode, LedgerAccountKind.Revenue, ct);
        var revenue = cache.RevenueAccountId.Value;
        foreach (var account in claimed.GroupBy(i => i.AccountId).OrderBy(g => g.Key))
        {
            if (!locked.Contains(account.Key))
            {
                skipped.UnionWith(account.Select(i => i.Id));
                continue;
            }

            var metered = new List<Metered>();
            foreach (var instance in account.OrderBy(i => i.Id, StringComparer.Ordinal))
            {
                var product = catalog.FindProduct(instance.ProductCode);
                if (product?.FindSpec(instance.SpecCode) is { } spec && spec.PricesByRegion.TryGetValue(instance.RegionId, out var price) && price.Hourly is { } hourly)
                {
                    metered.Add(new Metered(instance, product, hourly));
                    continue;
                }
                // A product or price removed from the catalog must not stop everyone else's billing.
                logger.LogError("Pay-as-you-go instance {InstanceId} ({ProductCode} {SpecCode} in {RegionId}) has no hourly price in the catalog; it is not charged until it has one",
                    instance.Id, instance.ProductCode, instance.SpecCode, instance.RegionId);
                skipped.Add(instance.Id);
            }
            if (metered.Count == 0)
                continue;

            await Meter(account.Key, metered, until, revenue, report, ct);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
        }

        await claim.Commit(ct);
        return new EngineBatchResult(claimed.Count, report);
    }

    /// <summary>Earliest first; at one instant charge before stop before release; then by instance id.</summary>
    private static readonly Comparer<(DateTimeOffset At, MeterEventKind Kind, string InstanceId)> EventOrder = Comparer<(DateTimeOffset At, MeterEventKind Kind, string InstanceId)>.Create((a, b) =>
        a.At != b.At ? a.At.CompareTo(b.At) : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.InstanceId, b.InstanceId));

    /// <summary>Hourly charges written per save during a long catch-up.</summary>
    private const int ChargesPerSave = 1000;

    /// <summary>
    /// Runs one account's due events in time order across its instances, so the hour that
    /// exhausted the balance, and with it the start of the overdue episode and the stop day,
    /// are the same whether the engine ran every hour or caught up after days.
    /// </summary>
    private async Task Meter(long accountId, List<Metered> metered, DateTimeOffset until, long revenue, EngineRunReport report, CancellationToken ct)
    {
        var payg = options;
        var overdueSince = await db.BillingAccounts.AsNoTracking().Where(a => a.Id == accountId).Select(a => a.OverdueSince).FirstAsync(ct);
        var (cash, overdue) = await ledger.OpenCustomerAccounts(accountId, ct);
        // The account is locked: only this pass moves its money now, so the balance is kept in step here.
        var balance = await ledger.Balance(accountId, ct);
        var charges = new List<NewJournalTransaction>();
        var queue = new PriorityQueue<Metered, (DateTimeOffset At, MeterEventKind Kind, string InstanceId)>(EventOrder);
        void Schedule(Metered m)
        {
            if (PayAsYouGoSchedule.Next(m.Instance, overdueSince, payg) is { } next && next.At <= until)
                queue.Enqueue(m, (next.At, next.Kind, m.Instance.Id));
        }
        foreach (var m in metered)
        {
            db.Instances.Attach(m.Instance);
            Schedule(m);
        }

        while (queue.TryDequeue(out var m, out var due))
        {
            var instance = m.Instance;
            var episode = overdueSince;
            switch (due.Kind)
            {
                case MeterEventKind.HourlyCharge:
                    {
                        var hourStart = instance.ChargedUntil!.Value;
                        instance.ChargedUntil = due.At;
                        if (m.Hourly.IsZero)
                            break;
                        // R8.2, R7.1 through the one money path (docs/decisions/0017): Available Credit pays what it can; the rest is overdue.
                        var (covered, shortfall) = BalanceCharges.Meter(balance, m.Hourly);
                        charges.Add(new NewJournalTransaction(PayAsYouGoSchedule.ChargeKey(instance.Id, hourStart),
                            $"Pay-as-you-go {instance.Id} ({instance.SpecCode}, {instance.RegionId}): hour from {BusinessCalendar.FormatDateTime(hourStart)}",
                            [new PostingLine(cash, -covered), new PostingLine(overdue, -shortfall), new PostingLine(revenue, m.Hourly)]));
                        balance = balance with { Cash = balance.Cash - covered, Overdue = balance.Overdue + shortfall };
                        report.Count("pay-as-you-go hour charged");
                        if (shortfall.IsPositive && overdueSince is null)
                        {
                            overdueSince = due.At;
                            await SetOverdueSince(accountId, overdueSince, ct);
                            NotifyOverdue(accountId, m, due.At, shortfall, balance);
                            report.Count("overdue");
                        }
                        if (charges.Count >= ChargesPerSave)
                        {
                            await ledger.PostNew(charges, ct);
                            charges.Clear();
                        }
                        break;
                    }
                case MeterEventKind.Stop:
                    if (!balance.Overdue.IsPositive)
                    {
                        // The overdue amount was cleared some other way (an operator's adjustment): the episode is over, nothing stops.
                        overdueSince = null;
                        await SetOverdueSince(accountId, null, ct);
                        report.Count("overdue cleared");
                        break;
                    }
                    instance.StoppedAt = due.At;
                    Record(instance, EngineActionKind.Suspension, PayAsYouGoSchedule.StopKey(instance.Id, due.At), due.At, $"stopped: overdue {balance.Overdue} CNY since {BusinessCalendar.FormatDateTime(overdueSince!.Value)}");
                    notifier.Add(accountId, PayAsYouGoSchedule.StopKey(instance.Id, due.At),
                        new PayAsYouGoStopped(instance.Id, instance.Name, m.Product.Code, overdueSince.Value, balance.Overdue, PayAsYouGoSchedule.ReleasesAt(due.At, payg)));
                    db.LifecycleEvents.Add(LifecycleEvents.Create($"{LifecycleEventTypes.InstanceSuspended}:{PayAsYouGoSchedule.StopKey(instance.Id, due.At)}", accountId, due.At,
                        new InstanceSuspendedEvent(instance.Id, "overdue", due.At, PayAsYouGoSchedule.ReleasesAt(due.At, payg))));
                    report.Count("pay-as-you-go stop");
                    break;
                case MeterEventKind.Release:
                    instance.Release(due.At);
                    Record(instance, EngineActionKind.Release, PayAsYouGoSchedule.ReleaseKey(instance.Id, due.At), due.At, "released: the overdue amount was not settled");
                    notifier.Add(accountId, PayAsYouGoSchedule.ReleaseKey(instance.Id, due.At),
                        new PayAsYouGoReleased(instance.Id, instance.Name, m.Product.Code, instance.StoppedAt!.Value, payg.ReleaseAfterStopDays));
                    db.LifecycleEvents.Add(LifecycleEvents.Create($"{LifecycleEventTypes.InstanceReleased}:{PayAsYouGoSchedule.ReleaseKey(instance.Id, due.At)}", accountId, due.At,
                        new InstanceReleasedEvent(instance.Id, "overdue", due.At)));
                    report.Count("pay-as-you-go release");
                    break;
            }

            if (episode == overdueSince)
            {
                Schedule(m);
                continue;
            }
            // The overdue episode began or ended: every instance's next event (its stop) moved.
            queue.Clear();
            foreach (var other in metered)
                Schedule(other);
        }

        await ledger.PostNew(charges, ct);
        foreach (var m in metered)
            m.Instance.PayAsYouGoDueAt = PayAsYouGoSchedule.Next(m.Instance, overdueSince, payg)?.At;
    }

    private Task<int> SetOverdueSince(long accountId, DateTimeOffset? since, CancellationToken ct) =>
        db.BillingAccounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.OverdueSince, since).SetProperty(a => a.Version, a => a.Version + 1), ct);

    /// <summary>R8.2, R9.3: one notice per overdue episode, keyed by the hour it began.</summary>
    private void NotifyOverdue(long accountId, Metered m, DateTimeOffset since, Money shortfall, AccountBalance balance)
    {
        var stops = PayAsYouGoSchedule.StopsAt(since, options);
        notifier.Add(accountId, PayAsYouGoSchedule.OverdueKey(accountId, since),
            new AccountOverdue(m.Instance.Id, m.Instance.Name, m.Hourly, since, shortfall, balance.Overdue, stops));
    }

    private void Record(Instance instance, EngineActionKind kind, string key, DateTimeOffset dueAt, string outcome) =>
        db.EngineActions.Add(new EngineAction
        {
            Key = key,
            Kind = kind,
            AccountId = instance.AccountId,
            InstanceId = instance.Id,
            DueAt = dueAt,
            DoneAt = clock.GetUtcNow(),
            Outcome = outcome,
        });
}
