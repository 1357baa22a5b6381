using Cloudbill.Core.Accounts;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>Arranging and reading pay-as-you-go work: instances charged from now on, engine runs at steps, top-ups that settle.</summary>
internal static class PayAsYouGoScenario
{
    /// <summary>A running pay-as-you-go instance, charged hourly from the clock's now (ecs.g7.large in Hangzhou: 0.63 CNY an hour).</summary>
    public static async Task<Instance> PayAsYouGoInstance(this TestServices test, long accountId, string id, string name = "web", string spec = "ecs.g7.large", string region = "cn-hangzhou")
    {
        var instance = new Instance
        {
            Id = id,
            AccountId = accountId,
            ProductCode = "ecs",
            SpecCode = spec,
            RegionId = region,
            Name = name,
            ChargeType = ChargeType.PayAsYouGo,
            Provisioning = ProvisioningState.Ready,
            CreatedAt = test.Clock.GetUtcNow(),
        };
        PayAsYouGoSchedule.Start(instance, test.Clock.GetUtcNow());
        await test.Query(async db =>
        {
            db.Instances.Add(instance);
            return await db.SaveChangesAsync();
        });
        return instance;
    }

    public static Task<EngineRunReport> Engine(this TestServices test) =>
        test.Services.GetRequiredService<LifecycleEngine>().RunUntil(test.Clock.GetUtcNow(), CancellationToken.None);

    /// <summary>Moves the clock by <paramref name="step"/> up to <paramref name="end"/>, running the engine after each step.</summary>
    public static async Task RunEvery(this TestServices test, TimeSpan step, DateTimeOffset end)
    {
        while (test.Clock.GetUtcNow() < end)
        {
            var next = test.Clock.GetUtcNow() + step;
            test.Clock.SetUtcNow(next < end ? next : end);
            await test.Engine();
        }
    }

    /// <summary>
    /// A top-up as the top-up code does it: in one transaction under the account lock, the amount
    /// reaches the customer's cash from gateway clearing, then the overdue amount is settled.
    /// </summary>
    public static async Task<OverdueSettlementOutcome> TopUp(this TestServices test, long accountId, string amount, string tradeNo)
    {
        await using var scope = test.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        await using var tx = await db.Database.BeginTransactionAsync();
        await db.Acquire(accountId, CancellationToken.None);
        var (cash, _) = await ledger.OpenCustomerAccounts(accountId, CancellationToken.None);
        var clearing = await ledger.SystemAccount(LedgerService.AlipayClearingCode, LedgerAccountKind.AlipayClearing, CancellationToken.None);
        var money = Money.Parse(amount);
        await ledger.Post($"topup:{tradeNo}", "Test top-up", [new PostingLine(clearing, -money), new PostingLine(cash, money)], CancellationToken.None);
        var outcome = await scope.ServiceProvider.GetRequiredService<OverdueSettlement>().SettleFromCash(accountId, $"topup:{tradeNo}:settle-overdue", CancellationToken.None);
        await tx.CommitAsync();
        return outcome;
    }

    public static Task<DateTimeOffset?> OverdueSince(this TestServices test, long accountId) =>
        test.Query(db => db.BillingAccounts.Where(a => a.Id == accountId).Select(a => a.OverdueSince).SingleAsync());

    public static Task<List<Notification>> Notices(this TestServices test, long accountId) =>
        test.Query(db => db.Notifications.AsNoTracking().Where(n => n.AccountId == accountId).OrderBy(n => n.Id).ToListAsync());

    public static Task<List<string>> ChargeKeys(this TestServices test, string instanceId) =>
        test.Query(async db => (await db.JournalTransactions.AsNoTracking().Where(t => t.BusinessKey.StartsWith($"payg:{instanceId}:")).Select(t => t.BusinessKey).ToListAsync())
            .Order(StringComparer.Ordinal).ToList());

    public static Task<bool> LedgerIsClean(this TestServices test) =>
        test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct)).ContinueWith(t => t.Result.IsClean, TaskScheduler.Default);

    /// <summary>The business snapshot plus what the pay-as-you-go pass keeps: meters, stops, overdue episodes, journal keys.</summary>
    public static async Task<string> PayAsYouGoSnapshot(this TestServices test) =>
        await test.BusinessSnapshot() + "\n" + await test.Query(async db =>
        {
            var lines = new List<string>();
            lines.AddRange((await db.Instances.AsNoTracking().ToListAsync()).OrderBy(i => i.Id, StringComparer.Ordinal)
                .Select(i => $"G {i.Id} {i.ChargedUntil?.UtcTicks} {i.PayAsYouGoDueAt?.UtcTicks} {i.StoppedAt?.UtcTicks} {i.ReleasedAt?.UtcTicks}"));
            lines.AddRange((await db.BillingAccounts.AsNoTracking().ToListAsync()).OrderBy(a => a.Id).Select(a => $"B {a.Id} {a.OverdueSince?.UtcTicks}"));
            lines.AddRange((await db.JournalTransactions.AsNoTracking().Select(t => t.BusinessKey).ToListAsync()).Order(StringComparer.Ordinal).Select(k => $"J {k}"));
            return string.Join("\n", lines);
        });
}
