using Cloudbill.Core.Notifications;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Webhooks;

namespace Cloudbill.Core.TopUps;

/// <summary>A confirmed top-up, once <see cref="GatewayConfirmations"/> has received its money on the account's cash.</summary>
public sealed class TopUpCredits(OverdueSettlement overdue, Notifier notifier, CloudbillDbContext db, TimeProvider clock) : IConfirmedTopUps
{
    /// <summary>
    /// R7.4: the overdue amount is settled from the cash first, and settling all of it restarts
    /// stopped pay-as-you-go instances (R8.2).
    /// </summary>
    public async Task<string> Credit(GatewayPayment payment, CancellationToken ct)
    {
        var settlement = await overdue.SettleFromCash(payment.AccountId, GatewayConfirmations.SettlementKey(payment), ct);
        var outcome = $"Top-up of {payment.Amount} CNY by {payment.Gateway} credited.";
        if (settlement.Settled.IsPositive)
        {
            outcome += $" {settlement.Settled} CNY settled your overdue payment" +
                (settlement.OverdueLeft.IsPositive ? $"; {settlement.OverdueLeft} CNY is still overdue." : "; nothing is overdue any more.");
            if (settlement.RestartedInstanceIds.Count > 0)
                outcome += $" Restarted: {string.Join(", ", settlement.RestartedInstanceIds)}.";
        }
        notifier.Add(payment.AccountId, $"payment:{payment.OutTradeNo}:credited",
            new TopUpCredited(payment.OutTradeNo, payment.Gateway.ToString(), payment.Amount, settlement.Settled, settlement.OverdueLeft, settlement.RestartedInstanceIds));
        db.LifecycleEvents.Add(LifecycleEvents.Create($"payment:{payment.OutTradeNo}:credited", payment.AccountId, clock.GetUtcNow(),
            new TopUpCreditedEvent(payment.OutTradeNo, LifecycleEvents.Code(payment.Gateway), payment.Amount.Fen, settlement.Settled.Fen)));
        return outcome;
    }
}
