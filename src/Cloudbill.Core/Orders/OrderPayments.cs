using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Orders;

/// <summary>A payment attempt's result: the order, and whether it had already been paid (nothing charged again).</summary>
public sealed record PaymentOutcome(Order Order, bool AlreadyPaid, IReadOnlyList<string> CreatedInstanceIds);

/// <summary>
/// A draft ready to be placed and paid at once (<see cref="OrderPayments.PlaceAndPay"/>): the
/// customer's coupon choice and the coupons it allows, best first, and for a pay-as-you-go
/// purchase the price its notice names.
/// </summary>
public sealed record ReadyDraft(OrderDraft Draft, CouponChoice Choice, IReadOnlyList<CouponVerdict> Coupons, PayAsYouGoRate? Rate = null);

/// <summary>
/// Where an order is paid (docs/decisions/0028): every payment of an order goes through
/// <see cref="Pay"/>, which reads what the <see cref="PaymentPlan"/> needs and hands the plan to
/// <see cref="Apply"/>, the one writer of a payment: postings, coupon consumed, order Paid,
/// instances extended or created, notice, in the caller's transaction (R5.5). The engine applies
/// its batches of plans set-based with the same parts (Lifecycle.AutoRenewalCharges).
/// </summary>
public sealed class OrderPayments(
    CloudbillDbContext db,
    LedgerService ledger,
    ProductCatalog catalog,
    OrderService orders,
    Notifier notifier,
    TimeProvider clock)
{
    /// <summary>R10.3: the business key of an order's payment.</summary>
    public static string PaymentKey(long orderId) => $"order:{orderId}:payment";

    /// <summary>
    /// R5.3: pays a placed order from Available Credit. A second call for a paid order charges
    /// nothing and returns it (a double click); a cancelled order cannot be paid; a renewal whose
    /// instance went away meanwhile is cancelled (kept), other refusals change nothing.
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

            result = await Pay(order, PaymentMethod.Balance, await ledger.Balance(accountId, ct), $"Order {orderId}", ct);
            if (!result.Succeeded && order.Status != OrderStatus.Cancelled)
                return result;
            await tx.CommitAsync(ct);
        }
        return result;
    }

    /// <summary>
    /// Places an order and pays it from the balance in one transaction under the account lock:
    /// Renew Now (the app's page and the API's RenewInstance and SetAllExpirationDay) and a
    /// pay-as-you-go purchase. Concurrent requests each pay once; a refused payment leaves nothing
    /// behind; the same client token returns the first result (R5.4). <paramref name="prepare"/>
    /// checks and prices the request on the balance read under the lock, after R7.4.
    /// </summary>
    /// <param name="method"><see cref="PaymentMethod.Compensation"/> for a gift of time at no charge: R7.4 and R7.1 are not asked, as nothing is charged.</param>
    internal async Task<Result<PaymentOutcome>> PlaceAndPay(long accountId, ClientToken token, Func<Order, bool> sameRequest, string what,
        Func<AccountBalance, Task<Result<ReadyDraft>>> prepare, CancellationToken ct, PaymentMethod method = PaymentMethod.Balance)
    {
        // No savepoint around each save (two round trips each, three saves): any failure rolls the
        // whole transaction back and nothing here goes on after a failed save, as in the engine's batch.
        var savepoints = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            return await PlaceAndPayOnce(accountId, token, sameRequest, what, prepare, method, ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
        }
    }

    private async Task<Result<PaymentOutcome>> PlaceAndPayOnce(long accountId, ClientToken token, Func<Order, bool> sameRequest, string what,
        Func<AccountBalance, Task<Result<ReadyDraft>>> prepare, PaymentMethod method, CancellationToken ct)
    {
        Result<PaymentOutcome> paid;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Acquire(accountId, ct);
            if (await orders.FindByToken(accountId, token, ct) is { } existing)
                return sameRequest(existing) ? await Repeated(existing, ct) : OrderErrors.TokenReused(token, existing);

            // R7.4 first, before anything else is looked at.
            var balance = await ledger.Balance(accountId, ct);
            var charged = method != PaymentMethod.Compensation;
            if (charged && BalanceCharges.Overdue(balance) is { } overdue)
                return overdue.Problem;
            var ready = await prepare(balance);
            if (!ready.Succeeded)
                return ready.Problem!;
            var draft = ready.Value.Draft;
            var placed = await orders.PlaceWithin(accountId, draft, token, ready.Value.Choice, ready.Value.Coupons, holdInstances: draft.Type == OrderType.Renew, ct);
            if (!placed.Succeeded)
                return placed.Problem!;
            paid = await Pay(placed.Value, method, charged ? balance : null, what, ct, ready.Value.Rate);
            if (!paid.Succeeded)
                return paid.Problem!;
            await tx.CommitAsync(ct);
        }
        return paid;
    }

    /// <summary>R5.4: what a repeated client token answers: the paid order with what it made, or why it is not paid.</summary>
    private async Task<Result<PaymentOutcome>> Repeated(Order existing, CancellationToken ct) => existing.Status switch
    {
        OrderStatus.Paid => new PaymentOutcome(existing, AlreadyPaid: true,
            await db.Instances.AsNoTracking().Where(i => i.CreatedByOrderId == existing.Id).OrderBy(i => i.Id).Select(i => i.Id).ToListAsync(ct)),
        OrderStatus.Cancelled => OrderErrors.Cancelled(existing.Id),
        _ => OrderErrors.InstanceHasUnpaidOrder(existing.Lines.First().InstanceId ?? "", existing.Id),
    };

    /// <summary>
    /// Pays an unpaid order inside the caller's transaction (holding the account lock): reads what
    /// its <see cref="PaymentPlan"/> is decided on and applies the plan. <paramref name="balance"/>
    /// is null when the money has already arrived (a gateway's confirmation).
    /// </summary>
    internal async Task<Result<PaymentOutcome>> Pay(Order order, PaymentMethod method, AccountBalance? balance, string what, CancellationToken ct, PayAsYouGoRate? rate = null)
    {
        var renewedIds = order.Lines.Select(l => l.InstanceId).OfType<string>().ToList();
        var renewed = await db.Instances.Where(i => renewedIds.Contains(i.Id) && i.AccountId == order.AccountId).ToListAsync(ct);
        var coupon = order.CouponId is { } couponId ? await db.Coupons.AsNoTracking().FirstAsync(c => c.Id == couponId, ct) : null;
        var accounts = await Accounts(order.AccountId, ct);
        var plan = PaymentPlan.For(new PaymentRequest(order, catalog.GetProduct(order.ProductCode), method, balance, what, renewed, coupon, accounts, ByAutoRenewal: false, clock.GetUtcNow(), rate));
        return await Apply(plan, ct);
    }

    /// <summary>
    /// The one writer of a payment, in the caller's transaction. A refused plan writes nothing,
    /// except that a renewal which can never be paid is cancelled (R3.5, R4.5); an approved one
    /// posts, consumes the coupon, marks the order paid, extends or creates its instances and
    /// adds its notice.
    /// </summary>
    internal async Task<Result<PaymentOutcome>> Apply(PaymentPlan plan, CancellationToken ct)
    {
        var order = plan.Order;
        if (plan.Refusal is { } refusal)
        {
            if (plan.CancelsOrder)
                await orders.CancelUnpaid(order, CancelReason.PaymentFailed, ct);
            return refusal.Problem;
        }

        if (plan.Postings.Count > 0)
        {
            var staged = ledger.Stage(plan.PaymentKey, plan.PaymentDescription, plan.Postings, plan.LedgerCustomers);
            await ledger.Write([staged.Succeeded ? staged.Value : throw new InvalidOperationException($"Payment postings of order {order.Id} were refused: {staged.Problem!.Message}")],
                kind: null, bulk: false, ct);
        }
        if (plan.Coupon is { } use && !await CouponHolds.Consume(db, use.Coupon, use.Deduction, use.HeldByOrderId, ct))
            throw new InvalidOperationException($"Coupon {use.Coupon.Id} changed while order {order.Id} held it.");
        Settle(plan);

        var sequence = 0;
        var created = plan.NewInstances.SelectMany(request => NewInstances.For(request, plan.Request.Product, plan.Request.Now, ref sequence)).ToList();
        db.Instances.AddRange(created);
        var ids = created.Select(i => i.Id).ToList();
        db.Notifications.Add(Notice(notifier, plan.Notice(ids)));
        db.LifecycleEvents.AddRange(plan.Events(created));
        await db.SaveChangesAsync(ct);
        return new PaymentOutcome(order, AlreadyPaid: false, ids);
    }

    /// <summary>
    /// The one writer of a refund (docs/decisions/0032), in the caller's transaction under the
    /// account lock: gives <paramref name="instanceId"/>'s share of its paid New order back to the
    /// customer's cash, tells the customer and writes order.refunded. The instance's state is the
    /// caller's. Keyed per instance: a repeat posts, tells and emits nothing, and returns false.
    /// </summary>
    internal async Task<(InstanceRefund Refund, bool Refunded)> RefundInstance(Order order, string instanceId, string instanceName, string reason, CancellationToken ct)
    {
        var created = await db.Instances.AsNoTracking().Where(i => i.CreatedByOrderId == order.Id).ToListAsync(ct);
        var refund = InstanceRefund.For(order, created, instanceId, reason, clock.GetUtcNow()).AtMost(order.Refundable);
        if (await db.LifecycleEvents.AnyAsync(e => e.Key == refund.Event().Key, ct))
            return (refund, false);
        var postings = refund.Postings(await Accounts(order.AccountId, ct));
        if (postings.Count > 0)
        {
            var posted = await ledger.Post(refund.RefundKey, refund.Description, postings, ct);
            if (!posted.Succeeded)
                throw new InvalidOperationException($"The refund of {instanceId} was refused: {posted.Problem!.Message}");
        }
        if (refund.Cash.IsPositive)
            order.RecordRefund(refund.Cash);
        db.Notifications.Add(Notice(notifier, refund.Notice(instanceName)));
        db.LifecycleEvents.Add(refund.Event());
        await db.SaveChangesAsync(ct);
        return (refund, true);
    }

    /// <summary>R10.3: the business key of a staff refund of an order to the balance, one per form (its client token).</summary>
    public static string StaffRefundKey(long orderId, ClientToken token) => $"order:{orderId}:staff-refund:{token.Value}";

    /// <summary>The key of the order.refunded event of a staff refund: one per form, whichever way the money went.</summary>
    public static string StaffRefundEventKey(long orderId, ClientToken token) => $"order:{orderId}:refunded:{token.Value}";

    /// <summary>
    /// The one writer of a staff refund of an order (docs/decisions/0040), in the caller's
    /// transaction under the account lock: the order records <paramref name="amount"/> (never more
    /// than was paid), the customer is told and order.refunded is written. To the balance
    /// (<paramref name="throughGateway"/> null) revenue gives the amount back to the customer's cash
    /// here; through a gateway ("Alipay", "UnionPay") the caller's <c>GatewayRefunds</c> posts revenue
    /// to its clearing. Instances stay as they are: a refund is money, not a release.
    /// </summary>
    internal async Task<Result<Money>> Refund(Order order, Money amount, ClientToken token, string? throughGateway, CancellationToken ct)
    {
        if (!amount.IsPositive || amount > order.Refundable)
            return OrderErrors.RefundTooLarge(order, amount);
        var key = StaffRefundKey(order.Id, token);
        if (throughGateway is null)
        {
            var accounts = await Accounts(order.AccountId, ct);
            var posted = await ledger.Post(key, $"Refund of order {order.Id}", [new PostingLine(accounts.Revenue, -amount), new PostingLine(accounts.CustomerCash, amount)], ct);
            if (!posted.Succeeded)
                throw new InvalidOperationException($"The refund of order {order.Id} was refused: {posted.Problem!.Message}");
        }
        order.RecordRefund(amount);
        notifier.Add(order.AccountId, key, new OrderRefunded(order.Id, order.ProductCode, amount, throughGateway));
        db.LifecycleEvents.Add(LifecycleEvents.Create(StaffRefundEventKey(order.Id, token), order.AccountId, clock.GetUtcNow(),
            new OrderRefundedEvent(order.Id, amount.Fen, throughGateway is null ? "provider_refund" : "provider_refund_to_gateway", null)));
        await db.SaveChangesAsync(ct);
        return amount;
    }

    private async Task<PaymentAccounts> Accounts(long accountId, CancellationToken ct)
    {
        // One round trip for the three (was four lookups, the unused overdue account's included).
        var (cash, couponExpense, revenue) = await ledger.PaymentAccounts(accountId, ct);
        return new PaymentAccounts(cash, couponExpense, revenue);
    }

    /// <summary>An approved plan's order is paid and its renewed instances extended (R3.2, R4.5): the same in memory for one payment and for the engine's batch.</summary>
    internal static void Settle(PaymentPlan plan)
    {
        var now = plan.Request.Now;
        plan.Order.MarkPaid(plan.Request.Method, now);
        foreach (var extension in plan.Extensions)
        {
            extension.Line.ExpiresBefore ??= extension.Instance.ExpiresAt;
            extension.Line.ExpiresAfter = extension.NewExpiry;
            extension.Instance.Extend(extension.NewExpiry, plan.Order.Id, plan.Request.Product, now);
        }
    }

    /// <summary>The one place a payment's notice becomes a Message Center entry (R9), for one payment and for the engine's batch.</summary>
    internal static Notification Notice(Notifier notifier, PlannedNotice notice) =>
        notifier.Create(notice.AccountId, notice.CauseKey, notice.Notice);
}
