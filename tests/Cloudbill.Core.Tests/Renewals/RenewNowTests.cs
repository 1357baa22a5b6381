using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>Manual renewal (R3) through the service behind Renew Now, the API's RenewInstance and the CLI.</summary>
public class RenewNowTests
{
    internal static DateTimeOffset Shanghai(int y, int m, int d, int h = 0) => new DateTimeOffset(y, m, d, h, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    internal static Task<Result<PaymentOutcome>> RenewNow(TestServices test, long account, string instanceId, int months, string? token = null, CouponChoice? choice = null) =>
        test.Run<RenewalService, Result<PaymentOutcome>>((s, ct) => s.RenewNow(account, [instanceId], RenewalTerm.ForMonths(months), new ClientToken(token ?? Guid.NewGuid().ToString("N")), choice ?? CouponChoice.Best, ct));

    internal static Task<Result<RenewalQuote>> Quote(TestServices test, long account, string instanceId, int months) =>
        test.Run<RenewalService, Result<RenewalQuote>>((s, ct) => s.Quote(account, [instanceId], RenewalTerm.ForMonths(months), CouponChoice.Best, ct));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_quote_offers_the_products_durations_the_price_and_the_best_coupon(DatabaseProvider provider) // R3.1, R3.4, R6.6
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10), region: "cn-hongkong");
        var renewCoupon = await test.Coupon(account, "100.00", minimumOrder: "300.00", products: "ecs", orderTypes: CouponOrderTypes.Renew);
        await test.Coupon(account, "200.00", orderTypes: CouponOrderTypes.New);

        var quote = (await Quote(test, account, instance.Id, 12)).Value;

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36], quote.Durations);
        Assert.Equal(Money.Parse("5148.00"), quote.OriginalPrice); // 429.00 × 12 in Hong Kong (China)
        Assert.Equal(Money.Parse("772.20"), quote.Discount);       // 15% for a year (R6.1)
        Assert.Equal(renewCoupon.Id, quote.AppliedCoupon!.Coupon.Id);
        Assert.Equal(Money.Parse("4275.80"), quote.Payable);
        Assert.Equal(Shanghai(2027, 12, 10), quote.Lines.Single().NewExpiry);
        Assert.Equal("Only for new purchase orders.", quote.Coupons.NotApplicable.Single().Reason);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Renewing_an_expired_suspended_instance_counts_from_the_old_expiry_and_restores_it(DatabaseProvider provider) // R3.2, R1.6
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        // Expired 2026-11-06: past ECS's 15 grace days on 2026-11-26, so suspended.
        var instance = await test.Instance(account, Shanghai(2026, 11, 6));
        var catalog = Catalog.CatalogLoader.Load(RepositoryPaths.Catalog);
        Assert.Equal(InstancePhase.Suspended, InstanceLifecycle.StateAt(instance, catalog.GetProduct("ecs").Lifecycle, test.Clock.GetUtcNow()).Phase);

        var paid = (await RenewNow(test, account, instance.Id, 1)).Value;

        var renewed = await test.Reload(instance.Id);
        Assert.Equal(Shanghai(2026, 12, 6), renewed.ExpiresAt); // no free time for the lapsed days
        var state = InstanceLifecycle.StateAt(renewed, catalog.GetProduct("ecs").Lifecycle, test.Clock.GetUtcNow());
        Assert.Equal((InstanceStatus.WaitForExpire, InstancePhase.Running), (state.Status, state.Phase));
        Assert.Equal(Money.Parse("670.00"), (await test.Balance(account)).Cash);
        Assert.Equal((OrderType.Renew, OrderStatus.Paid), (paid.Order.Type, paid.Order.Status));
        var line = paid.Order.Lines.Single();
        Assert.Equal((Shanghai(2026, 11, 6), Shanghai(2026, 12, 6)), (line.ExpiresBefore, line.ExpiresAfter));
        var notice = await test.Query(db => db.Notifications.SingleAsync(n => n.OrderId == paid.Order.Id));
        Assert.Equal("Payment succeeded", notice.Title());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Fifty_parallel_renewals_with_one_client_token_charge_once(DatabaseProvider provider) // R5.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => RenewNow(test, account, instance.Id, 1, token: "renew-once"))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Problem?.Message));
        Assert.Single(results.Select(r => r.Value.Order.Id).Distinct());
        Assert.Single(results, r => !r.Value.AlreadyPaid);
        Assert.Equal(Shanghai(2027, 1, 10), (await test.Reload(instance.Id)).ExpiresAt);
        Assert.Equal(Money.Parse("670.00"), (await test.Balance(account)).Cash);
        Assert.Equal(1, await test.Query(db => db.Orders.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_client_token_used_for_another_request_is_refused(DatabaseProvider provider) // R5.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var a = await test.Instance(account, Shanghai(2026, 12, 10));
        var b = await test.Instance(account, Shanghai(2026, 12, 10));
        var first = (await RenewNow(test, account, a.Id, 1, token: "tok-1")).Value;
        var before = await test.Snapshot();

        var other = await RenewNow(test, account, b.Id, 1, token: "tok-1");

        Assert.Equal($"The client token tok-1 was already used for order {first.Order.Id} (Renew ecs); use a new token for a different request.", other.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Fifty_parallel_renewals_with_different_tokens_add_exactly_fifty_months(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("20000.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => RenewNow(test, account, instance.Id, 1, token: $"renew-{i}"))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Problem?.Message));
        Assert.Equal(50, results.Select(r => r.Value.Order.Id).Distinct().Count());
        Assert.Equal(Shanghai(2031, 2, 10), (await test.Reload(instance.Id)).ExpiresAt); // 2026-12-10 + 50 months
        Assert.Equal(Money.Parse("3500.00"), (await test.Balance(account)).Cash);     // 20000.00 − 50 × 330.00
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_renewals_are_refused_precisely_and_change_nothing(DatabaseProvider provider) // R3.3, R3.5, R2.3, R7.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var stranger = await test.Customer("5000.00");
        var released = await test.Instance(account, Shanghai(2026, 10, 1));             // released 2026-10-31 (15 + 15 days)
        var strangers = await test.Instance(stranger, Shanghai(2026, 12, 10));
        var expired = await test.Instance(account, Shanghai(2026, 11, 20));
        var held = await test.Instance(account, Shanghai(2026, 12, 20));
        var unpaid = (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [held.Id], RenewalTerm.ForMonths(1), new ClientToken("held"), CouponChoice.None, ct))).Value;
        var fine = await test.Instance(account, Shanghai(2026, 12, 30));
        var before = await test.Snapshot();

        async Task Refused(Task<Result<PaymentOutcome>> attempt, string code, string message)
        {
            var result = await attempt;
            Assert.Equal((code, message), (result.Problem?.Code, result.Problem?.Message));
            Assert.Equal(before, await test.Snapshot());
        }

        await Refused(RenewNow(test, account, released.Id, 1), "Instance.Released", $"Instance {released.Id} was released on 2026-10-31 and can no longer be renewed.");
        await Refused(RenewNow(test, account, strangers.Id, 1), "Instance.NotFound", $"Instance {strangers.Id} was not found in your instances.");
        await Refused(RenewNow(test, account, fine.Id, 10), "Renewal.DurationNotOffered", "Elastic Compute Service (ECS) renews for 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36 months; 10 months is not offered.");
        await Refused(RenewNow(test, account, held.Id, 1), "Instance.UnpaidOrder", $"Instance {held.Id} already has unpaid order {unpaid.Id}; pay or cancel it first.");

        var auto = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [expired.Id], RenewalMethod.AutoRenewal, 1, ct));
        Assert.Equal($"Instance {expired.Id} expired on 2026-11-20 00:00; renew it manually first, then turn on auto-renewal.", auto.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());

        await test.MakeOverdue(account, "20.00");
        before = await test.Snapshot();
        const string overdue = "Your account has an overdue payment of 20.00 CNY. Top up first: the top-up settles the overdue amount, then you can buy and renew again.";
        await Refused(RenewNow(test, account, fine.Id, 1), "Account.Overdue", overdue);
        var place = await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [fine.Id], RenewalTerm.ForMonths(1), new ClientToken("overdue"), CouponChoice.None, ct));
        Assert.Equal(overdue, place.Problem!.Message);
        var enable = await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [fine.Id], RenewalMethod.AutoRenewal, 1, ct));
        Assert.Equal(overdue, enable.Problem!.Message);
        var pay = await test.Run<OrderPayments, Result<PaymentOutcome>>((p, ct) => p.PayFromBalance(account, unpaid.Id, ct));
        Assert.Equal(overdue, pay.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_product_that_is_not_renewable_is_refused(DatabaseProvider provider) // R3.5
    {
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-norenew-" + Guid.NewGuid().ToString("N"));
        try
        {
            PurchaseTests.CopyCatalog(folder);
            var file = Path.Combine(folder, "products", "vpn.json");
            File.WriteAllText(file, File.ReadAllText(file).Replace("\"renewable\": true", "\"renewable\": false", StringComparison.Ordinal));
            await using var test = await TestServices.Start(provider, settings: new Dictionary<string, string?> { ["Cloudbill:Catalog:Path"] = folder });
            var account = await test.Customer("5000.00");
            var vpn = await test.Instance(account, Shanghai(2026, 12, 10), product: "vpn", spec: "vpn.10mbps");
            var before = await test.Snapshot();

            var result = await RenewNow(test, account, vpn.Id, 1);

            Assert.Equal("VPN cannot be renewed here; renew it in the product's own console.", result.Problem!.Message);
            Assert.Equal(before, await test.Snapshot());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Insufficient_credit_leaves_no_order_behind(DatabaseProvider provider) // R7.1
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00");
        var instance = await test.Instance(account, Shanghai(2026, 12, 10));
        var before = await test.Snapshot();

        var result = await RenewNow(test, account, instance.Id, 1);

        Assert.Equal("This renewal costs 330.00 CNY but your Available Credit is 100.00 CNY. Top up at least 230.00 CNY or pay with Alipay or UnionPay.", result.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_renews_several_instances_in_one_order(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var a = await test.Instance(account, Shanghai(2026, 12, 10));
        var b = await test.Instance(account, Shanghai(2027, 1, 31), spec: "ecs.e-c1m1.large");
        var rds = await test.Instance(account, Shanghai(2026, 12, 10), product: "rds", spec: "mysql.n2.medium.1");

        var paid = (await test.Run<RenewalService, Result<PaymentOutcome>>((s, ct) => s.RenewNow(account, [a.Id, b.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;

        Assert.Equal(2, paid.Order.Lines.Count);
        Assert.Equal(Money.Parse("429.00"), paid.Order.Payable); // 330.00 + 99.00
        Assert.Equal(Shanghai(2027, 1, 10), (await test.Reload(a.Id)).ExpiresAt);
        Assert.Equal(Shanghai(2027, 2, 28), (await test.Reload(b.Id)).ExpiresAt); // R1.2: Jan 31 + 1 month
        var mixed = await test.Run<RenewalService, Result<PaymentOutcome>>((s, ct) => s.RenewNow(account, [a.Id, rds.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        Assert.Equal("A batch renewal is for one product; these instances are of ecs and rds.", mixed.Problem!.Message);
        var twice = await test.Run<RenewalService, Result<PaymentOutcome>>((s, ct) => s.RenewNow(account, [a.Id, a.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        Assert.Equal($"Instance {a.Id} is listed twice.", twice.Problem!.Message);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Unified_expiry_renews_to_the_chosen_day_priced_by_days(DatabaseProvider provider) // docs/decisions/0008
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var a = await test.Instance(account, Shanghai(2026, 12, 10));                              // → 2027-01-15: 36 days
        var b = await test.Instance(account, Shanghai(2026, 12, 20), spec: "ecs.e-c1m1.large");    // → 2027-02-15: 57 days
        var expired = await test.Instance(account, Shanghai(2026, 11, 20));

        var quote = (await test.Run<RenewalService, Result<RenewalQuote>>((s, ct) => s.Quote(account, [a.Id, b.Id], RenewalTerm.ToUnifiedDay(15), CouponChoice.None, ct))).Value;
        Assert.Equal([Shanghai(2027, 1, 15), Shanghai(2027, 2, 15)], quote.Lines.Select(l => l.NewExpiry));
        // 330.00 × 36 / 30 = 396.00; 99.00 × 57 / 30 = 188.10.
        Assert.Equal([Money.Parse("396.00"), Money.Parse("188.10")], quote.Lines.Select(l => l.Price.Amount));

        var paid = (await test.Run<RenewalService, Result<PaymentOutcome>>((s, ct) => s.RenewNow(account, [a.Id, b.Id], RenewalTerm.ToUnifiedDay(15), ClientToken.New(), CouponChoice.None, ct))).Value;
        Assert.Equal(Money.Parse("584.10"), paid.Order.Payable);
        Assert.Equal(Shanghai(2027, 1, 15), (await test.Reload(a.Id)).ExpiresAt);
        Assert.Equal(Shanghai(2027, 2, 15), (await test.Reload(b.Id)).ExpiresAt);

        var onExpired = await test.Run<RenewalService, Result<RenewalQuote>>((s, ct) => s.Quote(account, [expired.Id], RenewalTerm.ToUnifiedDay(15), CouponChoice.None, ct));
        Assert.Equal($"Instance {expired.Id} has expired; renew it by months first, then unify its expiration date.", onExpired.Problem!.Message);
        var badDay = await test.Run<RenewalService, Result<RenewalQuote>>((s, ct) => s.Quote(account, [a.Id], RenewalTerm.ToUnifiedDay(29), CouponChoice.None, ct));
        Assert.Equal("The unified expiration day must be from 1 to 28; 29 is not.", badDay.Problem!.Message);
    }

    [Theory]
    [InlineData("2026-12-10T00:00:00+08:00", 15, "2027-01-15T00:00:00+08:00")]
    [InlineData("2026-12-10T00:00:00+08:00", 10, "2027-01-10T00:00:00+08:00")] // exactly one month ahead is enough
    [InlineData("2026-12-10T00:00:00+08:00", 9, "2027-02-09T00:00:00+08:00")]
    [InlineData("2027-01-31T00:00:00+08:00", 28, "2027-02-28T00:00:00+08:00")] // Jan 31 + 1 month = Feb 28 (R1.2)
    [InlineData("2027-01-31T00:00:00+08:00", 27, "2027-03-27T00:00:00+08:00")]
    [InlineData("2026-12-10T12:00:00+08:00", 10, "2027-02-10T00:00:00+08:00")]
    public void The_unified_expiry_is_the_first_chosen_day_at_least_a_month_ahead(string expires, int day, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), RenewalService.UnifiedExpiry(DateTimeOffset.Parse(expires, System.Globalization.CultureInfo.InvariantCulture), day));
}
