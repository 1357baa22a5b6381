using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>The lifecycle engine (R4, R1.5) on a fake clock moved through months in milliseconds.</summary>
public class LifecycleEngineTests
{
    internal static Task<EngineRunReport> Engine(TestServices test, DateTimeOffset? at = null) =>
        test.Services.GetRequiredService<LifecycleEngine>().RunUntil(at ?? test.Clock.GetUtcNow(), CancellationToken.None);

    /// <summary>Moves the clock to each given Shanghai hour of every day up to <paramref name="end"/>, running the engine at each.</summary>
    internal static async Task RunDaily(TestServices test, DateTimeOffset end, params int[] hours)
    {
        var day = Time.BusinessCalendar.LocalDate(test.Clock.GetUtcNow());
        while (true)
        {
            foreach (var hour in hours)
            {
                var at = Time.BusinessCalendar.At(day, hour);
                if (at > end)
                    return;
                if (at > test.Clock.GetUtcNow())
                {
                    test.Clock.SetUtcNow(at);
                    await Engine(test);
                }
            }
            day = day.PlusDays(1);
        }
    }

    private static Task<List<Notification>> Notices(TestServices test, string instanceId) =>
        test.Query(db => db.Notifications.AsNoTracking().Where(n => n.InstanceId == instanceId).OrderBy(n => n.Id).ToListAsync());

