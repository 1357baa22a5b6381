using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>R1.7: the name chosen at purchase, checked before anything is ordered and given to every instance of the order.</summary>
public class InstanceNamesTests
{
    [Theory]
    [InlineData("web-hk-01")]
    [InlineData("网店-香港")]
    [InlineData("db:primary_2.a")]
    [InlineData("ab")]
    public void Accepts_a_name_that_starts_with_a_letter(string name) =>
        Assert.Equal(name, InstanceNames.Validate(name, 1).Value);

    [Theory]
    [InlineData("a", "Instance.NameLength", "The instance name is 1 characters long; use 2 to 128 characters.")]
    [InlineData("9lives", "Instance.NameStart", "The instance name must start with a letter (Chinese characters are letters too).")]
    [InlineData("web server", "Instance.NameCharacter", "The instance name cannot contain 'space'; use letters, digits, '.', '_', '-' and ':'.")]
    [InlineData("https://x", "Instance.NameCharacter", "The instance name cannot contain '/'; use letters, digits, '.', '_', '-' and ':'.")]
    public void Refuses_a_name_the_rule_does_not_allow(string name, string code, string message)
    {
        var problem = InstanceNames.Validate(name, 1).Problem!;
        Assert.Equal((code, message, ProblemKind.Invalid), (problem.Code, problem.Message, problem.Kind));
    }

    [Fact]
    public void A_name_for_several_instances_leaves_room_for_the_numbers()
    {
        Assert.True(InstanceNames.Validate(new string('a', 128), 1).Succeeded);
        Assert.True(InstanceNames.Validate(new string('a', 125), 2).Succeeded);
        Assert.Equal("The instance name is 126 characters long; with 2 instances each is named " + new string('a', 126) + "-02, so use 2 to 125 characters.",
            InstanceNames.Validate(new string('a', 126), 2).Problem!.Message);
        Assert.Null(InstanceNames.Validate("  ", 3).Value);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_instance_of_a_paid_order_gets_the_chosen_name_numbered(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var request = new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1, Quantity: 2, InstanceName: "shop");
        var order = (await PurchaseTests.Buy(test, account, request)).Value;
        Assert.Equal("shop", (await test.Query(db => db.OrderLines.AsNoTracking().SingleAsync(l => l.OrderId == order.Id))).InstanceName);
        var paid = (await PurchaseTests.Pay(test, account, order.Id)).Value;
        var names = await test.Query(db => db.Instances.AsNoTracking().Where(i => paid.CreatedInstanceIds.Contains(i.Id)).Select(i => i.Name).OrderBy(n => n).ToListAsync());
        Assert.Equal(["shop-01", "shop-02"], names);

        // Without a name: the product, the order and a number.
        var unnamed = (await PurchaseTests.Buy(test, account, new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1))).Value;
        var made = (await PurchaseTests.Pay(test, account, unnamed.Id)).Value;
        Assert.Equal($"ecs-{unnamed.Id}-01", await test.Query(db => db.Instances.AsNoTracking().Where(i => i.Id == made.CreatedInstanceIds[0]).Select(i => i.Name).SingleAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_refused_name_orders_nothing(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var bought = await PurchaseTests.Buy(test, account, new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1, InstanceName: "bad name"), choice: CouponChoice.None);
        Assert.Equal("Instance.NameCharacter", bought.Problem!.Code);
        var payg = await test.Run<PayAsYouGoPurchase, Result<PaymentOutcome>>((s, ct) => s.Buy(account, new PayAsYouGoRequest("ecs", "cn-hangzhou", "ecs.g7.large", 1, "1st"), ClientToken.New(), ct));
        Assert.Equal("Instance.NameStart", payg.Problem!.Code);
        Assert.Equal(0, await test.Query(db => db.Orders.CountAsync(o => o.AccountId == account)));
    }
}
