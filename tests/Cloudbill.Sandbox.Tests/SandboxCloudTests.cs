using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Cloudbill.Core.Webhooks;
using Cloudbill.Sandbox.Cloud;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cloudbill.Sandbox.Tests;

/// <summary>
/// The simulated cloud as a webhook receiver (docs/webhooks.md): it takes only what verifies,
/// each event id once, and reports requested instances created to a provider API, here a fake
/// one that records each call. Time is a fake clock; the reports are the signal.
/// </summary>
public sealed class SandboxCloudTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Report(string InstanceId, string? Authorization, DateTimeOffset At);

    private sealed class Cloud : IAsyncDisposable
    {
        public const string Token = "pk_0123456789abcdef01234567.pks_sandbox-cloud-test";

        private readonly Channel<Report> reports = Channel.CreateUnbounded<Report>();
        private WebApplication sandbox = null!;
        private WebApplication provider = null!;
        private int calls;

        public FakeTimeProvider Clock { get; } = new(SandboxHarness.Start);
        public string Secret { get; } = WebhookSecret.NewSecret();
        public HttpClient Http { get; } = new();

        /// <summary>The provider API's answer to its Nth "created" call (1-based).</summary>
        public Func<int, HttpStatusCode> Answer { get; set; } = _ => HttpStatusCode.OK;

        public static async Task<Cloud> Start(bool connect = true)
        {
            var cloud = new Cloud();
            var providerBuilder = WebApplication.CreateSlimBuilder();
            providerBuilder.WebHost.UseUrls("http://127.0.0.1:0");
            providerBuilder.Logging.ClearProviders();
            cloud.provider = providerBuilder.Build();
            cloud.provider.MapPost("/provider/v1/instances/{id}/created", async (string id, HttpRequest request) =>
            {
                await cloud.reports.Writer.WriteAsync(new Report(id, request.Headers.Authorization.ToString(), cloud.Clock.GetUtcNow()));
                var status = cloud.Answer(Interlocked.Increment(ref cloud.calls));
                return Results.Json(new { id, state = status == HttpStatusCode.OK ? "Ready" : "Released" }, statusCode: (int)status);
            });
            await cloud.provider.StartAsync(Ct);

            var directory = Directory.CreateTempSubdirectory("cloudbill-sandbox-cloud-").FullName;
            File.Copy(SandboxHarness.TemplateCredentials.Value, Path.Combine(directory, SandboxCredentials.FileName));
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(cloud.Clock);
            builder.Services.AddPaymentSandbox(new SandboxOptions { Directory = directory, CloudReportDelay = TimeSpan.FromSeconds(3) });
            cloud.sandbox = builder.Build();
            cloud.sandbox.MapPaymentSandbox();
            await cloud.sandbox.StartAsync(Ct);
            cloud.Http.BaseAddress = new Uri(cloud.sandbox.Urls.Single());
            if (connect)
                cloud.sandbox.Services.GetRequiredService<SandboxCloudConnection>().Connect(new SandboxCloudLink(new Uri(cloud.provider.Urls.Single() + "/"), cloud.Secret, Token));
            return cloud;
        }

        /// <summary>Posts an event as Cloudbill's dispatcher does: signed with <paramref name="secret"/> (the cloud's by default) at <paramref name="signedAt"/> (now by default).</summary>
        public async Task<(HttpStatusCode Status, string Body)> Send(string id, string body, string? secret = null, DateTimeOffset? signedAt = null, bool omitSignature = false)
        {
            var at = signedAt ?? Clock.GetUtcNow();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/sandbox/cloud/webhooks") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation(WebhookSigner.IdHeader, id);
            request.Headers.TryAddWithoutValidation(WebhookSigner.TimestampHeader, at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!omitSignature)
                request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, WebhookSigner.Signatures([secret ?? Secret], id, at, body));
            using var response = await Http.SendAsync(request, Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        public async Task<Report> NextReport()
        {
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            hang.CancelAfter(TimeSpan.FromMinutes(5));
            return await reports.Reader.ReadAsync(hang.Token);
        }

        public bool NoMoreReports() => !reports.Reader.TryRead(out _);

        public async Task<List<CloudResourceView>> Resources() =>
            JsonSerializer.Deserialize<List<CloudResourceView>>(await Http.GetStringAsync("/sandbox/cloud/resources", Ct), JsonSerializerOptions.Web)!;

        public async Task<List<CloudEventView>> Events() =>
            JsonSerializer.Deserialize<List<CloudEventView>>(await Http.GetStringAsync("/sandbox/cloud/events", Ct), JsonSerializerOptions.Web)!;

        /// <summary>The reporter has nothing due at the clock's time: the page shows the resource in its final state.</summary>
        public async Task<string> StateOf(string instanceId, string expected)
        {
            async Task<string> State() => (await Resources()).SingleOrDefault(r => r.InstanceId == instanceId)?.State ?? "(none)";
            await Eventually(async () => await State() == expected);
            return await State();
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await sandbox.StopAsync(Ct);
            await sandbox.DisposeAsync();
            await provider.StopAsync(Ct);
            await provider.DisposeAsync();
        }
    }

    private static string Event(string id, string type, string data) =>
        $$"""{"id":"{{id}}","type":"{{type}}","timestamp":"2026-11-26T04:00:00Z","account_id":42,"data":{{data}}}""";

    private static string CreateRequested(string id, string instanceId) => Event(id, "instance.create_requested",
        $$"""{"instance_id":"{{instanceId}}","order_id":7,"product":"ecs","spec":"ecs.g7.large","region":"cn-hongkong","name":"web-1","charge_type":"subscription","expires_at":"2026-12-26T16:00:00Z","renewal_method":"manual_renewal","auto_renew_period_months":null}""");

    private static string InstanceEvent(string id, string type, string instanceId, string reason) =>
        Event(id, type, $$"""{"instance_id":"{{instanceId}}","reason":"{{reason}}"}""");

    [Fact]
    public async Task A_requested_instance_is_reported_created_with_the_provider_key_after_the_delay()
    {
        await using var cloud = await Cloud.Start();

        Assert.Equal((HttpStatusCode.OK, "received"), await cloud.Send("evt_000000000000000000000001", CreateRequested("evt_000000000000000000000001", "i-cloud00000000000001")));
        var creating = Assert.Single(await cloud.Resources());
        Assert.Equal(("i-cloud00000000000001", 42L, "ecs", "ecs.g7.large", "cn-hongkong", "web-1", "Creating"),
            (creating.InstanceId, creating.AccountId, creating.Product, creating.Spec, creating.Region, creating.Name, creating.State));

        cloud.Clock.Advance(TimeSpan.FromSeconds(3));
        var report = await cloud.NextReport();
        Assert.Equal(new Report("i-cloud00000000000001", "Bearer " + Cloud.Token, SandboxHarness.Start.AddSeconds(3)), report);
        Assert.Equal("Running", await cloud.StateOf("i-cloud00000000000001", "Running"));
        var received = Assert.Single(await cloud.Events());
        Assert.Equal(("evt_000000000000000000000001", "instance.create_requested", "i-cloud00000000000001"), (received.Id, received.Type, received.InstanceId));
        Assert.Equal("creating; reports it created at 2026-11-26 12:00:03", received.Action);

        // The page lists what it received and holds.
        var page = await cloud.Http.GetStringAsync("/sandbox/", Ct);
        Assert.Contains("data-event=\"evt_000000000000000000000001\"", page);
        Assert.Contains("<td class=\"state\">Running</td>", page);
    }

    [Fact]
    public async Task A_repeated_webhook_id_is_answered_and_changes_nothing()
    {
        await using var cloud = await Cloud.Start();
        var body = CreateRequested("evt_000000000000000000000002", "i-cloud00000000000002");

        Assert.Equal((HttpStatusCode.OK, "received"), await cloud.Send("evt_000000000000000000000002", body));
        Assert.Equal((HttpStatusCode.OK, "already received"), await cloud.Send("evt_000000000000000000000002", body));
        cloud.Clock.Advance(TimeSpan.FromSeconds(3));
        await cloud.NextReport();
        Assert.Equal("Running", await cloud.StateOf("i-cloud00000000000002", "Running"));
        cloud.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("Running", await cloud.StateOf("i-cloud00000000000002", "Running"));

        Assert.True(cloud.NoMoreReports());
        Assert.Single(await cloud.Events());
    }

    [Fact]
    public async Task What_does_not_verify_is_refused_and_changes_nothing()
    {
        await using var cloud = await Cloud.Start();
        const string id = "evt_000000000000000000000003";
        var body = CreateRequested(id, "i-cloud00000000000003");

        // A body changed on the way: the signature was made for the original.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/sandbox/cloud/webhooks") { Content = new StringContent(body.Replace("web-1", "web-2", StringComparison.Ordinal), Encoding.UTF8, "application/json") })
        {
            var now = cloud.Clock.GetUtcNow();
            request.Headers.TryAddWithoutValidation(WebhookSigner.IdHeader, id);
            request.Headers.TryAddWithoutValidation(WebhookSigner.TimestampHeader, now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, WebhookSigner.Signatures([cloud.Secret], id, now, body));
            using var tampered = await cloud.Http.SendAsync(request, Ct);
            Assert.Equal((HttpStatusCode.Unauthorized, "No signature in webhook-signature matches the body."), (tampered.StatusCode, await tampered.Content.ReadAsStringAsync(Ct)));
        }
        Assert.Equal((HttpStatusCode.Unauthorized, "No signature in webhook-signature matches the body."), await cloud.Send(id, body, secret: WebhookSecret.NewSecret()));
        var old = cloud.Clock.GetUtcNow().AddMinutes(-6);
        Assert.Equal((HttpStatusCode.Unauthorized, $"webhook-timestamp {old.ToUnixTimeSeconds()} is more than 5 minutes from now."), await cloud.Send(id, body, signedAt: old));
        Assert.Equal(HttpStatusCode.BadRequest, (await cloud.Send(id, body, omitSignature: true)).Status);
        Assert.Equal((HttpStatusCode.BadRequest, "The body is not a Cloudbill event with the webhook-id as its id."), await cloud.Send(id, "{\"id\":\"" + id + "\"}"));
        Assert.Equal((HttpStatusCode.BadRequest, "The body is not a Cloudbill event with the webhook-id as its id."), await cloud.Send("evt_000000000000000000000099", body));

        cloud.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await cloud.Resources());
        Assert.Empty(await cloud.Events());
        Assert.True(cloud.NoMoreReports());
    }

    [Fact]
    public async Task Before_it_is_connected_it_answers_503_which_Cloudbill_retries()
    {
        await using var cloud = await Cloud.Start(connect: false);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await cloud.Send("evt_000000000000000000000004", CreateRequested("evt_000000000000000000000004", "i-cloud00000000000004"))).Status);
        Assert.Empty(await cloud.Events());
        Assert.Contains("Not connected", await cloud.Http.GetStringAsync("/sandbox/", Ct));
    }

    [Fact]
    public async Task A_failed_report_is_tried_again_and_a_refused_one_ends()
    {
        await using var cloud = await Cloud.Start();
        cloud.Answer = n => n == 1 ? HttpStatusCode.InternalServerError : n == 3 ? HttpStatusCode.Conflict : HttpStatusCode.OK;

        await cloud.Send("evt_000000000000000000000005", CreateRequested("evt_000000000000000000000005", "i-cloud00000000000005"));
        cloud.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(SandboxHarness.Start.AddSeconds(3), (await cloud.NextReport()).At);
        Assert.Equal("Creating", await cloud.StateOf("i-cloud00000000000005", "Creating"));
        // The 500: again 2 seconds later.
        await Eventually(async () => (await cloud.Resources()).Single().FailedReports == 1);
        cloud.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(SandboxHarness.Start.AddSeconds(5), (await cloud.NextReport()).At);
        Assert.Equal("Running", await cloud.StateOf("i-cloud00000000000005", "Running"));

        // 409 (released meanwhile, say): the resource is marked refused and never reported again.
        await cloud.Send("evt_000000000000000000000006", CreateRequested("evt_000000000000000000000006", "i-cloud00000000000006"));
        cloud.Clock.Advance(TimeSpan.FromSeconds(3));
        await cloud.NextReport();
        Assert.Equal("Refused", await cloud.StateOf("i-cloud00000000000006", "Refused"));
        cloud.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("Refused", await cloud.StateOf("i-cloud00000000000006", "Refused"));
        Assert.True(cloud.NoMoreReports());
    }

    [Fact]
    public async Task Suspended_resumed_and_released_stop_start_and_delete_the_resource()
    {
        await using var cloud = await Cloud.Start();
        const string instance = "i-cloud00000000000007";
        await cloud.Send("evt_000000000000000000000007", CreateRequested("evt_000000000000000000000007", instance));
        cloud.Clock.Advance(TimeSpan.FromSeconds(3));
        await cloud.NextReport();
        Assert.Equal("Running", await cloud.StateOf(instance, "Running"));

        await cloud.Send("evt_000000000000000000000008", InstanceEvent("evt_000000000000000000000008", "instance.suspended", instance, "expired"));
        Assert.Equal("Stopped", await cloud.StateOf(instance, "Stopped"));
        await cloud.Send("evt_000000000000000000000009", InstanceEvent("evt_000000000000000000000009", "instance.resumed", instance, "renewed"));
        Assert.Equal("Running", await cloud.StateOf(instance, "Running"));
        await cloud.Send("evt_000000000000000000000010", InstanceEvent("evt_000000000000000000000010", "instance.released", instance, "expired"));
        Assert.Equal("Deleted", await cloud.StateOf(instance, "Deleted"));
        // An event of another cloud's resource, or of no resource, is noted only.
        await cloud.Send("evt_000000000000000000000011", InstanceEvent("evt_000000000000000000000011", "instance.suspended", "i-elsewhere0000000001", "expired"));

        Assert.Equal(["noted (not a resource of this cloud)", "deleted with its data", "started", "stopped", "creating; reports it created at 2026-11-26 12:00:03"],
            (await cloud.Events()).Select(e => e.Action));
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 3000 && !await condition(); i++)
            await Task.Delay(10, Ct);
    }
}
