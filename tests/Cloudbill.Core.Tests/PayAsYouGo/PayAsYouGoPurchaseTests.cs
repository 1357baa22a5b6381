using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>Buying pay-as-you-go instances (R8.1, R7.4, R5.4): nothing up front, then billed by the hour.</summary>
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
        var account = await test.Customer("10.00");

        var bought = await Buy(test, account, TwoWebServers, "payg-1");
        var again = await Buy(test, account, TwoWebServers, "payg-1");

        var order = bought.Value.Order;
        Assert.Equal((OrderType.New, OrderStatus.Paid, ChargeType.PayAsYouGo, Money.Zero), (order.Type, order.Status, order.SubscriptionType, order.Payable));
        Assert.Equal(2, bought.Value.CreatedInstanceIds.Count);
        Assert.Equal((true, order.Id), (again.Value.AlreadyPaid, again.Value.Order.Id));
        Assert.Equal(bought.Value.CreatedInstanceIds.Order(StringComparer.Ordinal), again.Value.CreatedInstanceIds);
        var instances = await test.Query(db => db.Instances.AsNoTracking().Where(i => i.AccountId == account).ToListAsync());
        Assert.Equal(2, instances.Count);
        Assert.All(instances, i => Assert.Equal((ChargeType.PayAsYouGo, (DateTimeOffset?)null, (DateTimeOffset?)null), (i.ChargeType, i.ExpiresAt, i.NextDueAt)));
        Assert.Equal(Money.Parse("10.00"), (await test.Balance(account)).Cash);
        var notice = Assert.Single(await test.Notices(account));
        Assert.Equal($"Order {order.Id} (Elastic Compute Service (ECS): 2 pay-as-you-go instance(s) of ecs.g7.large in China (Hangzhou)) was placed; nothing is paid up front. Each instance is charged 0.63 CNY per hour from your balance.", notice.Body);

        await test.RunEvery(TimeSpan.FromHours(1), test.Clock.GetUtcNow() + TimeSpan.FromHours(3));

        Assert.Equal(Money.Parse("6.22"), (await test.Balance(account)).Cash);   // 10.00 − 2 × 3 × 0.63
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

        await test.TopUp(account, "100.00", "T1");
        Assert.True((await Buy(test, account, TwoWebServers, "payg-after")).Succeeded);
    }
}
