using Cloudbill.Core.Audit;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Payments;

/// <summary>
/// A credited gateway payment goes back the way it came (docs/decisions/0040). In the caller's
/// transaction under the account lock: its amount leaves the customer's cash for the gateway's
/// clearing account under the trade number's own key (so `reconcile --gateways` sees it go), the
/// payment becomes Refunding with a refund number kept for every retry, and the customer is told.
/// After the commit <see cref="GatewayPoller.RequestRefund"/> asks the gateway, and the poller asks
/// again until the gateway confirms (Refunded).
/// </summary>
public sealed class GatewayRefunds(CloudbillDbContext db, LedgerService ledger, Notifier notifier, AuditLog audit, TimeProvider clock)
{
    /// <summary>R10.3: the refund's posting, under the prefix every posting of the trade number has.</summary>
    public static string RefundKey(GatewayPayment payment) => $"{payment.Gateway.ToString().ToLowerInvariant()}:{payment.OutTradeNo}:refund";

    /// <summary>
    /// A payment is refunded once, in full: one request number (letters and digits, UnionPay's orderId
    /// rule). "S1", sent back by staff; a refused channel's own refund is "R1" (GatewayConfirmations).
    /// </summary>
    public static string RequestNo(GatewayPayment payment) => payment.OutTradeNo + "S1";

    /// <summary>Whether the payment's refund is staff's (it was credited first), not a refused channel's.</summary>
    public static bool IsStaffRefund(GatewayPayment payment) => payment.RefundRequestNo == RequestNo(payment);

    /// <summary>The request path asks the gateway at once; the poller looks again only after this, so the two do not send the same refund at once.</summary>
    internal static readonly TimeSpan PollerWaits = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Starts the refund of <paramref name="outTradeNo"/>; the payment, Refunding. Its amount comes
    /// from the customer's cash, or with <paramref name="fromRevenue"/> from revenue (the order it
    /// paid is refunded: the customer's cash does not move). A payment already going back is
    /// returned as it is (a second click). Refused when the payment was never credited, or when the
    /// cash balance no longer holds its amount (it was spent: refund what it paid for).
    /// </summary>
    internal async Task<Result<(GatewayPayment Payment, bool Started)>> Start(long accountId, string outTradeNo, bool fromRevenue, CancellationToken ct)
    {
        var payment = await db.GatewayPayments.FirstOrDefaultAsync(p => p.OutTradeNo == outTradeNo && p.AccountId == accountId, ct);
        if (payment is null)
            return PaymentErrors.NotFound(outTradeNo);
        var key = RefundKey(payment);
        if (payment.State is GatewayPaymentState.Refunding or GatewayPaymentState.Refunded
            && await db.JournalTransactions.AnyAsync(t => t.BusinessKey == key, ct))
        {
            return (payment, false);
        }
        if (payment.State != GatewayPaymentState.Credited || string.IsNullOrEmpty(payment.GatewayTradeNo))
            return PaymentErrors.NotRefundable(payment);
        long from;
        if (fromRevenue)
        {
            from = (await ledger.PaymentAccounts(accountId, ct)).Revenue;
        }
        else
        {
            var balance = await ledger.Balance(accountId, ct);
            if (balance.Cash < payment.Amount)
                return PaymentErrors.RefundExceedsCash(payment, balance.Cash);
            from = (await ledger.OpenCustomerAccounts(accountId, ct)).Cash;
        }

        var clearing = await ledger.SystemAccount(GatewayConfirmations.ClearingCode(payment.Gateway), GatewayConfirmations.ClearingKind(payment.Gateway), ct);
        var posted = await ledger.Post(key, $"{payment.Gateway} payment {payment.OutTradeNo} refunded to the payer",
            [new PostingLine(from, -payment.Amount), new PostingLine(clearing, payment.Amount)], ct);
        if (!posted.Succeeded)
            throw new InvalidOperationException($"The refund of {payment.OutTradeNo} was refused: {posted.Problem!.Message}");

        payment.State = GatewayPaymentState.Refunding;
        payment.RefundRequestNo = RequestNo(payment);
        payment.NextQueryAt = clock.GetUtcNow() + PollerWaits;
        // An order's refund tells the customer itself (OrderRefunded, naming the gateway).
        if (!fromRevenue)
            notifier.Add(accountId, $"payment:{payment.OutTradeNo}:returned", new PaymentReturned(payment.OutTradeNo, payment.Gateway.ToString(), payment.Amount));
        audit.Add(AuditEventKind.GatewayRefundRequested, accountId, $"{payment.Gateway} payment {payment.OutTradeNo}: {payment.Amount} CNY back to the payer (refund {payment.RefundRequestNo})");
        await db.SaveChangesAsync(ct);
        return (payment, true);
    }
}
