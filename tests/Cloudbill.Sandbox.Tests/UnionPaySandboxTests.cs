using System.Net;
using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Time;
using NodaTime.Text;

namespace Cloudbill.Sandbox.Tests;

/// <summary>
/// The UnionPay sandbox driven by the merchant's UnionPayGateway over HTTP (payments.md §2, §5.2),
/// with the production certificate-name check on.
/// </summary>
public class UnionPaySandboxTests
{
    internal static UnionPayCheckout Checkout(string orderId, string amount = "12.50") =>
        new(orderId, Money.Parse(amount), UnionPayDevice.Phone, new Uri("http://merchant.example/front"));

    internal static async Task<(UnionPayFrontRequest Request, Uri Cashier)> OpenCashier(SandboxHarness h, UnionPayCheckout checkout)
    {
        var front = h.UnionPay.BuildFrontConsume(checkout).Value;
        using var response = await h.SubmitForm(front.Request.Endpoint, front.Request.Fields);
        return (front, SandboxHarness.Location(response, front.Request.Endpoint));
    }

    internal static async Task<HttpResponseMessage> Pay(SandboxHarness h, Uri cashier, string smsCode = "111111") =>
        await h.SubmitForm(cashier, [new("cardNumber", "6216261000000000018"), new("cardType", "debit"), new("smsCode", smsCode), new("action", "pay")]);

    internal static async Task<UnionPayFrontRequest> PaidUnionPayOrder(SandboxHarness h, string orderId, string amount = "12.50")
    {
        var (front, cashier) = await OpenCashier(h, Checkout(orderId, amount));
        using var paid = await Pay(h, cashier);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        return front;
    }

    private static UnionPayExpectedPayment Expected(UnionPayFrontRequest front, string amount = "12.50") =>
        new(front.OrderId, front.TxnTime, Money.Parse(amount));

