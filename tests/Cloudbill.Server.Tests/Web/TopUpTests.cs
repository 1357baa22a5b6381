using System.Net.Http.Json;
using System.Text.Json;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>
/// Issue #5's end-to-end promise over real HTTP: a top-up created in the app, paid on the sandbox
/// gateway's cashier by form posts as a browser does, credited when the signed notification
/// arrives, and the new balance read back (R7.2, R7.3).
/// </summary>
public class TopUpTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static async Task<string> AvailableCredit(IPage page)
    {
        await page.GotoAsync("/my");
        return await page.GetByTestId("available-credit").InnerTextAsync();
    }

    private static async Task<JsonElement[]> Deliveries(RunningServer server)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        return (await http.GetFromJsonAsync<JsonElement[]>("/sandbox/notifications", TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public async Task An_Alipay_top_up_is_credited_by_the_signed_notification_and_reconciles()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        var page = await browser.SignedInAsDemo(server.Address);
        // The browser never comes back from the cashier: only the notification can credit the money (R7.3).
        await page.RouteAsync("**/payments/alipay/return**", route => route.AbortAsync());

        // My > Costs > Top-up.
        await page.GetByRole(AriaRole.Link, new() { Name = "My", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/my");
        await page.GetByTestId("costs-link").ClickAsync();
        await page.WaitForURLAsync("**/costs");
        await page.GetByTestId("topup-link").ClickAsync();
        await page.WaitForURLAsync("**/topup");
        await page.GetByLabel("Or another amount").FillAsync("250.00");
        await page.GetByLabel("Alipay").CheckAsync();
        var checkout = await page.RunAndWaitForRequestAsync(() => page.GetByTestId("topup-submit").ClickAsync(), r => r.Url.EndsWith("/checkout", StringComparison.Ordinal));
        var outTradeNo = new Uri(checkout.Url).Segments[^2].TrimEnd('/');

        // The checkout page posts the signed request to the sandbox's Alipay; its cashier hides Huabei and credit cards (R7.2).
        await page.WaitForCashier("alipay");
        var cashier = await page.Locator("body").InnerTextAsync();
        Assert.Contains("250.00", cashier, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("input[name=channel][value=huabei]:not([disabled])").CountAsync());
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();

        // The sandbox posts the signed notification to /payments/alipay/notify; Cloudbill answers "success".
        JsonElement[] deliveries = [];
        await Eventually.Until(async () => (deliveries = await Deliveries(server)).Any(d => d.GetProperty("acknowledged").GetBoolean()),
            "the sandbox's acknowledged notification", pause: TimeSpan.FromMilliseconds(250));
        var acknowledged = deliveries.Single(d => d.GetProperty("acknowledged").GetBoolean());
        Assert.Equal("success", acknowledged.GetProperty("body").GetString());
        Assert.EndsWith("/payments/alipay/notify", acknowledged.GetProperty("url").GetString(), StringComparison.Ordinal);

        Assert.Equal("¥5,250.00", await AvailableCredit(page));
        await page.GotoAsync($"/payments/{outTradeNo}");
        Assert.Equal("Top-up credited", await page.GetByTestId("payment-headline").InnerTextAsync());
        Assert.Equal("Credited", await page.GetByTestId("payment").GetAttributeAsync("data-state"));

        var environment = CloudbillProcess.DatabaseSettings(database);
        environment["Cloudbill__Payments__PublicBaseUrl"] = server.Address.ToString();
        var reconcile = await CloudbillProcess.Run(environment, "reconcile", "--gateways");
        Assert.True(reconcile.ExitCode == 0, reconcile.Output + reconcile.Error);
        Assert.Contains($"{outTradeNo} Alipay top-up 250.00 CNY: Cloudbill Credited, credited 250.00; gateway Paid (TradeSuccess): ok", reconcile.Output, StringComparison.Ordinal);
        Assert.Contains("Gateway payments reconciled: 1 payment(s) agree with Alipay and UnionPay.", reconcile.Output, StringComparison.Ordinal);
    }

    /// <summary>The sandbox index page's switches form: its antiforgery token (and cookie, kept by the client) with the values.</summary>
    private static Task<HttpResponseMessage> SetSandboxSwitches(HttpClient http, Dictionary<string, string> switches) =>
        SandboxSwitches.Set(http, switches, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_UnionPay_top_up_notified_five_times_at_once_is_credited_once()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        using (var http = new HttpClient { BaseAddress = server.Address })
        {
            var switched = await SetSandboxSwitches(http, new Dictionary<string, string> { ["duplicate"] = "5" });
            Assert.True(switched.IsSuccessStatusCode, await switched.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        var page = await browser.SignedInAsDemo(server.Address);
        // No return page, no query: the five concurrent notifications race to credit it first.
        await page.RouteAsync("**/payments/unionpay/return**", route => route.AbortAsync());

        await page.GotoAsync("/topup");
        await page.GetByLabel("1000.00").CheckAsync();
        await page.GetByLabel("UnionPay").CheckAsync();
        await page.GetByTestId("topup-submit").ClickAsync();
        await page.WaitForCashier("unionpay");
        await page.GetByLabel("SMS code", new() { Exact = false }).FillAsync("111111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();

        JsonElement[] deliveries = [];
        await Eventually.Until(async () => (deliveries = await Deliveries(server)).Count(d => d.GetProperty("statusCode").ValueKind == JsonValueKind.Number) >= 5,
            "five answered notifications", pause: TimeSpan.FromMilliseconds(250));
        Assert.Equal(5, deliveries.Count(d => d.GetProperty("statusCode").ValueKind == JsonValueKind.Number && d.GetProperty("statusCode").GetInt32() == 200));
        Assert.Equal("¥6,000.00", await AvailableCredit(page));
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow);
        var payment = await services.Query(db => db.GatewayPayments.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken));
        Assert.Equal((GatewayPaymentState.Credited, "notification"), (payment.State, payment.ConfirmedBy));
        Assert.Equal(1, await services.Query(db => db.JournalTransactions.CountAsync(t => t.BusinessKey == $"unionpay:{payment.OutTradeNo}:received", TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task A_Huabei_payment_that_gets_through_anyway_is_refunded_flagged_and_not_credited()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        using (var http = new HttpClient { BaseAddress = server.Address })
        {
            // As if Alipay ignored disable_pay_channels: the cashier offers Huabei.
            var switched = await SetSandboxSwitches(http, new Dictionary<string, string> { ["showAllChannels"] = "true" });
            Assert.True(switched.IsSuccessStatusCode);
        }
        var page = await browser.SignedInAsDemo(server.Address);

        await page.GotoAsync("/topup");
        await page.GetByLabel("500.00").CheckAsync();
        var checkout = await page.RunAndWaitForRequestAsync(() => page.GetByTestId("topup-submit").ClickAsync(), r => r.Url.EndsWith("/checkout", StringComparison.Ordinal));
        var outTradeNo = new Uri(checkout.Url).Segments[^2].TrimEnd('/');
        await page.WaitForCashier("alipay");
        await page.GetByLabel("Huabei (花呗)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/payments/{outTradeNo}");

        // R7.2: refunded at Alipay (the refund is confirmed by Alipay's answer), never on the balance.
        await Eventually.Until(async () =>
        {
            if (await page.GetByTestId("payment").GetAttributeAsync("data-state") == "Refunded")
                return true;
            await page.ReloadAsync();
            return false;
        }, "the payment page showing Refunded", pause: TimeSpan.FromMilliseconds(500));
        Assert.Equal("Refunded", await page.GetByTestId("payment").GetAttributeAsync("data-state"));
        Assert.Equal("Payment refunded", await page.GetByTestId("payment-headline").InnerTextAsync());
        Assert.Equal("Not credited: Huabei cannot be used; 500.00 CNY goes back to your Huabei in full.", await page.GetByTestId("payment-outcome").InnerTextAsync());
        Assert.Equal("¥5,000.00", await AvailableCredit(page));

        var environment = CloudbillProcess.DatabaseSettings(database);
        environment["Cloudbill__Payments__PublicBaseUrl"] = server.Address.ToString();
        var reconcile = await CloudbillProcess.Run(environment, "reconcile", "--gateways");
        Assert.True(reconcile.ExitCode == 0, reconcile.Output + reconcile.Error);
        Assert.Contains($"{outTradeNo} Alipay top-up 500.00 CNY: Cloudbill Refunded, credited 0.00; gateway Closed (TradeClosed), refund Refunded 500.00: ok (flagged: Paid with Huabei, which is refused (R7.2); refunded in full at Alipay.)",
            reconcile.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_amount_gets_its_error_on_the_page_with_a_400_and_no_payment()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        var page = await browser.SignedInAsDemo(server.Address);

        await page.GotoAsync("/topup");
        await page.GetByLabel("Or another amount").FillAsync("0.001");
        var response = await page.RunAndWaitForResponseAsync(() => page.GetByTestId("topup-submit").ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/topup");

        Assert.Equal(400, response.Status);
        Assert.Equal("The top-up amount is not valid: '0.001' has more than two decimals; amounts are exact to the fen (0.01).",
            (await page.GetByTestId("amount-error").InnerTextAsync()).Trim());
        Assert.Equal("¥5,000.00", await AvailableCredit(page));
        Assert.Empty(await Deliveries(server));
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow);
        Assert.Equal(0, await services.Query(db => db.GatewayPayments.CountAsync(TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task Unreadable_or_forged_notifications_over_HTTP_get_a_400_never_a_500()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        using var http = new HttpClient { BaseAddress = server.Address };
        var ct = TestContext.Current.CancellationToken;

        foreach (var path in new[] { "/payments/alipay/notify", "/payments/unionpay/notify" })
        {
            var bodies = new (string Case, HttpContent Content)[]
            {
                ("empty form", new FormUrlEncodedContent([])),
                ("fields without a signature", new FormUrlEncodedContent(new Dictionary<string, string> { ["out_trade_no"] = "CB1", ["orderId"] = "CB1", ["total_amount"] = "1.00" })),
                ("JSON instead of a form", new StringContent("{\"out_trade_no\":\"CB1\"}", System.Text.Encoding.UTF8, "application/json")),
                ("multipart without a boundary", new StringContent("--x--", System.Text.Encoding.UTF8, "multipart/form-data")),
            };
            foreach (var (name, content) in bodies)
            {
                var response = await http.PostAsync(path, content, ct);
                Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{path} {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                Assert.NotEqual("success", await response.Content.ReadAsStringAsync(ct));
            }
        }
        Assert.DoesNotContain("Unhandled exception", server.Log, StringComparison.Ordinal);
    }
}
