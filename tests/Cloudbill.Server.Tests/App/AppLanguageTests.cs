using Cloudbill.Core.Orders;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>The same renewal in Simplified Chinese, with the language chosen in the header and remembered for the customer.</summary>
public class AppLanguageTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task The_Urgent_Renewal_procedure_in_Chinese_with_the_language_remembered_for_the_customer()
    {
        var phone = await app.Open("en-US");
        var page = phone.Page;
        await page.GotoAsync("/signin");
        // The switch in the header, before signing in (a cookie remembers it).
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "Language: 中文" }), path => path.StartsWith("/signin", StringComparison.Ordinal));
        Assert.Equal("登录", (await page.Locator(".appbar-title").InnerTextAsync()).Trim());
        Assert.Equal("zh-CN", await page.Locator("html").GetAttributeAsync("lang"));
        await page.GetByLabel("邮箱").FillAsync(AppFixture.DemoEmail);
        await page.GetByLabel("密码").FillAsync(AppFixture.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        var instance = await app.Services.InstanceNamed("build-hz-01");
        var expected = BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 1);
        await page.GotoAsync("/my");
        var before = Yuan(await phone.Text("available-credit"));

        // 控制台 > 紧急续费 > 云服务器 ECS-包年包月 > 华东1（杭州） > 立即续费 > 1个月 > 立即支付.
        await phone.Tap(phone.Link("控制台"), path => path == "/");
        await phone.Tap(phone.Link("紧急续费"), path => path == "/renewals/urgent");
        await phone.Tap(phone.Link("云服务器 ECS-包年包月"), path => path.StartsWith("/renewals/urgent/ecs?", StringComparison.Ordinal));
        Assert.Contains("手动续费", await page.GetByTestId("tab-ManualRenewal").InnerTextAsync(), StringComparison.Ordinal);
        await phone.Tap(phone.Link("华东1（杭州）"), path => path.StartsWith("/renewals/urgent/ecs/cn-hangzhou", StringComparison.Ordinal));
        var card = page.Locator("[data-testid=instances] li", new() { HasText = "build-hz-01" });
        Assert.Contains("已过期", await card.InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("选择 build-hz-01").CheckAsync();
        await phone.Tap(phone.Button("立即续费"), path => path.StartsWith("/renew?", StringComparison.Ordinal));
        Assert.Contains("续费时长", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "1个月", Exact = true }), path => path.Contains("months=1", StringComparison.Ordinal));
        Assert.Contains("续费实例", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        // R3.2: an expired instance is renewed from its old expiry.
        Assert.Equal(Date(expected), await page.GetByTestId("new-expiry").InnerTextAsync());
        var payable = Yuan(await phone.Text("payable"));
        Assert.True(await page.GetByRole(AriaRole.Radio, new() { Name = "余额" }).IsCheckedAsync());
        await phone.Tap(phone.Button("立即支付"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal("支付成功", (await page.Locator(".result-title").InnerTextAsync()).Trim());
        await phone.Tap(phone.Link("查看我的实例"), path => path == "/instances/cn-hangzhou");
        var renewed = page.Locator("[data-testid=instances] li", new() { HasText = "build-hz-01" });
        Assert.Equal(Date(expected), await renewed.GetByTestId("expiry").InnerTextAsync());
        await page.GotoAsync("/my");
        Assert.Equal(before - payable, Yuan(await phone.Text("available-credit")));
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Lines.Any(l => l.InstanceId == instance.Id)));
        Assert.Equal((OrderStatus.Paid, payable), (order.Status, order.Payable));
        phone.AssertClean();

        // Another phone, an English browser: the customer's choice follows the sign-in.
        var other = await app.Open("en-US");
        await other.SignIn(AppFixture.DemoEmail, AppFixture.DemoPassword);
        Assert.Contains("紧急续费", await other.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        // And back to English from the header.
        await other.Tap(other.Page.GetByRole(AriaRole.Button, new() { Name = "语言: EN" }), path => path == "/");
        Assert.Contains("Urgent Renewal", await other.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        var saved = await app.Services.Query(db => db.Users.AsNoTracking().Where(u => u.Email == AppFixture.DemoEmail).Select(u => u.PreferredCulture).SingleAsync());
        Assert.Equal("en", saved);
        other.AssertClean();
    }
}
