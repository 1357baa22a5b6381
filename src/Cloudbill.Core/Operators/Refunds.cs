using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Operators;

/// <summary>Where a refund's money goes.</summary>
public enum RefundDestination
{
    /// <summary>The customer's cash, at once.</summary>
    Balance,

    /// <summary>The Alipay or UnionPay account that paid, through the gateway's refund.</summary>
    Gateway,
}

/// <param name="Payment">The gateway payment going back, for a refund through the gateway.</param>
/// <param name="AlreadyDone">The form was used before (a second click): nothing more was posted.</param>
public sealed record RefundDone(Money Amount, RefundDestination To, GatewayPayment? Payment, bool AlreadyDone);

/// <summary>
/// Finance staff refund an order or a gateway payment (docs/decisions/0040), each through the
/// writer that owns it: an order's refund is recorded by <see cref="OrderPayments"/> (to the
/// balance: revenue to the customer's cash), a payment goes back to the payer by
/// <see cref="GatewayRefunds"/> (cash to the gateway's clearing, the gateway asked to refund). An
/// order refunded "to the gateway" is both, in one transaction: revenue goes straight to the
/// clearing of the Alipay or UnionPay payment that paid it, the balance does not move. Nothing is
/// edited in place: every step is a new journal transaction, so `reconcile` stays clean.
/// </summary>
public sealed class Refunds(
    CloudbillDbContext db,
    OrderPayments orderPayments,
    GatewayRefunds gatewayRefunds,
    GatewayPoller poller,
    OverdueSettlement overdue,
    AuditLog audit,
    AuditOrigin origin,
    ILogger<Refunds> logger)
{
    /// <summary>
    /// Gives back <paramref name="amount"/> of a paid order: any part of what is left to refund to
    /// the balance, or to the gateway the whole of the Alipay or UnionPay payment that paid it.
    /// Once per form (<paramref name="token"/>).
    /// </summary>
    public Task<Result<RefundDone>> RefundOrder(long accountId, long orderId, Money amount, RefundDestination to, string reason, ClientToken token, CancellationToken ct) =>
        StaffReason.Then<RefundDone>(origin, reason, async () =>
        {
            RefundDone done;
            await using (var tx = await db.BeginOrJoinTransaction(ct))
            {
                await db.Acquire(accountId, ct);
                var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.AccountId == accountId, ct);
                if (order is null)
                    return OrderErrors.NotFound(orderId);
                var eventKey = OrderPayments.StaffRefundEventKey(orderId, token);
                if (await db.LifecycleEvents.AnyAsync(e => e.Key == eventKey, ct))
                    return new RefundDone(amount, to, null, AlreadyDone: true);

                GatewayPayment? payment = null;
                if (to == RefundDestination.Gateway)
                {
                    // The payment that paid the order: of the gateway the order says it was paid with (a second payment went to the balance, R5.5).
                    PaymentGateway? paidAt = order.PaidWith switch
                    {
                        PaymentMethod.Alipay => PaymentGateway.Alipay,
                        PaymentMethod.UnionPay => PaymentGateway.UnionPay,
                        _ => null,
                    };
                    payment = paidAt is null ? null : await db.GatewayPayments.AsNoTracking()
                        .Where(p => p.OrderId == orderId && p.AccountId == accountId && p.Gateway == paidAt && p.State == GatewayPaymentState.Credited && p.GatewayTradeNo != null)
                        .OrderBy(p => p.Id).FirstOrDefaultAsync(ct);
                    if (payment is null)
                        return RefundErrors.NoGatewayPayment(order);
                    if (amount != payment.Amount)
                        return RefundErrors.GatewayRefundIsWhole(payment, amount);
                }

                var refunded = await orderPayments.Refund(order, amount, token, throughGateway: payment?.Gateway.ToString(), ct);
                if (!refunded.Succeeded)
                    return refunded.Problem!;
                if (payment is not null)
                {
                    var started = await gatewayRefunds.Start(accountId, payment.OutTradeNo, fromRevenue: true, ct);
                    if (!started.Succeeded)
                        return started.Problem!; // nothing is committed
                    payment = started.Value.Payment;
                    audit.Add(AuditEventKind.OrderRefunded, accountId, $"order {orderId}: {amount} CNY refunded to {payment.Gateway} (payment {payment.OutTradeNo})");
                }
                else
                {
                    audit.Add(AuditEventKind.OrderRefunded, accountId, $"order {orderId}: {amount} CNY refunded to the balance");
                    // R7.4: money reaching the balance settles an overdue amount first, as a top-up does.
                    await overdue.SettleFromCash(accountId, OrderPayments.StaffRefundKey(orderId, token) + ":settle", ct);
                }
                await db.SaveChangesAsync(ct);
                await tx.Commit(ct);
                done = new RefundDone(amount, to, payment, AlreadyDone: false);
            }
            if (done.Payment is { } going)
                await AskGateway(going, ct);
            return done;
        });

    /// <summary>
    /// Sends a credited payment (a top-up, or money credited to the balance because its order could
    /// not be paid) back to the payer, whole. A payment already going back is answered as it is.
    /// </summary>
    public Task<Result<RefundDone>> RefundPayment(long accountId, string outTradeNo, string reason, CancellationToken ct) =>
        StaffReason.Then<RefundDone>(origin, reason, async () =>
        {
            (GatewayPayment Payment, bool Started) started;
            await using (var tx = await db.BeginOrJoinTransaction(ct))
            {
                await db.Acquire(accountId, ct);
                var result = await gatewayRefunds.Start(accountId, outTradeNo, fromRevenue: false, ct);
                if (!result.Succeeded)
                    return result.Problem!;
                started = result.Value;
                await tx.Commit(ct);
            }
            if (started.Started)
                await AskGateway(started.Payment, ct);
            return new RefundDone(started.Payment.Amount, RefundDestination.Gateway, started.Payment, AlreadyDone: !started.Started);
        });

    /// <summary>
    /// Asks the gateway now, after the commit. The refund is recorded whatever happens here: a
    /// failure is the poller's to retry (the payment is due again in minutes), not staff's error.
    /// </summary>
    private async Task AskGateway(GatewayPayment payment, CancellationToken ct)
    {
        try
        {
            await poller.RequestRefund(payment, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "The refund of {OutTradeNo} is recorded; asking {Gateway} failed and the poller will ask again", payment.OutTradeNo, payment.Gateway);
        }
    }
}

internal static class RefundErrors
{
    public static Problem NoGatewayPayment(Order order) =>
        Problem.Conflict("Refund.NoGatewayPayment", $"Order {order.Id} was not paid by a credited Alipay or UnionPay payment ({order.PaidWith?.ToString() ?? "unpaid"}): refund it to the balance.");

    public static Problem GatewayRefundIsWhole(GatewayPayment payment, Money amount) =>
        Problem.Invalid("Refund.GatewayAmount", $"A payment goes back to {payment.Gateway} whole: {payment.Amount} CNY (payment {payment.OutTradeNo}), not {amount}. Refund a part to the balance instead.");
}
