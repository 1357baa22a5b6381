using System.Text.Json;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Webhooks;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Core.Tests.LifecycleEngineTests;
using static Cloudbill.Core.Tests.RenewNowTests;

namespace Cloudbill.Core.Tests;

/// <summary>The lifecycle events (docs/webhooks.md), written with the change they describe.</summary>
public class LifecycleEventTests
{
    private static Task<List<LifecycleEvent>> Events(TestServices test, string? instanceId = null) =>
        test.Query(db => db.LifecycleEvents.AsNoTracking().Where(e => instanceId == null || e.InstanceId == instanceId).OrderBy(e => e.Id).ToListAsync());

    private static JsonElement Data(LifecycleEvent e) => JsonDocument.Parse(e.Data).RootElement;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_simulated_year_emits_one_event_per_transition_in_order_per_instance(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("10000.00");
        var auto = await test.Instance(account, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, id: "i-eventsauto000000001");
        var manual = await test.Instance(account, Shanghai(2026, 12, 20), id: "i-eventsmanual0000001");
        var rds = await test.Instance(account, Shanghai(2026, 12, 5), product: "rds", spec: "mysql.n2.medium.1", id: "rm-eventsrds00000001");
        var poor = await test.Customer("10.00");
        var failing = await test.Instance(poor, Shanghai(2026, 12, 10), RenewalMethod.AutoRenewal, 1, id: "i-eventsfailing000001");

        await RunDaily(test, Shanghai(2027, 11, 26), 0, 8, 10);

        // Twelve monthly charges: each an order.paid and the instance's renewal, old expiry to new.
        var renewed = await Events(test, auto.Id);
        Assert.Equal(Enumerable.Repeat(LifecycleEventTypes.InstanceRenewed, 12), renewed.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(0, 12).Select(m => Shanghai(2026, 12, 10).AddMonths(m)).Select(Utc),
            renewed.Select(e => Data(e).GetProperty("previous_expires_at").GetString()));
        Assert.Equal(Utc(Shanghai(2027, 12, 10)), Data(renewed[^1]).GetProperty("expires_at").GetString());
        Assert.All(renewed, e => Assert.True(Data(e).GetProperty("by_auto_renewal").GetBoolean()));
        var orders = await test.Query(db => db.Orders.AsNoTracking().Where(o => o.AccountId == account && o.Status == OrderStatus.Paid).OrderBy(o => o.Id).ToListAsync());
        var paid = (await Events(test)).Where(e => e.Type == LifecycleEventTypes.OrderPaid && e.AccountId == account).ToList();
        Assert.Equal(orders.Select(o => (o.Id, o.Payable.Fen)), paid.Select(e => (Data(e).GetProperty("order_id").GetInt64(), Data(e).GetProperty("payable_fen").GetInt64())));

        // A manual ECS instance: expired on its day, stopped after 15 grace days, released 15 days later, one event each.
        var manualEvents = await Events(test, manual.Id);
        Assert.Equal([LifecycleEventTypes.InstanceExpired, LifecycleEventTypes.InstanceSuspended, LifecycleEventTypes.InstanceReleased], manualEvents.Select(e => e.Type));
        Assert.Equal([Shanghai(2026, 12, 20), Shanghai(2027, 1, 4), Shanghai(2027, 1, 19)], manualEvents.Select(e => e.OccurredAt));
        Assert.Equal(Utc(Shanghai(2027, 1, 19)), Data(manualEvents[0]).GetProperty("releases_at").GetString());
        Assert.Equal("expired", Data(manualEvents[1]).GetProperty("reason").GetString());
        // RDS has no grace days: expired and stopped at the same instant, in that order.
        Assert.Equal([LifecycleEventTypes.InstanceExpired, LifecycleEventTypes.InstanceSuspended, LifecycleEventTypes.InstanceReleased], (await Events(test, rds.Id)).Select(e => e.Type));

        // An auto-renewal that cannot be paid: a failure each attempt day, with the reason as a code; the instance then ends like the manual one.
        var failed = await Events(test, failing.Id);
        var failures = failed.Where(e => e.Type == LifecycleEventTypes.AutoRenewalFailed).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, e => Assert.Equal("insufficient_credit", Data(e).GetProperty("reason_code").GetString()));
        Assert.Equal(failures.Count, failures.Select(e => Time.BusinessCalendar.LocalDate(e.OccurredAt)).Distinct().Count());
        Assert.Equal([LifecycleEventTypes.InstanceExpired, LifecycleEventTypes.InstanceSuspended, LifecycleEventTypes.InstanceReleased],
            failed.Where(e => e.Type != LifecycleEventTypes.AutoRenewalFailed).Select(e => e.Type));
        Assert.Equal(failed.OrderBy(e => e.OccurredAt).Select(e => e.Id), failed.Select(e => e.Id));

