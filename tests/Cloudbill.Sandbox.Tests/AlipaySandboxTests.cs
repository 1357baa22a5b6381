using System.Net;
using Cloudbill.Core;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Problems;

namespace Cloudbill.Sandbox.Tests;

/// <summary>
/// The Alipay sandbox driven by the merchant's own protocol code over HTTP (payments.md §1, §5.1):
/// AlipayGateway builds and signs, the sandbox answers, AlipayGateway verifies.
/// </summary>
public class AlipaySandboxTests
{
    internal static AlipayCheckout Checkout(string outTradeNo, string amount = "12.50", AlipayDevice device = AlipayDevice.Phone) =>
        new(outTradeNo, Money.Parse(amount), "Cloudbill 充值 " + amount, device)
        {
            ReturnUrl = new Uri("http://merchant.example/return"),
            QuitUrl = device == AlipayDevice.Phone ? new Uri("http://merchant.example/quit") : null,
        };

    /// <summary>What the browser does with the merchant's auto-submitting page: post it, land on the cashier.</summary>
    internal static async Task<(Uri Cashier, string Html)> OpenCashier(SandboxHarness h, AlipayCheckout checkout)
    {
        var request = h.Alipay.BuildCheckout(checkout).Value;
        using var response = await h.SubmitForm(request.Endpoint, request.Fields);
        var cashier = SandboxHarness.Location(response, request.Endpoint);
        return (cashier, await h.GetString(cashier));
    }

    internal static Task<HttpResponseMessage> Pay(SandboxHarness h, Uri cashier, string channel) =>
        h.SubmitForm(cashier, [new("channel", channel), new("action", "pay")]);

