using Cloudbill.Core;
using Cloudbill.Core.Orders;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// Bad input on the configuration page, in Expense Details and on Buy Now: a precise message in
/// the page (both languages), a 4xx, and nothing changed in the database (every money, order,
/// coupon and instance row compared). A double tap on Buy Now places one order.
/// </summary>
public class PurchaseBadInputTests(PurchaseAppFixture app) : IClassFixture<PurchaseAppFixture>
{
    private const string Good = "region=cn-hongkong&spec=ecs.g7.large&billing=Subscription&months=1&quantity=1";

    [Fact]
    public async Task The_configuration_and_Expense_Details_refuse_bad_choices_and_change_nothing()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "1000.00");
        var mine = await PurchaseSteps.Voucher(app, account, "10.00");
        var other = await app.Services.Customer("10.00");
        var theirs = await PurchaseSteps.Voucher(app, other, "500.00");
        var page = phone.Page;
        var snapshot = await app.Services.Snapshot();

        // The configuration page: the message beside the field it is about, and a 4xx.
        async Task<string> ConfigureError(string query, string field)
        {
            var response = await page.GotoAsync("/purchase/ecs?" + query);
            Assert.InRange(response!.Status, 400, 499);
            return (await page.Locator($"#{field} ~ .field-error, [data-testid={field}] ~ .field-error").First.InnerTextAsync()).Trim();
        }
        Assert.Equal("Quantity 0 is outside 1 to 10.", await ConfigureError(Good.Replace("quantity=1", "quantity=0"), "quantity"));
        Assert.Equal("Quantity 11 is outside 1 to 10.", await ConfigureError(Good.Replace("quantity=1", "quantity=11"), "quantity"));
        Assert.Equal("The quantity must be a whole number from 1 to 10; 'abc' is not.", await ConfigureError(Good.Replace("quantity=1", "quantity=abc"), "quantity"));
        Assert.Equal("Region 'mars-1' does not exist.", await ConfigureError(Good.Replace("cn-hongkong", "mars-1"), "regions"));
        Assert.StartsWith("Elastic Compute Service (ECS) has no spec 'ecs.bogus'; choose one of ecs.e-c1m1.large", await ConfigureError(Good.Replace("ecs.g7.large", "ecs.bogus"), "specs"), StringComparison.Ordinal);
        Assert.Equal("Elastic Compute Service (ECS) is sold for 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36 months; 14 months is not offered.", await ConfigureError(Good.Replace("months=1", "months=14"), "durations"));
        Assert.Equal("The instance name is 129 characters long; use 2 to 128 characters.", await ConfigureError(Good + "&name=" + new string('a', 129), "name"));
        Assert.Equal("The instance name cannot contain 'space'; use letters, digits, '.', '_', '-' and ':'.", await ConfigureError(Good + "&name=web%20server", "name"));
        Assert.Equal("The instance name cannot contain '/'; use letters, digits, '.', '_', '-' and ':'.", await ConfigureError(Good + "&name=web/1", "name"));
        Assert.Equal("The instance name must start with a letter (Chinese characters are letters too).", await ConfigureError(Good + "&name=9lives", "name"));
        Assert.StartsWith("The instance name is 127 characters long; with 2 instances each is named", await ConfigureError(Good.Replace("quantity=1", "quantity=2") + "&name=" + new string('b', 127), "name"), StringComparison.Ordinal);
        Assert.Equal("5 months is not an auto-renewal period of Elastic Compute Service (ECS); choose one of 1, 2, 3, 6, 12, 24, 36 months.", await ConfigureError(Good + "&auto=true&period=5", "period"));
        Assert.Equal("Billing method 'Monthly' is unknown; choose Subscription or Pay-As-You-Go.", await ConfigureError(Good.Replace("billing=Subscription", "billing=Monthly"), "billing"));
        var unknown = await page.GotoAsync("/purchase/nothing");
        Assert.Equal(404, unknown!.Status);
        var category = await page.GotoAsync("/purchase/categories?category=Snacks");
        Assert.Equal(404, category!.Status);

        // View Details with the same refusals, and with another customer's coupon in the address.
        async Task<string> DetailsError(string query)
        {
            var response = await page.GotoAsync("/purchase/ecs/details?" + query);
            Assert.InRange(response!.Status, 400, 499);
            return (await phone.Text("purchase-error")).Trim();
        }
        Assert.Equal("Quantity 0 is outside 1 to 10.", await DetailsError(Good.Replace("quantity=1", "quantity=0")));
        Assert.Equal("The quantity must be a whole number from 1 to 10; 'ten' is not.", await DetailsError(Good.Replace("quantity=1", "quantity=ten")));
        Assert.Equal("Region 'mars-1' does not exist.", await DetailsError(Good.Replace("cn-hongkong", "mars-1")));
        Assert.Contains("14 months is not offered", await DetailsError(Good.Replace("months=1", "months=14")), StringComparison.Ordinal);
        Assert.Equal($"Coupon {theirs.Id} is not one of your vouchers.", await DetailsError(Good + $"&coupon={theirs.Id}"));
        // Nothing of the other customer's coupon is shown; the customer's own best coupon is.
        Assert.DoesNotContain("500.00 test voucher", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.StartsWith("-¥10.00", (await phone.Text("coupon")).Trim(), StringComparison.Ordinal);
        Assert.Equal("The coupon choice 'free' is not a coupon; choose one in Expense Details.", await DetailsError(Good + "&coupon=free"));

        // Buy Now with tampered hidden fields: another customer's coupon, a quantity, a region, a token.
        async Task<string> BuyNowError(string field, string value)
        {
            await page.GotoAsync("/purchase/ecs/details?" + Good);
            await page.Locator($"#purchase-form input[name='Input.{field}']").EvaluateAsync("(input, value) => input.value = value", value);
            await phone.Tap(page.GetByTestId("buy-now"), path => path.StartsWith("/purchase/ecs/details", StringComparison.Ordinal));
            return (await phone.Text("purchase-error")).Trim();
        }
        Assert.Equal($"Coupon {theirs.Id} is not one of your vouchers.", await BuyNowError("Coupon", theirs.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("Quantity 0 is outside 1 to 10.", await BuyNowError("Quantity", "0"));
        Assert.Equal("The quantity must be a whole number from 1 to 10; '1e3' is not.", await BuyNowError("Quantity", "1e3"));
        Assert.Equal("Region 'mars-1' does not exist.", await BuyNowError("Region", "mars-1"));
        Assert.Equal("The instance name must start with a letter (Chinese characters are letters too).", await BuyNowError("Name", "-x"));
        Assert.StartsWith("The client token must be", await BuyNowError("ClientToken", "bad token!"), StringComparison.Ordinal);

        // The same refusal in Chinese: the translation by its code, then the English message with its figures.
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "Language: 中文" }), path => path.StartsWith("/purchase/ecs/details", StringComparison.Ordinal));
        var response = await page.GotoAsync("/purchase/ecs?" + Good.Replace("quantity=1", "quantity=0"));
        Assert.Equal(400, response!.Status);
        Assert.Equal("购买数量须为 1 至 10（Quantity 0 is outside 1 to 10.）", (await page.Locator("#quantity ~ .field-error").InnerTextAsync()).Trim());
        await PurchaseSteps.Check(phone, "zh-purchase-configure-refused");
        Assert.Equal($"未找到该代金券（Coupon {theirs.Id} is not one of your vouchers.）", await DetailsError(Good + $"&coupon={theirs.Id}"));
        await page.GotoAsync("/purchase/ecs?" + Good.Replace("quantity=1", "quantity=0"));
        await phone.Tap(page.Locator(".language-button"), path => path.StartsWith("/purchase/ecs", StringComparison.Ordinal));
        await PurchaseSteps.Check(phone, "en-purchase-configure-refused");

        Assert.Equal(snapshot, await app.Services.Snapshot());
        Assert.Equal(Money.Parse("10.00"), (await app.Services.Query(db => db.Coupons.AsNoTracking().SingleAsync(c => c.Id == mine.Id))).Remaining);
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_double_tap_on_Buy_Now_places_one_order()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "1000.00");
        var voucher = await PurchaseSteps.Voucher(app, account, "25.00");
        var page = phone.Page;
        await page.GotoAsync("/purchase/ecs/details?" + Good + "&name=double-tap");
        var payable = Yuan(await phone.Text("details-payable"));
        Assert.Equal(Money.Parse("404.00"), payable);
        await page.GetByTestId("buy-now").DblClickAsync();
        await page.LandsOn(url => url.AbsolutePath.EndsWith("/pay", StringComparison.Ordinal), "confirm-pay");
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        await page.GetByTestId("confirm-pay").DblClickAsync();
        await page.LandsOn(url => url.AbsolutePath.EndsWith("/result", StringComparison.Ordinal), "paid-amount");

        var orders = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).Where(o => o.AccountId == account).ToListAsync());
        var order = Assert.Single(orders);
        Assert.Equal((OrderStatus.Paid, payable, voucher.Id, "double-tap"), (order.Status, order.Payable, order.CouponId, order.Lines.Single().InstanceName));
        Assert.Single(await app.Services.Query(db => db.Instances.AsNoTracking().Where(i => i.AccountId == account).ToListAsync()));
        Assert.Equal(Money.Parse("1000.00") - payable, (await app.Services.Balance(account)).AvailableCredit);
        phone.AssertClean();
    }
}
