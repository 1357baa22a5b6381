using Microsoft.AspNetCore.Http;
using static Cloudbill.Sandbox.Tests.AlipaySandboxTests;

namespace Cloudbill.Sandbox.Tests;

/// <summary>
/// The real retry schedules (payments.md §1.7, §2.5) on a fake clock: the test moves time to each
/// due send and looks at when the merchant received what.
/// </summary>
public class NotificationScheduleTests
{
    private static readonly TimeSpan[] AlipayOffsets =
    [
        TimeSpan.Zero, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(24), new(1, 24, 0),
        new(3, 24, 0), new(9, 24, 0), new(24, 24, 0),
    ];

    private static async Task PaidAlipayOrder(SandboxHarness h, string outTradeNo, string amount = "12.50")
    {
        var (cashier, _) = await OpenCashier(h, Checkout(outTradeNo, amount));
        (await Pay(h, cashier, "balance")).Dispose();
    }

    [Fact]
    public async Task Alipay_resends_after_4m_10m_10m_until_the_body_is_exactly_success_with_one_notify_id()
    {
        await using var h = await SandboxHarness.Launch();
        // "Success" and "success " are not the 7 characters: they count as failures (§1.7).
        h.AlipayReply = n => n switch { 1 => "failure", 2 => "Success", 3 => "success ", _ => "success" };
        await PaidAlipayOrder(h, "T20261126000101");

        var received = new List<SandboxHarness.Received> { await h.NextAlipayNotification() };
        foreach (var gap in new[] { TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10) })
        {
            await h.WaitForDeliveries(received.Count);
            h.Clock.Advance(gap);
            received.Add(await h.NextAlipayNotification());
        }
        await h.WaitForDeliveries(4);
        h.Clock.Advance(TimeSpan.FromDays(2));

        Assert.True(await h.NoMoreAlipayNotifications());
        Assert.Equal(AlipayOffsets[..4], received.Select(r => r.At - SandboxHarness.Start));
        var notifications = received.Select(r => h.Alipay.VerifyNotification(r.Fields, Expected("T20261126000101")).Value).ToList();
        Assert.Single(notifications.Select(n => n.NotifyId).Distinct());
        // notify_time is the time of each send; the payment time stays.
        Assert.Equal(received.Select(r => r.At), notifications.Select(n => n.NotifiedAt!.Value));
        Assert.All(notifications, n => Assert.Equal(SandboxHarness.Start, n.PaidAt));
        Assert.Equal([false, false, false, true], (await h.Deliveries()).Select(d => d.Acknowledged));
    }

    [Fact]
    public async Task Alipay_gives_up_after_8_sends_within_25_hours()
    {
        await using var h = await SandboxHarness.Launch();
        h.AlipayReply = _ => "failure";
        await PaidAlipayOrder(h, "T20261126000102");

        var received = new List<SandboxHarness.Received> { await h.NextAlipayNotification() };
        for (var i = 1; i < AlipayOffsets.Length; i++)
        {
            await h.WaitForDeliveries(i);
            h.Clock.Advance(AlipayOffsets[i] - AlipayOffsets[i - 1]);
            received.Add(await h.NextAlipayNotification());
        }
        await h.WaitForDeliveries(8);
        h.Clock.Advance(TimeSpan.FromDays(3));

        Assert.True(await h.NoMoreAlipayNotifications());
        Assert.Equal(AlipayOffsets, received.Select(r => r.At - SandboxHarness.Start));
        Assert.Equal(Enumerable.Range(1, 8), (await h.Deliveries()).Select(d => d.Send));
    }

    [Fact]
    public async Task RetryScale_shrinks_the_gaps()
    {
        await using var h = await SandboxHarness.Launch(retryScale: 0.001);
        h.AlipayReply = n => n == 1 ? "failure" : "success";
        await PaidAlipayOrder(h, "T20261126000103");
        await h.NextAlipayNotification();
        await h.WaitForDeliveries(1);
        h.Clock.Advance(TimeSpan.FromMilliseconds(240));
        var second = await h.NextAlipayNotification();
        Assert.Equal(TimeSpan.FromMilliseconds(240), second.At - SandboxHarness.Start);
    }

    [Fact]
    public async Task UnionPay_resends_at_0_0_1m_3m_7m_and_stops_on_200_or_302()
    {
        await using var h = await SandboxHarness.Launch();
        h.UnionPayReply = n => n <= 4 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        await UnionPaySandboxTests.PaidUnionPayOrder(h, "U2026112600000101");

        var received = new List<SandboxHarness.Received> { await h.NextUnionPayNotification(), await h.NextUnionPayNotification() };
        foreach (var gap in new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4) })
        {
            await h.WaitForDeliveries(received.Count);
            h.Clock.Advance(gap);
            received.Add(await h.NextUnionPayNotification());
        }
        await h.WaitForDeliveries(5);
        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await h.NoMoreUnionPayNotifications());
        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(7)], received.Select(r => r.At - SandboxHarness.Start));
        Assert.Equal([false, false, false, false, true], (await h.Deliveries()).Select(d => d.Acknowledged));

        // 302 acknowledges as well (§2.5, the demo).
        h.UnionPayReply = _ => StatusCodes.Status302Found;
        await UnionPaySandboxTests.PaidUnionPayOrder(h, "U2026112600000102");
        await h.NextUnionPayNotification();
        await h.WaitForDeliveries(6);
        h.Clock.Advance(TimeSpan.FromHours(1));
        Assert.True(await h.NoMoreUnionPayNotifications());
    }

    [Fact]
    public async Task A_UnionPay_answer_later_than_the_timeout_counts_as_not_received()
    {
        // §2.5: 10 s in production; 2 s here so that the test stays quick (and still passes on a loaded machine).
        await using var h = await SandboxHarness.Launch(notificationTimeout: TimeSpan.FromSeconds(2));
        h.UnionPayAnswerTime = n => n == 1 ? TimeSpan.FromSeconds(5) : TimeSpan.Zero;
        await UnionPaySandboxTests.PaidUnionPayOrder(h, "U2026112600000105");
        await h.NextUnionPayNotification();
        // The second send follows at once (gap 0) and is answered in time.
        await h.NextUnionPayNotification();
        await h.WaitForDeliveries(2);
        var deliveries = await h.Deliveries();
        Assert.Equal([(null, false), (200, true)], deliveries.Select(d => (d.StatusCode, d.Acknowledged)));
        Assert.True(await h.NoMoreUnionPayNotifications());
    }

    [Fact]
    public async Task A_pending_notification_survives_a_restart_of_the_sandbox()
    {
        await using var h = await SandboxHarness.Launch();
        h.AlipayReply = n => n == 1 ? "failure" : "success";
        await PaidAlipayOrder(h, "T20261126000104");
        await h.NextAlipayNotification();
        await h.WaitForDeliveries(1);

        await h.RestartSandbox();
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        var resent = await h.NextAlipayNotification();
        Assert.Equal(TimeSpan.FromMinutes(4), resent.At - SandboxHarness.Start);
        var notification = h.Alipay.VerifyNotification(resent.Fields, Expected("T20261126000104"));
        Assert.True(notification.Succeeded, notification.Problem?.Message);
        // The trade survived too.
        var query = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000104")));
        Assert.Equal(notification.Value.TradeNo, query.Value.TradeNo);
    }
}
