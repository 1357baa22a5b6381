using System.Text.Json;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests;

/// <summary>
/// The sandbox cannot give money away in production: it is on by default only in Development (what
/// `dotnet run` uses) or when Cloudbill:Payments:Sandbox is true; while it is on every page says so;
/// without it and without a real merchant, top-up and gateway payment say payments are not configured.
/// </summary>
public class SandboxModeTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Banner = "Sandbox: no real money";

    /// <summary>The server with the test database and nothing said about the sandbox: the environment decides.</summary>
    private static async Task<RunningServer> StartWithoutSandboxSetting(TestDatabase database, string? environment)
    {
        var settings = new Dictionary<string, string> { ["Cloudbill__Payments__Sandbox"] = "" };
        if (environment is not null)
            settings["ASPNETCORE_ENVIRONMENT"] = environment;
        return await RunningServer.Start(database, settings);
    }

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
        await using var server = await StartWithoutSandboxSetting(database, environment: null); // Production: no ASPNETCORE_ENVIRONMENT

        var (sandboxStatus, _) = await Get(server, "/sandbox/");
        Assert.Equal(404, sandboxStatus);
        var (_, signIn) = await Get(server, "/signin");
        Assert.DoesNotContain(Banner, signIn, StringComparison.Ordinal);

        var page = await browser.SignedInAsDemo(server.Address);
        var response = await page.GotoAsync("/topup");
        Assert.Equal(200, response!.Status);
        var notice = await page.GetByTestId("payments-not-configured").InnerTextAsync();
        Assert.StartsWith("Payments are not configured on this Cloudbill", notice, StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByTestId("topup-form").CountAsync());
        Assert.Equal(0, await page.GetByTestId("sandbox-banner").CountAsync());

        // Paying an order at a gateway answers the same, as a problem the app shows, never an error page.
        await page.GotoAsync("/");
        var antiforgery = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", antiforgery!);
        form.Set("method", "Alipay");
        form.Set("clientToken", "no-gateway-1");
        var paid = await page.Context.APIRequest.PostAsync("/payments/orders/1", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(400, paid.Status);
        using var problem = JsonDocument.Parse(await paid.TextAsync());
        Assert.Equal("Payment.NotConfigured", problem.RootElement.GetProperty("code").GetString());
        Assert.StartsWith("Payments are not configured on this Cloudbill", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
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

    [Fact]
    public async Task In_production_the_sandbox_runs_only_when_explicitly_enabled_and_says_so()
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
