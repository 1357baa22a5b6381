using Cloudbill.Core.Orders;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// The renewal of docs/procedures.md paid at each sandbox gateway (Renewal Management entry point). Its own
/// server: which coupon applies depends on what was renewed before.
/// </summary>
public class RenewalGatewayTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Renewal_Management_with_an_All_times_range_and_Other_Durations_paid_at_the_sandbox_Alipay()
    {
        var phone = await app.SignedIn();
        var page = phone.Page;
        var before = Yuan(await phone.AvailableCredit());
        var instance = await app.Services.InstanceNamed("api-hk-02");
        var expected = BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 3);

        await phone.Tap(phone.Link("Console"), path => path == "/");
        await phone.Tap(phone.Link("Renewal Management"), path => path == "/renewals/manage");
        await phone.Tap(phone.Link("Elastic Compute Service - Subscription"), path => path.StartsWith("/renewals/manage/ecs?", StringComparison.Ordinal));
        // Note: on the Manual Renewal tab, All times opens the expiration time ranges.
        await page.GetByTestId("all-times").ClickAsync();
        await phone.Tap(page.GetByRole(AriaRole.Link, new() { Name = "Expires in 30 days", Exact = true }), path => path.Contains("expiry=ExpiresIn30Days", StringComparison.Ordinal));
        await phone.Tap(phone.Link("Hong Kong (China)"), path => path.StartsWith("/renewals/manage/ecs/cn-hongkong", StringComparison.Ordinal));
        await page.GetByLabel("Select api-hk-02").CheckAsync();
        await phone.Tap(phone.Button("Renew Now"), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        // Note: Other Durations offers the other renewal periods.
        await page.GetByTestId("other-durations").ClickAsync();
        await phone.Tap(page.GetByRole(AriaRole.Link, new() { Name = "3 Months", Exact = true }), path => path.Contains("months=3", StringComparison.Ordinal));
        Assert.Equal(Date(expected), await page.GetByTestId("new-expiry").InnerTextAsync());
        var payable = Yuan(await phone.Text("payable"));
        // The payment method is chosen on the Renew Now page: a gateway pays the placed order when it confirms.
        await page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await page.GetByTestId("pay-now").ClickAsync();
        await page.WaitForCashier("alipay");
        Assert.Contains(payable.ToString(), await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        Assert.Equal("Payment received", (await phone.Text("payment-headline")).Trim());
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hongkong");
        var card = page.Locator("[data-testid=instances] li", new() { HasText = "api-hk-02" });
        Assert.Equal(Date(expected), await card.GetByTestId("expiry").InnerTextAsync());

        // Paid at the gateway: the balance is untouched.
        Assert.Equal(before, Yuan(await phone.AvailableCredit()));
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Lines.Any(l => l.InstanceId == instance.Id)));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.Alipay, payable, 3), (order.Status, order.PaidWith, order.Payable, order.Lines.Single().Months));
        phone.AssertClean();
    }

    [Fact]
    public async Task Renewal_Management_paid_at_the_sandbox_UnionPay()
    {
        var phone = await app.SignedIn();
        var page = phone.Page;
        var instance = await app.Services.InstanceNamed("web-hz-01");
        var expected = BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 1);

        await phone.Tap(phone.Link("Renewal Management"), path => path == "/renewals/manage");
        await phone.Tap(phone.Link("Elastic Compute Service - Subscription"), path => path.StartsWith("/renewals/manage/ecs?", StringComparison.Ordinal));
        await phone.Tap(phone.Link("China (Hangzhou)"), path => path.StartsWith("/renewals/manage/ecs/cn-hangzhou", StringComparison.Ordinal));
        await page.GetByLabel("Select web-hz-01").CheckAsync();
        await phone.Tap(phone.Button("Renew Now"), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        var payable = Yuan(await phone.Text("payable"));
        await page.GetByRole(AriaRole.Radio, new() { Name = "UnionPay" }).CheckAsync();
        await page.GetByTestId("pay-now").ClickAsync();
        await page.WaitForCashier("unionpay");
        await page.GetByLabel("SMS code", new() { Exact = false }).FillAsync("111111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        Assert.Equal("Payment received", (await phone.Text("payment-headline")).Trim());
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hangzhou");
        var card = page.Locator("[data-testid=instances] li", new() { HasText = "web-hz-01" });
        Assert.Equal(Date(expected), await card.GetByTestId("expiry").InnerTextAsync());

        var order = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Lines.Any(l => l.InstanceId == instance.Id)));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.UnionPay, payable), (order.Status, order.PaidWith, order.Payable));
        phone.AssertClean();
    }
}