    internal static async Task<string> Call(SandboxHarness h, Result<GatewayRequest> request)
    {
        using var response = await h.Post(request.Value.Endpoint, new FormUrlEncodedContent(request.Value.Fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    internal static AlipayExpectedPayment Expected(string outTradeNo, string amount = "12.50") => new(outTradeNo, Money.Parse(amount));

    [Fact]
    public async Task A_phone_payment_by_balance_returns_to_the_merchant_and_sends_a_notification_the_merchant_verifies()
    {
        await using var h = await SandboxHarness.Launch();
        var (cashier, html) = await OpenCashier(h, Checkout("T20261126000001"));

        // The cashier shows merchant, subject and amount; R7.2: Huabei and credit cards are not offered.
        Assert.Contains("Cloudbill 充值 12.50", html);
        Assert.Contains("¥12.50", html);
        Assert.Contains(h.Credentials.AlipaySellerId, html);
        Assert.Contains("value=\"balance\"", html);
        Assert.Contains("value=\"debitCard\"", html);
        Assert.DoesNotContain("value=\"huabei\"", html);
        Assert.DoesNotContain("value=\"huabeiInstalment\"", html);
        Assert.DoesNotContain("value=\"creditCard\"", html);

        using var paid = await Pay(h, cashier, "balance");
        var returned = SandboxHarness.Location(paid, cashier);
        Assert.Equal("/return", returned.AbsolutePath);
        var back = h.Alipay.VerifyReturn(SandboxHarness.QueryOf(returned));
        Assert.True(back.Succeeded, back.Problem?.Message);
        Assert.Equal("T20261126000001", back.Value.OutTradeNo);
        Assert.Equal(Money.Parse("12.50"), back.Value.TotalAmount);

        var received = await h.NextAlipayNotification();
        var notification = h.Alipay.VerifyNotification(received.Fields, Expected("T20261126000001"));
        Assert.True(notification.Succeeded, notification.Problem?.Message);
        Assert.Equal(AlipayTradeStatus.TradeSuccess, notification.Value.TradeStatus);
        Assert.Equal(Money.Parse("12.50"), notification.Value.TotalAmount);
        Assert.Equal(Money.Parse("12.50"), notification.Value.ReceiptAmount);
        Assert.Equal(back.Value.TradeNo, notification.Value.TradeNo);
        Assert.Equal(h.Credentials.AlipaySellerId, notification.Value.SellerId);
        Assert.Equal(SandboxHarness.Start, notification.Value.PaidAt);
        var bill = Assert.Single(notification.Value.FundBills);
        Assert.Equal(("ALIPAYACCOUNT", Money.Parse("12.50")), (bill.Channel, bill.Amount));
        Assert.False(notification.Value.UsedForbiddenChannel);

        // Answered "success" once: nothing more is sent.
        Assert.True(await h.NoMoreAlipayNotifications());
        var delivery = Assert.Single(await h.Deliveries());
        Assert.True(delivery.Acknowledged);
    }

    [Fact]
    public async Task A_desktop_payment_by_redirect_url_and_debit_card_shows_bankcard_debit_in_fund_bill_list()
    {
        await using var h = await SandboxHarness.Launch();
        var request = h.Alipay.BuildCheckout(Checkout("T20261126000002", "0.01", AlipayDevice.Desktop)).Value;
        using var opened = await h.Get(request.ToRedirectUri());
        var cashier = SandboxHarness.Location(opened, request.Endpoint);

        using var paid = await Pay(h, cashier, "debitCard");
        Assert.Equal("alipay.trade.page.pay.return", SandboxHarness.QueryOf(SandboxHarness.Location(paid, cashier)).Single(f => f.Key == "method").Value);

        var notification = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields, Expected("T20261126000002", "0.01"));
        Assert.True(notification.Succeeded, notification.Problem?.Message);
        var bill = Assert.Single(notification.Value.FundBills);
        Assert.Equal(("BANKCARD", "DEBIT_CARD", AlipayFunding.DebitCard), (bill.Channel, bill.FundType, bill.Funding));
        Assert.Equal(Money.Parse("0.01"), notification.Value.TotalAmount);
    }

    [Fact]
    public async Task Query_and_close_answer_trade_not_exist_before_payment_and_the_paid_trade_after()
    {
        await using var h = await SandboxHarness.Launch();
        var (cashier, _) = await OpenCashier(h, Checkout("T20261126000003", "88.00"));

        // §1.3: a wap/page trade is created when the buyer pays.
        var before = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000003")));
        Assert.True(before.Succeeded, before.Problem?.Message);
        Assert.True(before.Value.Status.IsTradeNotExist);
        Assert.False(before.Value.IsPaid);
        var closeBefore = h.Alipay.ReadCloseResponse(await Call(h, h.Alipay.BuildClose("T20261126000003")));
        Assert.True(closeBefore.Value.Status.IsTradeNotExist);

        (await Pay(h, cashier, "balance")).Dispose();
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        var after = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000003")));
        Assert.True(after.Succeeded, after.Problem?.Message);
        Assert.True(after.Value.IsPaid);
        Assert.Equal(AlipayTradeStatus.TradeSuccess, after.Value.TradeStatus);
        Assert.Equal(Money.Parse("88.00"), after.Value.TotalAmount);
        Assert.Equal(SandboxHarness.Start, after.Value.PaidAt);
        Assert.Equal(("ALIPAYACCOUNT", Money.Parse("88.00")), (after.Value.FundBills.Single().Channel, after.Value.FundBills.Single().Amount));
        Assert.True(AlipayGateway.CheckQueryResponse(after.Value, Expected("T20261126000003", "88.00")).Succeeded);

        var closeAfter = h.Alipay.ReadCloseResponse(await Call(h, h.Alipay.BuildClose("T20261126000003")));
        Assert.True(closeAfter.Succeeded);
        Assert.Equal(("40004", "ACQ.TRADE_STATUS_ERROR"), (closeAfter.Value.Status.Code, closeAfter.Value.Status.SubCode));
    }

    [Fact]
    public async Task Refunds_are_idempotent_on_out_request_no_and_a_full_refund_closes_the_trade()
    {
        await using var h = await SandboxHarness.Launch();
        var (cashier, _) = await OpenCashier(h, Checkout("T20261126000004", "12.50"));
        (await Pay(h, cashier, "balance")).Dispose();
        await h.NextAlipayNotification();

        var first = h.Alipay.ReadRefundResponse(await Call(h, h.Alipay.BuildRefund(new AlipayRefund("T20261126000004", Money.Parse("5.00"), "R1"))));
        Assert.True(first.Succeeded, first.Problem?.Message);
        Assert.True(first.Value.Status.IsSuccess);
        Assert.True(first.Value.FundChange);
        Assert.Equal(Money.Parse("5.00"), first.Value.RefundFee);

        // The same out_request_no again: no money moves, the total stays 5.00 (§1.9).
        var retry = h.Alipay.ReadRefundResponse(await Call(h, h.Alipay.BuildRefund(new AlipayRefund("T20261126000004", Money.Parse("5.00"), "R1"))));
        Assert.False(retry.Value.FundChange);
        Assert.Equal(Money.Parse("5.00"), retry.Value.RefundFee);

        var refundQuery = h.Alipay.ReadRefundQueryResponse(await Call(h, h.Alipay.BuildRefundQuery("T20261126000004", "R1")));
        Assert.True(refundQuery.Value.IsRefunded);
        Assert.Equal(Money.Parse("5.00"), refundQuery.Value.RefundAmount);
        var unknown = h.Alipay.ReadRefundQueryResponse(await Call(h, h.Alipay.BuildRefundQuery("T20261126000004", "R9")));
        Assert.False(unknown.Value.IsRefunded);

        var tooMuch = h.Alipay.ReadRefundResponse(await Call(h, h.Alipay.BuildRefund(new AlipayRefund("T20261126000004", Money.Parse("7.51"), "R2"))));
        Assert.Equal("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", tooMuch.Value.Status.SubCode);

        var rest = h.Alipay.ReadRefundResponse(await Call(h, h.Alipay.BuildRefund(new AlipayRefund("T20261126000004", Money.Parse("7.50"), "R2"))));
        Assert.Equal(Money.Parse("12.50"), rest.Value.RefundFee);
        var query = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000004")));
        Assert.Equal(AlipayTradeStatus.TradeClosed, query.Value.TradeStatus);

        // §1.7: refund notifications on the same notify_url, never a new payment.
        var partial = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields, Expected("T20261126000004"));
        Assert.True(partial.Succeeded, partial.Problem?.Message);
        Assert.True(partial.Value.IsRefund);
        Assert.Equal((AlipayTradeStatus.TradeSuccess, Money.Parse("5.00"), "R1"), (partial.Value.TradeStatus, partial.Value.RefundFee!.Value, partial.Value.OutBizNo));
        var full = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields, Expected("T20261126000004"));
        Assert.Equal((AlipayTradeStatus.TradeClosed, Money.Parse("12.50"), "R2"), (full.Value.TradeStatus, full.Value.RefundFee!.Value, full.Value.OutBizNo));
    }