    private static async Task<string> Post(SandboxHarness h, GatewayRequest request)
    {
        using var response = await h.Post(request.Endpoint, new FormUrlEncodedContent(request.Fields));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_front_consumption_paid_at_the_cashier_posts_back_to_frontUrl_and_sends_a_verified_back_notification()
    {
        await using var h = await SandboxHarness.Launch();
        var (front, cashier) = await OpenCashier(h, Checkout("U2026112600000001", "12.50"));
        var html = await h.GetString(cashier);
        Assert.Contains("¥12.50", html);
        Assert.Contains("U2026112600000001", html);
        Assert.Contains(h.Credentials.UnionPayMerId, html);

        using var paid = await Pay(h, cashier);
        var (action, frontFields) = SandboxHarness.ReadForm(await paid.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("http://merchant.example/front", action);
        var frontNotice = h.UnionPay.VerifyNotification(frontFields, Expected(front));
        Assert.True(frontNotice.Succeeded, frontNotice.Problem?.Message);

        // §2.4 with ValidateCertificateName=true: chain to the configured middle and root, CN names UnionPay.
        var received = await h.NextUnionPayNotification();
        var notification = h.UnionPay.VerifyNotification(received.Fields, Expected(front));
        Assert.True(notification.Succeeded, notification.Problem?.Message);
        Assert.True(notification.Value.IsPaid);
        Assert.Equal(Money.Parse("12.50"), notification.Value.Amount);
        Assert.Equal(("00", "01"), (notification.Value.Response.Code, notification.Value.TxnType));
        Assert.Matches("^[0-9]{21}$", notification.Value.QueryId);
        Assert.Equal(frontNotice.Value.QueryId, notification.Value.QueryId);
        Assert.Equal("6216" + new string('*', 11) + "0018", notification.Value.Fields["accNo"]);
        Assert.Equal("1250", notification.Value.Fields["settleAmt"]);
        Assert.Equal(front.Request.Field("txnTime"), notification.Value.TxnTimeText);
        Assert.True(await h.NoMoreUnionPayNotifications());
    }

    [Fact]
    public async Task Query_says_not_found_then_processing_then_paid_and_failed_once_payTimeout_passed_unpaid()
    {
        await using var h = await SandboxHarness.Launch();
        var unknown = h.UnionPay.ReadQueryResponse(await Post(h, h.UnionPay.BuildQuery("U2026112600000002", SandboxHarness.Start).Value));
        Assert.True(unknown.Succeeded, unknown.Problem?.Message);
        Assert.Equal((UnionPayPaymentState.NotFound, "34"), (unknown.Value.State, unknown.Value.Response.Code));

        var (front, cashier) = await OpenCashier(h, Checkout("U2026112600000002", "99.99"));
        var open = h.UnionPay.ReadQueryResponse(await Post(h, h.UnionPay.BuildQuery(front.OrderId, front.TxnTime).Value));
        Assert.Equal((UnionPayPaymentState.Processing, "05"), (open.Value.State, open.Value.OriginalResponse!.Code));

        (await Pay(h, cashier)).Dispose();
        var paid = h.UnionPay.ReadQueryResponse(await Post(h, h.UnionPay.BuildQuery(front.OrderId, front.TxnTime).Value));
        Assert.Equal(UnionPayPaymentState.Paid, paid.Value.State);
        Assert.Equal(Money.Parse("99.99"), paid.Value.Amount);
        Assert.True(UnionPayGateway.CheckQueryResult(paid.Value, Expected(front, "99.99")).Succeeded);
        var notification = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields).Value;
        Assert.Equal(notification.QueryId, paid.Value.QueryId);

        // An order left at the cashier past payTimeout (15 minutes by default) has failed for good.
        var (late, lateCashier) = await OpenCashier(h, Checkout("U2026112600000003"));
        h.Clock.Advance(TimeSpan.FromMinutes(16));
        using var expired = await Pay(h, lateCashier);
        Assert.Equal(HttpStatusCode.Conflict, expired.StatusCode);
        Assert.Contains("payTimeout", await expired.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var failed = h.UnionPay.ReadQueryResponse(await Post(h, h.UnionPay.BuildQuery(late.OrderId, late.TxnTime).Value));
        Assert.Equal((UnionPayPaymentState.Failed, "01"), (failed.Value.State, failed.Value.OriginalResponse!.Code));
    }

    [Fact]
    public async Task A_refund_is_answered_synchronously_then_notified_and_cannot_exceed_the_payment()
    {
        await using var h = await SandboxHarness.Launch();
        var front = await PaidUnionPayOrder(h, "U2026112600000004", "50.00");
        var payment = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields, Expected(front, "50.00")).Value;

        var refund = h.UnionPay.VerifyResponse(await Post(h, BackTransaction(h, "04", "R2026112600000004", "3000", payment.QueryId!)));
        Assert.True(refund.Succeeded, refund.Problem?.Message);
        Assert.Equal(("00", "04", "3000", payment.QueryId), (refund.Value["respCode"], refund.Value["txnType"], refund.Value["txnAmt"], refund.Value["origQryId"]));
        Assert.NotEqual(payment.QueryId, refund.Value["queryId"]);

        var refundNotice = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields);
        Assert.True(refundNotice.Succeeded, refundNotice.Problem?.Message);
        Assert.Equal(("04", Money.Parse("30.00"), "00"), (refundNotice.Value.TxnType, refundNotice.Value.Amount, refundNotice.Value.Response.Code));
        Assert.False(refundNotice.Value.IsPaid);
        Assert.Equal(refund.Value["queryId"], refundNotice.Value.QueryId);

        // 20.00 is left: 20.01 is refused (signed, so the merchant can read why), nothing is notified.
        var tooMuch = h.UnionPay.VerifyResponse(await Post(h, BackTransaction(h, "04", "R2026112600000005", "2001", payment.QueryId!)));
        Assert.True(tooMuch.Succeeded, tooMuch.Problem?.Message);
        Assert.Equal("33", tooMuch.Value["respCode"]);
        // A cancel must be for the full amount and before any refund.
        var cancel = h.UnionPay.VerifyResponse(await Post(h, BackTransaction(h, "31", "C2026112600000006", "5000", payment.QueryId!)));
        Assert.Equal("35", cancel.Value["respCode"]);
        Assert.True(await h.NoMoreUnionPayNotifications());
    }