        // Exactly one event per engine action that changes something (reminders tell the customer only).
        var actions = await test.Query(db => db.EngineActions.AsNoTracking().Where(a => a.Kind != EngineActionKind.Reminder).CountAsync());
        var engineEvents = (await Events(test)).Count(e => e.InstanceId != null);
        Assert.Equal(actions, engineEvents);
        var all = await Events(test);
        Assert.Equal(all.Count, all.Select(e => e.EventId).Distinct().Count());
        Assert.All(all, e => Assert.Matches("^evt_[0-9a-f]{24}$", e.EventId));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_renewal_of_a_stopped_instance_resumes_it_and_a_purchase_asks_for_the_resource(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var stopped = await test.Instance(account, Shanghai(2026, 11, 1), id: "i-eventsstopped000001");
        var running = await test.Instance(account, Shanghai(2027, 1, 1), id: "i-eventsrunning000001");

        Assert.True((await RenewNow(test, account, stopped.Id, 1)).Succeeded);
        Assert.True((await RenewNow(test, account, running.Id, 1)).Succeeded);
        Assert.Equal([LifecycleEventTypes.InstanceRenewed, LifecycleEventTypes.InstanceResumed], (await Events(test, stopped.Id)).Select(e => e.Type));
        Assert.Equal([LifecycleEventTypes.InstanceRenewed], (await Events(test, running.Id)).Select(e => e.Type));
        Assert.False(Data((await Events(test, running.Id))[0]).GetProperty("by_auto_renewal").GetBoolean());

        var order = (await test.Run<PurchaseService, Result<Order>>((s, ct) =>
            s.Buy(account, new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1, InstanceName: "web-1"), ClientToken.New(), CouponChoice.None, ct))).Value;
        Assert.DoesNotContain(await Events(test), e => e.Key.StartsWith($"order:{order.Id}:", StringComparison.Ordinal));
        var outcome = (await test.Run<OrderPayments, Result<PaymentOutcome>>((p, ct) => p.PayFromBalance(account, order.Id, ct))).Value;
        var created = Assert.Single(outcome.CreatedInstanceIds);
        var request = Assert.Single(await Events(test, created));
        Assert.Equal(LifecycleEventTypes.InstanceCreateRequested, request.Type);
        var data = Data(request);
        Assert.Equal((order.Id, "ecs", "ecs.g7.large", "cn-hongkong", "web-1", "subscription", "manual_renewal"),
            (data.GetProperty("order_id").GetInt64(), data.GetProperty("product").GetString(), data.GetProperty("spec").GetString(), data.GetProperty("region").GetString(),
             data.GetProperty("name").GetString(), data.GetProperty("charge_type").GetString(), data.GetProperty("renewal_method").GetString()));
        var orderPaid = Assert.Single(await Events(test), e => e.Key == $"order:{order.Id}:paid");
        Assert.Equal([created], Data(orderPaid).GetProperty("instance_ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(order.Payable.Fen, Data(orderPaid).GetProperty("payable_fen").GetInt64());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_method_change_and_a_cancelled_order_are_events_and_a_refused_change_is_none(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("5000.00");
        var instance = await test.Instance(account, Shanghai(2027, 1, 1), id: "i-eventsmethod0000001");

        Assert.True((await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [instance.Id], RenewalMethod.AutoRenewal, 3, ct))).Succeeded);
        Assert.True((await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [instance.Id], RenewalMethod.NotRenewal, null, ct))).Succeeded);
        var before = await test.Snapshot();
        Assert.False((await test.Run<RenewalService, Result<int>>((s, ct) => s.SetRenewalMethod(account, [instance.Id, "i-notmine"], RenewalMethod.ManualRenewal, null, ct))).Succeeded);
        Assert.Equal(before, await test.Snapshot());

        var changes = (await Events(test, instance.Id)).Select(Data).Select(d => (d.GetProperty("previous_renewal_method").GetString(), d.GetProperty("renewal_method").GetString())).ToList();
        Assert.Equal([("manual_renewal", "auto_renewal"), ("auto_renewal", "not_renewal")], changes);

        var unpaid = (await test.Run<RenewalService, Result<Order>>((s, ct) => s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), new ClientToken("events-cancel"), CouponChoice.None, ct))).Value;
        Assert.True((await test.Run<OrderService, Result<Order>>((s, ct) => s.Cancel(account, unpaid.Id, ct))).Succeeded);
        var cancelled = Assert.Single(await Events(test), e => e.Type == LifecycleEventTypes.OrderCancelled);
        Assert.Equal((unpaid.Id, "customer"), (Data(cancelled).GetProperty("order_id").GetInt64(), Data(cancelled).GetProperty("reason").GetString()));
    }

    [Fact]
    public void The_payload_is_the_envelope_of_docs_webhooks()
    {
        var e = LifecycleEvents.Create("order:12:cancelled", 7, new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.FromHours(8)), new OrderCancelledEvent(12, "timeout"));
        Assert.Equal(LifecycleEvent.EventIdOf("order:12:cancelled"), e.EventId);
        Assert.Equal($$$"""{"id":"{{{e.EventId}}}","type":"order.cancelled","timestamp":"2026-12-01T00:00:00Z","account_id":7,"data":{"order_id":12,"reason":"timeout"}}""", LifecycleEvents.Payload(e));
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