    [Fact]
    public async Task A_request_with_a_bad_merchant_signature_is_refused_and_creates_nothing()
    {
        await using var h = await SandboxHarness.Launch();
        var request = h.Alipay.BuildCheckout(Checkout("T20261126000005", "12.50")).Value;
        // Tampered after signing: the amount inside biz_content.
        var tampered = request.Fields.Select(f => f.Key == "biz_content" ? new KeyValuePair<string, string>(f.Key, f.Value.Replace("\"12.50\"", "\"0.01\"", StringComparison.Ordinal)) : f).ToList();
        using var refused = await h.SubmitForm(request.Endpoint, tampered);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("40002 isv.invalid-signature", page);

        // An API call signed with another key gets a signed 40002 the merchant can read.
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var stranger = new AlipayGateway(h.Alipay.Settings, AlipayKeys.Load(otherKey.ExportPkcs8PrivateKeyPem(), h.Credentials.AlipayPublicKeyPem).Value, h.Clock);
        var answer = h.Alipay.ReadQueryResponse(await Call(h, stranger.BuildQuery("T20261126000005")));
        Assert.True(answer.Succeeded, answer.Problem?.Message);
        Assert.Equal(("40002", "isv.invalid-signature"), (answer.Value.Status.Code, answer.Value.Status.SubCode));

        // Another app_id is refused before the signature is even looked at.
        var otherApp = new AlipayGateway(h.Alipay.Settings with { AppId = "2021000000000999" }, AlipayKeys.Load(h.Credentials.AppPrivateKeyPem, h.Credentials.AlipayPublicKeyPem).Value, h.Clock);
        var wrongApp = h.Alipay.ReadQueryResponse(await Call(h, otherApp.BuildQuery("T20261126000005")));
        Assert.Equal("isv.invalid-app-id", wrongApp.Value.Status.SubCode);

        Assert.True(await h.NoMoreAlipayNotifications());
        Assert.Empty(await h.Deliveries());
    }

