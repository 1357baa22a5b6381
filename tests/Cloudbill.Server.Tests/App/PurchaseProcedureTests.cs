using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// The Purchase procedure of docs/procedures.md, step by step with its labels, at phone size: Discover,
/// Purchase Products, the image icon, Compute, Elastic Compute Service, Buy Now, the
/// configuration, View Details (Expense Details with the coupons), Buy Now, the payment, View My
/// Instances and the new instance, Creating and then Normal. Each test is its own customer.
/// </summary>
public class PurchaseProcedureTests(PurchaseAppFixture app) : IClassFixture<PurchaseAppFixture>
{
    [Fact]
    public async Task Discover_to_the_new_instance_paid_from_the_balance_with_the_best_coupon_applied_by_itself()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "10000.00");
        var page = phone.Page;
        var now = DateTimeOffset.UtcNow;
        // The customer's coupons: two that apply (the larger is applied, R6.6) and one for each reason not to.
        var best = await PurchaseSteps.Voucher(app, account, "50.00", minimum: "100.00");
        var smaller = await PurchaseSteps.Voucher(app, account, "30.00");
        var otherProduct = await PurchaseSteps.Voucher(app, account, "200.00", products: "rds,polardb");
        var expired = await PurchaseSteps.Voucher(app, account, "80.00", validFrom: now.AddDays(-10), validFor: TimeSpan.FromDays(5));
        var minimum = await PurchaseSteps.Voucher(app, account, "300.00", minimum: "9000.00");
        var renewalsOnly = await PurchaseSteps.Voucher(app, account, "60.00", types: CouponOrderTypes.Renew);
        var payAsYouGo = await PurchaseSteps.Voucher(app, account, "70.00", subscription: ChargeType.PayAsYouGo);
        var frozen = await PurchaseSteps.Voucher(app, account, "90.00");
        var unpaid = await app.Services.Run<PurchaseService, Result<Order>>((s, ct) =>
            s.Buy(account, new PurchaseRequest("ecs", "cn-hangzhou", "ecs.e-c1m1.large", 1), ClientToken.New(), CouponChoice.Use(frozen.Id), ct));
        Assert.True(unpaid.Succeeded);
        var before = Yuan(await phone.AvailableCredit());
        Assert.Equal(Money.Parse("10000.00"), before);
        await page.GotoAsync("/");

        // 1-3. Discover, Purchase Products, the image icon, Compute, Elastic Compute Service: Buy Now.
        await PurchaseSteps.OpenEcs(phone, "en-purchase");
        // 4. The instance configuration, then View Details.
        await PurchaseSteps.ConfigureEcs(phone, "shop-hk-01", screenshots: "en-purchase");

        // 5. Expense Details: 12 × the catalog's monthly price, the 12-month discount (85%, R6.1), the best coupon.
        var monthly = PurchaseSteps.Monthly(app, "ecs.g7.large", "cn-hongkong");
        Assert.Equal(Money.Parse("429.00"), monthly);
        var original = monthly * 12;
        var discount = original - monthly.Times(12 * 85, 100);
        Assert.Equal(original, Yuan(await phone.Text("original-price")));
        Assert.Equal(Money.Parse("5148.00"), original);
        Assert.Equal(-Money.Parse("772.20"), Yuan(await phone.Text("discount")));
        Assert.Equal(-discount, Yuan(await phone.Text("discount")));
        Assert.Equal("-¥50.00 · 50.00 test voucher", (await phone.Text("coupon")).Trim());
        var payable = Yuan(await phone.Text("details-payable"));
        Assert.Equal(Money.Parse("4325.80"), payable);
        Assert.Equal(original - discount - Money.Parse("50.00"), payable);
        Assert.Equal(payable, Yuan(await phone.Text("payable")));
        Assert.Equal("1 Year", (await phone.Text("duration")).Trim());
        Assert.Equal("shop-hk-01", (await phone.Text("instance-name")).Trim());
        Assert.Equal("Manual Renewal", (await phone.Text("renewal")).Trim());

        var applied = page.Locator($"[data-testid=eligible-coupons] [data-coupon-id='{best.Id}']");
        Assert.Equal("true", await applied.GetAttributeAsync("aria-current"));
        Assert.Contains("Applied", await applied.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("-¥30.00", await page.Locator($"[data-testid=eligible-coupons] [data-coupon-id='{smaller.Id}']").InnerTextAsync(), StringComparison.Ordinal);
        async Task<string> Reason(Coupon coupon) => (await page.Locator($"[data-testid=unusable-coupons] [data-coupon-id='{coupon.Id}'] [data-testid=reason]").InnerTextAsync()).Trim();
        Assert.Equal("Only for rds, polardb.", await Reason(otherProduct));
        Assert.Equal($"Expired on {BusinessCalendar.FormatDateTime(expired.ValidTo)}.", await Reason(expired));
        Assert.Equal("Needs an order of at least 9000.00; this order is 4375.80.", await Reason(minimum));
        Assert.Equal("Only for renewal orders.", await Reason(renewalsOnly));
        Assert.Equal("Only for pay-as-you-go purchases.", await Reason(payAsYouGo));
        Assert.Equal($"Frozen by unpaid order {unpaid.Value.Id}; pay or cancel that order to use it.", await Reason(frozen));
        await PurchaseSteps.Check(phone, "en-purchase-expense-details");

        // Another coupon, then none, then back to the best: each a choice with its own address.
        await phone.Tap(page.Locator($"[data-testid=eligible-coupons] [data-coupon-id='{smaller.Id}']"), path => path.Contains($"coupon={smaller.Id}", StringComparison.Ordinal));
        Assert.Equal(original - discount - Money.Parse("30.00"), Yuan(await phone.Text("details-payable")));
        await phone.Tap(page.GetByTestId("no-coupon"), path => path.Contains("coupon=none", StringComparison.Ordinal));
        Assert.Equal("Not used", (await phone.Text("coupon")).Trim());
        Assert.Equal(original - discount, Yuan(await phone.Text("details-payable")));
        await phone.Tap(page.Locator($"[data-testid=eligible-coupons] [data-coupon-id='{best.Id}']"), path => path.Contains($"coupon={best.Id}", StringComparison.Ordinal));
        Assert.Equal(payable, Yuan(await phone.Text("details-payable")));

        // Buy Now, then the payment from the balance.
        await phone.Tap(page.GetByTestId("buy-now"), path => path.EndsWith("/pay", StringComparison.Ordinal));
        Assert.Equal(payable, Yuan(await phone.Text("order-payable")));
        Assert.True(await page.GetByRole(AriaRole.Radio, new() { Name = "Balance" }).IsCheckedAsync());
        await phone.Tap(page.GetByTestId("confirm-pay"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal("Payment successful", (await page.Locator(".result-title").InnerTextAsync()).Trim());
        Assert.Equal(payable, Yuan(await phone.Text("paid-amount")));

        // 6. View My Instances; 7. the region of the instance: Creating, then Normal once the provider reports it.
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hongkong");
        var instance = await PurchaseSteps.InstanceNamed(app, account, "shop-hk-01");
        var card = page.Locator($"[data-testid=instances] li[data-instance-id='{instance.Id}']");
        Assert.Contains("shop-hk-01", await card.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Creating", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.True(await app.Provisioned(instance.Id));
        await phone.Tap(phone.Link("Back"), path => path == "/instances");
        await phone.Tap(phone.Link("Hong Kong (China)"), path => path == "/instances/cn-hongkong");
        Assert.Equal("Normal", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.Equal("Manual Renewal", (await card.GetByTestId("method").InnerTextAsync()).Trim());
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == instance.CreatedByOrderId));
        // R1.3: purchase time + 12 months, rounded up to the next 00:00.
        Assert.Equal(BusinessCalendar.SubscriptionExpiry(order.PaidAt!.Value, 12), instance.ExpiresAt);
        Assert.Equal(Date(instance.ExpiresAt!.Value), (await card.GetByTestId("expiry").InnerTextAsync()).Trim());
        Assert.Equal((OrderType.New, OrderStatus.Paid, PaymentMethod.Balance, original, discount, Money.Parse("50.00"), payable, best.Id),
            (order.Type, order.Status, order.PaidWith, order.OriginalPrice, order.Discount, order.CouponDeduction, order.Payable, order.CouponId));
        Assert.Equal((RenewalMethod.ManualRenewal, "ecs.g7.large", "cn-hongkong"), (instance.RenewalMethod, instance.SpecCode, instance.RegionId));

        // The balance afterwards, to the fen; the coupon's balance is used up.
        Assert.Equal(Money.Parse("5674.20"), Yuan(await phone.AvailableCredit()));
        Assert.Equal(before - payable, (await app.Services.Balance(account)).AvailableCredit);
        Assert.Equal(Money.Zero, (await app.Services.Query(db => db.Coupons.AsNoTracking().SingleAsync(c => c.Id == best.Id))).Remaining);
        phone.AssertClean();
    }

    [Fact]
    public async Task A_pay_as_you_go_instance_pays_nothing_up_front_and_is_billed_by_the_hour()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "100.00");
        var page = phone.Page;
        await PurchaseSteps.OpenEcs(phone);
        await phone.Tap(phone.Button("Pay-As-You-Go"), path => path.Contains("billing=PayAsYouGo", StringComparison.Ordinal));
        // No duration and no renewal setting for pay-as-you-go.
        Assert.Equal(0, await page.GetByTestId("durations").CountAsync());
        Assert.Equal(0, await page.GetByTestId("renewal-setting").CountAsync());
        await phone.Tap(phone.Button("China (Hangzhou)"), path => path.Contains("region=cn-hangzhou", StringComparison.Ordinal));
        await page.GetByLabel("Quantity").FillAsync("2");
        await page.GetByLabel("Instance Name").FillAsync("batch");
        await PurchaseSteps.Check(phone, "en-purchase-configure-pay-as-you-go");
        await phone.Tap(page.GetByTestId("view-details"), path => path.StartsWith("/purchase/ecs/details?", StringComparison.Ordinal));
        // ecs.e-c1m1.large in Hangzhou: 0.18 an hour each.
        Assert.Equal("¥0.36/hour", (await phone.Text("hourly-price")).Trim());
        Assert.Equal(Money.Zero, Yuan(await phone.Text("payable")));
        await PurchaseSteps.Check(phone, "en-purchase-expense-details-pay-as-you-go");
        await phone.Tap(page.GetByTestId("buy-now"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal("Payment successful", (await page.Locator(".result-title").InnerTextAsync()).Trim());
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hangzhou");
        foreach (var name in new[] { "batch-01", "batch-02" })
        {
            var card = page.Locator("[data-testid=instances] li", new() { HasText = name });
            Assert.Equal("Pay-As-You-Go", (await card.GetByTestId("method").InnerTextAsync()).Trim());
            Assert.Equal("Creating", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        }
        var instances = await app.Services.Query(db => db.Instances.AsNoTracking().Where(i => i.AccountId == account).OrderBy(i => i.Name).ToListAsync());
        Assert.Equal(["batch-01", "batch-02"], instances.Select(i => i.Name));
        Assert.All(instances, i => Assert.Equal((ChargeType.PayAsYouGo, (DateTimeOffset?)null), (i.ChargeType, i.ExpiresAt)));
        Assert.Equal(Money.Parse("100.00"), (await app.Services.Balance(account)).AvailableCredit);
        phone.AssertClean();
    }

    [Fact]
    public async Task The_whole_purchase_in_Chinese()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "10000.00", locale: "zh-CN");
        var page = phone.Page;
        if (await page.Locator("html").GetAttributeAsync("lang") != "zh-CN")
            await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "Language: 中文" }), path => path == "/");
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        var voucher = await PurchaseSteps.Voucher(app, account, "50.00", minimum: "100.00");
        var otherProduct = await PurchaseSteps.Voucher(app, account, "200.00", products: "rds,polardb");

        // 发现 > 购买产品 > 云产品 (the image icon) > 计算 > 云服务器 ECS > 立即购买.
        await phone.Tap(phone.Link("发现"), path => path == "/discover");
        await PurchaseSteps.Check(phone, "zh-purchase-discover");
        await phone.Tap(phone.Link("购买产品"), path => path == "/purchase");
        await PurchaseSteps.Check(phone, "zh-purchase-purchase-products");
        Assert.Equal("云产品", await page.GetByTestId("categories-icon").GetAttributeAsync("aria-label"));
        await phone.Tap(page.GetByTestId("categories-icon"), path => path == "/purchase/categories");
        await phone.Tap(page.GetByTestId("categories").GetByRole(AriaRole.Link, new() { Name = "计算", Exact = true }), path => path == "/purchase/categories?category=Compute");
        var ecs = page.Locator("[data-product=ecs]");
        Assert.Equal("云服务器 ECS", (await ecs.Locator("h3").InnerTextAsync()).Trim());
        await PurchaseSteps.Check(phone, "zh-purchase-cloud-products");
        await phone.Tap(ecs.GetByRole(AriaRole.Link, new() { Name = "立即购买" }), path => path == "/purchase/ecs");

        // 地域 中国香港, the spec, 1年, 购买数量, 实例名称, 续费设置 with 自动续费 off by default.
        Assert.Contains("默认不开启自动续费", await page.GetByTestId("renewal-setting").InnerTextAsync(), StringComparison.Ordinal);
        await phone.Tap(phone.Button("中国香港"), path => path.Contains("region=cn-hongkong", StringComparison.Ordinal));
        await phone.Tap(page.GetByTestId("specs").GetByRole(AriaRole.Link, new() { Name = "ecs.g7.large · 2 vCPU 8 GiB" }), path => path.Contains("spec=ecs.g7.large", StringComparison.Ordinal));
        await phone.Tap(phone.Button("1年"), path => path.Contains("months=12", StringComparison.Ordinal));
        await page.GetByLabel("实例名称").FillAsync("网店-香港");
        await PurchaseSteps.Check(phone, "zh-purchase-configure");
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "查看详情" }), path => path.StartsWith("/purchase/ecs/details?", StringComparison.Ordinal));

        // 费用详情: 原价, 折扣, 优惠券 applied by itself, the other coupon with its reason.
        Assert.Equal("费用详情", (await page.Locator(".appbar-title").InnerTextAsync()).Trim());
        Assert.Equal(Money.Parse("5148.00"), Yuan(await phone.Text("original-price")));
        Assert.Equal(-Money.Parse("772.20"), Yuan(await phone.Text("discount")));
        Assert.StartsWith("-¥50.00", (await phone.Text("coupon")).Trim(), StringComparison.Ordinal);
        var payable = Yuan(await phone.Text("details-payable"));
        Assert.Equal(Money.Parse("4325.80"), payable);
        Assert.Equal("手动续费", (await phone.Text("renewal")).Trim());
        Assert.StartsWith("不适用于该产品", (await page.Locator($"[data-coupon-id='{otherProduct.Id}'] [data-testid=reason]").InnerTextAsync()).Trim(), StringComparison.Ordinal);
        await PurchaseSteps.Check(phone, "zh-purchase-expense-details");

        await phone.Tap(phone.Button("立即购买"), path => path.EndsWith("/pay", StringComparison.Ordinal));
        Assert.True(await page.GetByRole(AriaRole.Radio, new() { Name = "余额" }).IsCheckedAsync());
        await phone.Tap(page.GetByTestId("confirm-pay"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal("支付成功", (await page.Locator(".result-title").InnerTextAsync()).Trim());
        await phone.Tap(phone.Link("查看我的实例"), path => path == "/instances/cn-hongkong");
        var instance = await PurchaseSteps.InstanceNamed(app, account, "网店-香港");
        var card = page.Locator($"[data-testid=instances] li[data-instance-id='{instance.Id}']");
        Assert.Equal("创建中", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.True(await app.Provisioned(instance.Id));
        await page.ReloadAsync();
        Assert.Equal("正常", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.Equal(Money.Parse("5674.20"), Yuan(await phone.AvailableCredit()));
        Assert.Equal(voucher.Id, (await app.Services.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == instance.CreatedByOrderId))).CouponId);
        phone.AssertClean();
    }
}
