using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

/// <summary>The Purchase steps of docs/procedures.md, through the services the app and API call.</summary>
public class PurchaseTests
{
    private static readonly PurchaseRequest EcsMonth = new("ecs", "cn-hangzhou", "ecs.g7.large", 1);

    internal static Task<Result<PurchaseQuote>> Quote(TestServices test, long account, PurchaseRequest request, CouponChoice? choice = null) =>
        test.Run<PurchaseService, Result<PurchaseQuote>>((s, ct) => s.Quote(account, request, choice ?? CouponChoice.Best, ct));

    internal static Task<Result<Order>> Buy(TestServices test, long account, PurchaseRequest request, string? token = null, CouponChoice? choice = null) =>
        test.Run<PurchaseService, Result<Order>>((s, ct) => s.Buy(account, request, new ClientToken(token ?? Guid.NewGuid().ToString("N")), choice ?? CouponChoice.Best, ct));

    internal static Task<Result<PaymentOutcome>> Pay(TestServices test, long account, long orderId) =>
        test.Run<OrderPayments, Result<PaymentOutcome>>((s, ct) => s.PayFromBalance(account, orderId, ct));

    [Fact]
    public void Categories_list_Compute_first_with_ECS_in_it()
    {
        var services = new PurchaseService(Catalog.CatalogLoader.Load(RepositoryPaths.Catalog), null!, null!);
        var categories = services.Categories();
        Assert.Equal("Compute", categories[0].Name);
        Assert.Equal("Elastic Compute Service (ECS)", categories[0].Products[0].Name);
        Assert.Equal(7, categories.Count);
        Assert.Equal(21, categories.Sum(c => c.Products.Count));
        var ecs = services.Product("ecs").Value;
        Assert.Equal(["cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-hongkong", "ap-southeast-1"], services.RegionsOf(ecs).Select(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Expense_details_show_the_discount_and_the_best_coupon_applied(DatabaseProvider provider) // R6.1, R6.6
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var best = await test.Coupon(account, "100.00", minimumOrder: "300.00", products: "ecs");
        var other = await test.Coupon(account, "50.00");
        var dbOnly = await test.Coupon(account, "200.00", products: "rds");
        var renewOnly = await test.Coupon(account, "80.00", orderTypes: CouponOrderTypes.Renew);

        var quote = (await Quote(test, account, EcsMonth with { Months = 12 })).Value;

        Assert.Equal(Money.Parse("3960.00"), quote.OriginalPrice);       // 330.00 × 12
        Assert.Equal(Money.Parse("594.00"), quote.Discount);             // 15% for 12 months
        Assert.Equal(best.Id, quote.AppliedCoupon!.Coupon.Id);
        Assert.Equal(Money.Parse("100.00"), quote.CouponDeduction);
        Assert.Equal(Money.Parse("3266.00"), quote.Payable);
        Assert.Equal([other.Id], quote.Coupons.OtherEligible.Select(v => v.Coupon.Id));
        Assert.Equal("Only for rds.", quote.Coupons.NotApplicable.Single(v => v.Coupon.Id == dbOnly.Id).Reason);
        Assert.Equal("Only for renewal orders.", quote.Coupons.NotApplicable.Single(v => v.Coupon.Id == renewOnly.Id).Reason);

        var chosen = (await Quote(test, account, EcsMonth with { Months = 12 }, CouponChoice.Use(other.Id))).Value;
        Assert.Equal(Money.Parse("3316.00"), chosen.Payable);
        var none = (await Quote(test, account, EcsMonth with { Months = 12 }, CouponChoice.None)).Value;
        Assert.Equal(Money.Parse("3366.00"), none.Payable);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Paying_a_quantity_of_3_provisions_3_instances_with_one_payment(DatabaseProvider provider) // R5, R1.3
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var request = new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 3, Quantity: 3, AutoRenewal: true, AutoRenewPeriodMonths: 1);

        var order = (await Buy(test, account, request)).Value;
        Assert.Equal(OrderStatus.Unpaid, order.Status);
        Assert.Equal(Money.Parse("3861.00"), order.Payable); // 429.00 × 3 months × 3
        var paid = (await Pay(test, account, order.Id)).Value;

        Assert.Equal(3, paid.CreatedInstanceIds.Count);
        Assert.All(paid.CreatedInstanceIds, id => Assert.Matches("^i-[a-z0-9]{20}$", id));
        Assert.Equal(Money.Parse("1139.00"), (await test.Balance(account)).Cash);
        var payment = await test.Query(db => db.JournalTransactions.Include(t => t.Postings).SingleAsync(t => t.BusinessKey == OrderPayments.PaymentKey(order.Id)));
        Assert.Equal(-386100, payment.Postings.Single(p => p.BillingAccountId == account).AmountFen);

        var instances = await test.Query(db => db.Instances.Where(i => i.AccountId == account).ToListAsync());
        Assert.All(instances, i =>
        {
            Assert.Equal(ProvisioningState.Creating, i.Provisioning);
            Assert.Equal(RenewalMethod.AutoRenewal, i.RenewalMethod);
            Assert.Equal(1, i.AutoRenewPeriodMonths);
            Assert.Equal("cn-hongkong", i.RegionId);
            // R1.3: bought 2026-11-26 10:00 Shanghai for 3 months: expires 2027-02-27 00:00 Shanghai.
            Assert.Equal(new DateTimeOffset(2027, 2, 27, 0, 0, 0, TimeSpan.FromHours(8)), i.ExpiresAt);
        });

        // Nothing in the process creates them: each waits until the cloud reports it (R1.4: Creating → Normal).
        Assert.Equal(0, await test.Query(db => db.Instances.CountAsync(i => i.AccountId == account && i.Provisioning == ProvisioningState.Ready)));
        foreach (var id in paid.CreatedInstanceIds)
            Assert.Equal("Ready", (await test.Run<ProviderApi.ProviderInstances, Result<ProviderApi.ProviderInstanceState>>((p, ct) => p.Created(id, ct))).Value.State);

        var regions = await test.Run<InstanceQueries, IReadOnlyList<(Catalog.Region Region, int Count)>>((q, ct) => q.Regions(account, ct));
        Assert.Equal(("Hong Kong (China)", 3), (regions.Single().Region.Name, regions.Single().Count));
        var mine = await test.Run<InstanceQueries, IReadOnlyList<InstanceSummary>>((q, ct) => q.InRegion(account, "cn-hongkong", ct));
        Assert.Equal(paid.CreatedInstanceIds.Order(StringComparer.Ordinal), mine.Select(i => i.Id).Order(StringComparer.Ordinal));
        Assert.All(mine, i => Assert.Equal(InstanceStatus.Normal, i.State.Status));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task My_instances_lists_regions_with_counts_and_the_newest_first(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var first = (await Pay(test, account, (await Buy(test, account, EcsMonth)).Value.Id)).Value.CreatedInstanceIds.Single();
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = (await Pay(test, account, (await Buy(test, account, EcsMonth)).Value.Id)).Value.CreatedInstanceIds.Single();
        await Pay(test, account, (await Buy(test, account, EcsMonth with { RegionId = "cn-beijing" })).Value.Id);

        var regions = await test.Run<InstanceQueries, IReadOnlyList<(Catalog.Region Region, int Count)>>((q, ct) => q.Regions(account, ct));
        Assert.Equal([("cn-hangzhou", 2), ("cn-beijing", 1)], regions.Select(r => (r.Region.Id, r.Count)));
        var hangzhou = await test.Run<InstanceQueries, IReadOnlyList<InstanceSummary>>((q, ct) => q.InRegion(account, "cn-hangzhou", ct));
        Assert.Equal([second, first], hangzhou.Select(i => i.Id));
        Assert.All(hangzhou, i => Assert.Equal(InstanceStatus.Creating, i.State.Status));

        var stranger = await test.Customer();
        Assert.Empty(await test.Run<InstanceQueries, IReadOnlyList<InstanceSummary>>((q, ct) => q.InRegion(stranger, "cn-hangzhou", ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_same_client_token_returns_the_first_order(DatabaseProvider provider) // R5.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var first = (await Buy(test, account, EcsMonth, token: "buy-1")).Value;
        var again = (await Buy(test, account, EcsMonth with { Quantity = 5 }, token: "buy-1")).Value;
        var parallel = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Buy(test, account, EcsMonth, token: "buy-2")));

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, again.Lines.Single().Quantity);
        Assert.Single(parallel.Select(r => r.Value.Id).Distinct());
        Assert.Equal(2, await test.Query(db => db.Orders.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_double_click_on_pay_charges_once(DatabaseProvider provider) // R5.5
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var order = (await Buy(test, account, EcsMonth)).Value;

        var payments = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Pay(test, account, order.Id))));

        Assert.All(payments, p => Assert.True(p.Succeeded));
        Assert.Single(payments, p => !p.Value.AlreadyPaid);
        Assert.Equal(Money.Parse("670.00"), (await test.Balance(account)).Cash);
        Assert.Equal(1, await test.Query(db => db.Instances.CountAsync(i => i.AccountId == account)));
        Assert.True((await test.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct))).IsClean);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Available_credit_includes_the_credit_line_and_a_shortfall_is_refused(DatabaseProvider provider) // R7.1
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("100.00", creditLine: "300.00");
        var order = (await Buy(test, account, EcsMonth)).Value;