    private static Task<List<Order>> Orders(TestServices test, string instanceId) =>
        test.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => o.Lines.Any(l => l.InstanceId == instanceId)).OrderBy(o => o.Id).ToListAsync());

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_simulated_year_charges_reminds_suspends_and_releases_on_the_right_days(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("10000.00");
        var auto = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, id: "i-autorenewmonthly000001", name: "auto");
        var tair = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, product: "tair", spec: "redis.master.small.default", id: "r-autorenewtair000000001", name: "tair");
        var manual = await test.Instance(account, Shanghai(2026, 12, 20), id: "i-manualrenewal000000001", name: "manual");
        var notRenewal = await test.Instance(account, Shanghai(2026, 12, 15), RenewalMethod.NotRenewal, id: "i-notrenewal000000000001", name: "leaving");
        var rds = await test.Instance(account, Shanghai(2026, 12, 5), product: "rds", spec: "mysql.n2.medium.1", id: "rm-manualrds00000000001", name: "db");

        await RunDaily(test, Shanghai(2027, 11, 26), 0, 8, 10);

        // R4.2: each auto-renewal charged once, at 08:00 on the 9th day before expiry (Tair: the 7th).
        var autoOrders = await Orders(test, auto.Id);
        Assert.Equal(12, autoOrders.Count);
        Assert.All(autoOrders, o => Assert.Equal(OrderStatus.Paid, o.Status));
        Assert.Equal(
            Enumerable.Range(0, 12).Select(m => Shanghai(2026, 12, 1, 8).AddMonths(0) is var _ ? Time.BusinessCalendar.At(Time.BusinessCalendar.LocalDate(Shanghai(2026, 12, 10)).PlusMonths(m).PlusDays(-9), 8) : default),
            autoOrders.Select(o => o.PaidAt!.Value));
        Assert.Equal(Shanghai(2027, 12, 10), (await test.Reload(auto.Id)).ExpiresAt);
        var tairOrders = await Orders(test, tair.Id);
        Assert.Equal(Shanghai(2026, 12, 3, 8), tairOrders[0].PaidAt);
        // Auto-renewal succeeded before every reminder day: no reminders, one success notice per charge.
        var autoNotices = await Notices(test, auto.Id);
        Assert.All(autoNotices, n => Assert.Equal(NotificationKind.AutoRenewalSucceeded, n.Kind));
        Assert.Equal(12, autoNotices.Count);

        // R4.6: reminders 7, 3 and 1 days before expiry, on the expiry day, and the day before release.
        var reminders = (await Notices(test, manual.Id)).Where(n => n.Kind == NotificationKind.ExpiryReminder).Select(n => n.CreatedAt).ToList();
        Assert.Equal([Shanghai(2026, 12, 13, 10), Shanghai(2026, 12, 17, 10), Shanghai(2026, 12, 19, 10), Shanghai(2026, 12, 20, 10), Shanghai(2027, 1, 18, 10)], reminders);
        // R1.5: ECS suspended after 15 grace days, released 15 days later.
        var manualNotices = await Notices(test, manual.Id);
        Assert.Equal(Shanghai(2027, 1, 4), manualNotices.Single(n => n.Kind == NotificationKind.InstanceSuspended).CreatedAt);
        Assert.Equal(Shanghai(2027, 1, 19), manualNotices.Single(n => n.Kind == NotificationKind.InstanceReleased).CreatedAt);
        Assert.Equal(Shanghai(2027, 1, 19), (await test.Reload(manual.Id)).ReleasedAt);

        // R4.6: none for Expire Without Renewal; it is still suspended and released.
        var leaving = await Notices(test, notRenewal.Id);
        Assert.DoesNotContain(leaving, n => n.Kind == NotificationKind.ExpiryReminder);
        Assert.Equal([NotificationKind.InstanceSuspended, NotificationKind.InstanceReleased], leaving.Select(n => n.Kind));

        // R1.5: RDS has no grace days: suspended at expiry, released 15 days later.
        var db = await Notices(test, rds.Id);
        Assert.Equal(Shanghai(2026, 12, 5), db.Single(n => n.Kind == NotificationKind.InstanceSuspended).CreatedAt);
        Assert.Equal(Shanghai(2026, 12, 20), db.Single(n => n.Kind == NotificationKind.InstanceReleased).CreatedAt);

        // Released instances leave the views; the auto-renewed ones remain.
        var listed = await test.Run<InstanceQueries, IReadOnlyList<InstanceSummary>>((q, ct) => q.ForAccount(account, ct));
        Assert.Equal([auto.Id, tair.Id], listed.Select(i => i.Id).Order(StringComparer.Ordinal));
        var renewals = (await test.Run<RenewalViews, Result<RenewalPage>>((v, ct) => v.List(account, new RenewalFilter(), ct))).Value;
        Assert.Equal([auto.Id, tair.Id], renewals.Instances.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.Equal(new RenewalTabCounts(0, 2, 0), renewals.Tabs);

        var charged = autoOrders.Aggregate(Money.Zero, (s, o) => s + o.Payable) + (await Orders(test, tair.Id)).Aggregate(Money.Zero, (s, o) => s + o.Payable);
        Assert.Equal(Money.Parse("10000.00") - charged, (await test.Balance(account)).Cash);
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_manual_renewal_before_the_ninth_day_skips_that_cycles_auto_charge(DatabaseProvider provider) // R4.5
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 20), RenewalMethod.AutoRenewal, 1);
        test.Clock.SetUtcNow(Shanghai(2026, 11, 28, 9));
        Assert.True((await RenewNow(test, account, instance.Id, 1)).Succeeded);

        await RunDaily(test, Shanghai(2027, 1, 12), 0, 8, 10);

        var orders = await Orders(test, instance.Id);
        Assert.Equal(2, orders.Count);
        Assert.Equal(Shanghai(2026, 11, 28, 9), orders[0].PaidAt);  // the manual renewal to 2027-01-20
        Assert.Equal(Shanghai(2027, 1, 11, 8), orders[1].PaidAt);   // the next cycle's auto charge, 9 days before 2027-01-20
        Assert.Equal(Shanghai(2027, 2, 20), (await test.Reload(instance.Id)).ExpiresAt);
        Assert.Equal(Money.Parse("4340.00"), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failed_charge_notifies_each_day_and_succeeds_after_money_arrives(DatabaseProvider provider) // R4.2, R4.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, name: "web");

        await RunDaily(test, Shanghai(2026, 12, 3, 12), 0, 8, 10);
        await test.AddCash(account, "500.00");
        await RunDaily(test, Shanghai(2026, 12, 12), 0, 8, 10);

        var notices = await Notices(test, instance.Id);
        var failures = notices.Where(n => n.Kind == NotificationKind.AutoRenewalFailed).ToList();
        Assert.Equal([Shanghai(2026, 12, 1, 8), Shanghai(2026, 12, 2, 8), Shanghai(2026, 12, 3, 8)], failures.Select(n => n.CreatedAt));
        Assert.Equal($"Auto-renewal of {instance.Id} (web) failed: it costs 330.00 CNY and your Available Credit is 100.00 CNY. Top up before 08:00 tomorrow for the next attempt, or renew it manually. It expires on 2026-12-10 00:00.", failures[0].Body());
        // The 7-day reminder still went out: auto-renewal had not succeeded for the cycle (R4.6).
        Assert.Equal([Shanghai(2026, 12, 3, 10)], notices.Where(n => n.Kind == NotificationKind.ExpiryReminder).Select(n => n.CreatedAt));
        Assert.Equal(Shanghai(2026, 12, 4, 8), notices.Single(n => n.Kind == NotificationKind.AutoRenewalSucceeded).CreatedAt);

        // R4.4: every failed attempt's order was cancelled at once; none is left unpaid.
        var orders = await Orders(test, instance.Id);
        Assert.Equal([OrderStatus.Cancelled, OrderStatus.Cancelled, OrderStatus.Cancelled, OrderStatus.Paid], orders.Select(o => o.Status));
        Assert.All(orders.Take(3), o => Assert.Equal(CancelReason.PaymentFailed, o.CancelReason));
        Assert.Equal(Shanghai(2027, 1, 10), (await test.Reload(instance.Id)).ExpiresAt);
        Assert.Equal(Money.Parse("270.00"), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task After_three_days_without_a_run_one_run_does_each_due_action_once(DatabaseProvider provider) // R4.7
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00");
        var auto = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        var manual = await test.Instance(account, Shanghai(2026, 12, 8));
        await RunDaily(test, Shanghai(2026, 11, 30, 23), 0, 8, 10);
        Assert.Empty(await test.Query(db => db.Notifications.ToListAsync()));

        test.Clock.SetUtcNow(Shanghai(2026, 12, 3, 12)); // the node was down for three days
        var report = await Engine(test);
        var again = await Engine(test);

        Assert.Equal(3, report.Counts["auto-renewal failed"]);                 // 12-01, 12-02, 12-03 at 08:00
        Assert.Equal(2, report.Counts["reminder"]);                            // auto 7 days (12-03) and manual 7 days (12-01)
        Assert.Equal(0, again.Total);
        Assert.Equal(3, (await Notices(test, auto.Id)).Count(n => n.Kind == NotificationKind.AutoRenewalFailed));
        Assert.Single(await Notices(test, manual.Id));
    }

    [Fact]
    public async Task On_SQLite_a_run_that_finds_the_writer_held_past_the_busy_timeout_leaves_the_work_due_instead_of_failing() // R4.7
    {
        // A busy timeout of one second stands for a busy machine, where another run's batch can
        // hold SQLite's one writer longer than the default 30 s.
        var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var test = await TestServices.Start(database, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:Cloudbill"] = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 1 }.ToString(),
        });
        var account = await test.Customer("100.00");
        await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        await test.Instance(account, Shanghai(2026, 12, 8));
        test.Clock.SetUtcNow(Shanghai(2026, 12, 3, 12));

        EngineRunReport whileHeld;
        await using (var otherRun = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString))
        {
            await otherRun.OpenAsync(TestContext.Current.CancellationToken);
            await using var claim = otherRun.BeginTransaction(deferred: false); // BEGIN IMMEDIATE, as a run's claim
            whileHeld = await Engine(test);
        }
        var after = await Engine(test);

        Assert.Equal(0, whileHeld.Total);
        Assert.Equal(3, after.Counts["auto-renewal failed"]);
        Assert.Equal(2, after.Counts["reminder"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_runs_at_the_same_moment_leave_what_one_run_leaves(DatabaseProvider provider) // R4.7
    {
        await using var single = await Arrange(provider);
        await using var twice = await Arrange(provider);
        var at = Shanghai(2026, 12, 12, 12);
        single.Clock.SetUtcNow(at);
        twice.Clock.SetUtcNow(at);

        var one = await Engine(single);
        var both = await Task.WhenAll(Task.Run(() => Engine(twice)), Task.Run(() => Engine(twice)));

        Assert.True(one.Total > 20, $"the arrangement should leave plenty of due work, not {one.Total}");
        Assert.Equal(one.Total, both.Sum(r => r.Total));
        Assert.Equal(await single.BusinessSnapshot(), await twice.BusinessSnapshot());
        Assert.True((await twice.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    /// <summary>Due work of every kind for two customers: charges, failures, coupons, reminders, expiry, suspension, release, a time-out.</summary>
    internal static async Task<TestServices> Arrange(DatabaseProvider provider)
    {
        var test = await TestServices.Start(provider);
        var rich = await test.Customer("5000.00");
        var poor = await test.Customer("50.00");
        await test.Coupon(rich, "100.00", orderTypes: Coupons.CouponOrderTypes.Renew, validFor: TimeSpan.FromDays(90));
        for (var i = 0; i < 6; i++)
        {
            await test.Instance(rich, Shanghai(2026, 12, 10 + i), RenewalMethod.AutoRenewal, 1, id: $"i-richauto{i:D11}");
            await test.Instance(poor, Shanghai(2026, 12, 10 + i), RenewalMethod.AutoRenewal, 1, id: $"i-poorauto{i:D11}");
            await test.Instance(rich, Shanghai(2026, 11, 20 + i), id: $"i-richmanual{i:D9}");
            await test.Instance(poor, Shanghai(2026, 11, 1 + i), RenewalMethod.NotRenewal, id: $"i-poornot{i:D12}");
        }
        await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(rich, ["i-richmanual000000005"], RenewalTerm.ForMonths(1), new ClientToken("left-unpaid"), Coupons.CouponChoice.None, ct));
        return test;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_instance_that_fails_on_its_own_stays_due_and_the_rest_of_its_batch_goes_on(DatabaseProvider provider) // R4.7
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var blocked = await test.Instance(account, Shanghai(2026, 12, 10), id: "i-blockedreminder0000001", name: "blocked");
        var fine = await test.Instance(account, Shanghai(2026, 12, 10), id: "i-finereminder000000001", name: "fine");
        // A notice already holds the cause key of the blocked instance's 7-day reminder: writing
        // its reminder fails on the unique key every time, as a repeatable fault of one instance would.
        var cause = $"reminder:{blocked.Id}:20261210:7d";
        await test.Query(async db =>
        {
            db.Notifications.Add(new Notification { AccountId = account, Kind = NotificationKind.ExpiryReminder, CauseKey = cause, LegacyTitle = "planted", LegacyBody = "planted", CreatedAt = test.Clock.GetUtcNow() });
            return await db.SaveChangesAsync();
        });
        test.Clock.SetUtcNow(Shanghai(2026, 12, 3, 10) + TimeSpan.FromMinutes(30));

        var report = await Engine(test);

        Assert.Equal(1, report.Counts["reminder"]);
        Assert.Equal(["fine expires in 7 day(s)"], (await Notices(test, fine.Id)).Select(n => n.Title()));
        Assert.Equal(Shanghai(2026, 12, 3, 10), (await test.Reload(blocked.Id)).NextDueAt);   // still due
        Assert.Equal(Shanghai(2026, 12, 7, 10), (await test.Reload(fine.Id)).NextDueAt);      // the 3-day reminder next
        Assert.Empty(await test.Query(db => db.EngineActions.AsNoTracking().Where(a => a.InstanceId == blocked.Id).ToListAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_manual_renewal_racing_the_auto_charge_never_pays_one_cycle_twice(DatabaseProvider provider) // R4.5
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var raced = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        var placedFirst = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        var unpaid = (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [placedFirst.Id], RenewalTerm.ForMonths(1), new ClientToken("manual"), Coupons.CouponChoice.None, ct))).Value;
        test.Clock.SetUtcNow(Shanghai(2026, 12, 1, 8));

        // The engine's 08:00 attempt and a Renew Now at the same moment.
        await Task.WhenAll(Task.Run(() => Engine(test)), Task.Run(() => RenewNow(test, account, raced.Id, 1)));
        // On PostgreSQL the engine skips an account a customer is paying on; the next run picks it up.
        await Engine(test);
        // The order placed before the auto charge cannot pay the cycle again.
        var late = await test.Run<OrderPayments, Result<PaymentOutcome>>((p, ct) => p.PayFromBalance(account, unpaid.Id, ct));

        Assert.Equal($"Instance {placedFirst.Id} was renewed to 2027-01-10 00:00 after order {unpaid.Id} was placed; order {unpaid.Id} was cancelled and nothing was charged.", late.Problem!.Message);
        var paidLines = await test.Query(db => db.OrderLines.AsNoTracking().Join(db.Orders.Where(o => o.Status == OrderStatus.Paid), l => l.OrderId, o => o.Id, (l, _) => l).ToListAsync());
        Assert.All(paidLines.GroupBy(l => (l.InstanceId, l.ExpiresBefore)), cycle => Assert.Single(cycle));
        Assert.Equal(Shanghai(2027, 1, 10), (await test.Reload(placedFirst.Id)).ExpiresAt);
        var total = paidLines.Count(l => l.InstanceId == raced.Id);
        Assert.Equal(Shanghai(2026, 12, 10).AddMonths(0) is var start ? Time.BusinessCalendar.AddMonths(start, total) : default, (await test.Reload(raced.Id)).ExpiresAt);
        Assert.Equal(Money.Parse("5000.00") - Money.Parse("330.00") * (total + 1), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task One_coupon_serves_several_auto_renewals_of_one_batch_and_ends_unfrozen(DatabaseProvider provider) // R6.3, R6.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var coupon = await test.Coupon(account, "1000.00", orderTypes: Coupons.CouponOrderTypes.Renew, validFor: TimeSpan.FromDays(60));
        await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        test.Clock.SetUtcNow(Shanghai(2026, 12, 1, 8));

        var report = await Engine(test);

        Assert.Equal(3, report.Counts["auto-renewal charged"]);
        var after = await test.Query(db => db.Coupons.AsNoTracking().SingleAsync(c => c.Id == coupon.Id));
        Assert.Equal((Money.Parse("10.00"), (long?)null), (after.Remaining, after.FrozenByOrderId)); // 1000.00 − 3 × 330.00
        Assert.Equal(Money.Parse("5000.00"), (await test.Balance(account)).Cash);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_due_time_moved_back_over_recorded_actions_runs_only_the_new_ones(DatabaseProvider provider) // R4.7
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("0.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10));
        test.Clock.SetUtcNow(Shanghai(2026, 12, 7, 12));
        var first = await Engine(test);                                        // the 7-day (12-03) and 3-day (12-07) reminders
        // As when a renewal method change keeps an earlier due time: the due time goes back before both.
        await test.Query(db => db.Instances.Where(i => i.Id == instance.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(i => i.NextDueAt, Shanghai(2026, 12, 1))));
        test.Clock.SetUtcNow(Shanghai(2026, 12, 9, 12));

        var second = await Engine(test);

        Assert.Equal(2, first.Counts["reminder"]);
        Assert.Equal(1, second.Total);                                         // only the 1-day reminder (12-09)
        Assert.Equal(["7 day", "3 day", "1 day"], (await Notices(test, instance.Id)).Select(n => n.Title()[(n.Title().LastIndexOf(" in ", StringComparison.Ordinal) + 4)..].Replace("(s)", "", StringComparison.Ordinal)));
        Assert.Equal(Shanghai(2026, 12, 10), (await test.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.Id == instance.Id))).NextDueAt); // the expiry
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Changing_the_method_keeps_actions_already_due(DatabaseProvider provider) // R4.7
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("0.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1);
        // 12-03 10:00 the 7-day reminder falls due, but the engine has not run yet when the customer switches to manual.
        test.Clock.SetUtcNow(Shanghai(2026, 12, 3, 10) + TimeSpan.FromSeconds(30));
        await Engine(test, Shanghai(2026, 12, 3, 9));
        await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [instance.Id], RenewalMethod.ManualRenewal, null, ct));

        await Engine(test);

        Assert.Contains(await Notices(test, instance.Id), n => n.Kind == NotificationKind.ExpiryReminder && n.Title().Contains("7 day", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Auto_renewal_switched_on_today_is_charged_from_tomorrow(DatabaseProvider provider) // R2.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 4));

        var set = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [instance.Id], RenewalMethod.AutoRenewal, 1, ct));
        Assert.Equal(1, set.Value);
        await RunDaily(test, Shanghai(2026, 11, 27, 9), 8);

        var orders = await Orders(test, instance.Id);
        Assert.Equal(Shanghai(2026, 11, 27, 8), Assert.Single(orders).PaidAt);   // not 11-26 08:00, the day it was switched on
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Renewal_methods_change_in_batches_all_or_nothing(DatabaseProvider provider) // R2
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var a = await test.Instance(account, Shanghai(2026, 12, 20));
        var b = await test.Instance(account, Shanghai(2026, 12, 25), RenewalMethod.AutoRenewal, 3);
        var expired = await test.Instance(account, Shanghai(2026, 11, 20));

        Assert.Equal(2, (await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [a.Id, b.Id], RenewalMethod.NotRenewal, null, ct))).Value);
        Assert.Equal((RenewalMethod.NotRenewal, (int?)null), ((await test.Reload(b.Id)).RenewalMethod, (await test.Reload(b.Id)).AutoRenewPeriodMonths));

        // R2.4: a manual renewal of a NotRenewal instance leaves it NotRenewal.
        await RenewNow(test, account, a.Id, 1);
        Assert.Equal(RenewalMethod.NotRenewal, (await test.Reload(a.Id)).RenewalMethod);

        var before = await test.Snapshot();
        var mixed = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [a.Id, expired.Id], RenewalMethod.AutoRenewal, 1, ct));
        Assert.Equal("Renewal.AutoRenewalOnExpired", mixed.Problem!.Code);
        var badPeriod = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [a.Id], RenewalMethod.AutoRenewal, 5, ct));
        Assert.Equal("5 months is not an auto-renewal period of Elastic Compute Service (ECS); choose one of 1, 2, 3, 6, 12, 24, 36 months.", badPeriod.Problem!.Message);
        var tooMany = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, Enumerable.Range(0, 101).Select(i => $"i-{i}").ToList(), RenewalMethod.ManualRenewal, null, ct));
        Assert.Equal("101 instances were given; at most 100 can be changed at once.", tooMany.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }
}
