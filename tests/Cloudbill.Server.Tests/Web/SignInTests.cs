using System.Net;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>The README's promise: start the server, sign in as the demo customer, see the instances.</summary>
public class SignInTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string DemoEmail = "demo@cloudbill.local";
    private const string DemoPassword = "Demo-2026!";

    private static async Task SignIn(IPage page, string email, string password)
    {
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/signin?ReturnUrl=%2F");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static async Task AssertDemoHome(IPage page)
    {
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Equal("31", await page.GetByTestId("my-instances").Locator(".list-count").InnerTextAsync());
        Assert.Equal("¥5,000.00", await page.GetByTestId("console-credit").Locator(".credit-amount").InnerTextAsync());
        await page.GotoAsync("/my");
        Assert.Equal("¥5,000.00", await page.GetByTestId("available-credit").InnerTextAsync());
        async Task<string> Card(string region, string name)
        {
            await page.GotoAsync($"/instances/{region}");
            return await page.Locator("[data-testid=instances] li", new() { HasText = name }).InnerTextAsync();
        }
        var hongKong = await Card("cn-hongkong", "web-hk-01");
        Assert.Contains("Elastic Compute Service (ECS)", hongKong, StringComparison.Ordinal);
        Assert.Contains("Expires in 3 days", hongKong, StringComparison.Ordinal);
        Assert.Contains("Suspended", await Card("ap-southeast-1", "edge-sg-01"), StringComparison.Ordinal);
        Assert.Contains("Expire Without Renewal", await Card("cn-shenzhen", "legacy-sz"), StringComparison.Ordinal);
        Assert.Contains("Auto-Renewal · 1 Year", await Card("cn-hangzhou", "orders-db"), StringComparison.Ordinal);
        Assert.Contains("Pay-As-You-Go", await Card("cn-hangzhou", "worker-payg-01"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_embedded_server_seeds_the_demo_on_first_start_and_reuses_it_on_the_second()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using (var first = await RunningServer.Start(database))
        {
            var page = await browser.NewPhonePage(first.Address);
            await SignIn(page, DemoEmail, DemoPassword);
            await AssertDemoHome(page);
            await page.Context.CloseAsync();
        }

        await using var second = await RunningServer.Start(database);
        var again = await browser.NewPhonePage(second.Address);
        await SignIn(again, DemoEmail, DemoPassword);
        await AssertDemoHome(again);
        Assert.DoesNotContain("Seeded the demo customer", second.Log, StringComparison.Ordinal);

        var reconcile = await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(database), "reconcile");
        Assert.Contains("1 transactions", reconcile.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgreSQL_serves_the_demo_after_migrate_and_seed_demo()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Postgres);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "seed-demo")).ExitCode);

        await using var server = await RunningServer.Start(database);
        var page = await browser.NewPhonePage(server.Address);
        await SignIn(page, DemoEmail, DemoPassword);
        await AssertDemoHome(page);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_clear_message()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        var page = await browser.NewPhonePage(server.Address);

        await SignIn(page, DemoEmail, "not-the-password");

        Assert.Equal("The email or password is incorrect.", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
        Assert.EndsWith("/signin?ReturnUrl=%2F", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_returns_to_the_sign_in_page()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        var page = await browser.NewPhonePage(server.Address);
        await SignIn(page, DemoEmail, DemoPassword);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        // My tab: Sign out.
        await page.GetByRole(AriaRole.Link, new() { Name = "My", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/my");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/signin");
        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/signin?ReturnUrl=%2F");
    }

    [Fact]
    public async Task Health_and_anonymous_access()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Address };
        var ct = TestContext.Current.CancellationToken;

        var health = await http.GetAsync("/healthz", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(ct));

        var home = await http.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/signin?ReturnUrl=%2F", home.Headers.Location!.PathAndQuery);

        var missing = await http.GetAsync("/no-such-page", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Page not found", await missing.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        // A sign-in post without the antiforgery token is refused, not an error page: back to the
        // sign-in page (FormRefusals), and nobody is signed in.
        var forged = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["Input.Email"] = DemoEmail,
            ["Input.Password"] = DemoPassword,
        }), ct);
        Assert.Equal(HttpStatusCode.SeeOther, forged.StatusCode);
        Assert.Equal("/signin", forged.Headers.Location!.OriginalString);
        Assert.DoesNotContain(forged.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("cloudbill.auth=", StringComparison.Ordinal));
    }
}
