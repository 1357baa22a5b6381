using System.Net.Http.Json;
using System.Text.Json;
using Cloudbill.Core;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Sandbox.Cloud;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>
/// `dotnet run` with no cloud (issue 21): the server registers the sandbox's simulated cloud as
/// a webhook endpoint with a provider key of its own, so a paid purchase goes Creating → Normal
/// through signed webhooks and the provider API, and a released instance's resource is deleted.
/// A real server process on its own database, as a developer runs it.
/// </summary>
public sealed class SandboxCloudTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_purchase_becomes_a_running_instance_and_a_release_deletes_its_resource_through_webhooks()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database, new Dictionary<string, string>
        {
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            ["Cloudbill__Webhooks__PollSeconds"] = "1",
            ["Cloudbill__Provisioning__SimulatedDelaySeconds"] = "0",
        });
        await using var test = await TestServices.Start(database, DateTimeOffset.UtcNow);
        using var http = new HttpClient { BaseAddress = server.Address };
        await Eventually.Until(() => Task.FromResult(server.Log.Contains("The sandbox cloud receives the webhooks at", StringComparison.Ordinal)), "the sandbox cloud connected");

        // Registered as an operator would: one endpoint for every event, one provider key, both audited.
        var endpoint = await test.Query(db => db.WebhookEndpoints.SingleAsync(Ct));
        Assert.Equal((new Uri(server.Address, "/sandbox/cloud/webhooks").ToString(), "Sandbox cloud (Development)", ""), (endpoint.Url, endpoint.Description, endpoint.EventTypes));
        Assert.Equal("Sandbox cloud (Development)", (await test.Query(db => db.ProviderKeys.SingleAsync(Ct))).Description);
        var registered = await test.Query(db => db.AuditEvents.Select(a => a.Kind).ToListAsync(Ct));
        Assert.Contains(AuditEventKind.WebhookEndpointAdded, registered);
        Assert.Contains(AuditEventKind.ProviderKeyCreated, registered);

        var account = await test.Customer("1000.00");
        var order = (await test.Run<PurchaseService, Result<Order>>((s, ct) =>
            s.Buy(account, new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1, Quantity: 1, AutoRenewal: false, AutoRenewPeriodMonths: null), new ClientToken("sandbox-cloud-1"), CouponChoice.None, ct))).Value;
        var paid = (await test.Run<OrderPayments, Result<PaymentOutcome>>((s, ct) => s.PayFromBalance(account, order.Id, ct))).Value;
        var id = Assert.Single(paid.CreatedInstanceIds);
        Assert.Equal(ProvisioningState.Creating, (await test.Reload(id)).Provisioning);

        // instance.create_requested → the cloud → POST /provider/v1/instances/{id}/created.
        await Eventually.Until(async () => (await test.Reload(id)).Provisioning == ProvisioningState.Ready, "the sandbox cloud reported the instance created", pause: TimeSpan.FromMilliseconds(100));
        // The cloud marks its resource running once it has Cloudbill's answer, just after the commit.
        await Eventually.Until(async () => (await Resource(http, id))?.State == "Running", "the sandbox cloud's resource running", pause: TimeSpan.FromMilliseconds(100));
        var call = await test.Query(db => db.AuditEvents.Where(a => a.Kind == AuditEventKind.ProviderCall).Select(a => a.Detail).ToListAsync(Ct));
        Assert.Equal($"POST /provider/v1/instances/{id}/created: 200", Assert.Single(call));

        // A month later it expires, 15 days on it is stopped, 15 more and it is released: the cloud
        // stops its resource, then deletes it.
        var instance = await test.Reload(id);
        await test.Services.GetRequiredService<LifecycleEngine>().RunUntil(instance.ExpiresAt!.Value.AddDays(31), Ct);
        Assert.NotNull((await test.Reload(id)).ReleasedAt);
        await Eventually.Until(async () => (await Resource(http, id))?.State == "Deleted", "the sandbox cloud deleted the resource", pause: TimeSpan.FromMilliseconds(100));

        var events = (await http.GetFromJsonAsync<List<CloudEventView>>("/sandbox/cloud/events", JsonSerializerOptions.Web, Ct))!
            .Where(e => e.InstanceId == id).Reverse().Select(e => (e.Type, e.Action)).ToList();
        Assert.Equal(["instance.create_requested", "instance.expired", "instance.suspended", "instance.released"], events.Select(e => e.Type));
        Assert.StartsWith("creating; reports it created at ", events[0].Action, StringComparison.Ordinal);
        Assert.Equal(["noted", "stopped", "deleted with its data"], events.Skip(1).Select(e => e.Action));
        // The developer sees the same on the sandbox page.
        var page = await http.GetStringAsync("/sandbox/", Ct);
        Assert.Contains($"<tr data-instance=\"{id}\">", page);
        Assert.Contains("<td class=\"state\">Deleted</td>", page);
        Assert.DoesNotContain("fail", server.Log[server.Log.IndexOf("The sandbox cloud receives", StringComparison.Ordinal)..], StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<CloudResourceView?> Resource(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<List<CloudResourceView>>("/sandbox/cloud/resources", JsonSerializerOptions.Web, Ct))!.SingleOrDefault(r => r.InstanceId == id);
}
