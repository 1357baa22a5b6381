using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>Buying pay-as-you-go instances (R8.1, R7.4, R5.4, R8.4, R8.5): nothing up front, then billed by the hour; a minimum credit and a cap.</summary>
public class PayAsYouGoPurchaseTests
{
    private static Task<Result<PaymentOutcome>> Buy(TestServices test, long account, PayAsYouGoRequest request, string token) =>
        test.Run<PayAsYouGoPurchase, Result<PaymentOutcome>>((p, ct) => p.Buy(account, request, new ClientToken(token), ct));

    private static readonly PayAsYouGoRequest TwoWebServers = new("ecs", "cn-hangzhou", "ecs.g7.large", 2);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_purchase_charges_nothing_up_front_and_then_each_hour(DatabaseProvider provider) // R8.1, R5.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00"); // R8.4: the least Available Credit that buys pay-as-you-go

        var bought = await Buy(test, account, TwoWebServers, "payg-1");
        var again = await Buy(test, account, TwoWebServers, "payg-1");

        var order = bought.Value.Order;
        Assert.Equal((OrderType.New, OrderStatus.Paid, ChargeType.PayAsYouGo, Money.Zero), (order.Type, order.Status, order.ChargeType, order.Payable));
        Assert.Equal(2, bought.Value.CreatedInstanceIds.Count);
        Assert.Equal((true, order.Id), (again.Value.AlreadyPaid, again.Value.Order.Id));
        Assert.Equal(bought.Value.CreatedInstanceIds.Order(StringComparer.Ordinal), again.Value.CreatedInstanceIds);
        var instances = await test.Query(db => db.Instances.AsNoTracking().Where(i => i.AccountId == account).ToListAsync());
        Assert.Equal(2, instances.Count);
        Assert.All(instances, i => Assert.Equal((ChargeType.PayAsYouGo, (DateTimeOffset?)null, (DateTimeOffset?)null), (i.ChargeType, i.ExpiresAt, i.NextDueAt)));
        Assert.Equal(Money.Parse("100.00"), (await test.Balance(account)).Cash);
        var notice = Assert.Single(await test.Notices(account));
        Assert.Equal($"Order {order.Id} (Elastic Compute Service (ECS): 2 pay-as-you-go instance(s) of ecs.g7.large in China (Hangzhou)) was placed; nothing is paid up front. Each instance is charged 0.63 CNY per hour from your balance.", notice.Body());

        await test.RunEvery(TimeSpan.FromHours(1), test.Clock.GetUtcNow() + TimeSpan.FromHours(3));

        Assert.Equal(Money.Parse("96.22"), (await test.Balance(account)).Cash);   // 100.00 − 2 × 3 × 0.63
        Assert.True(await test.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_purchase_is_refused_while_overdue_and_for_products_without_pay_as_you_go(DatabaseProvider provider) // R7.4, R8.1
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("0.00");
        await test.MakeOverdue(account, "3.15");
        var before = await test.Snapshot();

        var overdue = await Buy(test, account, TwoWebServers, "payg-overdue");
        var cen = await Buy(test, account, new PayAsYouGoRequest("cen", "cn-hangzhou", "cen.bwp.cn.10mbps"), "payg-cen");
        var quantity = await Buy(test, account, TwoWebServers with { Quantity = 11 }, "payg-11");

        Assert.Equal(("Account.Overdue", "Your account has an overdue payment of 3.15 CNY. Top up first: the top-up settles the overdue amount, then you can buy and renew again."), (overdue.Problem!.Code, overdue.Problem.Message));
        Assert.Equal("Cloud Enterprise Network is sold by subscription only; choose a duration instead.", cen.Problem!.Message);
        Assert.Equal("Quantity 11 is outside 1 to 10.", quantity.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());

        // The top-up settles the 3.15 first (R7.4); 100.00 remains, the minimum of R8.4.
        await test.TopUp(account, "103.15", "T1");
        Assert.True((await Buy(test, account, TwoWebServers, "payg-after")).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_purchase_needs_an_available_credit_of_at_least_the_minimum(DatabaseProvider provider) // R8.4
    {
        await using var test = await TestServices.Start(provider);
        var scraped = await test.Customer("99.99");
        var nothing = await test.Customer("0.00");
        var before = await test.Snapshot();

        var refused = await Buy(test, scraped, TwoWebServers, "payg-low");
        var broke = await Buy(test, nothing, TwoWebServers, "payg-zero");

        Assert.Equal(("PayAsYouGo.CreditBelowMinimum", ProblemKind.Conflict), (refused.Problem!.Code, refused.Problem.Kind));
        Assert.Equal("Pay-as-you-go needs an Available Credit of at least 100.00 CNY; yours is 99.99 CNY. Top up 0.01 CNY or more, then buy again.", refused.Problem.Message);
        Assert.Equal("Pay-as-you-go needs an Available Credit of at least 100.00 CNY; yours is 0.00 CNY. Top up 100.00 CNY or more, then buy again.", broke.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());

        // The credit line counts: Available Credit is cash + credit line (R7.1).
        var credited = await test.Customer("0.00", creditLine: "100.00");
        Assert.True((await Buy(test, credited, TwoWebServers, "payg-credit")).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_minimum_credit_is_a_setting(DatabaseProvider provider) // R8.4
    {
        await using var test = await TestServices.Start(provider, settings: new Dictionary<string, string?> { ["Cloudbill:PayAsYouGo:MinimumAvailableCredit"] = "500.00" });
        var account = await test.Customer("499.99");
        Assert.Equal("Pay-as-you-go needs an Available Credit of at least 500.00 CNY; yours is 499.99 CNY. Top up 0.01 CNY or more, then buy again.",
            (await Buy(test, account, TwoWebServers, "payg-500")).Problem!.Message);
        await test.AddCash(account, "0.01");
        Assert.True((await Buy(test, account, TwoWebServers, "payg-500-again")).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_account_holds_at_most_the_cap_of_unreleased_pay_as_you_go_instances(DatabaseProvider provider) // R8.5
    {
        await using var test = await TestServices.Start(provider, settings: new Dictionary<string, string?> { ["Cloudbill:PayAsYouGo:MaxInstancesPerAccount"] = "3" });
        var account = await test.Customer("1000.00");
        var first = await Buy(test, account, TwoWebServers, "payg-cap-1");
        Assert.True(first.Succeeded);
        var before = await test.Snapshot();

        var over = await Buy(test, account, TwoWebServers, "payg-cap-2");

        Assert.Equal(("PayAsYouGo.InstanceLimit", ProblemKind.Conflict), (over.Problem!.Code, over.Problem.Kind));
        Assert.Equal("An account may hold at most 3 pay-as-you-go instances; you hold 2, so 2 more would be 4. Release some first, or buy by subscription.", over.Problem.Message);
        Assert.Equal(before, await test.Snapshot());

        Assert.True((await Buy(test, account, TwoWebServers with { Quantity = 1 }, "payg-cap-3")).Succeeded);
        // A released instance no longer counts.
        var released = first.Value.CreatedInstanceIds[0];
        await test.Query(db => db.Instances.Where(i => i.Id == released).ExecuteUpdateAsync(u => u.SetProperty(i => i.ReleasedAt, test.Clock.GetUtcNow())));
        Assert.True((await Buy(test, account, TwoWebServers with { Quantity = 1 }, "payg-cap-4")).Succeeded);
        Assert.Equal("PayAsYouGo.InstanceLimit", (await Buy(test, account, TwoWebServers with { Quantity = 1 }, "payg-cap-5")).Problem!.Code);
    }
}
