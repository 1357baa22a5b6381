using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// Every page of the app at phone size, in English and in Chinese: a screenshot saved under
/// artifacts/screenshots, no serious or critical accessibility violation (axe), no console or
/// server error; and the weight of the first page after sign-in.
/// </summary>
public class AppPagesTests(AppFixture app, ITestOutputHelper output) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("zh-CN", "zh")]
    public async Task Every_page_renders_accessibly_in_both_languages(string locale, string prefix)
    {
        var demo = await app.Services.DemoAccount();
        var webHk = await app.Services.InstanceNamed("web-hk-01");
        var apiHk = await app.Services.InstanceNamed("api-hk-02");
        var toPay = await app.Services.InstanceNamed(prefix == "en" ? "lb-hk" : "eip-web");
        var toRenew = await app.Services.InstanceNamed(prefix == "en" ? "cache-hz" : "catalog-mongo");
        var unpaid = (await app.Services.Run<RenewalService, Result<Order>>((s, ct) =>
            s.Place(demo, [toPay.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;
        var paid = (await app.Services.Run<RenewalService, Result<PaymentOutcome>>((s, ct) =>
            s.RenewNow(demo, [toRenew.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.Best, ct))).Value;

        var phone = await app.Open(locale);
        var page = phone.Page;
        async Task Visit(string name, string path)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path} answered {response.Status}");
            await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
            await phone.Screenshot($"{prefix}-{name}");
            await phone.AssertAccessible();
        }

        await Visit("signin", "/signin");
        await Visit("signup", "/signup");
        await phone.SignIn(AppFixture.DemoEmail, AppFixture.DemoPassword);
        await Visit("console", "/");
        await Visit("urgent-renewal", "/renewals/urgent");
        await Visit("renewal-management", "/renewals/manage");
        await Visit("renewal-product", "/renewals/urgent/ecs?tab=ManualRenewal&expiry=Urgent");
        await page.GetByTestId("all-times").ClickAsync();
        await phone.Screenshot($"{prefix}-renewal-product-all-times");
        await phone.AssertAccessible();
        await Visit("renewal-product-auto", "/renewals/manage/ecs?tab=AutoRenewal&expiry=AllTimes");
        await Visit("renewal-region", "/renewals/urgent/ecs/cn-hongkong?tab=ManualRenewal&expiry=Urgent");
        await Visit("renew-now", $"/renew?ids={webHk.Id}&months=1");
        await page.GetByTestId("other-durations").ClickAsync();
        await phone.Screenshot($"{prefix}-renew-now-other-durations");
        await Visit("renew-now-unified", $"/renew?ids={webHk.Id}&ids={apiHk.Id}&day=15");
        await Visit("renew-coupons", $"/renew/coupons?ids={webHk.Id}&months=1&coupon=best");
        await Visit("renewal-method", $"/renewal-method?ids={webHk.Id}&ids={apiHk.Id}");
        await Visit("order-pay", $"/orders/{unpaid.Id}/pay");
        await Visit("order-result", $"/orders/{paid.Order.Id}/result");
        await Visit("my-instances", "/instances");
        await Visit("my-instances-region", "/instances/cn-hongkong");
        await Visit("discover", "/discover");
        await Visit("my", "/my");
        await Visit("topup", "/topup");
        await page.GetByTestId("topup-submit").ClickAsync();
        await page.WaitForCashier();
        var payment = await app.Services.Query(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(
            db.GatewayPayments.Where(p => p.AccountId == demo).OrderByDescending(p => p.Id)));
        await Visit("payment", $"/payments/{payment.OutTradeNo}");
        await Visit("not-found", "/not-found");
        phone.AssertClean();
    }

    [Fact]
    public async Task The_first_page_after_sign_in_transfers_under_300_KB_compressed()
    {
        var phone = await app.Open();
        var page = phone.Page;
        await page.GotoAsync("/signin");
        await page.Locator("#email").FillAsync(AppFixture.DemoEmail);
        await page.Locator("#password").FillAsync(AppFixture.DemoPassword);
        var finished = new List<IRequest>();
        page.RequestFinished += (_, request) => { lock (finished) finished.Add(request); };
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        long bytes = 0;
        var lines = new List<string>();
        IRequest[] requests;
        lock (finished) requests = [.. finished];
        foreach (var request in requests)
        {
            var sizes = await request.SizesAsync();
            var size = sizes.ResponseBodySize + sizes.ResponseHeadersSize;
            bytes += size;
            lines.Add($"{size,8} {request.Method} {request.Url}");
        }
        output.WriteLine($"First page after sign-in: {bytes} bytes in {requests.Length} responses\n{string.Join("\n", lines)}");
        Assert.Contains(requests, r => r.Url.EndsWith("/_framework/blazor.web.js", StringComparison.Ordinal) || r.Url.Contains("/_framework/blazor.web.", StringComparison.Ordinal));
        Assert.True(bytes < 300 * 1024, $"{bytes} bytes:\n{string.Join("\n", lines)}");
        phone.AssertClean();
    }

    [Theory]
    [InlineData(360, 740)]
    [InlineData(430, 932)]
    [InlineData(1280, 800)]
    public async Task The_pages_fit_phones_from_360_to_430_px_and_a_desktop_without_sideways_scrolling(int width, int height)
    {
        var webHk = await app.Services.InstanceNamed("web-hk-01");
        var apiHk = await app.Services.InstanceNamed("api-hk-02");
        var phone = await app.SignedIn();
        var page = phone.Page;
        await page.SetViewportSizeAsync(width, height);
        foreach (var path in new[] { "/", "/renewals/urgent/ecs?tab=ManualRenewal&expiry=Urgent", "/renewals/urgent/ecs/cn-hongkong?tab=ManualRenewal&expiry=Urgent",
            $"/renew?ids={webHk.Id}&ids={apiHk.Id}&day=15", "/instances/cn-hongkong", "/my", "/discover" })
        {
            await page.GotoAsync(path);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} at {width} px is {overflow} px too wide");
        }
        if (width == 360)
            await phone.Screenshot("en-renew-now-360px");
        phone.AssertClean();
    }
}
