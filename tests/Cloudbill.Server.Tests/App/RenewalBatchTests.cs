using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>Several instances at once through the pages: renewal to a unified expiration day, and renewal method changes (R2.2, R2.3).</summary>
public class RenewalBatchTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Three_instances_renewed_to_a_unified_expiration_day_in_one_order()
    {
        var account = await app.Services.DemoAccount();
        var now = DateTimeOffset.UtcNow;
        string[] names = ["batch-a", "batch-b", "batch-c"];
        var instances = new List<Instance>();
        foreach (var (name, days) in names.Zip([5, 12, 20]))
            instances.Add(await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(now.AddDays(days)), region: "ap-southeast-1", name: name));
        var before = (await app.Services.Balance(account)).AvailableCredit;

        var phone = await app.SignedIn();
        var page = phone.Page;
        await phone.Tap(phone.Link("Renewal Management"), path => path == "/renewals/manage");
        await phone.Tap(phone.Link("Elastic Compute Service - Subscription"), path => path.StartsWith("/renewals/manage/ecs?", StringComparison.Ordinal));
        await phone.Tap(phone.Link("Singapore"), path => path.StartsWith("/renewals/manage/ecs/ap-southeast-1", StringComparison.Ordinal));
        foreach (var name in names)
            await page.GetByLabel($"Select {name}").CheckAsync();
        await phone.Tap(phone.Button("Renew Now"), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        Assert.Equal(3, await page.Locator("[data-testid=renew-lines] li").CountAsync());

        await page.GetByLabel("Renew to a unified expiration day").SelectOptionAsync("28");
        await phone.Tap(page.GetByTestId("unified-form").GetByRole(AriaRole.Button, new() { Name = "Apply" }), path => path.Contains("day=28", StringComparison.Ordinal));
        foreach (var instance in instances)
        {
            var line = page.Locator("[data-testid=renew-lines] li", new() { HasText = instance.Name });
            Assert.Equal(Date(RenewalService.UnifiedExpiry(instance.ExpiresAt!.Value, 28)), await line.GetByTestId("new-expiry").InnerTextAsync());
        }
        var payable = Yuan(await phone.Text("payable"));
        await phone.Tap(phone.Button("Pay Now"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal(3, await page.Locator("[data-testid=result-instances] li").CountAsync());

        foreach (var instance in instances)
        {
            var renewed = await app.Services.Reload(instance.Id);
            Assert.Equal(RenewalService.UnifiedExpiry(instance.ExpiresAt!.Value, 28), renewed.ExpiresAt);
            Assert.Equal(28, BusinessCalendar.LocalDate(renewed.ExpiresAt!.Value).Day);
        }
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Lines.Any(l => l.InstanceId == instances[0].Id)));
        Assert.Equal((OrderStatus.Paid, 3, payable), (order.Status, order.Lines.Count, order.Payable));
        Assert.Equal(before - payable, (await app.Services.Balance(account)).AvailableCredit);
        phone.AssertClean();
    }

    [Fact]
    public async Task The_renewal_method_of_a_selection_is_changed_on_the_page_and_R2_3_refusals_are_explained()
    {
        var account = await app.Services.DemoAccount();
        var now = DateTimeOffset.UtcNow;
        var first = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(now.AddDays(40)), region: "cn-beijing", name: "method-a");
        var second = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(now.AddDays(50)), region: "cn-beijing", name: "method-b");

        var phone = await app.SignedIn();
        var page = phone.Page;
        await page.GotoAsync("/renewals/manage/ecs/cn-beijing?tab=ManualRenewal&expiry=AllTimes");
        await page.GetByLabel("Select method-a").CheckAsync();
        await page.GetByLabel("Select method-b").CheckAsync();
        await phone.Tap(page.GetByTestId("change-method"), path => path.StartsWith("/renewal-method?", StringComparison.Ordinal));
        Assert.Equal(2, await page.Locator("[data-testid=method-instances] li").CountAsync());

        await page.GetByRole(AriaRole.Radio, new() { Name = "Auto-Renewal" }).CheckAsync();
        await page.GetByLabel("Auto-renewal period").SelectOptionAsync("3");
        await phone.Tap(page.GetByTestId("save-method"), path => path.StartsWith("/renewal-method", StringComparison.Ordinal));
        Assert.Equal("Renewal method saved for 2 instance(s).", (await phone.Text("method-saved")).Trim());
        foreach (var id in new[] { first.Id, second.Id })
        {
            var changed = await app.Services.Reload(id);
            Assert.Equal((RenewalMethod.AutoRenewal, (int?)3), (changed.RenewalMethod, changed.AutoRenewPeriodMonths));
        }
        Assert.Equal("Auto-Renewal · 3 Months", await page.Locator("[data-testid=method-instances] li", new() { HasText = "method-a" }).GetByTestId("method").InnerTextAsync());

        await page.GetByRole(AriaRole.Radio, new() { Name = "Expire Without Renewal" }).CheckAsync();
        await phone.Tap(page.GetByTestId("save-method"), path => path.StartsWith("/renewal-method", StringComparison.Ordinal));
        foreach (var id in new[] { first.Id, second.Id })
            Assert.Equal(RenewalMethod.NotRenewal, (await app.Services.Reload(id)).RenewalMethod);
        // They are now on the Expire Without Renewal tab.
        await page.GotoAsync("/renewals/manage/ecs/cn-beijing?tab=NotRenewal&expiry=AllTimes");
        Assert.Equal(2, await page.Locator("[data-testid=instances] li", new() { HasText = "method-" }).CountAsync());

        // R2.3: auto-renewal cannot be turned on for an expired instance; the page says why and nothing changes.
        var expired = await app.Services.InstanceNamed("edge-sg-01");
        var snapshot = await app.Services.Snapshot();
        await page.GotoAsync($"/renewal-method?ids={expired.Id}");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Auto-Renewal" }).CheckAsync();
        await phone.Tap(page.GetByTestId("save-method"), path => path.StartsWith("/renewal-method", StringComparison.Ordinal));
        Assert.Contains("renew it manually first, then turn on auto-renewal", await phone.Text("method-error"), StringComparison.Ordinal);
        Assert.Equal(snapshot, await app.Services.Snapshot());
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_region_with_many_instances_pages_by_20_and_Load_more_appends_the_next_page_keeping_the_selection()
    {
        var account = await app.Services.DemoAccount();
        var now = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 25; i++)
            await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(now.AddDays(30 + i)), region: "cn-shanghai", spec: "ecs.g7.large", name: $"fleet-{i:D2}");

        var phone = await app.SignedIn();
        var page = phone.Page;
        await page.GotoAsync("/renewals/manage/ecs/cn-shanghai?tab=ManualRenewal&expiry=AllTimes");
        Assert.Equal(20, await page.Locator("[data-testid=instances] > li").CountAsync());
        await page.GetByLabel("Select fleet-01").CheckAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Load more" }).ClickAsync();
        await page.Locator("[data-testid=instances] > li", new() { HasText = "fleet-25" }).WaitForAsync();
        Assert.Equal(25, await page.Locator("[data-testid=instances] > li").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Load more" }).CountAsync());
        Assert.True(await page.GetByLabel("Select fleet-01").IsCheckedAsync());
        await page.GetByLabel("Select fleet-25").CheckAsync();
        await phone.Tap(phone.Button("Renew Now"), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        Assert.Equal(2, await page.Locator("[data-testid=renew-lines] li").CountAsync());

        // The search by name or id.
        await page.GotoAsync("/renewals/manage/ecs/cn-shanghai?tab=ManualRenewal&expiry=AllTimes");
        await page.GetByLabel("Search by instance name or ID").FillAsync("fleet-1");
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }), path => path.Contains("q=fleet-1", StringComparison.Ordinal));
        Assert.Equal(10, await page.Locator("[data-testid=instances] > li").CountAsync());
        phone.AssertClean();
    }

    [Fact]
    public async Task View_Details_picks_another_eligible_coupon_or_none_and_says_why_the_others_do_not_apply()
    {
        // A customer of its own, so no other test has used its coupons.
        var account = await app.Services.Customer("1000.00");
        var instance = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(DateTimeOffset.UtcNow.AddDays(6)), region: "cn-hongkong", name: "coupon-hk");
        await app.Services.Coupon(account, "80.00", products: "ecs", orderTypes: Core.Coupons.CouponOrderTypes.Renew);
        await app.Services.Coupon(account, "30.00");
        await app.Services.Coupon(account, "500.00", products: "rds");
        var phone = await app.SignedIn(await app.Services.EmailOf(account), "Secret-2026");
        var page = phone.Page;
        await page.GotoAsync($"/renew?ids={instance.Id}&months=1");
        var original = Yuan(await phone.Text("original-price"));
        // R6.6: the largest deduction is applied by itself.
        Assert.StartsWith("-¥80.00 · 80.00 test voucher", (await phone.Text("coupon")).Trim(), StringComparison.Ordinal);
        Assert.Equal(original - Core.Money.Parse("80.00"), Yuan(await phone.Text("payable")));
        await phone.Tap(page.GetByTestId("coupon-details"), path => path.StartsWith("/renew/coupons?", StringComparison.Ordinal));
        // R6.5: a voucher for another product is listed with its reason.
        var refused = page.Locator("[data-testid=unusable-coupons] li", new() { HasText = "500.00 test voucher" });
        Assert.Contains("rds", await refused.GetByTestId("reason").InnerTextAsync(), StringComparison.Ordinal);
        await phone.Tap(page.GetByTestId("eligible-coupons").GetByRole(AriaRole.Link, new() { Name = "30.00 test voucher" }), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        Assert.StartsWith("-¥30.00 · 30.00 test voucher", (await phone.Text("coupon")).Trim(), StringComparison.Ordinal);
        Assert.Equal(original - Core.Money.Parse("30.00"), Yuan(await phone.Text("payable")));
        await phone.Tap(page.GetByTestId("coupon-details"), path => path.StartsWith("/renew/coupons?", StringComparison.Ordinal));
        await phone.Tap(page.GetByTestId("no-coupon"), path => path.Contains("coupon=none", StringComparison.Ordinal));
        Assert.Equal(original, Yuan(await phone.Text("payable")));
        // The choice is what the order gets (paid from the balance at once).
        await phone.Tap(phone.Button("Pay Now"), path => path.EndsWith("/result", StringComparison.Ordinal));
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Lines.Any(l => l.InstanceId == instance.Id)));
        Assert.Equal((original, (long?)null), (order.Payable, order.CouponId));
        phone.AssertClean();
    }
}
