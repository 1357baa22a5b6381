using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Core.Tests.LifecycleEngineTests;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>The one money path (docs/decisions/0017): the decision every charge against the balance goes through.</summary>
public class BalanceChargesTests
{
    private static readonly ProductCatalog Catalog = CatalogLoader.Load(RepositoryPaths.Catalog);
    private static readonly DateTimeOffset Now = TestServices.DefaultStart;

    private static Instance Subscription(DateTimeOffset expires, DateTimeOffset? releasedAt = null) => new()
    {
        Id = "i-moneypath0000000001",
        AccountId = 1,
        ProductCode = "ecs",
        SpecCode = "ecs.g7.large",
        RegionId = "cn-hangzhou",
        Name = "web",
        ChargeType = ChargeType.Subscription,
        ExpiresAt = expires,
        ReleasedAt = releasedAt,
    };

    private static AccountBalance Balance(string cash, string creditLine = "0.00", string overdue = "0.00") =>
        new(Money.Parse(cash), Money.Parse(creditLine), Money.Parse(overdue));

    [Fact]
    public void An_overdue_account_is_refused_before_its_credit_and_its_credit_before_a_released_instance() // R7.4, R7.1, R3.5
    {
        var ecs = Catalog.GetProduct("ecs");
        var released = Subscription(Shanghai(2026, 10, 1), releasedAt: Shanghai(2026, 10, 31));

        var overdue = BalanceCharges.Decide(Balance("0.00", overdue: "5.00"), Money.Parse("330.00"), "This renewal", [(released, ecs)], Now);
        var poor = BalanceCharges.Decide(Balance("100.00"), Money.Parse("330.00"), "This renewal", [(released, ecs)], Now);
        var rich = BalanceCharges.Decide(Balance("1000.00"), Money.Parse("330.00"), "This renewal", [(released, ecs)], Now);

        Assert.Equal((ChargeRefusalKind.Overdue, "Account.Overdue"), (overdue.Refusal!.Kind, overdue.Refusal.Problem.Code));
        Assert.Equal(RefusalReason.Overdue(Money.Parse("5.00")), overdue.Refusal.Reason);
        Assert.Equal((ChargeRefusalKind.InsufficientCredit, "Order.InsufficientCredit"), (poor.Refusal!.Kind, poor.Refusal.Problem.Code));
        Assert.Equal("This renewal costs 330.00 CNY but your Available Credit is 100.00 CNY. Top up at least 230.00 CNY or pay with Alipay or UnionPay.", poor.Refusal.Problem.Message);
        Assert.Equal(RefusalReason.InsufficientCredit(Money.Parse("330.00"), Money.Parse("100.00")), poor.Refusal.Reason);
        Assert.Equal((ChargeRefusalKind.Released, "Instance.Released"), (rich.Refusal!.Kind, rich.Refusal.Problem.Code));
        Assert.Equal(RefusalReason.Released(released.Id, Shanghai(2026, 10, 31)), rich.Refusal.Reason);
        Assert.True(BalanceCharges.Decide(Balance("1000.00"), Money.Parse("330.00"), "This renewal", [(Subscription(Shanghai(2026, 12, 10)), ecs)], Now).IsApproved);
    }

    [Fact]
    public void Available_credit_counts_the_credit_line_and_a_charge_a_coupon_pays_in_full_needs_none() // R7.1, R6.3
    {
        Assert.True(BalanceCharges.Decide(Balance("-20.00", creditLine: "400.00"), Money.Parse("330.00"), "Order 1", [], Now).IsApproved);
        Assert.False(BalanceCharges.Decide(Balance("-80.00", creditLine: "400.00"), Money.Parse("330.00"), "Order 1", [], Now).IsApproved);
        Assert.True(BalanceCharges.Decide(Balance("-5.00"), Money.Zero, "Order 1", [], Now).IsApproved);
    }

