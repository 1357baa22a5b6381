using System.Text.Json;
using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The sandbox cannot give money away in production: it runs only in Development (what `dotnet run`
/// uses), by default or when Cloudbill:Payments:Sandbox is true, and that setting stops a start in
/// Production with one line; while it is on every page says so;
/// without it and without a real merchant, top-up and gateway payment say payments are not configured.
/// </summary>
public class SandboxModeTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Banner = "Sandbox: no real money";

    /// <summary>The server with the test database and nothing said about the sandbox: the environment decides.</summary>
    private static async Task<RunningServer> StartWithoutSandboxSetting(TestDatabase database, string environment) =>
        await RunningServer.Start(database, new Dictionary<string, string>
        {
            ["Cloudbill__Payments__Sandbox"] = "",
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["DOTNET_ENVIRONMENT"] = environment,
        });

    private static async Task<(int Status, string Body)> Get(RunningServer server, string path)
    {
        using var http = new HttpClient { BaseAddress = server.Address };
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task In_production_with_no_merchant_there_is_no_sandbox_and_top_up_says_payments_are_not_configured()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await StartWithoutSandboxSetting(database, "Production"); // what a published `cloudbill` runs in
        // Production seeds no demo customer: the operator creates the customers.
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow); // the server runs on the real clock: the order is due as it sees it
        var accountId = await services.Customer("100.00");
        var customer = await services.EmailOf(accountId);

        var (sandboxStatus, _) = await Get(server, "/sandbox/");
        Assert.Equal(404, sandboxStatus);
        var (_, signIn) = await Get(server, "/signin");
        Assert.DoesNotContain(Banner, signIn, StringComparison.Ordinal);

        var page = await browser.SignedIn(server.Address, customer, "Secret-2026");
        var response = await page.GotoAsync("/topup");
        Assert.Equal(200, response!.Status);
        var notice = await page.GetByTestId("payments-not-configured").InnerTextAsync();
        Assert.StartsWith("Payments are not configured on this Cloudbill", notice, StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("topup-form").CountAsync());
        Assert.Equal(0, await page.GetByTestId("sandbox-banner").CountAsync());

        // Paying an order at a gateway answers the same on the order's page: the reason with its 400, the order still unpaid.
        var instance = await services.Instance(accountId, services.Clock.GetUtcNow().AddDays(5));
        var order = (await services.Run<RenewalService, Result<Order>>((s, ct) =>
            s.Place(accountId, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;
        await page.GotoAsync($"/orders/{order.Id}/pay");
        await page.Locator("input[name='Input.Method'][value=Alipay]").CheckAsync();
        var paid = await page.RunAndWaitForResponseAsync(() => page.GetByTestId("confirm-pay").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, paid.Status);
        Assert.StartsWith("Payments are not configured on this Cloudbill", await page.GetByTestId("pay-error").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Unpaid, await services.Query(db => db.Orders.Where(o => o.Id == order.Id).Select(o => o.Status).SingleAsync()));
    }

    [Fact]
    public async Task In_development_the_sandbox_is_on_by_default_and_every_page_says_so()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await StartWithoutSandboxSetting(database, "Development");

        var (sandboxStatus, sandboxIndex) = await Get(server, "/sandbox/");
        Assert.Equal(200, sandboxStatus);
        Assert.Contains(Banner, sandboxIndex, StringComparison.Ordinal); // the sandbox's own pages
        var (_, signIn) = await Get(server, "/signin");
        Assert.Contains(Banner, signIn, StringComparison.Ordinal);

        var page = await browser.SignedInAsDemo(server.Address);
        Assert.StartsWith(Banner, await page.GetByTestId("sandbox-banner").InnerTextAsync(), StringComparison.Ordinal);
        await page.GotoAsync("/topup");
        Assert.StartsWith(Banner, await page.GetByTestId("sandbox-banner").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.GetByTestId("topup-form").CountAsync());
    }

    [Theory]
    [InlineData("server")]
    [InlineData("reconcile")]
    public async Task In_production_the_sandbox_setting_stops_the_start_with_one_line(string entrypoint)
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var environment = CloudbillProcess.DatabaseSettings(database);
        foreach (var (key, value) in CloudbillProcess.ProductionEnvironment)
            environment[key] = value;
        environment["Cloudbill__Payments__Sandbox"] = "true";

        string[] args = entrypoint == "server" ? ["--urls", $"http://127.0.0.1:{CloudbillProcess.FreePort()}"] : [entrypoint];
        var result = await CloudbillProcess.Run(environment, args);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("cloudbill: Cloudbill:Payments:Sandbox is true in the Production environment, but the payment sandbox pays without money and runs only in Development: "
            + "remove the setting and configure a real merchant under Cloudbill:Payments:Alipay or Cloudbill:Payments:UnionPay (docs/payments.md).", line);
    }

    [Fact]
    public async Task In_development_the_sandbox_can_be_asked_for_explicitly_and_says_so()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database, new Dictionary<string, string> { ["Cloudbill__Payments__Sandbox"] = "true" });

        var (sandboxStatus, _) = await Get(server, "/sandbox/");
        Assert.Equal(200, sandboxStatus);
        var (_, signIn) = await Get(server, "/signin");
        Assert.Contains(Banner, signIn, StringComparison.Ordinal);
    }

    [Fact]
    public void Dotnet_run_starts_the_server_in_Development()
    {
        // The README's `dotnet run --project src/Cloudbill.Server` takes the first profile of launchSettings.json.
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Cloudbill.Server", "Properties", "launchSettings.json")));
        var profile = settings.RootElement.GetProperty("profiles").EnumerateObject().First().Value;
        Assert.Equal("Project", profile.GetProperty("commandName").GetString());
        Assert.Equal("Development", profile.GetProperty("environmentVariables").GetProperty("ASPNETCORE_ENVIRONMENT").GetString());
        Assert.Equal("Development", profile.GetProperty("environmentVariables").GetProperty("DOTNET_ENVIRONMENT").GetString());
        // dotnet run starts in the project's folder: the README's data/ is the repository's.
        Assert.Equal("../../data", profile.GetProperty("environmentVariables").GetProperty("Cloudbill__DataDirectory").GetString());
    }
}
