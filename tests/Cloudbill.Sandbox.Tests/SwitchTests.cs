using System.Net;
using System.Text.Json;
using Cloudbill.Core;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using static Cloudbill.Sandbox.Tests.AlipaySandboxTests;

namespace Cloudbill.Sandbox.Tests;

/// <summary>Each test switch (payments.md §5.1, §5.2) does what it says, seen from the merchant's side.</summary>
public class SwitchTests
{
    private static async Task PaidAlipayOrder(SandboxHarness h, string outTradeNo, string amount = "12.50")
    {
        var (cashier, _) = await OpenCashier(h, Checkout(outTradeNo, amount));
        (await Pay(h, cashier, "balance")).Dispose();
    }

    [Fact]
    public async Task Duplicate_5_delivers_the_notification_5_times_at_once_with_one_notify_id()
    {
        await using var h = await SandboxHarness.Launch();
        await h.SetSwitches(new { duplicate = 5 });
        await PaidAlipayOrder(h, "T20261126000201");

        var received = await DrainNotifications(h, 5);
        var notifications = received.Select(r => h.Alipay.VerifyNotification(r.Fields, Expected("T20261126000201"))).ToList();
        Assert.All(notifications, n => Assert.True(n.Succeeded, n.Problem?.Message));
        Assert.Single(notifications.Select(n => n.Value.NotifyId).Distinct());
        Assert.Single(notifications.Select(n => n.Value.TradeNo).Distinct());
        Assert.All(received, r => Assert.Equal(SandboxHarness.Start, r.At));
        // One send, five copies.
        Assert.Equal(Enumerable.Repeat(1, 5), (await h.Deliveries()).Select(d => d.Send));
    }

    [Fact]
    public async Task DropFirst_2_leaves_the_merchant_to_query_until_the_third_send_at_14_minutes()
    {
        await using var h = await SandboxHarness.Launch(new SandboxSwitches { DropFirst = 2 });
        await PaidAlipayOrder(h, "T20261126000202");
        await h.WaitForDeliveries(1);
        Assert.True(await h.NoMoreAlipayNotifications());

        // The fallback the drop forces: the query already says paid.
        var query = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000202")));
        Assert.True(query.Value.IsPaid);

        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.WaitForDeliveries(2);
        Assert.True(await h.NoMoreAlipayNotifications());
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        var third = await h.NextAlipayNotification();
        Assert.Equal(TimeSpan.FromMinutes(14), third.At - SandboxHarness.Start);
        Assert.True(h.Alipay.VerifyNotification(third.Fields, Expected("T20261126000202")).Succeeded);
        await h.WaitForDeliveries(3);
        Assert.Equal([true, true, false], (await h.Deliveries()).Select(d => d.Dropped));
    }

    [Fact]
    public async Task Delay_holds_the_first_send_back()
    {
        await using var h = await SandboxHarness.Launch();
        await h.SetSwitches(new { delay = "00:05:00" });
        await PaidAlipayOrder(h, "T20261126000203");
        Assert.True(await h.NoMoreAlipayNotifications());
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var received = await h.NextAlipayNotification();
        Assert.Equal(TimeSpan.FromMinutes(5), received.At - SandboxHarness.Start);
    }

