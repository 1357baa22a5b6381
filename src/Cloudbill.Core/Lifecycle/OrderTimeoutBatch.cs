using System.Globalization;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Lifecycle;

/// <summary>
/// R5.2: the engine's order time-outs, one claimed batch in one transaction: every unpaid order
/// whose pay-by time has come is cancelled, its coupon and instance released (R6.4, R3.3), the
/// time-out recorded under its engine action key and the customer told (R9), once each. Run by
/// the engine's one claim loop (<see cref="LifecycleEngine"/>) like every other engine action,
/// so an order that fails on its own stays due and the others go on.
/// </summary>
internal sealed class OrderTimeoutBatch(CloudbillDbContext db, OrderService orders, Notifier notifier, OrderOptions options, TimeProvider clock) : IEngineBatch
{
    public string ItemName => "order";

    public IReadOnlyList<string> ClaimedIds { get; private set; } = [];

    public async Task<EngineBatchResult> Run(DateTimeOffset until, int size, HashSet<string> skipped, EngineRunCache cache, DatabaseProvider provider, CancellationToken ct)
    {
        var report = new EngineRunReport();
        await using var tx = await EngineClaims.BeginUnlessBusy(db, provider, ct);
        if (tx is null)
            return new EngineBatchResult(0, report);
        var claimed = await Claim(until, size, skipped, provider, ct);
        ClaimedIds = claimed.Select(o => o.Id.ToString(CultureInfo.InvariantCulture)).ToList();
        if (claimed.Count == 0)
            return new EngineBatchResult(0, report);

        // As in the other engine work: an account a customer is paying on is skipped, never
        // waited for (docs/decisions/0008); its orders stay due for the next run.
        var locked = await db.LockAvailable(claimed.Select(o => o.AccountId).Distinct().Order().ToArray(), provider, ct);
        foreach (var order in claimed)
        {
            if (!locked.Contains(order.AccountId))
            {
                skipped.Add(order.Id.ToString(CultureInfo.InvariantCulture));
                continue;
            }
            await orders.CancelUnpaid(order, CancelReason.Timeout, ct);
            db.EngineActions.Add(new EngineAction
            {
                Key = OrderService.TimeoutKey(order.Id),
                Kind = EngineActionKind.OrderTimeout,
                AccountId = order.AccountId,
                DueAt = order.PayBy,
                DoneAt = clock.GetUtcNow(),
                Outcome = "cancelled: unpaid past its time-out",
            });
            notifier.Add(order.AccountId, OrderService.TimeoutKey(order.Id),
                new OrderTimedOut(order.Id, order.Type == OrderType.Renew, order.ProductCode, order.Payable, options.UnpaidLifetimeDays, order.Lines.Count == 1 ? order.Lines[0].InstanceId : null));
            report.Count("order time-out");
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new EngineBatchResult(claimed.Count, report);
    }

    /// <summary>Due unpaid orders, oldest pay-by time first (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite's single writer is the claim).</summary>
    private async Task<List<Order>> Claim(DateTimeOffset until, int size, HashSet<string> skipped, DatabaseProvider provider, CancellationToken ct)
    {
        var exclude = skipped.Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToArray();
        if (provider == DatabaseProvider.Postgres)
        {
            var unpaid = nameof(OrderStatus.Unpaid);
            var ids = await db.Database.SqlQuery<long>($"""
                SELECT "Id" AS "Value" FROM "Orders"
                WHERE "Status" = {unpaid} AND "PayBy" <= {until} AND NOT ("Id" = ANY({exclude}))
                ORDER BY "PayBy", "Id"
                LIMIT {size}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            var orders = await db.Orders.Include(o => o.Lines).Where(o => ids.Contains(o.Id)).ToListAsync(ct);
            return orders.OrderBy(o => o.PayBy).ThenBy(o => o.Id).ToList();
        }

        return await db.Orders.Include(o => o.Lines).Where(o => o.Status == OrderStatus.Unpaid && o.PayBy <= until && !exclude.Contains(o.Id))
            .OrderBy(o => o.PayBy).ThenBy(o => o.Id).Take(size).ToListAsync(ct);
    }
}
