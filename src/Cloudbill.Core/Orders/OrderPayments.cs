using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Provisioning;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Orders;

/// <summary>A payment attempt's result: the order, and whether it had already been paid (nothing charged again).</summary>
public sealed record PaymentOutcome(Order Order, bool AlreadyPaid, IReadOnlyList<string> CreatedInstanceIds);

/// <summary>
/// Pays orders and fulfils them in the same transaction: postings, coupon consumption, order
/// Paid, instances created or extended (ARCHITECTURE "One request, end to end", R5.5).
/// </summary>
public sealed class OrderPayments(
    CloudbillDbContext db,
    LedgerService ledger,
    ProductCatalog catalog,
    OrderService orders,
    Notifier notifier,
    IInstanceProvisioner provisioner,
    TimeProvider clock)
{
    public static string PaymentKey(long orderId) => $"order:{orderId}:payment";

    /// <summary>
    /// R5.3: pays an order from Available Credit. A second call for a paid order charges nothing
    /// and returns it (a double click); a cancelled order cannot be paid.
    /// </summary>
    public async Task<Result<PaymentOutcome>> PayFromBalance(long accountId, long orderId, CancellationToken ct)
    {
        Result<PaymentOutcome> result;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Acquire(accountId, ct);
            var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.AccountId == accountId, ct);
            if (order is null)
                return OrderErrors.NotFound(orderId);
            if (order.Status == OrderStatus.Paid)
                return new PaymentOutcome(order, AlreadyPaid: true, []);
            if (order.Status == OrderStatus.Cancelled)
                return OrderErrors.Cancelled(orderId);

            // One money path (docs/decisions/0017): R7.4, R7.1 and R3.5 decided by BalanceCharges.
            var decision = BalanceCharges.Decide(await ledger.Balance(accountId, ct), order.Payable, $"Order {orderId}", await Renewed(order, ct), clock.GetUtcNow());
            if (decision.Refusal is { } refusal)
            {
                if (refusal.Kind is ChargeRefusalKind.Released or ChargeRefusalKind.NotRenewable)
                {
                    // As when the instance went away after the order was placed: the order can never be paid.
                    await orders.CancelUnpaid(order, CancelReason.PaymentFailed, ct);
                    await tx.CommitAsync(ct);
                }
                return refusal.Problem;
            }

            var (cash, _) = await ledger.OpenCustomerAccounts(accountId, ct);
            result = await ApplyPayment(order, PaymentMethod.Balance, cash, NotificationKind.PaymentSucceeded, ct);
            // A refused renewal cancelled the order: that cancellation is kept.
            await tx.CommitAsync(ct);
        }

        if (result.Succeeded)
            provisioner.Provision(result.Value.CreatedInstanceIds);
        return result;
    }

    /// <summary>The instances a Renew order renews, with their products (R3.5 is decided on them); none for a New order.</summary>
    internal async Task<IReadOnlyList<(Instance Instance, Product Product)>> Renewed(Order order, CancellationToken ct)
    {
        if (order.Type != OrderType.Renew)
            return [];
        var ids = order.Lines.Select(l => l.InstanceId).OfType<string>().ToList();
        var instances = await db.Instances.Where(i => ids.Contains(i.Id) && i.AccountId == order.AccountId).ToListAsync(ct);
        return ids.Select(id => instances.First(i => i.Id == id)).Select(i => (i, catalog.GetProduct(i.ProductCode))).ToList();
    }

    /// <summary>
    /// Marks an unpaid order paid inside the caller's transaction (holding the account lock):
    /// the payable leaves <paramref name="fundingAccountId"/> (customer cash, or a gateway's
    /// clearing account), the coupon's deduction is consumed, and the order is fulfilled. A
    /// renewal whose instance was renewed or released since the order was placed is refused and
    /// the order cancelled, so a cycle is never charged twice (R4.5).
    /// </summary>
    internal async Task<Result<PaymentOutcome>> ApplyPayment(Order order, PaymentMethod method, long fundingAccountId, NotificationKind notice, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var stale = await StaleRenewal(order, now, ct);
        if (stale is not null)
        {
            await orders.CancelUnpaid(order, CancelReason.PaymentFailed, ct);
            return stale;
        }

        var revenue = await ledger.SystemAccount(LedgerService.RevenueCode, LedgerAccountKind.Revenue, ct);
        var couponExpense = await ledger.SystemAccount(LedgerService.CouponExpenseCode, LedgerAccountKind.CouponExpense, ct);
        var posted = await ledger.Post(PaymentKey(order.Id), PaymentDescription(order), PaymentLines(order, fundingAccountId, couponExpense, revenue), ct);
        if (!posted.Succeeded)
            throw new InvalidOperationException($"Payment postings of order {order.Id} were refused: {posted.Problem!.Message}");

        if (order.CouponId is { } couponId)
            await ConsumeCoupon(order, couponId, ct);

        order.Status = OrderStatus.Paid;
        order.PaidAt = now;
        order.PaidWith = method;
        var product = catalog.GetProduct(order.ProductCode);
        var created = order.Type == OrderType.New ? await Create(order, product, now) : await Extend(order, product, now, ct);

        db.Notifications.Add(PaidNotice(notifier, order, product, notice, created));
        await db.SaveChangesAsync(ct);
        return new PaymentOutcome(order, AlreadyPaid: false, created);
    }

    /// <summary>
    /// R6.3, R6.4: the deduction is consumed and the coupon unfrozen in the database, in one
    /// conditional update (a tracked copy may be stale: the freeze itself bypasses the tracker).
    /// </summary>
    private async Task ConsumeCoupon(Order order, long couponId, CancellationToken ct)
    {
        var current = await db.Coupons.AsNoTracking().Where(c => c.Id == couponId).Select(c => new { c.Remaining, c.FrozenByOrderId }).FirstAsync(ct);
        var left = current.Remaining - order.CouponDeduction;
        if (current.FrozenByOrderId != order.Id || left.IsNegative)
            throw new InvalidOperationException($"Coupon {couponId} is not held by order {order.Id} for {order.CouponDeduction}.");
        if (!await BalanceCharges.ConsumeCoupon(db, couponId, current.Remaining, order.CouponDeduction, heldByOrderId: order.Id, ct))
            throw new InvalidOperationException($"Coupon {couponId} changed while order {order.Id} held it.");
        if (db.ChangeTracker.Entries<Coupons.Coupon>().FirstOrDefault(e => e.Entity.Id == couponId) is { } tracked)
            await tracked.ReloadAsync(ct);
    }

    private async Task<Problem?> StaleRenewal(Order order, DateTimeOffset now, CancellationToken ct)
    {
        if (order.Type != OrderType.Renew)
            return null;
        foreach (var line in order.Lines)
        {
            var instance = await db.Instances.FirstAsync(i => i.Id == line.InstanceId && i.AccountId == order.AccountId, ct);
            var product = catalog.GetProduct(instance.ProductCode);
            if (BalanceCharges.Renewable(instance, product, now) is { } refusal)
                return refusal.Problem;
            if (line.ExpiresBefore is { } placedFor && instance.ExpiresAt != placedFor)
                return OrderErrors.RenewedMeanwhile(instance, order.Id);
        }
        return null;
    }

    private Task<IReadOnlyList<string>> Create(Order order, Product product, DateTimeOffset now)
    {
        var created = new List<string>();
        var sequence = 0;
        foreach (var line in order.Lines)
        {
            for (var n = 0; n < line.Quantity; n++)
            {
                sequence++;
                var instance = new Instance
                {
                    Id = InstanceIds.New(product.InstanceIdPrefix),
                    AccountId = order.AccountId,
                    ProductCode = product.Code,
                    SpecCode = line.SpecCode,
                    RegionId = line.RegionId,
                    Name = InstanceNames.For(line.InstanceName, n + 1, line.Quantity, product.Code, order.Id, sequence),
                    ChargeType = order.SubscriptionType,
                    Provisioning = ProvisioningState.Creating,
                    CreatedAt = now,
                    // R1.3: purchase time + term, rounded up to the next 00:00.
                    ExpiresAt = BusinessCalendar.SubscriptionExpiry(now, line.Months),
                    RenewalMethod = line.RenewalMethod,
                    AutoRenewPeriodMonths = line.RenewalMethod == RenewalMethod.AutoRenewal ? line.AutoRenewPeriodMonths : null,
                    AutoRenewEnabledAt = line.RenewalMethod == RenewalMethod.AutoRenewal ? now : null,
                    CreatedByOrderId = order.Id,
                };
                instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, now);
                db.Instances.Add(instance);
                created.Add(instance.Id);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>(created);
    }

    private async Task<IReadOnlyList<string>> Extend(Order order, Product product, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var line in order.Lines)
        {
            var instance = await db.Instances.FirstAsync(i => i.Id == line.InstanceId && i.AccountId == order.AccountId, ct);
            ExtendLine(order, line, instance, product, now);
        }
        return [];
    }

    /// <summary>A paid renewal line moves its instance's expiry (R3.2) and frees it from the order's hold.</summary>
    internal static void ExtendLine(Order order, OrderLine line, Instance instance, Product product, DateTimeOffset now)
    {
        line.ExpiresBefore ??= instance.ExpiresAt;
        // R3.2: from the old expiry, also when already expired (no free time); R1.6 restores it.
        instance.ExpiresAt = line.UnifiedExpiresAt ?? BusinessCalendar.AddMonths(instance.ExpiresAt ?? now, line.Months);
        line.ExpiresAfter = instance.ExpiresAt;
        if (instance.UnpaidOrderId == order.Id)
            instance.UnpaidOrderId = null;
        instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, now);
    }

    internal static string PaymentDescription(Order order) => $"Payment of order {order.Id} ({order.Type} {order.ProductCode})";

    /// <summary>The payment's postings: the payable leaves the funding account, the coupon's share is an expense, the price is revenue.</summary>
    internal static PostingLine[] PaymentLines(Order order, long fundingAccountId, long couponExpenseAccountId, long revenueAccountId) =>
    [
        new PostingLine(fundingAccountId, -order.Payable),
        new PostingLine(couponExpenseAccountId, -order.CouponDeduction),
        new PostingLine(revenueAccountId, order.AmountBeforeCoupon),
    ];

    /// <summary>R9: the paid order's notice, once per order (not yet in the unit of work).</summary>
    internal static Notification PaidNotice(Notifier notifier, Order order, Product product, NotificationKind notice, IReadOnlyList<string> created)
    {
        var renewed = order.Type == OrderType.Renew ? order.Lines.Select(l => new RenewedInstance(l.InstanceId!, l.ExpiresAfter!.Value)).ToList() : [];
        return notifier.Create(order.AccountId, $"order:{order.Id}:paid", new OrderPaid(order.Id, product.Code, created.Count, renewed, order.Payable, order.CouponDeduction,
            ByAutoRenewal: notice == NotificationKind.AutoRenewalSucceeded, order.Lines.Count == 1 ? order.Lines[0].InstanceId : null));
    }
}