    [Fact]
    public void An_hourly_charge_is_never_refused_cash_and_the_line_pay_what_they_can_and_the_rest_is_overdue() // R8.2, R7.1
    {
        Assert.Equal(new MeteredCharge(Money.Parse("0.63"), Money.Zero), BalanceCharges.Meter(Balance("10.00"), Money.Parse("0.63")));
        Assert.Equal(new MeteredCharge(Money.Parse("0.40"), Money.Parse("0.23")), BalanceCharges.Meter(Balance("-19.60", creditLine: "20.00"), Money.Parse("0.63")));
        // Already overdue: the hour is still charged, all of it overdue.
        Assert.Equal(new MeteredCharge(Money.Zero, Money.Parse("0.63")), BalanceCharges.Meter(Balance("0.00", overdue: "3.00"), Money.Parse("0.63")));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Auto_renewal_refuses_a_released_instance_through_the_shared_decision(DatabaseProvider provider) // R3.5, R4.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, name: "web");

        // The engine was down from before the first attempt until after the release (15 + 15 days
        // after expiry): the attempts it catches up on find the instance released and charge nothing.
        test.Clock.SetUtcNow(Shanghai(2027, 1, 10, 9));
        var report = await Engine(test);

        Assert.Equal(10, report.Counts["auto-renewal failed"]);
        Assert.Equal(1, report.Counts["release"]);
        var failures = await test.Query(db => db.Notifications.AsNoTracking().Where(n => n.InstanceId == instance.Id && n.Kind == NotificationKind.AutoRenewalFailed).ToListAsync());
        Assert.All(failures, n => Assert.StartsWith($"Auto-renewal of {instance.Id} (web) failed: Instance {instance.Id} was released on 2027-01-09 and can no longer be renewed. ", n.Body()));
        var orders = await test.Query(db => db.Orders.AsNoTracking().Where(o => o.AccountId == account).ToListAsync());
        Assert.All(orders, o => Assert.Equal((OrderStatus.Cancelled, CancelReason.PaymentFailed), (o.Status, o.CancelReason)));
        Assert.Equal(Money.Parse("5000.00"), (await test.Balance(account)).Cash);
        Assert.Equal(Shanghai(2026, 12, 10), (await test.Reload(instance.Id)).ExpiresAt);
        Assert.True(await test.LedgerIsClean());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Auto_renewal_of_a_product_that_is_not_renewable_gives_the_reason_Renew_Now_gives(DatabaseProvider provider) // R3.5, R4.4
    {
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-norenew-auto-" + Guid.NewGuid().ToString("N"));
        try
        {
            PurchaseTests.CopyCatalog(folder);
            var file = Path.Combine(folder, "products", "vpn.json");
            File.WriteAllText(file, File.ReadAllText(file).Replace("\"renewable\": true", "\"renewable\": false", StringComparison.Ordinal));
            await using var test = await TestServices.Start(provider, settings: new Dictionary<string, string?> { ["Cloudbill:Catalog:Path"] = folder });
            var account = await test.Customer("5000.00");
            var vpn = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, product: "vpn", spec: "vpn.10mbps", name: "tunnel");
            var refused = await RenewNow(test, account, vpn.Id, 1);

            test.Clock.SetUtcNow(Shanghai(2026, 12, 1, 9));
            var report = await Engine(test);

            Assert.Equal(1, report.Counts["auto-renewal failed"]);
            var failure = await test.Query(db => db.Notifications.AsNoTracking().SingleAsync(n => n.InstanceId == vpn.Id && n.Kind == NotificationKind.AutoRenewalFailed));
            // One rule, one reason: the words of Renew Now's refusal.
            Assert.StartsWith($"Auto-renewal of {vpn.Id} (tunnel) failed: {refused.Problem!.Message}", failure.Body());
            var order = await test.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.AccountId == account));
            Assert.Equal((OrderStatus.Cancelled, CancelReason.PaymentFailed), (order.Status, order.CancelReason));
            Assert.Equal(Money.Parse("5000.00"), (await test.Balance(account)).Cash);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
