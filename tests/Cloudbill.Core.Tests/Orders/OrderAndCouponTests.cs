using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Cloudbill.Core.Tests.PurchaseTests;

namespace Cloudbill.Core.Tests;

/// <summary>Orders (R5) and coupons through their life: frozen, consumed, released (R6.3, R6.4).</summary>
public class OrderAndCouponTests
{
    private static readonly PurchaseRequest EcsMonth = new("ecs", "cn-hangzhou", "ecs.g7.large", 1);

    private static Task<Result<Order>> Cancel(TestServices test, long account, long orderId) =>
        test.Run<OrderService, Result<Order>>((s, ct) => s.Cancel(account, orderId, ct));

    private static Task<Coupon> Reload(TestServices test, long couponId) =>
        test.Query(db => db.Coupons.AsNoTracking().SingleAsync(c => c.Id == couponId));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task R6_3_one_coupon_per_order(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var a = await test.Coupon(account, "50.00");
        var b = await test.Coupon(account, "40.00");

        var order = (await Buy(test, account, EcsMonth)).Value;

        Assert.Equal(a.Id, order.CouponId);
        Assert.Equal(Money.Parse("280.00"), order.Payable);
        Assert.Null((await Reload(test, b.Id)).FrozenByOrderId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task R6_4_an_unpaid_order_freezes_its_coupon_and_cancelling_releases_it_whole(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var coupon = await test.Coupon(account, "50.00");
        var first = (await Buy(test, account, EcsMonth)).Value;
        Assert.Equal(coupon.Id, first.CouponId);

        var whileFrozen = (await Quote(test, account, EcsMonth)).Value;
        Assert.Null(whileFrozen.AppliedCoupon);
        Assert.Equal($"Frozen by unpaid order {first.Id}; pay or cancel that order to use it.", whileFrozen.Coupons.NotApplicable.Single().Reason);
        var vouchers = await test.Run<CouponService, IReadOnlyList<Voucher>>((s, ct) => s.Vouchers(account, VoucherState.Frozen, ct));
        Assert.Equal(coupon.Id, vouchers.Single().Coupon.Id);

        var cancelled = (await Cancel(test, account, first.Id)).Value;
        Assert.Equal((OrderStatus.Cancelled, CancelReason.Customer), (cancelled.Status, cancelled.CancelReason));
        var released = await Reload(test, coupon.Id);
        Assert.Equal((Money.Parse("50.00"), (long?)null), (released.Remaining, released.FrozenByOrderId));
        Assert.Equal(coupon.Id, (await Quote(test, account, EcsMonth)).Value.AppliedCoupon!.Coupon.Id);
    }

    /// <summary>The order time-outs of one engine run (they are engine actions, R5.2).</summary>
    private static async Task<int> TimeOuts(TestServices test) =>
        (await LifecycleEngineTests.Engine(test)).Counts.GetValueOrDefault("order time-out");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task R5_2_an_unpaid_order_times_out_after_7_days_and_releases_its_coupon(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var coupon = await test.Coupon(account, "50.00", validFor: TimeSpan.FromDays(60));
        var order = (await Buy(test, account, EcsMonth)).Value;

        test.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await TimeOuts(test));
        test.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await TimeOuts(test));
        Assert.Equal(0, await TimeOuts(test));

        var timedOut = (await test.Run<OrderQueries, Result<Order>>((q, ct) => q.Get(account, order.Id, ct))).Value;
        Assert.Equal((OrderStatus.Cancelled, CancelReason.Timeout), (timedOut.Status, timedOut.CancelReason));
        Assert.Null((await Reload(test, coupon.Id)).FrozenByOrderId);
        var before = await test.Snapshot();
        var paying = await Pay(test, account, order.Id);
        Assert.Equal($"Order {order.Id} was cancelled and cannot be paid; place a new order.", paying.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_engine_worker_times_out_unpaid_orders_on_its_clock(DatabaseProvider provider) // R5.2
    {
        await using var test = await TestServices.Start(provider, settings: new Dictionary<string, string?> { ["Cloudbill:Engine:IntervalSeconds"] = "60" });
        var account = await test.Customer("5000.00");
        var order = (await Buy(test, account, EcsMonth)).Value;
        var worker = test.Services.GetRequiredService<Lifecycle.EngineWorker>();
        await worker.StartAsync(TestContext.Current.CancellationToken);

        test.Clock.Advance(TimeSpan.FromDays(7));
        await Eventually(async () => (await test.Run<OrderQueries, Result<Order>>((q, ct) => q.Get(account, order.Id, ct))).Value.Status == OrderStatus.Cancelled, test.Clock, TimeSpan.FromSeconds(60));
        await worker.StopAsync(TestContext.Current.CancellationToken);
        var notice = await test.Query(db => db.Notifications.SingleAsync(n => n.OrderId == order.Id));
        Assert.Equal((Notifications.NotificationKind.OrderCancelled, $"Order {order.Id} was cancelled"), (notice.Kind, notice.Title()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task R6_3_partial_use_keeps_the_rest_and_a_larger_coupon_pays_the_whole_order(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var coupon = await test.Coupon(account, "500.00");

        var first = (await Buy(test, account, EcsMonth)).Value;
        Assert.Equal((Money.Parse("330.00"), Money.Zero), (first.CouponDeduction, first.Payable));
        await Pay(test, account, first.Id);
        var afterFirst = await Reload(test, coupon.Id);
        Assert.Equal((Money.Parse("170.00"), (long?)null), (afterFirst.Remaining, afterFirst.FrozenByOrderId));
        Assert.Equal(Money.Parse("1000.00"), (await test.Balance(account)).Cash);

        var second = (await Buy(test, account, EcsMonth)).Value;
        Assert.Equal((Money.Parse("170.00"), Money.Parse("160.00")), (second.CouponDeduction, second.Payable));
        await Pay(test, account, second.Id);
        Assert.Equal(Money.Zero, (await Reload(test, coupon.Id)).Remaining);
        Assert.Equal(Money.Parse("840.00"), (await test.Balance(account)).Cash);
        var usedUp = await test.Run<CouponService, IReadOnlyList<Voucher>>((s, ct) => s.Vouchers(account, VoucherState.UsedUp, ct));
        Assert.Equal(coupon.Id, usedUp.Single().Coupon.Id);

        // Revenue is the price; the coupon's part is the provider's coupon expense (R10.1).
        var revenue = await test.SharedAccountBalance(Ledger.LedgerService.RevenueCode);
        var expense = await test.SharedAccountBalance(Ledger.LedgerService.CouponExpenseCode);
        Assert.Equal((Money.Parse("660.00"), Money.Parse("-500.00")), (revenue, expense));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Twenty_parallel_checkouts_never_use_one_coupon_twice(DatabaseProvider provider) // R6.4
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("50000.00");
        var best = await test.Coupon(account, "100.00");
        var next = await test.Coupon(account, "60.00");

        // All choose the best coupon automatically: one order holds it, one the next, the rest none.
        var automatic = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Buy(test, account, EcsMonth))));
        Assert.All(automatic, r => Assert.True(r.Succeeded));
        Assert.Single(automatic, r => r.Value.CouponId == best.Id);
        Assert.Single(automatic, r => r.Value.CouponId == next.Id);
        Assert.Equal(18, automatic.Count(r => r.Value.CouponId is null && r.Value.Payable == Money.Parse("330.00")));

        // All choose one coupon by hand: at most one order gets it, the others are told why.
        foreach (var r in automatic)
            await Cancel(test, account, r.Value.Id);
        var byHand = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Buy(test, account, EcsMonth, choice: CouponChoice.Use(best.Id)))));
        var winner = Assert.Single(byHand, r => r.Succeeded);
        Assert.Equal(best.Id, winner.Value.CouponId);
        Assert.All(byHand.Where(r => !r.Succeeded), r => Assert.Equal("Coupon.NotApplicable", r.Problem!.Code));
        Assert.Equal(1, await test.Query(db => db.Orders.CountAsync(o => o.CouponId == best.Id && o.Status == OrderStatus.Unpaid)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_paid_order_cannot_be_cancelled_and_orders_are_the_callers_own(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        var stranger = await test.Customer("1000.00");
        var order = (await Buy(test, account, EcsMonth)).Value;
        await Pay(test, account, order.Id);
        var before = await test.Snapshot();

        Assert.Equal($"Order {order.Id} is paid and cannot be cancelled; renew or release the instance instead.", (await Cancel(test, account, order.Id)).Problem!.Message);
        Assert.Equal($"Order {order.Id} was not found in your orders.", (await Cancel(test, stranger, order.Id)).Problem!.Message);
        Assert.Equal("Order.NotFound", (await Pay(test, stranger, order.Id)).Problem!.Code);
        Assert.Equal("Order.NotFound", (await test.Run<OrderQueries, Result<Order>>((q, ct) => q.Get(stranger, order.Id, ct))).Problem!.Code);
        Assert.Equal(before, await test.Snapshot());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_order_list_filters_by_type_status_and_time(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var start = test.Clock.GetUtcNow();
        var paid = (await Buy(test, account, EcsMonth)).Value;
        await Pay(test, account, paid.Id);
        test.Clock.Advance(TimeSpan.FromDays(2));
        var cancelled = (await Buy(test, account, EcsMonth)).Value;
        await Cancel(test, account, cancelled.Id);
        test.Clock.Advance(TimeSpan.FromDays(2));
        var unpaid = (await Buy(test, account, EcsMonth)).Value;
        var other = await test.Customer("100.00");
        await Buy(test, other, EcsMonth);

        async Task<long[]> Ids(OrderFilter filter) =>
            (await test.Run<OrderQueries, Result<OrderPage>>((q, ct) => q.List(account, filter, ct))).Value.Orders.Select(o => o.Id).ToArray();

        Assert.Equal([unpaid.Id, cancelled.Id, paid.Id], await Ids(new OrderFilter()));
        Assert.Equal([paid.Id], await Ids(new OrderFilter(Status: OrderStatus.Paid)));
        Assert.Equal([unpaid.Id], await Ids(new OrderFilter(Status: OrderStatus.Unpaid)));
        Assert.Equal([unpaid.Id, cancelled.Id, paid.Id], await Ids(new OrderFilter(Type: OrderType.New)));
        Assert.Empty(await Ids(new OrderFilter(Type: OrderType.Renew)));
        Assert.Equal([cancelled.Id], await Ids(new OrderFilter(From: start.AddDays(1), To: start.AddDays(3))));
        Assert.Equal([cancelled.Id], await Ids(new OrderFilter(PageSize: 1, Page: 2)));

        var bad = await test.Run<OrderQueries, Result<OrderPage>>((q, ct) => q.List(account, new OrderFilter(PageSize: 500), ct));
        Assert.Equal("Page size 500 is outside 1 to 100.", bad.Problem!.Message);
        var empty = await test.Run<OrderQueries, Result<OrderPage>>((q, ct) => q.List(account, new OrderFilter(From: start, To: start), ct));
        Assert.Equal("The time range is empty: its start must be before its end.", empty.Problem!.Message);

        var detail = (await test.Run<OrderQueries, Result<Order>>((q, ct) => q.Get(account, paid.Id, ct))).Value;
        Assert.Equal((OrderStatus.Paid, PaymentMethod.Balance), (detail.Status, detail.PaidWith));
        Assert.Equal(("ecs.g7.large", "cn-hangzhou", 1, 1), (detail.Lines[0].SpecCode, detail.Lines[0].RegionId, detail.Lines[0].Months, detail.Lines[0].Quantity));
        Assert.Single(await test.Run<OrderQueries, List<string>>((q, ct) => q.CreatedInstances(account, paid.Id, ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Vouchers_are_listed_by_state(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var available = await test.Coupon(account, "20.00", products: "rds");
        var expired = await test.Coupon(account, "30.00", validFrom: test.Clock.GetUtcNow().AddDays(-10), validFor: TimeSpan.FromDays(5));
        var frozen = await test.Coupon(account, "40.00", products: "ecs");
        await Buy(test, account, EcsMonth);

        async Task<long[]> In(VoucherState state) =>
            (await test.Run<CouponService, IReadOnlyList<Voucher>>((s, ct) => s.Vouchers(account, state, ct))).Select(v => v.Coupon.Id).ToArray();

        Assert.Equal([available.Id], await In(VoucherState.Available));
        Assert.Equal([frozen.Id], await In(VoucherState.Frozen));
        Assert.Equal([expired.Id], await In(VoucherState.Expired));
        Assert.Empty(await In(VoucherState.UsedUp));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Operators_issue_coupons_to_an_account(DatabaseProvider provider) // R6.2
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var email = await test.EmailOf(account);
        var issue = new CouponIssue(email, new CouponTerms("", Money.Parse("50.00"), Money.Parse("100.00"), ["ecs", "rds"], CouponOrderTypes.New | CouponOrderTypes.Renew, Instances.ChargeType.Subscription, 30));

        var coupon = (await test.Run<CouponService, Result<Coupon>>((s, ct) => s.Issue(issue, ct))).Value;
        Assert.Equal(("50.00 voucher", Money.Parse("50.00"), "ecs,rds"), (coupon.Name, coupon.Remaining, coupon.ProductCodes));
        Assert.Equal(test.Clock.GetUtcNow().AddDays(30), coupon.ValidTo);
        Assert.Equal(coupon.Id, (await Quote(test, account, EcsMonth)).Value.AppliedCoupon!.Coupon.Id);

        var before = await test.Snapshot();
        var unknown = await test.Run<CouponService, Result<Coupon>>((s, ct) => s.Issue(issue with { Terms = issue.Terms with { Products = ["quantum"] } }, ct));
        Assert.StartsWith("--products: 'quantum' is not a product code in the catalog", unknown.Problem!.Message, StringComparison.Ordinal);
        var zero = await test.Run<CouponService, Result<Coupon>>((s, ct) => s.Issue(issue with { Terms = issue.Terms with { Amount = Money.Zero } }, ct));
        Assert.Equal("--amount: 0.00 must be greater than 0.00.", zero.Problem!.Message);
        var nobody = await test.Run<CouponService, Result<Coupon>>((s, ct) => s.Issue(issue with { AccountEmail = "nobody@example.com" }, ct));
        Assert.Equal("No account has the email nobody@example.com.", nobody.Problem!.Message);
        Assert.Equal(before, await test.Snapshot());
    }
}