    [Fact]
    public async Task Reorder_sends_the_older_notification_after_the_newer_one()
    {
        await using var h = await SandboxHarness.Launch();
        await h.SetSwitches(new { reorder = true });
        await PaidAlipayOrder(h, "T20261126000204");
        Assert.True(await h.NoMoreAlipayNotifications());
        await PaidAlipayOrder(h, "T20261126000205");

        var first = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields).Value;
        var second = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields).Value;
        Assert.Equal(("T20261126000205", "T20261126000204"), (first.OutTradeNo, second.OutTradeNo));
    }

    [Fact]
    public async Task Reorder_sends_a_payment_notification_after_the_refund_notification_of_the_same_trade()
    {
        await using var h = await SandboxHarness.Launch(new SandboxSwitches { Reorder = true });
        await PaidAlipayOrder(h, "T20261126000206");
        var refund = h.Alipay.ReadRefundResponse(await Call(h, h.Alipay.BuildRefund(new AlipayRefund("T20261126000206", Money.Parse("12.50"), "R1"))));
        Assert.True(refund.Value.FundChange);

        var first = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields).Value;
        var second = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields).Value;
        Assert.Equal((AlipayTradeStatus.TradeClosed, true), (first.TradeStatus, first.IsRefund));
        Assert.Equal((AlipayTradeStatus.TradeSuccess, false), (second.TradeStatus, second.IsRefund));
    }

    [Fact]
    public async Task WrongAmount_is_correctly_signed_and_fails_the_merchant_amount_check()
    {
        await using var h = await SandboxHarness.Launch(new SandboxSwitches { WrongAmount = true });
        await PaidAlipayOrder(h, "T20261126000207");
        var verified = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields);
        Assert.True(verified.Succeeded, verified.Problem?.Message);
        Assert.Equal(Money.Parse("12.51"), verified.Value.TotalAmount);
        Assert.Equal(AlipayErrors.Codes.AmountMismatch, h.Alipay.CheckNotification(verified.Value, Expected("T20261126000207")).Problem?.Code);

        var front = await UnionPaySandboxTests.PaidUnionPayOrder(h, "U2026112600000207");
        var union = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields);
        Assert.Equal(Money.Parse("12.51"), union.Value.Amount);
        Assert.Equal(UnionPayErrors.Codes.AmountMismatch,
            h.UnionPay.CheckNotification(union.Value, new UnionPayExpectedPayment(front.OrderId, front.TxnTime, Money.Parse("12.50"))).Problem?.Code);
    }

    [Fact]
    public async Task BadSignature_makes_merchant_verification_fail_for_both_gateways()
    {
        await using var h = await SandboxHarness.Launch(new SandboxSwitches { BadSignature = true });
        await PaidAlipayOrder(h, "T20261126000208");
        var alipay = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields);
        Assert.Equal(AlipayErrors.Codes.BadSignature, alipay.Problem?.Code);

        await UnionPaySandboxTests.PaidUnionPayOrder(h, "U2026112600000208");
        var union = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields);
        Assert.Equal(UnionPayErrors.Codes.BadSignature, union.Problem?.Code);
    }

    [Fact]
    public async Task Wrong_app_id_seller_id_and_merId_are_each_refused_by_the_merchant()
    {
        await using var h = await SandboxHarness.Launch(new SandboxSwitches { WrongAppId = true });
        await PaidAlipayOrder(h, "T20261126000209");
        Assert.Equal(AlipayErrors.Codes.WrongAppId, h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields).Problem?.Code);

        await h.SetSwitches(new { reset = true, wrongSellerId = true });
        await PaidAlipayOrder(h, "T20261126000210");
        Assert.Equal(AlipayErrors.Codes.WrongSeller,
            h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields, Expected("T20261126000210")).Problem?.Code);

        await h.SetSwitches(new { reset = true, wrongMerId = true });
        await UnionPaySandboxTests.PaidUnionPayOrder(h, "U2026112600000211");
        Assert.Equal(UnionPayErrors.Codes.WrongMerchant, h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields).Problem?.Code);
    }

    [Fact]
    public async Task Switches_are_read_and_set_over_http_and_a_bad_value_changes_nothing()
    {
        await using var h = await SandboxHarness.Launch();
        // The index page's form: its own token in a field.
        var token = await h.AntiforgeryToken();
        using (var form = await h.Post(new Uri(h.SandboxUrl, "/sandbox/switches"),
                   new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("dropFirst", "3"), new("showAllChannels", "true")])))
        {
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        }
        using var bad = await h.PostSwitches(SandboxHarness.JsonContent(new { duplicate = 0, reorder = true }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("Duplicate must be from 1 to 50.", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var unknown = await h.PostSwitches(SandboxHarness.JsonContent(new { dropAll = true }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var notJson = await h.PostSwitches(new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var current = JsonSerializer.Deserialize<SandboxSwitches>(await h.GetString(new Uri(h.SandboxUrl, "/sandbox/switches")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(new SandboxSwitches { DropFirst = 3, ShowAllChannels = true }, current);

        // The index page shows ids and switches, never a key or the PFX password.
        var index = await h.GetString(new Uri(h.SandboxUrl, "/sandbox/"));
        Assert.Contains($"app_id {h.Credentials.AlipayAppId}", index);
        Assert.Contains($"merId {h.Credentials.UnionPayMerId}", index);
        Assert.Contains("&quot;dropFirst&quot;: 3", index);
        Assert.DoesNotContain("PRIVATE KEY", index);
        Assert.DoesNotContain(h.Credentials.MerchantPfxPassword, index);
    }

    [Fact]
    public async Task A_switch_post_without_the_index_pages_token_is_refused_and_changes_nothing()
    {
        await using var h = await SandboxHarness.Launch();
        using var stranger = new HttpClient(); // another site's page: no cookie, no token
        using var form = await stranger.PostAsync(new Uri(h.SandboxUrl, "/sandbox/switches"),
            new FormUrlEncodedContent([new("showAllChannels", "true")]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Contains("Missing or invalid antiforgery token", await form.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        // The cookie without the token (what a cross-site form would carry) is not enough either, nor a forged token.
        await h.AntiforgeryToken();
        using var json = await h.Post(new Uri(h.SandboxUrl, "/sandbox/switches"), SandboxHarness.JsonContent(new { duplicate = 5 }));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        using var forged = await h.Post(new Uri(h.SandboxUrl, "/sandbox/switches"),
            new FormUrlEncodedContent([new("__RequestVerificationToken", "CfDJ8forged"), new("dropFirst", "2")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var current = JsonSerializer.Deserialize<SandboxSwitches>(await h.GetString(new Uri(h.SandboxUrl, "/sandbox/switches")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Equal(new SandboxSwitches(), current);
    }
}
