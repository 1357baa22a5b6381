using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>The engine's pay-as-you-go pass (R8) on a fake clock moved through weeks in milliseconds.</summary>
public class PayAsYouGoBillingTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset Start = TestServices.DefaultStart; // 2026-11-26 10:00 Asia/Shanghai

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_full_hour_is_charged_once_at_the_hourly_price(DatabaseProvider provider) // R8.1, R10.1
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00");
        var web = await test.PayAsYouGoInstance(account, "i-paygweb0000000000001");

        // Runs every 20 minutes for three days: only full hours are charged, each once.
        await test.RunEvery(TimeSpan.FromMinutes(20), Start + 72 * Hour + TimeSpan.FromMinutes(40));

        var balance = await test.Balance(account);
        Assert.Equal(Money.Parse("54.64"), balance.Cash);                  // 100.00 − 72 × 0.63
        Assert.Equal(Money.Zero, balance.Overdue);
        var keys = await test.ChargeKeys(web.Id);
        Assert.Equal(72, keys.Count);
        Assert.Equal($"payg:{web.Id}:2026-11-26T02:00:00.0000000+00:00", keys[0]);
        Assert.Equal(Money.Parse("45.36"), await test.SharedAccountBalance(Ledger.LedgerService.RevenueCode));
        var after = await test.Reload(web.Id);
        Assert.Equal(Start + 72 * Hour, after.ChargedUntil);
        Assert.Equal(Start + 73 * Hour, after.PayAsYouGoDueAt);
        Assert.Null(after.NextDueAt); // the subscription pass never claims it
        Assert.Empty(await test.Notices(account));
        Assert.True(await test.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task After_three_days_without_a_run_one_run_charges_each_missed_hour_once(DatabaseProvider provider) // R8.1, R4.7
    {
        await using var hourly = await TestServices.Start(provider);
        await using var down = await TestServices.Start(provider);
        var accounts = new List<long>();
        foreach (var test in new[] { hourly, down })
        {
            var account = await test.Customer("30.00");
            accounts.Add(account);
            await test.PayAsYouGoInstance(account, "i-paygdowntime0000001");
            await test.PayAsYouGoInstance(account, "i-paygdowntime0000002", spec: "ecs.e-c1m1.large");
        }
        var end = Start + 72 * Hour + TimeSpan.FromMinutes(30);

        await hourly.RunEvery(Hour, end);
        down.Clock.SetUtcNow(end); // the node was down for three days
        var report = await down.Engine();
        var again = await down.Engine();

        Assert.Equal(144, report.Counts["pay-as-you-go hour charged"]);
        Assert.Equal(1, report.Counts["overdue"]);
        Assert.Equal(0, again.Total);
        // Catching up leaves exactly what running every hour left, down to the hour the account became overdue.
        Assert.Equal(await hourly.PayAsYouGoSnapshot(), await down.PayAsYouGoSnapshot());
        var balance = await down.Balance(accounts[1]);
        Assert.Equal(Money.Parse("-28.32"), balance.AvailableCredit);       // 30.00 − 72 × (0.63 + 0.18)
        Assert.True(await down.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_runs_at_the_same_moment_leave_what_one_run_leaves(DatabaseProvider provider) // R8.1, R4.7
    {
        await using var single = await Arrange(provider);
        await using var twice = await Arrange(provider);
        var at = Start + TimeSpan.FromDays(20) + TimeSpan.FromMinutes(5);
        single.Clock.SetUtcNow(at);
        twice.Clock.SetUtcNow(at);

        var one = await single.Engine();
        var both = await Task.WhenAll(Task.Run(twice.Engine), Task.Run(twice.Engine));
        await twice.Engine(); // on PostgreSQL a run may skip what the other held; the next run finishes it

        Assert.True(one.Counts["pay-as-you-go hour charged"] > 2000, $"the arrangement should leave plenty of due work, not {one.Total}");
        Assert.Equal(await single.PayAsYouGoSnapshot(), await twice.PayAsYouGoSnapshot());
        Assert.True(await twice.LedgerIsClean());
    }

    /// <summary>Three customers with pay-as-you-go instances: one rich, one that runs out, one that runs out into its credit line.</summary>
    private static async Task<TestServices> Arrange(DatabaseProvider provider)
    {
        var test = await TestServices.Start(provider);
        var rich = await test.Customer("5000.00");
        var poor = await test.Customer("20.00");
        var credit = await test.Customer("10.00", creditLine: "50.00");
        for (var i = 0; i < 3; i++)
        {
            await test.PayAsYouGoInstance(rich, $"i-paygrich{i:D12}");
            await test.PayAsYouGoInstance(poor, $"i-paygpoor{i:D12}");
            await test.PayAsYouGoInstance(credit, $"i-paygcredit{i:D10}", spec: "ecs.c7.xlarge");
        }
        await test.Instance(poor, Shanghai(2027, 3, 1), id: "i-subscriptionpoor0001");
        return test;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_balance_that_runs_out_makes_the_account_overdue_by_the_exact_shortfall(DatabaseProvider provider) // R8.2, R7.1, R9.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1.00");
        var web = await test.PayAsYouGoInstance(account, "i-paygrunsout00000001");

        await test.RunEvery(Hour, Start + 2 * Hour);
        // Hour 1 cost 0.63 of 1.00; hour 2 took the last 0.37 and 0.26 became overdue.
        var balance = await test.Balance(account);
        Assert.Equal((Money.Zero, Money.Parse("0.26"), Money.Parse("-0.26")), (balance.Cash, balance.Overdue, balance.AvailableCredit));
        Assert.Equal(Start + 2 * Hour, await test.OverdueSince(account));

        await test.RunEvery(Hour, Start + 12 * Hour);
        balance = await test.Balance(account);
        Assert.Equal((Money.Zero, Money.Parse("6.56"), Money.Parse("-6.56")), (balance.Cash, balance.Overdue, balance.AvailableCredit)); // 12 × 0.63 − 1.00
        Assert.Equal(Start + 2 * Hour, await test.OverdueSince(account));
        var notice = Assert.Single(await test.Notices(account));
        Assert.Equal((NotificationKind.Overdue, "Your account is overdue"), (notice.Kind, notice.Title()));
        Assert.Equal($"Your Available Credit did not cover the hourly charge of 0.63 CNY for pay-as-you-go instance {web.Id} (web) at 2026-11-26 12:00: your account is overdue by 0.26 CNY. " +
            "Top up at least 0.26 CNY; a top-up settles the overdue amount first. Until then nothing that costs money can be bought or renewed, and your pay-as-you-go instances are stopped on 2026-12-11 12:00.", notice.Body());
        Assert.True(await test.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_credit_line_is_spent_before_the_account_becomes_overdue(DatabaseProvider provider) // R7.1, R8.2
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1.00", creditLine: "2.00");
        await test.PayAsYouGoInstance(account, "i-paygcreditline00001");

        await test.RunEvery(Hour, Start + 4 * Hour);
        var balance = await test.Balance(account);
        // 4 × 0.63 = 2.52: the 1.00 of cash and 1.52 of the credit line; not overdue.
        Assert.Equal((Money.Parse("-1.52"), Money.Zero, Money.Parse("0.48")), (balance.Cash, balance.Overdue, balance.AvailableCredit));
        Assert.Null(await test.OverdueSince(account));

        await test.RunEvery(Hour, Start + 5 * Hour);
        balance = await test.Balance(account);
        // Hour 5: the last 0.48 of the line, and 0.15 overdue.
        Assert.Equal((Money.Parse("-2.00"), Money.Parse("0.15"), Money.Parse("-0.15")), (balance.Cash, balance.Overdue, balance.AvailableCredit));
        Assert.Equal(Start + 5 * Hour, await test.OverdueSince(account));
        Assert.Equal([NotificationKind.Overdue], (await test.Notices(account)).Select(n => n.Kind));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Overdue_instances_stop_on_day_15_and_are_released_15_days_later_while_subscriptions_keep_running(DatabaseProvider provider) // R8.2, R8.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("0.00");
        var web = await test.PayAsYouGoInstance(account, "i-paygstops0000000001");
        var subscription = await test.Instance(account, Shanghai(2027, 3, 1), id: "i-subscriptionkeeps001", name: "db");

        await test.RunEvery(TimeSpan.FromHours(5), Shanghai(2026, 12, 11, 11) - TimeSpan.FromMinutes(1));
        Assert.Null((await test.Reload(web.Id)).StoppedAt);

        await test.RunEvery(TimeSpan.FromHours(5), Shanghai(2026, 12, 20));
        var stopped = await test.Reload(web.Id);
        // Overdue since the first hour (11-26 11:00); stopped 15 days later; charged up to the stop, not after.
        Assert.Equal(Shanghai(2026, 12, 11, 11), stopped.StoppedAt);
        Assert.Equal(Shanghai(2026, 12, 11, 11), stopped.ChargedUntil);
        Assert.Equal(Money.Parse("227.43"), (await test.Balance(account)).Overdue);     // 361 hours × 0.63
        Assert.Equal(InstancePhase.Suspended, InstanceLifecycle.StateAt(stopped, new Catalog.LifecycleDays(15, 15), test.Clock.GetUtcNow()).Phase);

        await test.RunEvery(TimeSpan.FromHours(5), Shanghai(2027, 1, 10));
        var released = await test.Reload(web.Id);
        Assert.Equal(Shanghai(2026, 12, 26, 11), released.ReleasedAt);
        Assert.Null(released.PayAsYouGoDueAt);
        Assert.Equal(Money.Parse("227.43"), (await test.Balance(account)).Overdue);

        var notices = await test.Notices(account);
        Assert.Equal([NotificationKind.Overdue, NotificationKind.InstanceSuspended, NotificationKind.InstanceReleased], notices.Select(n => n.Kind));
        Assert.Equal($"Pay-as-you-go instance {web.Id} (web, Elastic Compute Service (ECS)) was stopped because your account has been overdue since 2026-11-26 11:00; it is not charged while stopped and its data is kept. " +
            "Top up to settle the overdue amount of 227.43 CNY before 2026-12-26 11:00 to restart it; after that it is released.", notices[1].Body());
        Assert.Equal(2, await test.Query(db => db.EngineActions.CountAsync(a => a.InstanceId == web.Id)));

        // R8.3: the subscription instance of the same account runs until its own expiry.
        var kept = await test.Reload(subscription.Id);
        Assert.Null(kept.ReleasedAt);
        Assert.Equal(InstanceStatus.Normal, InstanceLifecycle.StateAt(kept, new Catalog.LifecycleDays(15, 15), test.Clock.GetUtcNow()).Status);
        Assert.DoesNotContain(notices, n => n.InstanceId == subscription.Id);
        Assert.True(await test.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_stop_and_release_days_come_from_configuration(DatabaseProvider provider) // R8.2
    {
        await using var test = await TestServices.Start(provider, settings: new Dictionary<string, string?>
        {
            ["Cloudbill:PayAsYouGo:StopAfterOverdueDays"] = "3",
            ["Cloudbill:PayAsYouGo:ReleaseAfterStopDays"] = "2",
        });
        var account = await test.Customer("0.00");
        var web = await test.PayAsYouGoInstance(account, "i-paygconfigured00001");

        await test.RunEvery(TimeSpan.FromHours(7), Start + TimeSpan.FromDays(10));

        var after = await test.Reload(web.Id);
        Assert.Equal((Start + Hour + TimeSpan.FromDays(3), Start + Hour + TimeSpan.FromDays(5)), (after.StoppedAt, after.ReleasedAt));
        Assert.Equal(Money.Parse("45.99"), (await test.Balance(account)).Overdue);     // 73 hours × 0.63
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_hour_charged_before_can_never_be_posted_again(DatabaseProvider provider) // R10.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00");
        var web = await test.PayAsYouGoInstance(account, "i-paygtwice0000000001");
        await test.RunEvery(Hour, Start + 3 * Hour);
        var before = await test.Snapshot();
        // A cursor wrongly moved back (a restored backup, a bug): the third hour would be charged again.
        await test.Query(db => db.Instances.Where(i => i.Id == web.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.ChargedUntil, Start + 2 * Hour).SetProperty(i => i.PayAsYouGoDueAt, Start + 3 * Hour)));

        // The engine's claim loop isolates the instance: it fails on its own, so it is logged and left due (EngineLoopTests).
        await test.Engine();

        // The business key refused it and the whole batch rolled back.
        Assert.Equal(before, await test.Snapshot());
        Assert.Equal(Start + 3 * Hour, (await test.Reload(web.Id)).PayAsYouGoDueAt);
        Assert.Equal(Money.Parse("98.11"), (await test.Balance(account)).Cash);
        Assert.Equal(3, (await test.ChargeKeys(web.Id)).Count);
        Assert.True(await test.LedgerIsClean());
    }

    [Fact]
    public void A_negative_number_of_days_stops_the_start_with_the_key() // R8.2
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cloudbill:DataDirectory"] = RepositoryPaths.Data,
            ["Cloudbill:PayAsYouGo:StopAfterOverdueDays"] = "-1",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddCloudbillCore(configuration).BuildServiceProvider();
        var bad = Assert.Throws<ConfigurationProblemException>(services.ValidateCloudbillOptions);
        Assert.Equal("Cloudbill:PayAsYouGo:StopAfterOverdueDays is -1; use a number of days from 0 to 365 (default 15).", bad.Message);
    }
}
