using Cloudbill.Core.Orders;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// The Renew procedure of docs/procedures.md, step by step with its labels, at phone size: from the
/// Urgent Renewal and the Renewal Management entry points, paid by Balance and by each sandbox
/// gateway, and the FAQ's "I can't see my instance" tabs. Each test renews its own instance.
/// </summary>
public class RenewalProcedureTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Urgent_Renewal_to_View_My_Instances_paid_from_the_balance()
    {
        var phone = await app.SignedIn();
        var page = phone.Page;
        var before = Yuan(await phone.AvailableCredit());
        var instance = await app.Services.InstanceNamed("web-hk-01");
        var expected = BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 1);

        // 1. Console tab, Urgent Renewal in the pending events, Elastic Compute Service - Subscription.
        await phone.Tap(phone.Link("Console"), path => path == "/");
        await phone.Tap(phone.Link("Urgent Renewal"), path => path == "/renewals/urgent");
        await phone.Tap(phone.Link("Elastic Compute Service - Subscription"), path => path.StartsWith("/renewals/urgent/ecs?", StringComparison.Ordinal));
        Assert.Equal("page", await page.GetByTestId("tab-ManualRenewal").GetAttributeAsync("aria-current"));
        // Note: on the Manual Renewal tab, "Expires in 15 days" filters the resources to renew.
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "Expires in 15 days", Exact = true }), path => path.Contains("expiry=ExpiresIn15Days", StringComparison.Ordinal));
        // 2. The region of the instance.
        await phone.Tap(phone.Link("Hong Kong (China)"), path => path.StartsWith("/renewals/urgent/ecs/cn-hongkong", StringComparison.Ordinal));
        // 3. Select the instance, Renew Now.
        await page.GetByLabel("Select web-hk-01").CheckAsync();
        await phone.Tap(phone.Button("Renew Now"), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        // 4. Renewal Duration: 1 Month.
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "1 Month", Exact = true }), path => path.Contains("months=1", StringComparison.Ordinal));
        // 5. Renew Instance: review; the coupon is applied by itself (R6.6); Pay Now.
        var line = page.Locator("[data-testid=renew-lines] li", new() { HasText = "web-hk-01" });
        Assert.Contains(instance.Id, await line.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Hong Kong (China)", await line.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(Date(instance.ExpiresAt.Value), await line.GetByTestId("current-expiry").InnerTextAsync());
        Assert.Equal(Date(expected), await line.GetByTestId("new-expiry").InnerTextAsync());
        Assert.StartsWith("-¥100.00 · ECS renewal voucher", (await phone.Text("coupon")).Trim(), StringComparison.Ordinal);
        var payable = Yuan(await phone.Text("payable"));
        Assert.Equal(Yuan(await phone.Text("original-price")) - Core.Money.Parse("100.00"), payable);
        // From the balance, Pay Now places and pays the renewal in one step, as the API's RenewInstance does (docs/decisions/0028).
        Assert.True(await page.GetByRole(AriaRole.Radio, new() { Name = "Balance" }).IsCheckedAsync());
        await phone.Tap(phone.Button("Pay Now"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal("Payment successful", (await page.Locator(".result-title").InnerTextAsync()).Trim());
        Assert.Equal(payable, Yuan(await phone.Text("paid-amount")));
        // 6. View My Instances; 7. the region of the instance shows the new expiry.
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hongkong");
        var card = page.Locator("[data-testid=instances] li", new() { HasText = "web-hk-01" });
        Assert.Equal(Date(expected), await card.GetByTestId("expiry").InnerTextAsync());

        Assert.Equal(before - payable, Yuan(await phone.AvailableCredit()));
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Lines.Any(l => l.InstanceId == instance.Id)));
        Assert.Equal((OrderType.Renew, OrderStatus.Paid, PaymentMethod.Balance, payable), (order.Type, order.Status, order.PaidWith, order.Payable));
        Assert.Equal(expected, (await app.Services.InstanceNamed("web-hk-01")).ExpiresAt);
        phone.AssertClean();
    }

    [Fact]
    public async Task The_FAQ_instances_are_on_the_Auto_Renewal_and_Expire_Without_Renewal_tabs()
    {
        var phone = await app.SignedIn();
        var page = phone.Page;
        await phone.Tap(phone.Link("Renewal Management"), path => path == "/renewals/manage");
        await phone.Tap(phone.Link("Elastic Compute Service - Subscription"), path => path.StartsWith("/renewals/manage/ecs?", StringComparison.Ordinal));
        // Not on Manual Renewal: the auto-renewal instance and the expire-without-renewal one.
        Assert.Equal(0, await page.GetByTestId("regions").GetByRole(AriaRole.Link, new() { Name = "China (Shanghai)" }).CountAsync());
        Assert.Equal(0, await page.GetByTestId("regions").GetByRole(AriaRole.Link, new() { Name = "China (Shenzhen)" }).CountAsync());

        await phone.Tap(page.GetByTestId("tab-AutoRenewal"), path => path.Contains("tab=AutoRenewal", StringComparison.Ordinal));
        Assert.Contains("2", await page.GetByTestId("tab-AutoRenewal").InnerTextAsync(), StringComparison.Ordinal);
        await phone.Tap(phone.Link("China (Shanghai)"), path => path.StartsWith("/renewals/manage/ecs/cn-shanghai", StringComparison.Ordinal));
        var auto = page.Locator("[data-testid=instances] li", new() { HasText = "db-proxy-sh" });
        Assert.Equal("Auto-Renewal · 1 Month", await auto.GetByTestId("method").InnerTextAsync());

        await phone.Tap(page.GetByTestId("tab-NotRenewal"), path => path.Contains("tab=NotRenewal", StringComparison.Ordinal));
        // Shanghai has no expire-without-renewal ECS instance; back to the product's regions on that tab.
        Assert.True(await page.GetByTestId("empty").IsVisibleAsync());
        await phone.Tap(phone.Link("Back"), path => path.StartsWith("/renewals/manage/ecs?tab=NotRenewal", StringComparison.Ordinal));
        await phone.Tap(phone.Link("China (Shenzhen)"), path => path.StartsWith("/renewals/manage/ecs/cn-shenzhen", StringComparison.Ordinal));
        var notRenewal = page.Locator("[data-testid=instances] li", new() { HasText = "legacy-sz" });
        Assert.Equal("Expire Without Renewal", await notRenewal.GetByTestId("method").InnerTextAsync());
        phone.AssertClean();
    }
}
