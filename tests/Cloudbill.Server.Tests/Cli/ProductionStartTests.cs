using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests;

/// <summary>
/// A published build runs in Production: it seeds no demo customer unless asked, and it does not
/// start while an account still has the credentials the README publishes (docs/decisions/0026).
/// </summary>
public class ProductionStartTests
{
    private const string PublishedPasswordLine = "the account demo@cloudbill.local still has the published demo password";
    private const string PublishedSecretLine = "the AccessKey LTAI5tCloudbillDemo00001 still has the published demo secret";

    private static Dictionary<string, string> Production(TestDatabase database, Dictionary<string, string>? extra = null)
    {
        var environment = CloudbillProcess.DatabaseSettings(database);
        foreach (var (key, value) in CloudbillProcess.ProductionEnvironment.Concat(extra ?? []))
            environment[key] = value;
        return environment;
    }

    private static string Header(HttpResponseMessage answer, string name) =>
        answer.Headers.TryGetValues(name, out var values) || answer.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{answer.RequestMessage!.RequestUri!.PathAndQuery} has no {name} header.");

    private static async Task<string> RefusedStart(Dictionary<string, string> environment)
    {
        var result = await CloudbillProcess.Run(environment, "--urls", $"http://127.0.0.1:{CloudbillProcess.FreePort()}");
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}:\n{result.Output}\n{result.Error}");
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("cloudbill: ", line, StringComparison.Ordinal);
        return line;
    }

    [Fact]
    public async Task A_published_build_on_a_fresh_database_starts_without_a_demo_customer()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using (var server = await RunningServer.Start(database, CloudbillProcess.ProductionEnvironment))
        {
            using var http = new HttpClient { BaseAddress = server.Address };
            var ct = TestContext.Current.CancellationToken;
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/signin", ct)).StatusCode);

            // As a new operator tries it: no sandbox to pay with, and every answer (pages, a
            // redirect, a 404, static files, health, the API's error) carries the security headers.
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/sandbox/", ct)).StatusCode);
            using var api = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("") };
            foreach (var answer in new[]
            {
                await http.GetAsync("/signin", ct), await http.GetAsync("/signup", ct), await http.GetAsync("/", ct),
                await http.GetAsync("/no-such-page", ct), await http.GetAsync("/app.js", ct), await http.GetAsync("/healthz", ct),
                await http.SendAsync(api, ct),
            })
            {
                var where = $"{answer.RequestMessage!.Method} {answer.RequestMessage.RequestUri!.PathAndQuery} ({(int)answer.StatusCode})";
                Assert.True(answer.StatusCode < System.Net.HttpStatusCode.InternalServerError, where);
                Assert.Contains("frame-ancestors 'none'", Header(answer, "Content-Security-Policy"), StringComparison.Ordinal);
                Assert.Equal("DENY", Header(answer, "X-Frame-Options"));
                Assert.Equal("nosniff", Header(answer, "X-Content-Type-Options"));
                Assert.Equal("same-origin", Header(answer, "Referrer-Policy"));
            }
        }

        await using var services = await TestServices.Start(database);
        Assert.Equal(0, await services.Query(db => db.BillingAccounts.CountAsync()));
        Assert.Equal(0, await services.Query(db => db.AccessKeys.CountAsync()));
    }

    [Fact]
    public async Task Outside_development_the_start_is_refused_until_the_demo_password_and_secret_are_changed()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        // A database seeded earlier (`seed-demo`, or an older build's first start).
        Assert.Equal(0, (await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(database), "migrate")).ExitCode);
        var seeded = await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(database), "seed-demo");
        Assert.True(seeded.ExitCode == 0, seeded.Error);

        var both = await RefusedStart(Production(database));
        Assert.StartsWith($"cloudbill: {PublishedPasswordLine} and {PublishedSecretLine} (README, \"Demo data\"), so anyone could use them.", both, StringComparison.Ordinal);
        Assert.Contains("change the password in Settings and delete that AccessKey", both, StringComparison.Ordinal);

        await using var services = await TestServices.Start(database);
        await services.Run<UserManager<CloudbillUser>, IdentityResult>(async (users, _) =>
            await users.ChangePasswordAsync((await users.FindByEmailAsync("demo@cloudbill.local"))!, "Demo-2026!", "Operator-Own-2026!"));
        var secretOnly = await RefusedStart(Production(database));
        Assert.StartsWith($"cloudbill: {PublishedSecretLine} (README", secretOnly, StringComparison.Ordinal);

        // A disabled key can be enabled again: it still counts. A deleted one does not.
        var accountId = await services.Query(db => db.BillingAccounts.Where(a => a.Email == "demo@cloudbill.local").Select(a => a.Id).SingleAsync());
        await services.Run<AccessKeyService, Result<AccessKeySummary>>((keys, ct) => keys.SetEnabled(accountId, "LTAI5tCloudbillDemo00001", false, ct));
        Assert.StartsWith($"cloudbill: {PublishedSecretLine} (README", await RefusedStart(Production(database)), StringComparison.Ordinal);
        await services.Run<AccessKeyService, Result<string>>((keys, ct) => keys.Delete(accountId, "LTAI5tCloudbillDemo00001", ct));

        await using var server = await RunningServer.Start(database, CloudbillProcess.ProductionEnvironment);
        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Asked_for_in_production_the_demo_is_seeded_only_with_credentials_of_the_operators_own()
    {
        await using var published = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var line = await RefusedStart(Production(published, new() { ["Cloudbill__Demo__SeedOnFirstStart"] = "true" }));
        Assert.Contains("to seed a demo outside Development, first set Cloudbill:Demo:Password and Cloudbill:Demo:AccessKeySecret to values of your own.", line, StringComparison.Ordinal);

        await using var own = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using (var server = await RunningServer.Start(own, Production(own, new()
        {
            ["Cloudbill__Demo__SeedOnFirstStart"] = "true",
            ["Cloudbill__Demo__Password"] = "Showroom-2026!",
            ["Cloudbill__Demo__AccessKeySecret"] = "ShowroomSecret000000000000001",
        })))
        {
        }
        await using var services = await TestServices.Start(own);
        var demo = await services.Query(db => db.BillingAccounts.Where(a => a.Email == "demo@cloudbill.local").Select(a => a.Id).SingleAsync());
        Assert.Equal(31, await services.Query(db => db.Instances.CountAsync(i => i.AccountId == demo)));
        Assert.True(await services.Run<AccessKeyService, bool>((keys, ct) => keys.HasSecret("LTAI5tCloudbillDemo00001", "ShowroomSecret000000000000001", ct)));
    }
}
