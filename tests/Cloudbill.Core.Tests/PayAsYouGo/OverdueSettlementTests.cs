using Cloudbill.Core.Accounts;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>Settling an overdue amount from a top-up (R7.4, R8.2) as the top-up code calls it.</summary>
public class OverdueSettlementTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);

    /// <summary>An account at 0.00 whose pay-as-you-go instance ran 17 days: overdue 227.43 since 11-26 11:00, the instance stopped on 12-11 11:00; the clock at 12-13 12:00.</summary>
    private static async Task<(TestServices Test, long Account, Instance Web, Instance Subscription)> Stopped(DatabaseProvider provider, string? creditLine = null)
    {
        var test = await TestServices.Start(provider);
        var account = await test.Customer("0.00", creditLine);
        var web = await test.PayAsYouGoInstance(account, "i-paygsettle000000001");
        var subscription = await test.Instance(account, Shanghai(2027, 3, 1), id: "i-subscriptionsettle01", name: "db");
        await test.RunEvery(TimeSpan.FromHours(6), Shanghai(2026, 12, 13, 12));
        return (test, account, await test.Reload(web.Id), subscription);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_partial_top_up_settles_part_and_restarts_nothing_the_rest_settles_and_restarts(DatabaseProvider provider) // R7.4, R8.2
    {
        var (test, account, web, subscription) = await Stopped(provider);
        await using var _ = test;
        Assert.Equal(Shanghai(2026, 12, 11, 11), web.StoppedAt);
        Assert.Equal(Money.Parse("227.43"), (await test.Balance(account)).Overdue);

        var partial = await test.TopUp(account, "100.00", "T1");
        Assert.Equal((Money.Parse("100.00"), Money.Parse("127.43"), false, 0), (partial.Settled, partial.OverdueLeft, partial.AlreadySettled, partial.RestartedInstanceIds.Count));
        var balance = await test.Balance(account);
        Assert.Equal((Money.Zero, Money.Parse("127.43"), Money.Parse("-127.43")), (balance.Cash, balance.Overdue, balance.AvailableCredit));
        Assert.Equal(Shanghai(2026, 12, 11, 11), (await test.Reload(web.Id)).StoppedAt);
        Assert.NotNull(await test.OverdueSince(account));
        // R7.4: still overdue: nothing that costs money.
        Assert.Equal("Account.Overdue", (await RenewNow(test, account, subscription.Id, 1)).Problem!.Code);

        test.Clock.SetUtcNow(Shanghai(2026, 12, 13, 12) + HalfHour);
        var full = await test.TopUp(account, "500.00", "T2");
        Assert.Equal((Money.Parse("127.43"), Money.Zero, false), (full.Settled, full.OverdueLeft, full.AlreadySettled));
        Assert.Equal([web.Id], full.RestartedInstanceIds);
        balance = await test.Balance(account);
        Assert.Equal((Money.Parse("372.57"), Money.Zero, Money.Parse("372.57")), (balance.Cash, balance.Overdue, balance.AvailableCredit));
        Assert.Null(await test.OverdueSince(account));
        var restarted = await test.Reload(web.Id);
        Assert.Equal((null, Shanghai(2026, 12, 13, 12) + HalfHour, Shanghai(2026, 12, 13, 13) + HalfHour), (restarted.StoppedAt, restarted.ChargedUntil, restarted.PayAsYouGoDueAt));
        var notice = (await test.Notices(account)).Last();
        Assert.Equal((NotificationKind.InstanceRestarted, $"{restarted.Name} was restarted"), (notice.Kind, notice.Title()));
        Assert.Equal($"Your overdue amount is settled. Pay-as-you-go instance {web.Id} (web, Elastic Compute Service (ECS)), stopped on 2026-12-11 11:00, was restarted at 2026-12-13 12:30 and is charged by the hour again.", notice.Body());

        // Charged by the hour again, from the restart; renewing is allowed again (R7.4).
        await test.RunEvery(Hour, Shanghai(2026, 12, 13, 15));
        Assert.Equal(Money.Parse("371.31"), (await test.Balance(account)).Cash);   // two full hours since 12:30
        var renewed = await RenewNow(test, account, subscription.Id, 1);
        Assert.True(renewed.Succeeded, renewed.Problem?.Message);
        Assert.Equal(Money.Parse("41.31"), (await test.Balance(account)).Cash);
        Assert.True(await test.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_same_business_key_settles_once(DatabaseProvider provider) // R10.3
    {
        var (test, account, _, _) = await Stopped(provider);
        await using var __ = test;
        await test.AddCash(account, "50.00");

        async Task<OverdueSettlementOutcome> Settle()
        {
            await using var scope = test.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.Acquire(account, CancellationToken.None);
            var outcome = await scope.ServiceProvider.GetRequiredService<OverdueSettlement>().SettleFromCash(account, "trade-42:settle", CancellationToken.None);
            await tx.CommitAsync();
            return outcome;
        }

        var first = await Settle();
        var before = await test.Snapshot();
        var second = await Settle();

        Assert.Equal((Money.Parse("50.00"), Money.Parse("177.43"), false), (first.Settled, first.OverdueLeft, first.AlreadySettled));
        Assert.Equal((Money.Parse("50.00"), Money.Parse("177.43"), true), (second.Settled, second.OverdueLeft, second.AlreadySettled));
        Assert.Equal(before, await test.Snapshot());
        Assert.Equal(Money.Parse("177.43"), (await test.Balance(account)).Overdue);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task With_a_credit_line_the_top_up_settles_the_overdue_amount_first(DatabaseProvider provider) // R7.1, R7.4
    {
        var (test, account, web, _) = await Stopped(provider, creditLine: "20.00");
        await using var _ = test;
        var balance = await test.Balance(account);
        // The 20.00 line paid 31 hours and part of the 32nd (11-27 18:00), when the overdue episode began;
        // the instance stopped 15 days later: 392 hours × 0.63 − 20.00 is owed.
        Assert.Equal(Shanghai(2026, 12, 12, 18), web.StoppedAt);
        Assert.Equal(Money.Parse("-20.00"), balance.Cash);
        var owed = balance.Overdue;
        Assert.Equal(Money.Parse("226.96"), owed);
        Assert.Equal(-owed, balance.AvailableCredit);

        var outcome = await test.TopUp(account, "30.00", "T1");

        // R7.4: the top-up settles the overdue amount first, although cash is still below zero.
        Assert.Equal((Money.Parse("30.00"), owed - Money.Parse("30.00")), (outcome.Settled, outcome.OverdueLeft));
        balance = await test.Balance(account);
        Assert.Equal((Money.Parse("-20.00"), owed - Money.Parse("30.00")), (balance.Cash, balance.Overdue));
        Assert.Equal(Money.Parse("30.00") - owed, balance.AvailableCredit);   // R7.1: cash + line − overdue

        var rest = await test.TopUp(account, "300.00", "T2");
        Assert.Equal((owed - Money.Parse("30.00"), Money.Zero, 1), (rest.Settled, rest.OverdueLeft, rest.RestartedInstanceIds.Count));
        balance = await test.Balance(account);
        Assert.Equal(Money.Parse("330.00") - owed - Money.Parse("20.00"), balance.Cash);
        Assert.Equal(balance.Cash + Money.Parse("20.00"), balance.AvailableCredit);
        Assert.Null((await test.Reload(web.Id)).StoppedAt);
        Assert.True(await test.LedgerIsClean());
    }

    [Fact]
    public async Task On_PostgreSQL_the_engine_skips_an_account_that_is_topping_up_and_charges_it_on_the_next_run() // R8.1, R4.7
    {
        await using var test = await TestServices.Start(DatabaseProvider.Postgres);
        var account = await test.Customer("10.00");
        var web = await test.PayAsYouGoInstance(account, "i-paygtoppingup000001");
        var other = await test.Customer("10.00");
        var neighbour = await test.PayAsYouGoInstance(other, "i-paygneighbour000001");
        test.Clock.Advance(Hour + TimeSpan.FromMinutes(1));

        await using (var scope = test.Services.CreateAsyncScope())
        {
            // A top-up holds the account lock while the engine runs.
            var ct = TestContext.Current.CancellationToken;
            var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await db.Acquire(account, ct);
            var run = test.Engine();
            // The engine must not wait for the held lock: it finishes while the transaction is still open.
            Assert.Equal(1, (await Eventually.Within(run, "the engine run beside a held account lock")).Counts["pay-as-you-go hour charged"]);   // only the neighbour's hour
            await tx.CommitAsync(ct);
        }
        Assert.Equal(Money.Parse("10.00"), (await test.Balance(account)).Cash);
        Assert.Equal(Money.Parse("9.37"), (await test.Balance(other)).Cash);

        await test.Engine();

        Assert.Equal(Money.Parse("9.37"), (await test.Balance(account)).Cash);
        Assert.Equal(TestServices.DefaultStart + Hour, (await test.Reload(web.Id)).ChargedUntil);
        Assert.Equal(TestServices.DefaultStart + Hour, (await test.Reload(neighbour.Id)).ChargedUntil);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Nothing_owed_posts_nothing(DatabaseProvider provider) // R10.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("10.00");
        var transactions = await test.Query(db => db.JournalTransactions.CountAsync());

        var outcome = await test.TopUp(account, "5.00", "T1");

        Assert.Equal((Money.Zero, Money.Zero, 0), (outcome.Settled, outcome.OverdueLeft, outcome.RestartedInstanceIds.Count));
        Assert.Equal(transactions + 1, await test.Query(db => db.JournalTransactions.CountAsync())); // the top-up only
        Assert.Equal(Money.Parse("15.00"), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_released_instance_is_not_restarted_and_a_running_one_keeps_running(DatabaseProvider provider) // R8.2
    {
        var (test, account, web, _) = await Stopped(provider);
        await using var _ = test;
        // Its release falls due at 12-26 11:00; the money arrives after that, before the engine ran.
        test.Clock.SetUtcNow(Shanghai(2026, 12, 26, 11) + TimeSpan.FromMinutes(10));

        var outcome = await test.TopUp(account, "300.00", "T1");
        await test.Engine();

        Assert.Empty(outcome.RestartedInstanceIds);
        Assert.Equal(Money.Zero, outcome.OverdueLeft);
        var after = await test.Reload(web.Id);
        Assert.Equal((Shanghai(2026, 12, 26, 11), Shanghai(2026, 12, 11, 11)), (after.ReleasedAt, after.StoppedAt));
        Assert.DoesNotContain(await test.Notices(account), n => n.Kind == NotificationKind.InstanceRestarted);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Paid_actions_are_refused_while_overdue_and_allowed_after_settlement(DatabaseProvider provider) // R7.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("0.50");
        await test.PayAsYouGoInstance(account, "i-paygrefused00000001");
        var subscription = await test.Instance(account, Shanghai(2027, 3, 1), id: "i-subscriptionrefused1");
        await test.RunEvery(Hour, TestServices.DefaultStart + 3 * Hour);
        Assert.Equal(Money.Parse("1.39"), (await test.Balance(account)).Overdue);   // 3 × 0.63 − 0.50

        const string refusal = "Your account has an overdue payment of 1.39 CNY. Top up first: the top-up settles the overdue amount, then you can buy and renew again.";
        Assert.Equal(refusal, (await RenewNow(test, account, subscription.Id, 1)).Problem!.Message);
        var auto = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [subscription.Id], RenewalMethod.AutoRenewal, 1, ct));
        Assert.Equal(refusal, auto.Problem!.Message);
        Task<Result<Order>> Buy(string token) =>
            test.Run<Purchase.PurchaseService, Result<Order>>((s, ct) => s.Buy(account, new Purchase.PurchaseRequest("ecs", "cn-hangzhou", "ecs.g7.large", 1), new ClientToken(token), CouponChoice.None, ct));
        Assert.Equal(refusal, (await Buy("refused")).Problem!.Message);

        await test.TopUp(account, "1000.00", "T1");

        Assert.True((await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [subscription.Id], RenewalMethod.AutoRenewal, 1, ct))).Succeeded);
        Assert.True((await RenewNow(test, account, subscription.Id, 1)).Succeeded);
        var order = await Buy("allowed");
        Assert.True((await test.Run<OrderPayments, Result<PaymentOutcome>>((p, ct) => p.PayFromBalance(account, order.Value.Id, ct))).Succeeded);
        Assert.Equal(Money.Parse("338.61"), (await test.Balance(account)).Cash);   // 1000.00 − 1.39 − 330.00 − 330.00
    }
}
