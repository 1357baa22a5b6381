using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Instances;
using Cloudbill.Core.ProviderApi;
using Cloudbill.Server.Tests.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>/provider/v1 over HTTP (docs/webhooks.md, "Provider API"): provider keys only, problem+json refusals with stable codes, a rate limit, an audit row per call.</summary>
public sealed class ProviderApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<NewProviderKey> ProviderKey(WebHost host)
    {
        await using var scope = host.App.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ProviderKeyService>().Add("test cloud", Ct)).Value;
    }

    /// <summary>An instance the customer just bought: Creating until the provider reports it.</summary>
    private static Task<Instance> Creating(WebHost host, long account, string id) => host.Query(async db =>
    {
        var instance = new Instance
        {
            Id = id,
            AccountId = account,
            ProductCode = "ecs",
            SpecCode = "ecs.g7.large",
            RegionId = "cn-hangzhou",
            Name = "web-1",
            Provisioning = ProvisioningState.Creating,
            CreatedAt = DateTimeOffset.UtcNow,
            ExpiresAt = DateTimeOffset.UtcNow.AddMonths(1),
        };
        db.Instances.Add(instance);
        await db.SaveChangesAsync(Ct);
        return instance;
    });

    private static async Task<(HttpStatusCode Status, JsonElement Body, string? Type)> Send(HttpClient http, HttpMethod method, string path, string? token, string? json = null,
        string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, contentType);
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertProblem((HttpStatusCode Status, JsonElement Body, string? Type) answer, HttpStatusCode status, string code)
    {
        Assert.Equal((status, "application/problem+json", code), (answer.Status, answer.Type, answer.Body.GetProperty("code").GetString()));
        Assert.Equal("urn:cloudbill:problem:" + code, answer.Body.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.Body.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Only_an_active_provider_key_authenticates_and_it_never_authenticates_the_customer_API()
    {
        await using var host = await WebHost.Start();
        using var http = new HttpClient { BaseAddress = host.Address };
        var (account, accessKeyId, secret) = await host.Customer("amy@example.com");
        var key = await ProviderKey(host);
        await Creating(host, account, "i-providerauth0000001");
        const string path = "/provider/v1/instances/i-providerauth0000001/created";

        AssertProblem(await Send(http, HttpMethod.Post, path, null), HttpStatusCode.Unauthorized, "Provider.Unauthorized");
        AssertProblem(await Send(http, HttpMethod.Post, path, $"{accessKeyId}.{secret}"), HttpStatusCode.Unauthorized, "Provider.Unauthorized");
        AssertProblem(await Send(http, HttpMethod.Post, path, $"{key.Id}.{key.Secret}x"), HttpStatusCode.Unauthorized, "Provider.Unauthorized");
        Assert.Equal(ProvisioningState.Creating, await host.Query(db => db.Instances.Where(i => i.Id == "i-providerauth0000001").Select(i => i.Provisioning).SingleAsync(Ct)));

        var created = await Send(http, HttpMethod.Post, path, key.Token);
        Assert.Equal((HttpStatusCode.OK, "Ready"), (created.Status, created.Body.GetProperty("state").GetString()));
        Assert.Equal(created.Body.GetRawText(), (await Send(http, HttpMethod.Post, path, key.Token)).Body.GetRawText());

        // The provider key is no AccessKey of the customer API.
        using (var bss = new BssTestClient(host.Address, key.Id, key.Secret))
        {
            var (status, body, _) = await bss.Call("QueryAccountBalance");
            Assert.Equal((404, "InvalidAccessKeyId.NotFound"), (status, body.GetProperty("Code").GetString()));
        }

        await using (var scope = host.App.Services.CreateAsyncScope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<ProviderKeyService>().Revoke(key.Id, Ct)).Succeeded);
        AssertProblem(await Send(http, HttpMethod.Post, path, key.Token), HttpStatusCode.Unauthorized, "Provider.Unauthorized");

        // Every call is audited: the refusals with nobody, the accepted calls as the provider key.
        var audit = await host.Query(db => db.AuditEvents.AsNoTracking().Where(e => e.Kind == AuditEventKind.ProviderCall || e.Kind == AuditEventKind.ProviderKeyRejected).OrderBy(e => e.Id).ToListAsync(Ct));
        Assert.Equal([AuditEventKind.ProviderKeyRejected, AuditEventKind.ProviderKeyRejected, AuditEventKind.ProviderKeyRejected, AuditEventKind.ProviderCall, AuditEventKind.ProviderCall, AuditEventKind.ProviderKeyRejected],
            audit.Select(e => e.Kind));
        Assert.All(audit.Where(e => e.Kind == AuditEventKind.ProviderCall), e => Assert.Equal((AuditActor.Provider, key.Id), (e.Actor, e.ActorId)));
        Assert.Equal($"POST {path}: 200", audit[3].Detail);
    }

    [Fact]
    public async Task Bad_requests_are_problems_with_precise_codes_and_change_nothing()
    {
        await using var host = await WebHost.Start();
        using var http = new HttpClient { BaseAddress = host.Address };
        var (account, _, _) = await host.Customer("ben@example.com");
        var key = await ProviderKey(host);
        await Creating(host, account, "i-providerbad00000001");
        var before = await Send(http, HttpMethod.Get, "/provider/v1/instances/i-providerbad00000001", key.Token);
        Assert.Equal((HttpStatusCode.OK, "Creating", account), (before.Status, before.Body.GetProperty("state").GetString(), before.Body.GetProperty("accountId").GetInt64()));
        await Send(http, HttpMethod.Post, "/provider/v1/instances/i-providerbad00000001/created", key.Token);
        Assert.Equal("Ready", (await Send(http, HttpMethod.Get, "/provider/v1/instances/i-providerbad00000001", key.Token)).Body.GetProperty("state").GetString());

        AssertProblem(await Send(http, HttpMethod.Get, "/provider/v1/instances/i-nosuchinstance00000", key.Token), HttpStatusCode.NotFound, "Instance.NotFound");
        AssertProblem(await Send(http, HttpMethod.Get, "/provider/v1/instances/i-providerbad00000001", null), HttpStatusCode.Unauthorized, "Provider.Unauthorized");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-nosuchinstance00000/created", key.Token), HttpStatusCode.NotFound, "Instance.NotFound");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-providerbad00000001/failed", key.Token, "{\"reason\":"), HttpStatusCode.BadRequest, "Request.InvalidJson");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-providerbad00000001/failed", key.Token, "{\"why\":\"x\"}"), HttpStatusCode.BadRequest, "Request.InvalidJson");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-providerbad00000001/failed", key.Token, "reason=x", "application/x-www-form-urlencoded"), HttpStatusCode.BadRequest, "Request.NotJson");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-providerbad00000001/failed", key.Token, "{\"reason\":\"no capacity\"}"), HttpStatusCode.Conflict, "Instance.NotCreating");
        AssertProblem(await Send(http, HttpMethod.Patch, "/provider/v1/instances/i-providerbad00000001", key.Token, "{}"), HttpStatusCode.BadRequest, "Provider.NothingToChange");
        AssertProblem(await Send(http, HttpMethod.Get, "/provider/v1/instances", key.Token), HttpStatusCode.NotFound, "Provider.NoSuchEndpoint");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/import?dryRun=maybe", key.Token, "{\"customers\":[]}"), HttpStatusCode.BadRequest, "Import.DryRun");

        var changed = await Send(http, HttpMethod.Patch, "/provider/v1/instances/i-providerbad00000001", key.Token, "{\"name\":\"web-2\"}");
        Assert.Equal((HttpStatusCode.OK, "web-2"), (changed.Status, changed.Body.GetProperty("name").GetString()));
        Assert.Equal(ProvisioningState.Ready, await host.Query(db => db.Instances.Where(i => i.Id == "i-providerbad00000001").Select(i => i.Provisioning).SingleAsync(Ct)));
    }

    [Fact]
    public async Task An_import_answers_422_with_every_invalid_row_and_a_dry_run_then_a_run_then_a_repeat()
    {
        await using var host = await WebHost.Start();
        using var http = new HttpClient { BaseAddress = host.Address };
        var key = await ProviderKey(host);
        const string good = """
            {"customers":[{"externalId":"crm-1","email":"cara@example.com","name":"Cara","openingBalance":"50.00",
              "instances":[{"externalId":"vm-1","product":"ecs","spec":"ecs.g7.large","region":"cn-hangzhou","name":"web-1","expiresAt":"2027-06-01","renewalMethod":"manual_renewal"}]}]}
            """;
        var bad = good.Replace("\"cn-hangzhou\"", "\"cn-nowhere\"", StringComparison.Ordinal).Replace("\"50.00\"", "\"50.005\"", StringComparison.Ordinal);

        var refused = await Send(http, HttpMethod.Post, "/provider/v1/import", key.Token, bad);
        AssertProblem(refused, HttpStatusCode.UnprocessableEntity, "Import.Invalid");
        Assert.Equal([("customers[0]", "openingBalance"), ("customers[0].instances[0]", "region")],
            refused.Body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("where").GetString(), e.GetProperty("field").GetString())).Order());
        Assert.Equal(0, await host.Query(db => db.BillingAccounts.CountAsync(Ct)));

        var dry = await Send(http, HttpMethod.Post, "/provider/v1/import?dryRun=true", key.Token, good);
        Assert.Equal((HttpStatusCode.OK, true, false, 3), (dry.Status, dry.Body.GetProperty("dryRun").GetBoolean(), dry.Body.GetProperty("applied").GetBoolean(), dry.Body.GetProperty("changes").GetInt32()));
        Assert.Equal(0, await host.Query(db => db.BillingAccounts.CountAsync(Ct)));

        var run = await Send(http, HttpMethod.Post, "/provider/v1/import", key.Token, good);
        Assert.Equal((HttpStatusCode.OK, true, 3), (run.Status, run.Body.GetProperty("applied").GetBoolean(), run.Body.GetProperty("changes").GetInt32()));
        var instanceId = run.Body.GetProperty("instances")[0].GetProperty("instanceId").GetString()!;
        Assert.StartsWith("i-", instanceId, StringComparison.Ordinal);
        var repeat = await Send(http, HttpMethod.Post, "/provider/v1/import", key.Token, good);
        Assert.Equal((0, instanceId), (repeat.Body.GetProperty("changes").GetInt32(), repeat.Body.GetProperty("instances")[0].GetProperty("instanceId").GetString()));
    }

    [Fact]
    public async Task Calls_past_the_rate_limit_are_refused_with_429()
    {
        await using var host = await WebHost.Start(new Dictionary<string, string?>
        {
            ["Cloudbill:RateLimits:ProviderApi:Requests"] = "2",
            ["Cloudbill:RateLimits:ProviderApi:WindowSeconds"] = "3600",
        });
        using var http = new HttpClient { BaseAddress = host.Address };
        var key = await ProviderKey(host);
        for (var n = 0; n < 2; n++)
            AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-nosuchinstance00000/created", key.Token), HttpStatusCode.NotFound, "Instance.NotFound");
        AssertProblem(await Send(http, HttpMethod.Post, "/provider/v1/instances/i-nosuchinstance00000/created", key.Token), HttpStatusCode.TooManyRequests, "Request.TooMany");
    }
}
