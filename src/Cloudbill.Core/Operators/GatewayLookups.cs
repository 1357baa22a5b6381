using Cloudbill.Core.Audit;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

/// <summary>A payment as the gateway sees it, asked now, beside ours after the answer was applied.</summary>
public sealed record GatewayLookup(GatewayPayment Payment, GatewayTradeStatus Gateway);

/// <summary>
/// Staff ask a gateway about one of a customer's payments (a customer says "I paid" and nothing
/// arrived): the gateway's own answer, signed and verified as the poller's is, shown as it is. A
/// paid answer for a payment still pending is applied like a notification (once, whoever applies it
/// first), as the customer's own payment page would. Every look is in the audit log.
/// </summary>
public sealed class GatewayLookups(CloudbillDbContext db, GatewayPoller poller, AuditLog audit)
{
    public async Task<Result<GatewayLookup>> Ask(long accountId, string? outTradeNo, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(outTradeNo) || outTradeNo.Length > 64)
            return PaymentErrors.NotFound(outTradeNo ?? "");
        if (await db.GatewayPayments.AsNoTracking().FirstOrDefaultAsync(p => p.OutTradeNo == outTradeNo && p.AccountId == accountId, ct) is not { } payment)
            return PaymentErrors.NotFound(outTradeNo);
        var status = await poller.Query(payment, ct);
        if (payment.State == GatewayPaymentState.Pending && status.State == GatewayTradeState.Paid)
            await poller.QueryNow(accountId, outTradeNo, ct);
        await audit.Record(AuditEventKind.GatewayQueried, accountId,
            $"{payment.Gateway} {outTradeNo}: {status.State}, {status.Detail}{(status.Amount is { } amount ? $", {amount} CNY" : "")}", ct);
        var after = await db.GatewayPayments.AsNoTracking().FirstAsync(p => p.Id == payment.Id, ct);
        return new GatewayLookup(after, status);
    }
}