    [Fact]
    public async Task A_consumption_is_cancelled_on_its_day_for_the_full_amount()
    {
        await using var h = await SandboxHarness.Launch();
        var front = await PaidUnionPayOrder(h, "U2026112600000007", "8.00");
        var payment = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields).Value;
        var cancel = h.UnionPay.VerifyResponse(await Post(h, BackTransaction(h, "31", "C2026112600000007", "800", payment.QueryId!)));
        Assert.Equal("00", cancel.Value["respCode"]);
        var notice = h.UnionPay.VerifyNotification((await h.NextUnionPayNotification()).Fields).Value;
        Assert.Equal(("31", Money.Parse("8.00")), (notice.TxnType, notice.Amount));
        // The back transaction can be queried by its own orderId and txnTime.
        var query = h.UnionPay.ReadQueryResponse(await Post(h, h.UnionPay.BuildQuery("C2026112600000007", SandboxHarness.Start).Value));
        Assert.Equal(UnionPayPaymentState.Paid, query.Value.State);
        Assert.Equal(notice.QueryId, query.Value.QueryId);
        Assert.NotNull(front);
    }

    [Fact]
    public async Task A_request_with_a_bad_merchant_signature_is_refused_with_respCode_11()
    {
        await using var h = await SandboxHarness.Launch();
        var front = h.UnionPay.BuildFrontConsume(Checkout("U2026112600000008")).Value;
        var tampered = front.Request.Fields.Select(f => f.Key == "txnAmt" ? new KeyValuePair<string, string>("txnAmt", "1") : f).ToList();
        using var refused = await h.SubmitForm(front.Request.Endpoint, tampered);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var page = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("<code id=\"code\">11</code>", page);
        Assert.Contains("验证签名失败", page);

        var query = h.UnionPay.BuildQuery("U2026112600000008", SandboxHarness.Start).Value;
        var badQuery = query.Fields.Select(f => f.Key == "orderId" ? new KeyValuePair<string, string>("orderId", "U2026112600000009") : f);
        using var answer = await h.Post(query.Endpoint, new FormUrlEncodedContent(badQuery));
        var read = h.UnionPay.ReadQueryResponse(await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(UnionPayErrors.Codes.QueryFailed, read.Problem?.Code);
        Assert.Contains("respCode 11", read.Problem!.Message);
        Assert.True(await h.NoMoreUnionPayNotifications());
    }

    [Fact]
    public async Task A_wrong_sms_code_pays_nothing()
    {
        await using var h = await SandboxHarness.Launch();
        var (front, cashier) = await OpenCashier(h, Checkout("U2026112600000010"));
        using var refused = await Pay(h, cashier, smsCode: "000000");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var query = h.UnionPay.ReadQueryResponse(await Post(h, h.UnionPay.BuildQuery(front.OrderId, front.TxnTime).Value));
        Assert.Equal(UnionPayPaymentState.Processing, query.Value.State);
        Assert.True(await h.NoMoreUnionPayNotifications());
    }

    private static readonly LocalDateTimePattern Compact = LocalDateTimePattern.CreateWithInvariantCulture("uuuuMMddHHmmss");

    /// <summary>A refund (04) or cancel (31) as §2.7 describes it, signed with the merchant PFX (the merchant code does not build these yet).</summary>
    private static GatewayRequest BackTransaction(SandboxHarness h, string txnType, string orderId, string txnAmtFen, string origQryId)
    {
        using var pfx = X509CertificateLoader.LoadPkcs12(h.Credentials.MerchantPfx, h.Credentials.MerchantPfxPassword, X509KeyStorageFlags.EphemeralKeySet);
        using var key = pfx.GetRSAPrivateKey()!;
        var fields = new List<KeyValuePair<string, string>>
        {
            new("version", "5.1.0"), new("encoding", "UTF-8"), new("signMethod", "01"), new("txnType", txnType), new("txnSubType", "00"),
            new("bizType", "000201"), new("channelType", "07"), new("accessType", "0"), new("merId", h.Credentials.UnionPayMerId),
            new("orderId", orderId), new("txnTime", Compact.Format(BusinessCalendar.ToLocal(h.Clock.GetUtcNow()))), new("txnAmt", txnAmtFen),
            new("currencyCode", "156"), new("origQryId", origQryId), new("backUrl", h.UnionPay.Settings.BackUrl.AbsoluteUri),
            new("certId", UnionPayCertificates.CertIdOf(pfx)),
        };
        fields.Add(new("signature", UnionPaySignature.Sign(UnionPaySignature.SignContent(fields), key)));
        return new GatewayRequest(h.UnionPay.Settings.BackTransUrl, fields);
    }
}
