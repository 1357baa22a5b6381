using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Payments;

/// <summary>One gateway payment as both sides see it, and what does not agree.</summary>
/// <param name="Refund">What the gateway says about the payment's refund, for a payment that went back (Refunding, Refunded).</param>
public sealed record GatewayPaymentCheck(GatewayPayment Payment, GatewayTradeStatus AtGateway, Money Credited, IReadOnlyList<string> Mismatches, GatewayRefundStatus? Refund = null)
{
    public bool Agrees => Mismatches.Count == 0;
}

/// <summary>
/// `reconcile --gateways`: asks the gateway about every payment and compares its answer with the
/// payment's state and with what the ledger received under the trade number (R10.3).
/// </summary>
public sealed class GatewayReconciliation(CloudbillDbContext db, GatewayPoller poller)
{
    public async Task<IReadOnlyList<GatewayPaymentCheck>> Run(CancellationToken ct)
    {
        var payments = await db.GatewayPayments.AsNoTracking().OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(ct);
        var clearingCodes = new[] { GatewayConfirmations.ClearingCode(PaymentGateway.Alipay), GatewayConfirmations.ClearingCode(PaymentGateway.UnionPay) };
        // What each trade number brought in: the clearing side of every transaction keyed by it.
        var received = await db.Postings
            .Where(p => db.LedgerAccounts.Any(a => a.Id == p.LedgerAccountId && clearingCodes.Contains(a.Code)))
            .Join(db.JournalTransactions, p => p.TransactionId, t => t.Id, (p, t) => new { t.BusinessKey, p.AmountFen })
            .ToListAsync(ct);

        var checks = new List<GatewayPaymentCheck>(payments.Count);
        foreach (var payment in payments)
        {
            var prefix = $"{payment.Gateway.ToString().ToLowerInvariant()}:{payment.OutTradeNo}:";
            var credited = new Money(-received.Where(r => r.BusinessKey.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => r.AmountFen));
            var atGateway = await poller.Query(payment, ct);
            var refund = payment.State is GatewayPaymentState.Refunding or GatewayPaymentState.Refunded ? await poller.QueryRefund(payment, ct) : null;
            checks.Add(new GatewayPaymentCheck(payment, atGateway, credited, Compare(payment, atGateway, credited, refund), refund));
        }
        return checks;
    }

    private static List<string> Compare(GatewayPayment payment, GatewayTradeStatus atGateway, Money credited, GatewayRefundStatus? refund)
    {
        var mismatches = new List<string>();
        var paidHere = payment.State == GatewayPaymentState.Credited;
        if (atGateway.State == GatewayTradeState.Unknown)
            mismatches.Add($"the gateway's state is unknown: {atGateway.Detail}");
        if (atGateway.State == GatewayTradeState.Paid && payment.State is GatewayPaymentState.Pending or GatewayPaymentState.Closed)
            mismatches.Add("paid at the gateway but not credited");
        // Alipay closes a fully refunded trade (§1.7); UnionPay's payment stays a success and the refund is its own transaction.
        if (payment.State == GatewayPaymentState.Refunded && payment.Gateway == PaymentGateway.Alipay && atGateway.State == GatewayTradeState.Paid)
            mismatches.Add("refunded here but still paid at the gateway");
        if (payment.State == GatewayPaymentState.Refunded && refund is { } back)
        {
            if (back.State == GatewayRefundState.Unknown)
                mismatches.Add($"the gateway's refund state is unknown: {back.Detail}");
            else if (back.State != GatewayRefundState.Refunded)
                mismatches.Add($"refunded here but the gateway has no refund ({back.Detail})");
            else if (back.Amount != payment.Amount)
                mismatches.Add($"amounts differ: {back.Amount} refunded at the gateway, {payment.Amount} here");
        }
        if (paidHere && atGateway.State is GatewayTradeState.NotPaid or GatewayTradeState.Closed)
            mismatches.Add("credited but the gateway has no payment");
        if (atGateway.State == GatewayTradeState.Paid && atGateway.Amount is { } paidAmount && paidAmount != payment.Amount)
            mismatches.Add($"amounts differ: {paidAmount} at the gateway, {payment.Amount} here");
        if (credited > payment.Amount)
            mismatches.Add($"credited twice: {credited} received for a {payment.Amount} payment");
        else if (paidHere && credited != payment.Amount)
            mismatches.Add($"amounts differ: {credited} received in the ledger for a {payment.Amount} payment");
        else if (!paidHere && credited.IsPositive)
            mismatches.Add($"{credited} received in the ledger for a payment that is {payment.State}");
        if (payment.Flag is { } flag && flag.StartsWith(GatewayPayment.NotAppliedFlag, StringComparison.Ordinal) && payment.State is not (GatewayPaymentState.Credited or GatewayPaymentState.Refunded))
            mismatches.Add(flag.ToLowerInvariant()[..1] + flag[1..]);
        if (payment.State == GatewayPaymentState.Refunding)
            mismatches.Add("refund not confirmed by the gateway yet");
        return mismatches;
    }
}
