using Cloudbill.Core.Accounts;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Orders;

/// <summary>Places, cancels and times out orders (R5), freezing and releasing their coupons (R6.4).</summary>
public sealed class OrderService(CloudbillDbContext db, CouponService coupons, LedgerService ledger, OrderOptions options, TimeProvider clock)
{
    /// <summary>
    /// Places an unpaid order for a validated draft. The same client token returns the first
    /// order (R5.4). The coupon is frozen for the order (R6.4); with the best-coupon choice a
    /// coupon taken meanwhile by another order gives way to the next eligible one. A renewed
    /// instance is held by the order (R3.3).
    /// </summary>
    public async Task<Result<Order>> Place(long accountId, OrderDraft draft, ClientToken token, CouponChoice choice, CancellationToken ct)
    {
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // A double tap sends the same token twice at once: under the account lock the second
            // finds the first's order instead of failing on the unique key (R5.4).
            await db.Acquire(accountId, ct);
            if (await FindByToken(accountId, token, ct) is { } first)
                return IsFor(first, draft.Type, draft.Lines.Select(l => l.InstanceId).OfType<string>().ToList(), draft.ProductCode) ? first : OrderErrors.TokenReused(token, first);

            // R7.4: an overdue account cannot order anything that costs money.
            if (BalanceCharges.Overdue(await ledger.Balance(accountId, ct)) is { } overdue)
                return overdue.Problem;
            var facts = new CouponFacts(draft.ProductCode, draft.Type.ForCoupons(), draft.ChargeType, draft.AmountBeforeCoupon);
            var candidates = await coupons.Candidates(accountId, choice, facts, ct);
            if (!candidates.Succeeded)
                return candidates.Problem!;
            var placed = await PlaceWithin(accountId, draft, token, choice, candidates.Value, holdInstances: true, ct);
            if (!placed.Succeeded)
            {
                db.ChangeTracker.Clear();
                return placed;
            }
            await tx.CommitAsync(ct);
            return placed;
        }
        catch (DbUpdateException)
        {
            // A concurrent request with the same token won the unique key: return its order.
            // (Looked up after the failed transaction is gone, never inside an exception filter.)
            db.ChangeTracker.Clear();
            var first = await FindByToken(accountId, token, ct);
            if (first is null)
                throw;
            return first;
        }
    }

    /// <summary>
    /// Writes an unpaid order in the caller's transaction: holds its instances (R3.3) when asked,
    /// and freezes the first candidate coupon no other order froze or used since it was judged
    /// (R6.4). On a problem the caller must roll back.
    /// </summary>
    internal async Task<Result<Order>> PlaceWithin(long accountId, OrderDraft draft, ClientToken token, CouponChoice choice, IReadOnlyList<CouponVerdict> candidates, bool holdInstances, CancellationToken ct)
    {
        var order = NewOrder(accountId, draft, token);
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);

        // R3.3: at most one unpaid order per instance, taken atomically.
        if (holdInstances)
        {
            foreach (var instanceId in draft.Lines.Select(l => l.InstanceId).OfType<string>())
            {
                if (!await InstanceHolds.Hold(db, instanceId, accountId, order.Id, ct))
                    return OrderErrors.InstanceHasUnpaidOrder(instanceId, await InstanceHolds.HeldBy(db, instanceId, ct) ?? 0);
            }
        }

        // R6.4: freeze the coupon, but only if no other order froze or used it since it was judged.
        foreach (var candidate in candidates)
        {
            if (await CouponHolds.Freeze(db, candidate.Coupon.Id, candidate.Coupon.Remaining, order.Id, ct))
            {
                order.ApplyCoupon(candidate.Coupon.Id, candidate.Deduction);
                break;
            }
            if (choice is CouponChoice.GivenCoupon)
            {
                var holder = await CouponHolds.FrozenBy(db, candidate.Coupon.Id, ct);
                return CouponErrors.NotApplicable(candidate.Coupon.Id, holder is null ? "it was just used by another order." : $"Frozen by unpaid order {holder}; pay or cancel that order to use it.");
            }
        }

        await db.SaveChangesAsync(ct);
        return order;
    }

    /// <summary>An unpaid order for a draft, priced before any coupon, not yet added to the context.</summary>
    internal Order NewOrder(long accountId, OrderDraft draft, ClientToken token)
    {
        var now = clock.GetUtcNow();
        return new Order
        {
            AccountId = accountId,
            ClientToken = token.Value,
            Type = draft.Type,
            Status = OrderStatus.Unpaid,
            ProductCode = draft.ProductCode,
            ChargeType = draft.ChargeType,
            CreatedAt = now,
            PayBy = now.AddDays(options.UnpaidLifetimeDays),
            OriginalPrice = draft.OriginalPrice,
            Discount = draft.Discount,
            Payable = draft.AmountBeforeCoupon,
            Lines = draft.Lines.Select(l => new OrderLine
            {
                AccountId = accountId,
                InstanceId = l.InstanceId,
                SpecCode = l.SpecCode,
                RegionId = l.RegionId,
                Months = l.Months,
                Quantity = l.Quantity,
                MonthlyPrice = l.Price.MonthlyPrice,
                DiscountPercent = l.Price.DiscountPercent,
                OriginalPrice = l.Price.OriginalPrice,
                Discount = l.Price.Discount,
                RenewalMethod = l.RenewalMethod,
                AutoRenewPeriodMonths = l.AutoRenewPeriodMonths,
                ExpiresBefore = l.ExpiresBefore,
                UnifiedExpiresAt = l.UnifiedExpiresAt,
                InstanceName = l.InstanceName,
            }).ToList(),
        };
    }

    /// <summary>
    /// Inserts many new orders with their lines in the caller's transaction and gives them their
    /// ids: the engine's batch (docs/decisions/0013); on PostgreSQL one statement per table.
    /// </summary>
    internal static async Task AddAll(CloudbillDbContext db, IReadOnlyList<Order> orders, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            db.Orders.AddRange(orders);
            await db.SaveChangesAsync(ct);
            return;
        }
        await PostgresBulkWrites.InsertWithChildren(db, orders, (order, id) =>
        {
            order.Id = id;
            foreach (var line in order.Lines)
                line.OrderId = id;
        }, o => o.Lines, ct);
    }

    /// <summary>R5.2: the customer cancels an unpaid order; its coupon is released whole (R6.4).</summary>
    public async Task<Result<Order>> Cancel(long accountId, long orderId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Acquire(accountId, ct);
        var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.AccountId == accountId, ct);
        if (order is null)
            return OrderErrors.NotFound(orderId);
        switch (order.Status)
        {
            case OrderStatus.Paid:
                return OrderErrors.AlreadyPaid(orderId);
            case OrderStatus.Cancelled:
                return order;
            case OrderStatus.Unpaid:
                await CancelUnpaid(order, CancelReason.Customer, ct);
                await tx.CommitAsync(ct);
                return order;
            default:
                throw new InvalidOperationException($"Unknown order status {order.Status}.");
        }
    }

    /// <summary>R5.2: the engine action key of an order's time-out (the engine's <see cref="Lifecycle.OrderTimeoutBatch"/> does it).</summary>
    public static string TimeoutKey(long orderId) => $"order-timeout:{orderId}";

    /// <summary>Cancels an unpaid order in the caller's transaction, releasing its coupon and its instances (R6.4, R3.3).</summary>
    internal async Task CancelUnpaid(Order order, CancelReason reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        order.Cancel(reason, now);
        db.LifecycleEvents.Add(LifecycleEvents.Create($"order:{order.Id}:cancelled", order.AccountId, now, new OrderCancelledEvent(order.Id, LifecycleEvents.Code(reason))));
        await db.SaveChangesAsync(ct);
        if (order.CouponId is { } couponId)
            await CouponHolds.Release(db, couponId, order.Id, ct);
        await InstanceHolds.Release(db, order.Id, ct);
    }

    /// <summary>R5.4: a repeated token returns its order only when it asks for the same thing.</summary>
    internal static bool IsFor(Order order, OrderType type, IReadOnlyCollection<string> instanceIds, string? productCode = null) =>
        order.Type == type
        && (productCode is null || order.ProductCode == productCode)
        && order.Lines.Select(l => l.InstanceId).OfType<string>().Order(StringComparer.Ordinal).SequenceEqual(instanceIds.Order(StringComparer.Ordinal));

    internal Task<Order?> FindByToken(long accountId, ClientToken token, CancellationToken ct) =>
        db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefaultAsync(o => o.AccountId == accountId && o.ClientToken == token.Value, ct);
}
