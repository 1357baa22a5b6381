using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Webhooks;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.Crash;

/// <summary>
/// Issue 21, acceptance: the server is killed with SIGKILL while events are pending and in flight,
/// started again, and the receiver ends with every event at least once, none lost, a duplicate
/// only under the same webhook-id with the same body, and the events of each instance first
/// received in their order.
/// </summary>
public class WebhookCrashTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Killed_while_events_are_pending_and_restarted_every_event_arrives_at_least_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        await using var receiver = await WebhookReceiver.Start();
        await using var server = new CrashServer(database, _ => Task.CompletedTask, new Dictionary<string, string>
        {
            ["Cloudbill__Webhooks__PollSeconds"] = "1",
            ["Cloudbill__Webhooks__TimeoutSeconds"] = "2",
            // Only the events of this test: no engine on the demo's instances.
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
        });
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow);
        var added = await services.Run<WebhookEndpoints, Result<AddedWebhookEndpoint>>((s, ct) => s.Add(receiver.Url.ToString(), [], "crash receiver", ct));
        Assert.True(added.Succeeded, added.Problem?.Message);
        await AddEvents(services, 0, 150);

        await server.Start();
        await Eventually.Within(receiver.When(r => r.Select(w => w.Id).Distinct().Count() >= 40), "40 events received before the kill");
        await server.Kill();
        // Events committed while the server is down are pending too.
        await AddEvents(services, 150, 50);
        await server.Start();

        var expected = await services.Query(db => db.LifecycleEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
        await Eventually.Within(receiver.When(r => r.Select(w => w.Id).ToHashSet().IsSupersetOf(expected.Select(e => e.EventId))), "every event received after the restart");

        var received = receiver.Received;
        Assert.Equal(expected.Select(e => e.EventId).Order(StringComparer.Ordinal), received.Select(r => r.Id).Distinct().Order(StringComparer.Ordinal));
        // A duplicate is the same event again: the same id, the same body.
        foreach (var same in received.GroupBy(r => r.Id))
            Assert.Single(same.Select(r => r.Body).Distinct());
        Assert.All(expected, e => Assert.Equal(LifecycleEvents.Payload(e), received.First(r => r.Id == e.EventId).Body));
        // Each instance's events first arrived in their order.
        var firstArrival = received.Select((r, i) => (r.Id, i)).GroupBy(x => x.Id).ToDictionary(g => g.Key, g => g.Min(x => x.i));
        foreach (var instance in expected.GroupBy(e => e.InstanceId))
            Assert.Equal(instance.Select(e => firstArrival[e.EventId]).Order(), instance.Select(e => firstArrival[e.EventId]));
        TestContext.Current.TestOutputHelper?.WriteLine($"{expected.Count} events, {received.Count} deliveries ({received.Count - expected.Count} duplicates after the kill)");
    }

    private static Task<int> AddEvents(TestServices services, int from, int count) => services.Query(db =>
    {
        var at = services.Clock.GetUtcNow();
        for (var i = from; i < from + count; i++)
        {
            var instance = $"i-crash{i % 20:D15}";
            db.LifecycleEvents.Add(LifecycleEvents.Create($"test:crash:{i}", 7, at, new InstanceSuspendedEvent(instance, "expired", at, at.AddDays(15))));
        }
        return db.SaveChangesAsync();
    });
}