    [Fact]
    public async Task A_disabled_channel_is_refused_unless_the_show_all_channels_switch_is_on_and_then_fund_bill_list_shows_it()
    {
        await using var h = await SandboxHarness.Launch();
        var (cashier, _) = await OpenCashier(h, Checkout("T20261126000006", "30.00"));
        using var refused = await Pay(h, cashier, "huabei");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("disabled for this order by the merchant", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        await h.SetSwitches(new { showAllChannels = true });
        var html = await h.GetString(cashier);
        Assert.Contains("value=\"huabei\"", html);
        Assert.Contains("value=\"creditCard\"", html);
        Assert.Contains("disabled by the merchant (test switch ShowAllChannels)", html);

        using var paid = await Pay(h, cashier, "huabei");
        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        var notification = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields, Expected("T20261126000006", "30.00"));
        Assert.True(notification.Succeeded, notification.Problem?.Message);
        Assert.Equal(("PCREDIT", AlipayFunding.Huabei), (notification.Value.FundBills.Single().Channel, notification.Value.FundBills.Single().Funding));
        Assert.True(notification.Value.UsedForbiddenChannel);

        var (creditCashier, _) = await OpenCashier(h, Checkout("T20261126000007", "30.00"));
        (await Pay(h, creditCashier, "creditCard")).Dispose();
        var credit = h.Alipay.VerifyNotification((await h.NextAlipayNotification()).Fields, Expected("T20261126000007", "30.00"));
        Assert.Equal(("BANKCARD", "CREDIT_CARD", AlipayFunding.CreditCard), (credit.Value.FundBills.Single().Channel, credit.Value.FundBills.Single().FundType, credit.Value.FundBills.Single().Funding));
        // The query reports it as well (the merchant's fallback path, R7.2).
        var query = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000007")));
        Assert.True(query.Value.UsedForbiddenChannel);
    }

    [Fact]
    public async Task Cancel_returns_to_quit_url_without_a_trade_or_a_notification()
    {
        await using var h = await SandboxHarness.Launch();
        var (cashier, _) = await OpenCashier(h, Checkout("T20261126000008"));
        using var cancelled = await h.SubmitForm(cashier, [new("action", "cancel")]);
        Assert.Equal(new Uri("http://merchant.example/quit"), SandboxHarness.Location(cancelled, cashier));
        var query = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000008")));
        Assert.True(query.Value.Status.IsTradeNotExist);
        Assert.True(await h.NoMoreAlipayNotifications());
    }

    [Fact]
    public async Task The_cashier_refuses_payment_after_timeout_express_and_a_second_payment_of_a_paid_order()
    {
        await using var h = await SandboxHarness.Launch();
        var (late, _) = await OpenCashier(h, Checkout("T20261126000009") with { PaymentTimeout = TimeSpan.FromMinutes(30) });
        h.Clock.Advance(TimeSpan.FromMinutes(31));
        using var expired = await Pay(h, late, "balance");
        Assert.Equal(HttpStatusCode.Conflict, expired.StatusCode);
        Assert.Contains("could be paid until 2026-11-26 12:30:00", await expired.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var (cashier, _) = await OpenCashier(h, Checkout("T20261126000010"));
        (await Pay(h, cashier, "balance")).Dispose();
        using var again = await Pay(h, cashier, "balance");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("ACQ.TRADE_HAS_SUCCESS", await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // A new checkout for the paid order is refused by the gateway itself.
        var request = h.Alipay.BuildCheckout(Checkout("T20261126000010")).Value;
        using var reopened = await h.SubmitForm(request.Endpoint, request.Fields);
        Assert.Contains("ACQ.TRADE_HAS_SUCCESS", await reopened.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Single(await DrainNotifications(h, 1));
    }

    [Fact]
    public async Task Five_confirmations_at_once_make_one_trade_and_one_notification()
    {
        await using var h = await SandboxHarness.Launch();
        var (cashier, _) = await OpenCashier(h, Checkout("T20261126000011"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Pay(h, cashier, "balance")));
        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.SeeOther));
        Assert.Equal(4, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        foreach (var answer in answers)
            answer.Dispose();
        var notification = h.Alipay.VerifyNotification(Assert.Single(await DrainNotifications(h, 1)).Fields, Expected("T20261126000011"));
        var query = h.Alipay.ReadQueryResponse(await Call(h, h.Alipay.BuildQuery("T20261126000011")));
        Assert.Equal(notification.Value.TradeNo, query.Value.TradeNo);
    }

    internal static async Task<List<SandboxHarness.Received>> DrainNotifications(SandboxHarness h, int count)
    {
        var received = new List<SandboxHarness.Received>();
        for (var i = 0; i < count; i++)
            received.Add(await h.NextAlipayNotification());
        Assert.True(await h.NoMoreAlipayNotifications());
        return received;
    }
}
