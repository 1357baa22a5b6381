using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>My > Costs > renewal forecast: the engine's next 30 days of auto-renewal charges against Available Credit (R4.1, R4.2, R6.6, R7.1, R7.4).</summary>
public class RenewalForecastTests
{
    private static Task<RenewalForecastResult> Forecast(TestServices test, long account) =>
        test.Run<RenewalForecast, RenewalForecastResult>((f, ct) => f.Next(account, RenewalForecast.DefaultDays, ct));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Three_auto_renewals_and_credit_for_two_give_the_third_ones_date_and_the_exact_shortfall(DatabaseProvider provider)
    {
        // 2026-11-26 10:00 Shanghai. ECS ecs.g7.large in Hangzhou is 330.00 a month.
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1282.34");
        var monthly = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, id: "i-forecastmonthly0000001", name: "monthly");
        var quarterly = await test.Instance(account, Shanghai(2026, 12, 15), RenewalMethod.AutoRenewal, 3, id: "i-forecastquarter0000001", name: "quarterly");
        var third = await test.Instance(account, Shanghai(2026, 12, 20), RenewalMethod.AutoRenewal, 1, id: "i-forecastthird000000001", name: "third");
        await test.Instance(account, Shanghai(2026, 12, 12), id: "i-forecastmanual00000001", name: "manual");
        await test.Instance(account, Shanghai(2027, 2, 1), RenewalMethod.AutoRenewal, 1, id: "i-forecastlater00000001", name: "later");
        // R6.6: the best coupon goes to the first charge it fits, as the engine will take it.
        await test.Coupon(account, "50.00", minimumOrder: "300.00", products: "ecs", orderTypes: CouponOrderTypes.Renew);

        var forecast = await Forecast(test, account);

        // R4.2: at 08:00 on the 9th day before each expiry; the manual one and the one beyond 30 days are not there.
        Assert.Equal(
            [(monthly.Id, Shanghai(2026, 12, 1, 8), Money.Parse("280.00")), (quarterly.Id, Shanghai(2026, 12, 6, 8), Money.Parse("990.00")), (third.Id, Shanghai(2026, 12, 11, 8), Money.Parse("330.00"))],
            forecast.Charges.Select(c => (c.InstanceId, c.DueAt, c.Payable)));
        Assert.Equal([Money.Parse("1002.34"), Money.Parse("12.34"), Money.Parse("-317.66")], forecast.Days.Select(d => d.CreditAfter));
        Assert.Equal([true, true, false], forecast.Charges.Select(c => c.Covered));
        Assert.Equal(Money.Parse("1600.00"), forecast.Total);
        Assert.Equal(Shanghai(2026, 12, 11, 8), forecast.RunsShortAt);
        Assert.Equal(Money.Parse("317.66"), forecast.Shortfall);

        // The shortfall topped up, the forecast is clear, and the engine charges exactly what it said.
        await test.AddCash(account, forecast.Shortfall.ToString());
        var after = await Forecast(test, account);
        Assert.True(after.Clear);
        Assert.Null(after.RunsShortAt);
        Assert.Equal(Money.Zero, after.Days[^1].CreditAfter);

        await LifecycleEngineTests.RunDaily(test, Shanghai(2026, 12, 11, 9), 8);
        var charged = await test.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => o.AccountId == account && o.Status == OrderStatus.Paid).OrderBy(o => o.PaidAt).ToListAsync());
        Assert.Equal(forecast.Charges.Select(c => (c.InstanceId, c.DueAt, c.Payable)), charged.Select(o => (o.Lines[0].InstanceId!, o.PaidAt!.Value, o.Payable)));
        Assert.Equal(Money.Zero, (await test.Balance(account)).AvailableCredit);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_overdue_account_runs_short_at_the_first_charge_and_must_settle_the_debt_too(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        // A credit line would cover the charge, but R7.4 refuses every charge while overdue.
        var account = await test.Customer("0.00", creditLine: "1000.00");
        await test.MakeOverdue(account, "12.34");
        await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, id: "i-forecastowing00000001", name: "owing");

        var forecast = await Forecast(test, account);

        Assert.Equal(Shanghai(2026, 12, 1, 8), forecast.RunsShortAt);
        Assert.False(Assert.Single(forecast.Charges).Covered);
        // R7.4: the top-up must settle the 12.34 first; the credit line covers the 330.00 after that.
        Assert.Equal(Money.Parse("12.34"), forecast.Shortfall);

        // Without a credit line the top-up settles the 12.34 and pays the 330.00.
        var cashOnly = await test.Customer("0.00");
        await test.MakeOverdue(cashOnly, "12.34");
        await test.Instance(cashOnly, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, id: "i-forecastowing00000002", name: "owing");
        var owing = await Forecast(test, cashOnly);
        Assert.Equal((Shanghai(2026, 12, 1, 8), Money.Parse("342.34")), (owing.RunsShortAt, owing.Shortfall));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_monthly_renewal_due_soon_is_charged_twice_in_the_window_and_a_frozen_coupon_is_not_counted(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var soon = await test.Instance(account, Shanghai(2026, 12, 4), RenewalMethod.AutoRenewal, 1, id: "i-forecastsoon000000001", name: "soon");
        var coupon = await test.Coupon(account, "100.00", products: "ecs", orderTypes: CouponOrderTypes.Renew);
        await test.Query(db => db.Coupons.Where(c => c.Id == coupon.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.FrozenByOrderId, (long?)424242)));

        var forecast = await Forecast(test, account);

        // 9 days before Dec 4 is Nov 25 (past): the next daily retry is Nov 27; the renewed cycle (to Jan 4) is due Dec 26.
        Assert.Equal([(soon.Id, Shanghai(2026, 11, 27, 8)), (soon.Id, Shanghai(2026, 12, 26, 8))], forecast.Charges.Select(c => (c.InstanceId, c.DueAt)));
        Assert.All(forecast.Charges, c => Assert.Equal((Money.Parse("330.00"), Money.Zero), (c.Payable, c.CouponDeduction)));
        Assert.True(forecast.Clear);
    }
}