        var paid = await Pay(test, account, order.Id);
        Assert.True(paid.Succeeded);
        var balance = await test.Balance(account);
        Assert.Equal(Money.Parse("-230.00"), balance.Cash);
        Assert.Equal(Money.Parse("70.00"), balance.AvailableCredit);

        var second = (await Buy(test, account, EcsMonth)).Value;
        var before = await test.Snapshot();
        var refused = await Pay(test, account, second.Id);
        Assert.Equal($"Order {second.Id} costs 330.00 CNY but your Available Credit is 70.00 CNY. Top up at least 260.00 CNY or pay with Alipay or UnionPay.", refused.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_order_breakdown_stays_after_a_catalog_price_change(DatabaseProvider provider) // R5.6
    {
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-price-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var test = await TestServices.Start(provider);
            var account = await test.Customer("5000.00");
            var order = (await Buy(test, account, EcsMonth with { Months = 12 })).Value;
            await test.DisposeServicesOnly();

            CopyCatalog(folder);
            var ecsFile = Path.Combine(folder, "products", "ecs.json");
            File.WriteAllText(ecsFile, File.ReadAllText(ecsFile).Replace("\"monthly\": \"330.00\"", "\"monthly\": \"500.00\"", StringComparison.Ordinal));
            await using var repriced = await TestServices.Start(test.Database, settings: new Dictionary<string, string?> { ["Cloudbill:Catalog:Path"] = folder });

            var stored = (await repriced.Run<OrderQueries, Result<Order>>((q, ct) => q.Get(account, order.Id, ct))).Value;
            Assert.Equal((Money.Parse("3960.00"), Money.Parse("594.00"), Money.Parse("3366.00")), (stored.OriginalPrice, stored.Discount, stored.Payable));
            Assert.Equal(Money.Parse("330.00"), stored.Lines.Single().MonthlyPrice);
            var paid = (await Pay(repriced, account, order.Id)).Value;
            Assert.Equal(Money.Parse("1634.00"), (await repriced.Balance(account)).Cash);
            Assert.Equal(Money.Parse("5100.00"), (await Quote(repriced, account, EcsMonth with { Months = 12 }, CouponChoice.None)).Value.Payable);
            Assert.False(paid.AlreadyPaid);
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_purchases_are_refused_precisely_and_change_nothing(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var stranger = await test.Customer("5000.00");
        var strangersCoupon = await test.Coupon(stranger, "50.00");
        var expired = await test.Coupon(account, "30.00", validFrom: test.Clock.GetUtcNow().AddDays(-10), validFor: TimeSpan.FromDays(5));
        var held = await test.Coupon(account, "40.00");
        var holder = (await Buy(test, account, EcsMonth with { SpecCode = "ecs.e-c1m1.large" }, choice: CouponChoice.Use(held.Id))).Value;
        var before = await test.Snapshot();

        async Task Refused(PurchaseRequest request, string code, string message, CouponChoice? choice = null)
        {
            var result = await Buy(test, account, request, choice: choice);
            Assert.Equal((code, message), (result.Problem?.Code, result.Problem?.Message));
            Assert.Equal(before, await test.Snapshot());
        }

        await Refused(EcsMonth with { ProductCode = "quantum" }, "Purchase.UnknownProduct", "Product 'quantum' is not in the catalog.");
        await Refused(EcsMonth with { SpecCode = "ecs.huge" }, "Purchase.UnknownSpec",
            "Elastic Compute Service (ECS) has no spec 'ecs.huge'; choose one of ecs.e-c1m1.large, ecs.g7.large, ecs.c7.xlarge, ecs.g7.2xlarge, ecs.gn7i-c8g1.2xlarge.");
        await Refused(EcsMonth with { SpecCode = "ecs.gn7i-c8g1.2xlarge", RegionId = "cn-hongkong" }, "Purchase.RegionNotSold",
            "ecs.gn7i-c8g1.2xlarge of Elastic Compute Service (ECS) is not sold in Hong Kong (China) (cn-hongkong); it is sold in cn-hangzhou, cn-shanghai, cn-beijing.");
        await Refused(EcsMonth with { RegionId = "mars-1" }, "Purchase.UnknownRegion", "Region 'mars-1' does not exist.");
        await Refused(EcsMonth with { Months = 10 }, "Purchase.DurationNotOffered",
            "Elastic Compute Service (ECS) is sold for 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36 months; 10 months is not offered.");
        await Refused(EcsMonth with { Quantity = 0 }, "Purchase.Quantity", "Quantity 0 is outside 1 to 10.");
        await Refused(EcsMonth with { Quantity = 11 }, "Purchase.Quantity", "Quantity 11 is outside 1 to 10.");
        await Refused(EcsMonth with { AutoRenewal = true, AutoRenewPeriodMonths = 5 }, "Purchase.AutoRenewPeriod",
            "5 months is not an auto-renewal period of Elastic Compute Service (ECS); choose one of 1, 2, 3, 6, 12, 24, 36 months.");
        await Refused(EcsMonth, "Coupon.NotFound", $"Coupon {strangersCoupon.Id} is not one of your vouchers.", CouponChoice.Use(strangersCoupon.Id));
        await Refused(EcsMonth, "Coupon.NotApplicable", $"Coupon {expired.Id} cannot be used for this order: Expired on {BusinessCalendar.FormatDateTime(expired.ValidTo)}.", CouponChoice.Use(expired.Id));
        await Refused(EcsMonth, "Coupon.NotApplicable", $"Coupon {held.Id} cannot be used for this order: Frozen by unpaid order {holder.Id}; pay or cancel that order to use it.", CouponChoice.Use(held.Id));

        // R7.4: nothing that costs money while the account is overdue.
        await test.MakeOverdue(account, "12.50");
        var overdue = await test.Snapshot();
        var purchase = await Buy(test, account, EcsMonth);
        Assert.Equal("Your account has an overdue payment of 12.50 CNY. Top up first: the top-up settles the overdue amount, then you can buy and renew again.", purchase.Problem!.Message);
        var pay = await Pay(test, account, holder.Id);
        Assert.Equal("Account.Overdue", pay.Problem!.Code);
        Assert.Equal(overdue, await test.Snapshot());
    }

    internal static void CopyCatalog(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "products"));
        File.Copy(Path.Combine(RepositoryPaths.Catalog, "catalog.json"), Path.Combine(folder, "catalog.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Catalog, "products")))
            File.Copy(file, Path.Combine(folder, "products", Path.GetFileName(file)));
    }

    /// <summary>
    /// Waits for a background service that acts on the fake clock. Its timer may be set after the
    /// test moved the clock, so each round nudges the clock on by <paramref name="nudge"/> (when
    /// given) until the condition holds; only a hang ends the wait (<see cref="Testing.Eventually.Bound"/>).
    /// </summary>
    internal static Task Eventually(Func<Task<bool>> condition, Microsoft.Extensions.Time.Testing.FakeTimeProvider? clock = null, TimeSpan? nudge = null) =>
        Testing.Eventually.Until(condition, "the background service's result",
            clock is not null && nudge is { } step ? () => clock.Advance(step) : null);
}
