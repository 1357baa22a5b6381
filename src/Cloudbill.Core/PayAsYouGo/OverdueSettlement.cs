using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.PayAsYouGo;

/// <summary>What <see cref="OverdueSettlement.SettleFromCash"/> did.</summary>
/// <param name="Settled">Moved from cash to the overdue account under the business key (zero when nothing was owed or nothing could be paid).</param>
/// <param name="OverdueLeft">The overdue amount still owed afterwards; zero means the account may buy and renew again (R7.4).</param>
/// <param name="RestartedInstanceIds">Stopped pay-as-you-go instances restarted because the overdue amount reached zero.</param>
/// <param name="AlreadySettled">The business key had been settled before: nothing was done this time; <paramref name="Settled"/> is what the first call moved.</param>
public sealed record OverdueSettlementOutcome(Money Settled, Money OverdueLeft, IReadOnlyList<string> RestartedInstanceIds, bool AlreadySettled);

/// <summary>
/// R7.4, R8.2: money that arrives in a customer's cash first settles the overdue amount; when
/// nothing is owed any more the overdue episode ends and the stopped (not yet released)
/// pay-as-you-go instances run again, charged hourly from the restart.
/// </summary>
public sealed class OverdueSettlement(CloudbillDbContext db, LedgerService ledger, Notifier notifier, PayAsYouGoOptions options, TimeProvider clock)
{
    /// <summary>
    /// Call inside the caller's transaction, holding the account lock, after the caller posted
    /// the incoming money to the customer's cash. Moves min(cash + credit line, overdue) from
    /// cash to the overdue account under <paramref name="businessKey"/>: the overdue amount is
    /// what even the credit line could not cover, so it is repaid before the credit line is
    /// (docs/decisions/0010). The same key twice settles once.
    /// </summary>
    public async Task<OverdueSettlementOutcome> SettleFromCash(long accountId, string businessKey, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("SettleFromCash runs inside the caller's transaction, holding the account lock.");

        var (cash, overdue) = await ledger.OpenCustomerAccounts(accountId, ct);
        var earlier = await db.Postings.AsNoTracking()
            .Where(p => p.LedgerAccountId == overdue && db.JournalTransactions.Any(t => t.Id == p.TransactionId && t.BusinessKey == businessKey))
            .Select(p => (long?)p.AmountFen).FirstOrDefaultAsync(ct);
        var before = await ledger.Balance(accountId, ct);
        if (earlier is { } settledBefore)
            return new OverdueSettlementOutcome(new Money(settledBefore), before.Overdue, [], AlreadySettled: true);

        var settled = Money.Min(before.Overdue, Money.Max(Money.Zero, before.Cash + before.CreditLine));
        if (settled.IsPositive)
        {
            var posted = await ledger.Post(businessKey, $"Overdue amount settled from the balance of account {accountId}",
                [new PostingLine(cash, -settled), new PostingLine(overdue, settled)], ct);
            if (!posted.Succeeded)
                throw new InvalidOperationException($"Settling the overdue amount of account {accountId} was refused: {posted.Problem!.Message}");
            if (posted.Value.AlreadyPosted)
                throw new InvalidOperationException($"The business key {businessKey} is already used by another transaction than a settlement of account {accountId}.");
        }

        var left = before.Overdue - settled;
        if (left.IsPositive)
            return new OverdueSettlementOutcome(settled, left, [], AlreadySettled: false);
        return new OverdueSettlementOutcome(settled, left, await EndEpisode(accountId, ct), AlreadySettled: false);
    }

    /// <summary>R8.2: nothing is owed: the episode ends and stopped instances that are not yet due for release restart now.</summary>
    private async Task<IReadOnlyList<string>> EndEpisode(long accountId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var payg = options;
        await db.BillingAccounts.Where(a => a.Id == accountId && a.OverdueSince != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.OverdueSince, (DateTimeOffset?)null).SetProperty(a => a.Version, a => a.Version + 1), ct);

        var stopped = await db.Instances
            .Where(i => i.AccountId == accountId && i.ChargeType == ChargeType.PayAsYouGo && i.StoppedAt != null && i.ReleasedAt == null)
            .OrderBy(i => i.Id).ToListAsync(ct);
        var restarted = new List<string>();
        foreach (var instance in stopped)
        {
            var stoppedAt = instance.StoppedAt!.Value;
            // Its release is due: the engine releases it on its next run; money that came too late does not bring it back.
            if (PayAsYouGoSchedule.ReleasesAt(stoppedAt, payg) <= now)
                continue;
            instance.StartMetering(now);
            notifier.Add(accountId, PayAsYouGoSchedule.RestartKey(instance.Id, stoppedAt),
                new PayAsYouGoRestarted(instance.Id, instance.Name, instance.ProductCode, stoppedAt, now));
            db.LifecycleEvents.Add(LifecycleEvents.Create($"{LifecycleEventTypes.InstanceResumed}:{PayAsYouGoSchedule.RestartKey(instance.Id, stoppedAt)}", accountId, now,
                new InstanceResumedEvent(instance.Id, "overdue_settled", null)));
            restarted.Add(instance.Id);
        }
        await db.SaveChangesAsync(ct);
        return restarted;
    }
}
