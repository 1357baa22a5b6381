using System.Net;
using System.Security.Cryptography;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;

namespace Cloudbill.Sandbox.Tests;

/// <summary>Whatever arrives, the sandbox answers in the gateway's own terms: never a 500 or a stack trace.</summary>
public class BadInputTests
{
    /// <summary>Fields signed with the sandbox app key, as a merchant would, but with contents of the test's choosing.</summary>
    private static List<KeyValuePair<string, string>> SignedAlipay(SandboxHarness h, string method, string bizContent, string timestamp = "2026-11-26 12:00:00")
    {
        using var key = RSA.Create();
        key.ImportFromPem(h.Credentials.AppPrivateKeyPem);
        var fields = new List<KeyValuePair<string, string>>
        {
            new("app_id", h.Credentials.AlipayAppId), new("method", method), new("format", "JSON"), new("charset", "utf-8"),
            new("sign_type", "RSA2"), new("timestamp", timestamp), new("version", "1.0"), new("biz_content", bizContent),
        };
        fields.Add(new("sign", AlipaySignature.Sign(AlipaySignature.RequestSignContent(fields), key)));
        return fields;
    }

    private static Uri AlipayGateway(SandboxHarness h) => new(h.SandboxUrl, "/sandbox/alipay/gateway.do");

    [Fact]
    public async Task Alipay_answers_malformed_calls_with_its_error_codes()
    {
        await using var h = await SandboxHarness.Launch();

        using var empty = await h.Get(AlipayGateway(h));
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("\"sub_code\":\"isv.missing-method\"", await empty.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var notJson = await h.SubmitForm(AlipayGateway(h), SignedAlipay(h, "alipay.trade.query", "not json"));
        var notJsonAnswer = h.Alipay.ReadQueryResponse(await notJson.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("40002", "isv.invalid-biz-content"), (notJsonAnswer.Value.Status.Code, notJsonAnswer.Value.Status.SubCode));

        // §1.2: China Standard Time. The same instant written in UTC is 8 hours off.
        using var utc = await h.SubmitForm(AlipayGateway(h), SignedAlipay(h, "alipay.trade.query", "{\"out_trade_no\":\"T1\"}", "2026-11-26 04:00:00"));
        var utcAnswer = h.Alipay.ReadQueryResponse(await utc.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("isv.invalid-timestamp", utcAnswer.Value.Status.SubCode);
        Assert.Contains("not the current China Standard Time (2026-11-26 12:00:00", utcAnswer.Value.Status.SubMessage);

        using var unknownMethod = await h.SubmitForm(AlipayGateway(h), SignedAlipay(h, "alipay.trade.pay", "{}"));
        Assert.Contains("isv.invalid-method", await unknownMethod.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        foreach (var amount in new[] { "0", "-1.00", "0.001", "100000000.01", "ten" })
        {
            using var refused = await h.SubmitForm(AlipayGateway(h), SignedAlipay(h, "alipay.trade.wap.pay",
                $$"""{"out_trade_no":"T1","total_amount":"{{amount}}","subject":"x","product_code":"QUICK_WAP_WAY"}"""));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains($"total_amount {amount} must be 0.01 to 100000000.00", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        using var bothLists = await h.SubmitForm(AlipayGateway(h), SignedAlipay(h, "alipay.trade.page.pay",
            """{"out_trade_no":"T1","total_amount":"1.00","subject":"x","product_code":"FAST_INSTANT_TRADE_PAY","disable_pay_channels":"pcredit","enable_pay_channels":"balance"}"""));
        Assert.Contains("mutually exclusive", await bothLists.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var unknownCashier = await h.Get(new Uri(h.SandboxUrl, "/sandbox/alipay/cashier/a123"));
        Assert.Equal(HttpStatusCode.NotFound, unknownCashier.StatusCode);
        using var notAForm = await h.Post(new Uri(h.SandboxUrl, "/sandbox/alipay/cashier/a123"), new StringContent("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, notAForm.StatusCode);
        Assert.Empty(await h.Deliveries());
    }

    [Fact]
    public async Task UnionPay_answers_malformed_requests_with_signed_respCodes()
    {
        await using var h = await SandboxHarness.Launch();
        var front = new Uri(h.SandboxUrl, "/sandbox/unionpay/gateway/api/frontTransReq.do");
        using var empty = await h.SubmitForm(front, []);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("<code id=\"code\">10</code>", await empty.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        using var garbage = await h.Post(new Uri(h.SandboxUrl, "/sandbox/unionpay/gateway/api/queryTrans.do"), new StringContent("&&==&"));
        Assert.Equal(HttpStatusCode.OK, garbage.StatusCode);
        var answer = h.UnionPay.VerifyResponse(await garbage.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Signed by the sandbox, but for no merchant: the merchant's own merId check refuses it.
        Assert.Equal(UnionPayErrors.Codes.WrongMerchant, answer.Problem?.Code);

        using var unknownCashier = await h.Get(new Uri(h.SandboxUrl, "/sandbox/unionpay/cashier/u1"));
        Assert.Equal(HttpStatusCode.NotFound, unknownCashier.StatusCode);
    }

    [Fact]
    public async Task UnionPay_cancel_posts_an_unpaid_result_to_frontUrl_and_notifies_nothing()
    {
        await using var h = await SandboxHarness.Launch();
        var (front, cashier) = await UnionPaySandboxTests.OpenCashier(h, UnionPaySandboxTests.Checkout("U2026112600000301"));
        using var cancelled = await h.SubmitForm(cashier, [new("action", "cancel")]);
        var (action, fields) = SandboxHarness.ReadForm(await cancelled.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("http://merchant.example/front", action);
        var notice = h.UnionPay.VerifyNotification(fields);
        Assert.True(notice.Succeeded, notice.Problem?.Message);
        Assert.Equal(("01", false, front.OrderId), (notice.Value.Response.Code, notice.Value.IsPaid, notice.Value.OrderId));
        Assert.True(await h.NoMoreUnionPayNotifications());
    }
}
