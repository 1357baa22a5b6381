using Cloudbill.Core.Accounts;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Payments;

/// <summary>The gateway says a trade is paid: from a verified notification or an active query.</summary>
/// <param name="RefusedChannel">Huabei or credit card seen in fund_bill_list (R7.2): refund, credit nothing.</param>
public sealed record GatewayConfirmation(string OutTradeNo, Money Amount, string GatewayTradeNo, string Source, string? RefusedChannel = null);

/// <summary>What a confirmation did; <see cref="AlreadyApplied"/> for every repeat.</summary>
public sealed record ConfirmationOutcome(GatewayPayment Payment, bool AlreadyApplied, bool NeedsRefund);

/// <summary>
/// Applies a gateway's confirmation exactly once (R7.3, R5.5, R10.3): under the account lock the
/// payment moves Pending/Closed → Credited a single time, and every posting carries the trade
/// number in its business key, so duplicate, concurrent or late confirmations change nothing.
/// </summary>
public sealed class GatewayConfirmations(
    CloudbillDbContext db,
    LedgerService ledger,
    OrderPayments orderPayments,
    OverdueSettlement overdue,
    IConfirmedTopUps topUps,
    Notifier notifier,
    TimeProvider clock,
    ILogger<GatewayConfirmations> logger)
{
    public static string ReceivedKey(GatewayPayment payment) => $"{payment.Gateway.ToString().ToLowerInvariant()}:{payment.OutTradeNo}:received";

    public static string SettlementKey(GatewayPayment payment) => $"{payment.Gateway.ToString().ToLowerInvariant()}:{payment.OutTradeNo}:settle";

    public async Task<Result<ConfirmationOutcome>> Confirm(PaymentGateway gateway, GatewayConfirmation confirmation, CancellationToken ct)
    {
        try
        {
            return await ConfirmOnce(gateway, confirmation, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The poller closed or flagged the row between our read and our save (it does not take
            // the account lock); everything rolled back, so the confirmation simply runs again.
            db.ChangeTracker.Clear();
            return await ConfirmOnce(gateway, confirmation, ct);
        }
    }

    private async Task<Result<ConfirmationOutcome>> ConfirmOnce(PaymentGateway gateway, GatewayConfirmation confirmation, CancellationToken ct)
    {
        var accountId = await db.GatewayPayments.Where(p => p.OutTradeNo == confirmation.OutTradeNo && p.Gateway == gateway)
            .Select(p => (long?)p.AccountId).FirstOrDefaultAsync(ct);
        if (accountId is null)
            return PaymentErrors.NotFound(confirmation.OutTradeNo);

        ConfirmationOutcome outcome;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await db.Acquire(accountId.Value, ct);
            var payment = await db.GatewayPayments.FirstAsync(p => p.OutTradeNo == confirmation.OutTradeNo, ct);
            if (payment.State is GatewayPaymentState.Credited or GatewayPaymentState.Refunding or GatewayPaymentState.Refunded)
                return new ConfirmationOutcome(payment, AlreadyApplied: true, NeedsRefund: false);
            if (confirmation.Amount != payment.Amount)
                throw new InvalidOperationException($"Confirmation of {payment.OutTradeNo} for {confirmation.Amount} reached crediting; the gateway checks compare amounts first.");

            var now = clock.GetUtcNow();
            payment.GatewayTradeNo = confirmation.GatewayTradeNo;
            payment.ConfirmedAt = now;
            payment.ConfirmedBy = confirmation.Source;

            if (confirmation.RefusedChannel is { } channel)
            {
                // R7.2: nothing reaches the account; the money goes back the way it came.
                payment.State = GatewayPaymentState.Refunding;
                payment.RefundRequestNo = payment.OutTradeNo + "R1";
                payment.NextQueryAt = now;
                payment.Flag = $"Paid with {channel}, which is refused (R7.2); refunded in full at {payment.Gateway}.";
                payment.Outcome = $"Not credited: {channel} cannot be used; {payment.Amount} CNY goes back to your {channel} in full.";
                notifier.Add(payment.AccountId, $"payment:{payment.OutTradeNo}:refused",
                    new PaymentRefunded(payment.OrderId, payment.OutTradeNo, payment.Gateway.ToString(), payment.Amount, channel));
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                logger.LogWarning("Payment {OutTradeNo} used a refused channel ({Channel}); refunding", payment.OutTradeNo, channel);
                return new ConfirmationOutcome(payment, AlreadyApplied: false, NeedsRefund: true);
            }

            var (cash, _) = await ledger.OpenCustomerAccounts(payment.AccountId, ct);
            var clearing = await ledger.SystemAccount(ClearingCode(gateway), ClearingKind(gateway), ct);
            var received = await ledger.Post(ReceivedKey(payment), $"{gateway} payment {payment.OutTradeNo} (trade {confirmation.GatewayTradeNo}) received",
                [new PostingLine(clearing, -payment.Amount), new PostingLine(cash, payment.Amount)], ct);
            if (!received.Succeeded)
                throw new InvalidOperationException($"Receipt of {payment.OutTradeNo} was refused: {received.Problem!.Message}");

            payment.Outcome = payment.Purpose == GatewayPaymentPurpose.TopUp
                ? await topUps.Credit(payment, ct)
                : await PayOrder(payment, ct);
            payment.State = GatewayPaymentState.Credited;
            payment.NextQueryAt = null;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            outcome = new ConfirmationOutcome(payment, AlreadyApplied: false, NeedsRefund: false);
        }

        logger.LogInformation("Payment {OutTradeNo} confirmed by {Source}: {Outcome}", confirmation.OutTradeNo, confirmation.Source, outcome.Payment.Outcome);
        return outcome;
    }

    /// <summary>
    /// R5.3, R5.5: the received money pays the order when it is still unpaid and payable; otherwise
    /// (already paid, cancelled, timed out, its instance renewed or released meanwhile) it stays
    /// on the balance, recorded, never lost.
    /// </summary>
    private async Task<string> PayOrder(GatewayPayment payment, CancellationToken ct)
    {
        var order = await db.Orders.Include(o => o.Lines).FirstAsync(o => o.Id == payment.OrderId, ct);
        var method = payment.Gateway == PaymentGateway.Alipay ? PaymentMethod.Alipay : PaymentMethod.UnionPay;
        string why;
        UnpayableOrder unpayable;
        if (order.Status == OrderStatus.Unpaid)
        {
            // The money has arrived: R7.1 and R7.4 are not asked again (no balance), R3.5 and R4.5 are.
            var paid = await orderPayments.Pay(order, method, balance: null, $"Order {order.Id}", ct);
            if (paid.Succeeded)
                return $"Order {order.Id} paid: {payment.Amount} CNY by {payment.Gateway}.";
            why = paid.Problem!.Message;
            unpayable = paid.Problem.Code switch
            {
                "Instance.Released" => UnpayableOrder.InstanceReleased,
                "Product.NotRenewable" => UnpayableOrder.NotRenewable,
                _ => UnpayableOrder.RenewedMeanwhile,
            };
        }
        else
        {
            why = order.Status == OrderStatus.Paid
                ? $"Order {order.Id} was already paid{(order.PaidWith is { } with ? $" ({with})" : "")}."
                : $"Order {order.Id} was cancelled ({order.CancelReason}) before the payment arrived.";
            unpayable = order.Status == OrderStatus.Paid ? UnpayableOrder.AlreadyPaid : UnpayableOrder.Cancelled;
        }

        var outcome = $"{why} The {payment.Amount} CNY paid by {payment.Gateway} was credited to your balance instead (R5.5).";
        // Money on the balance settles an overdue amount first, as a top-up does (R7.4).
        var settlement = await overdue.SettleFromCash(payment.AccountId, SettlementKey(payment), ct);
        if (settlement.Settled.IsPositive)
            outcome += $" {settlement.Settled} CNY of it settled your overdue payment.";
        notifier.Add(payment.AccountId, $"payment:{payment.OutTradeNo}:to-balance",
            new PaymentToBalance(order.Id, unpayable, payment.Gateway.ToString(), payment.Amount, settlement.Settled));
        return outcome;
    }

    internal static string ClearingCode(PaymentGateway gateway) => gateway switch
    {
        PaymentGateway.Alipay => LedgerService.AlipayClearingCode,
        PaymentGateway.UnionPay => LedgerService.UnionPayClearingCode,
    };

    internal static LedgerAccountKind ClearingKind(PaymentGateway gateway) => gateway switch
    {
        PaymentGateway.Alipay => LedgerAccountKind.AlipayClearing,
        PaymentGateway.UnionPay => LedgerAccountKind.UnionPayClearing,
    };

    /// <summary>The gateway confirmed the refund (of a refused channel, or a staff refund): Refunding → Refunded, once.</summary>
    public async Task MarkRefunded(string outTradeNo, CancellationToken ct)
    {
        await using var tx = await db.BeginOrJoinTransaction(ct);
        var now = clock.GetUtcNow();
        var refunded = await db.GatewayPayments.Where(p => p.OutTradeNo == outTradeNo && p.State == GatewayPaymentState.Refunding)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, GatewayPaymentState.Refunded)
                .SetProperty(p => p.RefundedAt, now)
                .SetProperty(p => p.NextQueryAt, (DateTimeOffset?)null)
                .SetProperty(p => p.Version, p => p.Version + 1), ct);
        if (refunded > 0 && await db.GatewayPayments.AsNoTracking().Where(p => p.OutTradeNo == outTradeNo).Select(p => new { p.AccountId, p.Gateway, p.Amount }).FirstOrDefaultAsync(ct) is { } payment)
            await ledger.Audit.Record(Audit.AuditEventKind.GatewayPaymentRefunded, payment.AccountId, $"{payment.Gateway} payment {outTradeNo}: {payment.Amount} CNY refunded", ct);
        await tx.Commit(ct);
    }
}
