using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Webhooks;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Cloudbill.Core.Tests;

/// <summary>Delivery of the lifecycle events to the operator's endpoints (docs/webhooks.md, "Receiving webhooks").</summary>
public class WebhookDeliveryTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal static async Task<LifecycleEvent> Event(TestServices test, string key, string? instanceId = null)
    {
        var at = test.Clock.GetUtcNow();
        EventData data = instanceId is null
            ? new OrderCancelledEvent(Math.Abs(key.GetHashCode(StringComparison.Ordinal)), "customer")
            : new InstanceSuspendedEvent(instanceId, "expired", at, at.AddDays(15));
        var row = LifecycleEvents.Create(key, 7, at, data);
        await test.Query(async db =>
        {
            db.LifecycleEvents.Add(row);
            return await db.SaveChangesAsync();
        });
        return row;
    }

    internal static async Task<AddedWebhookEndpoint> Endpoint(TestServices test, string url, params string[] types)
    {
        var added = await test.Run<WebhookEndpoints, Problems.Result<AddedWebhookEndpoint>>((s, ct) => s.Add(url, types, "test receiver", ct));
        Assert.True(added.Succeeded, added.Problem?.Message);
        return added.Value;
    }

    internal static Task<WebhookPass> Pass(TestServices test) => test.Services.GetRequiredService<WebhookDispatcher>().RunOnce(None);

    private static Task<List<WebhookAttempt>> Attempts(TestServices test) =>
        test.Query(db => db.WebhookAttempts.AsNoTracking().OrderBy(a => a.Id).ToListAsync());

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A receiver that never answers in time: what HttpClient throws when its time-out passes.</summary>
    private sealed class TimingOut : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 10 seconds elapsing.", new TimeoutException());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_webhook_is_signed_so_the_StandardWebhooks_verifier_accepts_it_and_rejects_a_tampered_body(DatabaseProvider provider)
    {
        // The library's verifier checks the timestamp against the real clock: the fake one starts there.
        await using var test = await TestServices.Start(provider, TimeProvider.System.GetUtcNow());
        await using var receiver = await WebhookReceiver.Start();
        var endpoint = await Endpoint(test, receiver.Url.ToString());
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", endpoint.Secret);
        var e = await Event(test, "test:signed", "i-signed00000000000001");

        var pass = await Pass(test);

        Assert.Equal(new WebhookPass(1, 1, 0), pass);
        var got = Assert.Single(receiver.Received);
        Assert.Equal(e.EventId, got.Id);
        Assert.Equal(LifecycleEvents.Payload(e), got.Body);
        Assert.Equal(test.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), got.Timestamp);
        Assert.Equal("application/json; charset=utf-8", got.Headers.ContentType.ToString());
        new StandardWebhook(endpoint.Secret).Verify(got.Body, got.Headers);
        // By hand, as docs/webhooks.md tells a receiver without the library.
        var key = Convert.FromBase64String(endpoint.Secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{got.Id}.{got.Timestamp}.{got.Body}")));
        Assert.Equal(expected, got.Signature);

        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(endpoint.Secret).Verify(got.Body.Replace("expired", "overdue", StringComparison.Ordinal), got.Headers));
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(WebhookSecret.NewSecret()).Verify(got.Body, got.Headers));
        var delivery = await test.Query(db => db.WebhookDeliveries.AsNoTracking().SingleAsync());
        Assert.Equal((WebhookDeliveryState.Delivered, 1), (delivery.State, delivery.AttemptCount));
        var attempt = Assert.Single(await Attempts(test));
        Assert.Equal((200, (string?)null), (attempt.StatusCode, attempt.Error));
    }

    public static TheoryData<DatabaseProvider, string> ProvidersAndFailures => new()
    {
        { DatabaseProvider.Sqlite, "500" }, { DatabaseProvider.Sqlite, "refused" }, { DatabaseProvider.Sqlite, "timeout" },
        { DatabaseProvider.Postgres, "500" }, { DatabaseProvider.Postgres, "refused" }, { DatabaseProvider.Postgres, "timeout" },
    };

    [Theory]
    [MemberData(nameof(ProvidersAndFailures))]
    public async Task A_failing_receiver_gets_the_retries_on_the_documented_schedule_then_the_endpoint_is_disabled_and_audited(DatabaseProvider provider, string failure)
    {
        await using var test = await TestServices.Start(provider, configure: failure == "timeout"
            ? services => services.AddHttpClient(WebhookDispatcher.HttpClientName).AddHttpMessageHandler(() => new TimingOut())
            : null);
        await using var receiver = await WebhookReceiver.Start();
        receiver.Answer = _ => Task.FromResult(500);
        var url = failure == "refused" ? $"http://127.0.0.1:{ClosedPort()}/events" : receiver.Url.ToString();
        var endpoint = await Endpoint(test, url);
        var e = await Event(test, "test:failing", "i-failing0000000000001");
        var start = test.Clock.GetUtcNow();

        await Pass(test);
        Assert.Single(await Attempts(test));
        foreach (var wait in WebhookSchedule.Retries)
        {
            var before = (await Attempts(test)).Count;
            test.Clock.Advance(wait - TimeSpan.FromSeconds(1));
            await Pass(test);
            Assert.Equal(before, (await Attempts(test)).Count);
            test.Clock.Advance(TimeSpan.FromSeconds(1));
            await Pass(test);
            Assert.Equal(before + 1, (await Attempts(test)).Count);
        }

        // 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after each failure: ten attempts over 3 days 3 h 36 min.
        var offsets = new[] { 0, 1, 6, 36, 156, 456, 1056, 1896, 3096, 4536 }.Select(m => start.AddMinutes(m));
        var attempts = await Attempts(test);
        Assert.Equal(offsets, attempts.Select(a => a.At));
        Assert.All(attempts, a => Assert.Equal(failure switch { "500" => (int?)500, _ => null }, a.StatusCode));
        Assert.All(attempts, a => Assert.Contains(failure switch { "500" => "HTTP 500", "timeout" => "no answer within 10 s", _ => "refused" }, a.Error, StringComparison.Ordinal));
        if (failure == "500")
            Assert.Equal(10, receiver.Received.Count);

        var delivery = await test.Query(db => db.WebhookDeliveries.AsNoTracking().SingleAsync());
        Assert.Equal((WebhookDeliveryState.Failed, 10), (delivery.State, delivery.AttemptCount));
        var listed = Assert.Single(await test.Run<WebhookEndpoints, IReadOnlyList<WebhookEndpointView>>((s, ct) => s.List(ct)));
        Assert.Equal(start.AddMinutes(4536), listed.DisabledAt);
        Assert.StartsWith($"{e.EventId} failed 10 times over 3 d 3 h 36 min (last: ", listed.DisabledReason, StringComparison.Ordinal);
        Assert.Equal((0, 1), (listed.Pending, listed.Failed));
        var audited = await test.Query(db => db.AuditEvents.AsNoTracking().Where(a => a.Kind == AuditEventKind.WebhookEndpointDisabled).ToListAsync());
        Assert.Equal($"webhook endpoint {endpoint.Id} {url} disabled: {listed.DisabledReason}", Assert.Single(audited).Detail);

        // Disabled: a new event waits, nothing is sent, however long.
        await Event(test, "test:after-disable", "i-other00000000000001");
        test.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(new WebhookPass(0, 0, 0), await Pass(test));
        Assert.Equal(10, (await Attempts(test)).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_events_of_one_instance_arrive_in_order_even_when_the_first_fails_a_few_times(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await using var receiver = await WebhookReceiver.Start();
        await Endpoint(test, receiver.Url.ToString());
        var a1 = await Event(test, "test:a1", "i-ordera000000000001");
        var b1 = await Event(test, "test:b1", "i-orderb000000000001");
        var a2 = await Event(test, "test:a2", "i-ordera000000000001");
        var a3 = await Event(test, "test:a3", "i-ordera000000000001");
        var failures = 0;
        receiver.Answer = w => Task.FromResult(w.Id == a1.EventId && Interlocked.Increment(ref failures) <= 3 ? 503 : 200);

        await Pass(test);
        // The other instance's event is not held up; the first one's later events wait.
        Assert.Equal([a1.EventId, b1.EventId], receiver.Received.Select(r => r.Id));
        test.Clock.Advance(TimeSpan.FromMinutes(1));
        await Pass(test);
        test.Clock.Advance(TimeSpan.FromMinutes(5));
        await Pass(test);
        Assert.Equal([a1.EventId, b1.EventId, a1.EventId, a1.EventId], receiver.Received.Select(r => r.Id));
        test.Clock.Advance(TimeSpan.FromMinutes(30));
        var last = await Pass(test);

        Assert.Equal(new WebhookPass(0, 3, 0), last);
        Assert.Equal([a1.EventId, a1.EventId, a1.EventId, a1.EventId, a2.EventId, a3.EventId],
            receiver.Received.Where(r => r.Id != b1.EventId).Select(r => r.Id));
        Assert.All(await test.Query(db => db.WebhookDeliveries.AsNoTracking().ToListAsync()), d => Assert.Equal(WebhookDeliveryState.Delivered, d.State));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_nodes_passing_at_once_deliver_each_event_once(DatabaseProvider provider)
    {
        await using var first = await TestServices.Start(provider);
        await using var second = await TestServices.Start(first.Database);
        await using var receiver = await WebhookReceiver.Start();
        await Endpoint(first, receiver.Url.ToString());
        var events = new List<LifecycleEvent>();
        for (var i = 0; i < 40; i++)
            events.Add(await Event(first, $"test:both:{i}", i % 2 == 0 ? $"i-both{i % 8:D16}" : null));

        await Task.WhenAll(Pass(first), Pass(second));
        await Task.WhenAll(Pass(first), Pass(second));
        await Task.WhenAll(Pass(first), Pass(second));

        Assert.Equal(events.Select(e => e.EventId).Order(), receiver.Received.Select(r => r.Id).Order());
        Assert.Equal(40, (await Attempts(first)).Count);
        Assert.Equal(40, await first.Query(db => db.WebhookDeliveries.CountAsync(d => d.State == WebhookDeliveryState.Delivered)));
        // Per instance in event order.
        foreach (var instance in events.Where(e => e.InstanceId != null).GroupBy(e => e.InstanceId))
        {
            var ids = instance.Select(e => e.EventId).ToList();
            Assert.Equal(ids, receiver.Received.Select(r => r.Id).Where(ids.Contains));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task During_a_rotation_both_secrets_sign_and_afterwards_only_the_new_one(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider, TimeProvider.System.GetUtcNow());
        await using var receiver = await WebhookReceiver.Start();
        var endpoint = await Endpoint(test, receiver.Url.ToString());
        var rotated = await test.Run<WebhookEndpoints, Problems.Result<RotatedWebhookSecret>>((s, ct) => s.RotateSecret(endpoint.Id, 24, ct));
        Assert.Equal(test.Clock.GetUtcNow().AddHours(24), rotated.Value.OldSignsUntil);
        await Event(test, "test:rotating", "i-rotate00000000000001");

        await Pass(test);

        var during = Assert.Single(receiver.Received);
        Assert.Equal(2, during.Signature.Split(' ').Length);
        // The old secret's signature first (the .NET library checks only the first), the new one's beside it.
        new StandardWebhook(endpoint.Secret).Verify(during.Body, during.Headers);
        var duringAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(during.Timestamp, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new StandardWebhook(rotated.Value.Secret).Sign(during.Id, duringAt, during.Body), during.Signature.Split(' ')[1]);

        test.Clock.Advance(TimeSpan.FromHours(24));
        await Event(test, "test:rotated", "i-rotate00000000000001");
        await Pass(test);
        var after = receiver.Received[1];
        var at = DateTimeOffset.FromUnixTimeSeconds(long.Parse(after.Timestamp, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new StandardWebhook(rotated.Value.Secret).Sign(after.Id, at, after.Body), after.Signature);
        var audit = await test.Query(db => db.AuditEvents.AsNoTracking().Where(a => a.Kind == AuditEventKind.WebhookSecretRotated).ToListAsync());
        Assert.DoesNotContain("whsec_", Assert.Single(audit).Detail, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_replay_since_a_time_sends_the_events_from_then_on_again_with_their_ids(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await using var receiver = await WebhookReceiver.Start();
        var endpoint = await Endpoint(test, receiver.Url.ToString());
        var old = await Event(test, "test:old", "i-replay00000000000001");
        test.Clock.Advance(TimeSpan.FromHours(1));
        var since = test.Clock.GetUtcNow();
        var recent = await Event(test, "test:recent", "i-replay00000000000001");
        var other = await Event(test, "test:recent-order");
        await Pass(test);
        Assert.Equal(3, receiver.Received.Count);

        var replayed = await test.Run<WebhookEndpoints, Problems.Result<int>>((s, ct) => s.Replay(endpoint.Id, since, ct));
        await Pass(test);

        Assert.Equal(2, replayed.Value);
        // The recent event waited for the old one of its instance; the replay sends it and the order again.
        Assert.Equal([old.EventId, other.EventId, recent.EventId, recent.EventId, other.EventId], receiver.Received.Select(r => r.Id));
        Assert.Equal(receiver.Received[2].Body, receiver.Received[3].Body);
        var future = await test.Run<WebhookEndpoints, Problems.Result<int>>((s, ct) => s.Replay(endpoint.Id, since.AddDays(1), ct));
        Assert.Equal("Webhook.SinceInFuture", future.Problem!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_endpoint_gets_only_the_types_it_asked_for_and_a_disabled_one_catches_up_when_enabled(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await using var receiver = await WebhookReceiver.Start();
        var before = await Event(test, "test:before-the-endpoint", "i-filter00000000000001");
        var endpoint = await Endpoint(test, receiver.Url.ToString(), LifecycleEventTypes.InstanceSuspended);
        await Event(test, "test:order");
        var suspended = await Event(test, "test:suspended", "i-filter00000000000001");
        await Pass(test);
        Assert.Equal([suspended.EventId], receiver.Received.Select(r => r.Id));

        var disabled = await test.Run<WebhookEndpoints, Problems.Result<WebhookEndpointView>>((s, ct) => s.Disable(endpoint.Id, "maintenance", ct));
        Assert.Equal("maintenance", disabled.Value.DisabledReason);
        var whileDisabled = await Event(test, "test:while-disabled", "i-filter00000000000002");
        await Pass(test);
        Assert.Single(receiver.Received);
        var again = await test.Run<WebhookEndpoints, Problems.Result<WebhookEndpointView>>((s, ct) => s.Disable(endpoint.Id, "again", ct));
        Assert.Equal("Webhook.AlreadyDisabled", again.Problem!.Code);

        await test.Run<WebhookEndpoints, Problems.Result<WebhookEndpointView>>((s, ct) => s.Enable(endpoint.Id, ct));
        await Pass(test);
        Assert.Equal([suspended.EventId, whileDisabled.EventId], receiver.Received.Select(r => r.Id));
        Assert.DoesNotContain(before.EventId, receiver.Received.Select(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_address_that_is_not_safe_or_not_an_address_is_refused_and_nothing_is_added(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        async Task<string?> Refusal(string url, params string[] types) =>
            (await test.Run<WebhookEndpoints, Problems.Result<AddedWebhookEndpoint>>((s, ct) => s.Add(url, types, null, ct))).Problem?.Message;

        Assert.Equal("'http://cloud.example.com/events' is plain http to a host other than this machine; use https, or set Cloudbill:Webhooks:AllowHttp to true to allow it.",
            await Refusal("http://cloud.example.com/events"));
        Assert.Equal("'ftp://cloud.example.com/' is not an absolute http or https address; use one like https://cloud.example.com/cloudbill/events.",
            await Refusal("ftp://cloud.example.com/"));
        Assert.StartsWith("'instance.exploded' is not an event type; use some of instance.create_requested, ", await Refusal("https://cloud.example.com/", "instance.exploded"));
        Assert.Equal(0, await test.Query(db => db.WebhookEndpoints.CountAsync()));
        Assert.Equal(0, await test.Query(db => db.AuditEvents.CountAsync(a => a.Kind == AuditEventKind.WebhookEndpointAdded)));

        Assert.Null(await Refusal("http://127.0.0.1:9/events"));
        Assert.Null(await Refusal("https://cloud.example.com/events", LifecycleEventTypes.InstanceReleased));
        await using var allowing = await TestServices.Start(provider, settings: new Dictionary<string, string?> { ["Cloudbill:Webhooks:AllowHttp"] = "true" });
        var allowed = await allowing.Run<WebhookEndpoints, Problems.Result<AddedWebhookEndpoint>>((s, ct) => s.Add("http://cloud.example.com/events", [], null, ct));
        Assert.True(allowed.Succeeded);
    }
}
