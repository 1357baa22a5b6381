using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// My > Costs at phone size: Vouchers by state with their reasons (docs/procedures.md, FAQ), Orders with
/// Pay and Cancel (R6.4), the renewal forecast and its Top-up, every form's bad input, and every
/// Costs page in both languages (screenshots, axe, no sideways scrolling).
/// </summary>
public class CostsTests(AppFixture app) : IClassFixture<AppFixture>
{
    private const string Password = "Secret-2026";

    private DateTimeOffset Now => DateTimeOffset.UtcNow;

    private Task<Instance> Ecs(long account, int days, string name, RenewalMethod method = RenewalMethod.ManualRenewal) =>
        app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(Now.AddDays(days)), method, method == RenewalMethod.AutoRenewal ? 1 : null, name: name);

    private async Task<Order> Unpaid(long account, Instance instance, CouponChoice? choice = null) =>
        (await app.Services.Run<RenewalService, Result<Order>>((s, ct) =>
            s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), choice ?? CouponChoice.None, ct))).Value;

    private async Task<AppPage> SignedIn(long account, string locale = "en-US") =>
        await app.SignedIn(await app.Services.EmailOf(account), Password, locale);

    [Fact]
    public async Task A_voucher_frozen_by_an_unpaid_order_is_not_offered_is_shown_frozen_and_applies_again_after_Cancel()
    {
        var account = await app.Services.Customer("2000.00");
        var held = await Ecs(account, 10, "held-by-order");
        var other = await Ecs(account, 12, "wants-the-voucher");
        await app.Services.Coupon(account, "50.00", products: "ecs", orderTypes: CouponOrderTypes.Renew);
        var order = await Unpaid(account, held, CouponChoice.Best);
        Assert.Equal(Money.Parse("50.00"), order.CouponDeduction);
        var phone = await SignedIn(account);
        var page = phone.Page;

        // Renewing another instance: the frozen voucher is not offered, and View Details says why.
        await page.GotoAsync($"/renew?ids={other.Id}&months=1");
        Assert.Contains("No coupon applies", await phone.Text("coupon"), StringComparison.Ordinal);
        await phone.Tap(page.GetByTestId("coupon-details"), path => path.StartsWith("/renew/coupons", StringComparison.Ordinal));
        var unusable = page.GetByTestId("unusable-coupons");
        Assert.Contains("50.00 test voucher", await unusable.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal($"Frozen by unpaid order {order.Id}; pay or cancel that order to use it.", (await unusable.GetByTestId("reason").InnerTextAsync()).Trim());

        // FAQ 1 and 3: My > Costs > Vouchers; the voucher is frozen by the unpaid order.
        await phone.Tap(phone.Page.GetByRole(AriaRole.Link, new() { Name = "My", Exact = true }), path => path == "/my");
        await phone.Tap(page.GetByTestId("costs-link"), path => path == "/costs");
        await phone.Tap(page.GetByTestId("vouchers-link"), path => path == "/costs/vouchers");
        Assert.Equal("No vouchers here.", (await phone.Text("no-vouchers")).Trim());
        await phone.Tap(page.GetByTestId("tab-Frozen"), path => path.Contains("state=Frozen", StringComparison.Ordinal));
        var frozen = page.GetByTestId("voucher");
        Assert.Equal("Frozen", await frozen.GetByTestId("voucher-state").InnerTextAsync());
        Assert.Equal("¥50.00", await frozen.GetByTestId("voucher-balance").InnerTextAsync());
        Assert.StartsWith($"Frozen by unpaid order {order.Id}: pay or cancel that order to use this voucher.", (await frozen.GetByTestId("voucher-reason").InnerTextAsync()).Trim(), StringComparison.Ordinal);

        // Cancel the unpaid order on Orders: the voucher is released whole (R6.4).
        await phone.Tap(frozen.GetByTestId("frozen-order-link"), path => path == "/costs/orders?status=Unpaid");
        var row = page.Locator($"[data-testid=order][data-order-id='{order.Id}']");
        Assert.Equal(("Unpaid", "¥280.00"), (await row.GetByTestId("order-status").InnerTextAsync(), await row.GetByTestId("order-payable").InnerTextAsync()));
        Assert.Equal($"/orders/{order.Id}/pay", await row.GetByTestId("pay-order").GetAttributeAsync("href"));
        await phone.Tap(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" }), path => path.StartsWith("/costs/orders", StringComparison.Ordinal));
        Assert.Equal($"Order {order.Id} was cancelled; nothing was charged and its voucher is free again.", (await phone.Text("cancelled-notice")).Trim());
        Assert.Equal("No orders here.", (await phone.Text("no-orders")).Trim());
        await phone.Tap(page.GetByTestId("status-filter").GetByRole(AriaRole.Button, new() { Name = "Cancelled" }), path => path.Contains("status=Cancelled", StringComparison.Ordinal));
        Assert.Equal("Cancelled", await page.Locator($"[data-testid=order][data-order-id='{order.Id}']").GetByTestId("order-status").InnerTextAsync());
        await phone.Tap(page.GetByTestId("type-filter").GetByRole(AriaRole.Button, new() { Name = "New purchase" }), path => path.Contains("type=New", StringComparison.Ordinal));
        Assert.Equal("No orders here.", (await phone.Text("no-orders")).Trim());

        await page.GotoAsync("/costs/vouchers");
        Assert.Equal("Available", await page.GetByTestId("voucher").GetByTestId("voucher-state").InnerTextAsync());
        await page.GotoAsync($"/renew?ids={other.Id}&months=1");
        Assert.Contains("-¥50.00 · 50.00 test voucher", await phone.Text("coupon"), StringComparison.Ordinal);
        Assert.Null((await app.Services.Query(db => db.Coupons.AsNoTracking().SingleAsync(c => c.AccountId == account))).FrozenByOrderId);
        phone.AssertClean();
    }

    [Fact]
    public async Task Vouchers_for_another_product_expired_or_below_their_minimum_are_shown_with_the_reason()
    {
        var account = await app.Services.Customer("100.00");
        await app.Services.Coupon(account, "30.00", products: "rds");
        await app.Services.Coupon(account, "40.00", minimumOrder: "500.00");
        var expired = await app.Services.Coupon(account, "20.00", validFrom: Now.AddDays(-10), validFor: TimeSpan.FromDays(5));
        await app.Services.Coupon(account, "10.00", products: "ecs");
        var phone = await SignedIn(account);
        var page = phone.Page;

        await page.GotoAsync("/costs/vouchers");
        var rds = page.GetByTestId("voucher").Filter(new() { HasText = "30.00 test voucher" });
        Assert.Equal("ApsaraDB RDS", await rds.GetByTestId("voucher-products").InnerTextAsync());
        Assert.Equal("Orders of ¥500.00 or more", await page.GetByTestId("voucher").Filter(new() { HasText = "40.00 test voucher" }).GetByTestId("voucher-minimum").InnerTextAsync());
        Assert.Equal("New purchase and renewal · Subscription", await rds.GetByTestId("voucher-order-types").InnerTextAsync());

        // Checked against a 120.00 ECS renewal.
        await page.GetByText("Check against an order").ClickAsync();
        await page.Locator("#check-product").SelectOptionAsync("ecs");
        await page.Locator("#check-type").SelectOptionAsync("Renew");
        await page.GetByTestId("check-amount").FillAsync("120.00");
        await phone.Tap(page.GetByTestId("check-submit"), path => path.Contains("amount=120.00", StringComparison.Ordinal));
        async Task<string> Verdict(string name) => (await page.GetByTestId("voucher").Filter(new() { HasText = name }).GetByTestId("voucher-verdict").InnerTextAsync()).Trim();
        Assert.Equal("Only for rds.", await Verdict("30.00 test voucher"));
        Assert.Equal("Needs an order of at least 500.00; this order is 120.00.", await Verdict("40.00 test voucher"));
        Assert.Equal("Applies to this order: ¥10.00 off.", await Verdict("10.00 test voucher"));
        await phone.Screenshot("en-costs-vouchers-check");
        await phone.AssertAccessible();

        await phone.Tap(page.GetByTestId("tab-Expired"), path => path.Contains("state=Expired", StringComparison.Ordinal) && path.Contains("amount=120.00", StringComparison.Ordinal));
        var gone = page.GetByTestId("voucher");
        Assert.Equal(1, await gone.CountAsync());
        Assert.Equal($"Expired on {Date(expired.ValidTo)}.", (await gone.GetByTestId("voucher-reason").InnerTextAsync()).Trim());
        Assert.Equal("1", await page.GetByTestId("tab-Expired").Locator(".tabs-count").InnerTextAsync());
        Assert.Equal("3", await page.GetByTestId("tab-Available").Locator(".tabs-count").InnerTextAsync());
        phone.AssertClean();
    }

    [Fact]
    public async Task Vouchers_and_orders_are_paged_by_20()
    {
        var account = await app.Services.Customer("100.00");
        for (var n = 1; n <= 21; n++)
            await app.Services.Coupon(account, "1.00", validFor: TimeSpan.FromDays(10 + n));
        var orders = new List<Order>();
        for (var n = 1; n <= 21; n++)
            orders.Add(await Unpaid(account, await Ecs(account, 10, $"paged-{n:D2}")));
        var phone = await SignedIn(account);
        var page = phone.Page;

        await page.GotoAsync("/costs/vouchers");
        Assert.Equal(20, await page.GetByTestId("voucher").CountAsync());
        Assert.Equal("Page 1 of 2", await phone.Text("page-of"));
        await phone.Tap(page.GetByTestId("next-page"), path => path.Contains("page=2", StringComparison.Ordinal));
        Assert.Equal(1, await page.GetByTestId("voucher").CountAsync());

        await page.GotoAsync("/costs/orders?status=Unpaid");
        Assert.Equal(20, await page.GetByTestId("order").CountAsync());
        await phone.Tap(page.GetByTestId("next-page"), path => path.Contains("page=2", StringComparison.Ordinal));
        // Newest first: the first order placed is the one left for page 2.
        Assert.Equal(orders[0].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetByTestId("order").GetAttributeAsync("data-order-id"));
        phone.AssertClean();
    }

    [Fact]
    public async Task The_forecast_gives_the_day_the_credit_runs_short_and_its_Top_up_of_exactly_the_shortfall_clears_it()
    {
        // 2 × 330.00 + 12.34 covers two of the three monthly ECS auto-renewals.
        var account = await app.Services.Customer("672.34");
        var first = await Ecs(account, 12, "auto-first", RenewalMethod.AutoRenewal);
        var second = await Ecs(account, 17, "auto-second", RenewalMethod.AutoRenewal);
        var third = await Ecs(account, 22, "auto-third", RenewalMethod.AutoRenewal);
        // R4.2: 08:00 on the 9th day before expiry.
        var thirdAttempt = BusinessCalendar.At(BusinessCalendar.LocalDate(third.ExpiresAt!.Value).PlusDays(-9), 8);
        var phone = await SignedIn(account);
        var page = phone.Page;

        await phone.Tap(phone.Page.GetByRole(AriaRole.Link, new() { Name = "My", Exact = true }), path => path == "/my");
        await phone.Tap(page.GetByTestId("costs-link"), path => path == "/costs");
        Assert.Equal($"Your Available Credit runs short on {Date(thirdAttempt)}: top up ¥317.66 to cover every charge.", (await phone.Text("forecast-short")).Trim());
        await phone.Tap(page.GetByTestId("forecast-link"), path => path == "/costs/forecast");
        Assert.Equal((Date(thirdAttempt), "¥317.66"), (await phone.Text("runs-short-on"), await phone.Text("shortfall")));
        Assert.Equal([first.Id, second.Id, third.Id], await page.GetByTestId("forecast-charge").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.instanceId)"));
        Assert.Equal(["¥330.00", "¥330.00", "¥330.00"], await page.GetByTestId("charge-payable").AllInnerTextsAsync());
        Assert.Equal(1, await page.GetByTestId("charge-uncovered").CountAsync());
        Assert.Equal(1, await page.Locator($"[data-instance-id='{third.Id}'] [data-testid=charge-uncovered]").CountAsync());

        // The forecast's Top-up names the shortfall; paid at the sandbox, the forecast is clear.
        await phone.Tap(page.GetByTestId("forecast-topup"), path => path == "/topup?amount=317.66");
        Assert.Equal("317.66", await page.GetByTestId("custom-amount").InputValueAsync());
        await page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm Top-up" }).ClickAsync();
        await page.WaitForCashier("alipay");
        Assert.Contains("317.66", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        await phone.Tap(phone.Link("Got It"), path => path == "/costs");
        Assert.Equal("¥990.00", await phone.Text("available-credit"));
        Assert.Equal("Your Available Credit covers them.", (await phone.Text("forecast-clear")).Trim());
        await phone.Tap(page.GetByTestId("forecast-link"), path => path == "/costs/forecast");
        Assert.Equal("Your Available Credit covers every auto-renewal of the next 30 days.", (await phone.Text("forecast-clear")).Trim());
        Assert.Equal(0, await page.GetByTestId("charge-uncovered").CountAsync());
        Assert.Equal(0, await page.GetByTestId("forecast-topup").CountAsync());
        phone.AssertClean();
    }

    [Fact]
    public async Task Every_Costs_form_refuses_bad_input_in_the_page_with_a_4xx_and_changes_nothing()
    {
        var other = await app.Services.Customer("100.00");
        var otherOrder = await Unpaid(other, await Ecs(other, 10, "not-yours-costs"));
        var otherCoupon = await app.Services.Coupon(other, "10.00");
        var account = await app.Services.Customer("100.00");
        var mine = await Unpaid(account, await Ecs(account, 10, "mine-costs"));
        var phone = await SignedIn(account);
        var page = phone.Page;
        var snapshot = await app.Services.Snapshot();

        async Task<int> Post(Func<Task> submit)
        {
            var response = await page.RunAndWaitForResponseAsync(submit, r => r.Request.Method == "POST");
            await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
            return response.Status;
        }

        // The message beside the field, once the answer's page shows it.
        async Task<string> FieldMessage(string testId)
        {
            var message = page.GetByTestId(testId).Locator(".field-error");
            await message.WaitForAsync();
            return (await message.InnerTextAsync()).Trim();
        }

        // Top-up amounts: zero, a thousandth, over the maximum, not a number.
        foreach (var (amount, message) in new[]
        {
            ("0", "A top-up must be at least 1.00 CNY; 0.00 CNY was asked."),
            ("0.001", "The top-up amount is not valid: '0.001' has more than two decimals; amounts are exact to the fen (0.01)."),
            ("1000000.01", "A top-up can be at most 1000000.00 CNY; 1000000.01 CNY was asked. Split it into several top-ups."),
            ("abc", "The top-up amount is not valid: 'abc' is not an amount; write yuan with up to two decimals, for example 100.00."),
        })
        {
            await page.GotoAsync("/topup");
            await page.GetByTestId("custom-amount").FillAsync(amount);
            Assert.Equal(400, await Post(() => page.GetByTestId("topup-submit").ClickAsync()));
            Assert.Equal(message, await FieldMessage("amount-error"));
        }

        // A method that is not offered (a tampered radio), with a bad amount beside it: both said at their field.
        await page.GotoAsync("/topup");
        await page.Locator("input[name='Input.Method'][value=Alipay]").EvaluateAsync("input => { input.value = 'huabei'; input.checked = true; }");
        await page.GetByTestId("custom-amount").FillAsync("-5");
        Assert.Equal(400, await Post(() => page.GetByTestId("topup-submit").ClickAsync()));
        Assert.Equal("huabei cannot be used to pay Cloudbill: Huabei and credit cards are not accepted. Choose Alipay (balance or debit card) or UnionPay.", await FieldMessage("method-error"));
        Assert.Equal("A top-up must be at least 1.00 CNY; -5.00 CNY was asked.", await FieldMessage("amount-error"));
        await page.GotoAsync("/topup");
        await page.Locator("input[name='Input.ClientToken']").EvaluateAsync("input => input.value = 'bad token!'");
        Assert.Equal(400, await Post(() => page.GetByTestId("topup-submit").ClickAsync()));
        Assert.StartsWith("The client token must be", (await phone.Text("topup-error")).Trim(), StringComparison.Ordinal);

        // Orders: unknown filters and pages, a Cancel naming another customer's order or no order.
        async Task<string> Refused(string path, string testId)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status is >= 400 and < 500, $"{path} answered {response.Status}");
            return (await phone.Text(testId)).Trim();
        }
        Assert.Equal("Order type 'Upgrade' is unknown; use one of New, Renew.", await Refused("/costs/orders?type=Upgrade", "orders-error"));
        Assert.Equal("Order state 'Refunded' is unknown; use one of Unpaid, Paid, Cancelled.", await Refused("/costs/orders?status=Refunded", "orders-error"));
        Assert.Equal("Page 'abc' does not exist; pages start at 1.", await Refused("/costs/orders?page=abc", "orders-error"));
        await page.GotoAsync("/costs/orders");
        var cancel = page.Locator($"[data-order-id='{mine.Id}']").GetByTestId("cancel-order");
        await cancel.EvaluateAsync("(button, id) => button.value = id", otherOrder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(400, await Post(() => cancel.ClickAsync()));
        Assert.Equal($"Order {otherOrder.Id} was not found in your orders.", (await phone.Text("orders-error")).Trim());
        await page.GotoAsync("/costs/orders");
        await cancel.EvaluateAsync("button => button.value = '1; DROP TABLE orders'");
        Assert.Equal(400, await Post(() => cancel.ClickAsync()));
        Assert.Equal("'1; DROP TABLE orders' is not an order number; choose Cancel on one of your orders.", (await phone.Text("orders-error")).Trim());

        // Vouchers: unknown state, page, a check with a bad amount or product, another customer's voucher.
        Assert.Equal("Voucher state 'Sometimes' is unknown; use one of Available, Frozen, UsedUp, Expired.", await Refused("/costs/vouchers?state=Sometimes", "vouchers-error"));
        Assert.Equal("Page '0' does not exist; pages start at 1.", await Refused("/costs/vouchers?page=0", "vouchers-error"));
        Assert.Equal("The order amount is not valid: 'abc' is not an amount; write yuan with up to two decimals, for example 100.00.", await Refused("/costs/vouchers?product=ecs&type=Renew&amount=abc", "check-amount-error"));
        Assert.Equal(1, await page.GetByTestId("check-amount-error").Locator(".field-error").CountAsync());
        await Refused("/costs/vouchers?product=nope&type=Renew&amount=1.00", "check-form");
        Assert.Equal("'nope' is not a product; choose one from the list.", (await page.GetByTestId("check-form").Locator(".field-error").InnerTextAsync()).Trim());
        Assert.Equal($"Coupon {otherCoupon.Id} is not one of your vouchers.", await Refused($"/costs/vouchers/{otherCoupon.Id}", "voucher-error"));

        // The same in Chinese: the translation, then the English message with its figures.
        var zh = await SignedIn(account, "zh-CN");
        await zh.Page.GotoAsync("/topup");
        await zh.Page.GetByTestId("custom-amount").FillAsync("0");
        var zhResponse = await zh.Page.RunAndWaitForResponseAsync(() => zh.Page.GetByTestId("topup-submit").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, zhResponse.Status);
        await zh.Page.GetByTestId("amount-error").Locator(".field-error").WaitForAsync();
        Assert.Equal("充值金额低于最低限额（A top-up must be at least 1.00 CNY; 0.00 CNY was asked.）", (await zh.Text("amount-error")).Trim());
        await zh.Page.GotoAsync("/costs/orders");
        var zhCancel = zh.Page.Locator($"[data-order-id='{mine.Id}']").GetByTestId("cancel-order");
        await zhCancel.EvaluateAsync("(button, id) => button.value = id", otherOrder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await zh.Tap(zhCancel, path => path.StartsWith("/costs/orders", StringComparison.Ordinal));
        Assert.Equal($"未找到该订单（Order {otherOrder.Id} was not found in your orders.）", (await zh.Text("orders-error")).Trim());
        var zhVoucher = await zh.Page.GotoAsync($"/costs/vouchers/{otherCoupon.Id}");
        Assert.Equal(400, zhVoucher!.Status);
        Assert.Equal($"未找到该代金券（Coupon {otherCoupon.Id} is not one of your vouchers.）", (await zh.Text("voucher-error")).Trim());
        await zh.Page.GotoAsync("/costs/vouchers?state=Sometimes");
        Assert.StartsWith("筛选条件无效（Voucher state 'Sometimes' is unknown", (await zh.Text("vouchers-error")).Trim(), StringComparison.Ordinal);

        Assert.Equal(snapshot, await app.Services.Snapshot());
        phone.AssertClean(refusalsExpected: true);
        zh.AssertClean(refusalsExpected: true);
    }

    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("zh-CN", "zh")]
    public async Task Every_Costs_page_renders_accessibly_in_both_languages_and_fits_a_360_px_phone(string locale, string prefix)
    {
        var account = await app.Services.Customer("500.00");
        var frozen = await app.Services.Coupon(account, "50.00", products: "ecs", orderTypes: CouponOrderTypes.Renew);
        await app.Services.Coupon(account, "30.00", products: "rds,polardb", minimumOrder: "500.00");
        await app.Services.Coupon(account, "20.00", validFrom: Now.AddDays(-10), validFor: TimeSpan.FromDays(5));
        var used = await app.Services.Coupon(account, "5.00");
        await app.Services.Query(db => db.Coupons.Where(c => c.Id == used.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Remaining, Money.Zero)));
        await Unpaid(account, await Ecs(account, 10, "pages-unpaid"), CouponChoice.Use(frozen.Id));
        var paid = await Ecs(account, 11, "pages-paid");
        await app.Services.Run<RenewalService, Result<PaymentOutcome>>((s, ct) =>
            s.RenewNow(account, [paid.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        await Ecs(account, 14, "pages-auto", RenewalMethod.AutoRenewal);
        await Ecs(account, 20, "pages-auto-2", RenewalMethod.AutoRenewal);
        var phone = await SignedIn(account, locale);
        var page = phone.Page;

        var pages = new (string Name, string Path)[]
        {
            ("costs", "/costs"),
            ("costs-vouchers", "/costs/vouchers"),
            ("costs-vouchers-frozen", "/costs/vouchers?state=Frozen"),
            ("costs-vouchers-used", "/costs/vouchers?state=UsedUp"),
            ("costs-vouchers-expired", "/costs/vouchers?state=Expired"),
            ("costs-voucher", $"/costs/vouchers/{frozen.Id}"),
            ("costs-orders", "/costs/orders"),
            ("costs-orders-unpaid", "/costs/orders?status=Unpaid"),
            ("costs-forecast", "/costs/forecast"),
            ("costs-topup-prefilled", "/topup?amount=317.66"),
        };
        foreach (var (name, path) in pages)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path} answered {response.Status}");
            await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
            await phone.Screenshot($"{prefix}-{name}");
            await phone.AssertAccessible();
        }
        await page.GotoAsync($"/costs/vouchers/{frozen.Id}");
        Assert.Equal(prefix == "en" ? "Frozen" : "已冻结", await phone.Text("voucher-state"));

        await page.SetViewportSizeAsync(360, 740);
        foreach (var (_, path) in pages)
        {
            await page.GotoAsync(path);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} at 360 px is {overflow} px too wide");
        }
        phone.AssertClean();
    }
}
