using System.Security.Cryptography;
using System.Text.Json;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Microsoft.Extensions.Time.Testing;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

public class AlipayRequestTests
{
    private static readonly Uri ReturnUrl = new("https://billing.example.com/payments/alipay/return?order=T20261126000001");

    private static GatewayRequest PagePay(AlipayGateway gateway) =>
        gateway.BuildCheckout(new AlipayCheckout("T20261126000001", Money.Parse("12.50"), "Cloudbill 充值 12.50", AlipayDevice.Desktop)
        {
            ReturnUrl = ReturnUrl,
        }).Value;

    [Fact]
    public void Page_pay_request_is_signed_exactly_as_openssl_signs_it()   // §1.6.1
    {
        var request = PagePay(Alipay());

        Assert.Equal(Text("alipay/page-pay.sign-content.txt"), AlipaySignature.RequestSignContent(request.Fields));
        Assert.Equal(Text("alipay/page-pay.sign.txt"), request.Field("sign"));
        Assert.Equal("https://openapi.alipay.com/gateway.do?charset=utf-8", request.Endpoint.AbsoluteUri);
        Assert.Equal("sign", request.Fields[^1].Key);
    }

    [Fact]
    public void Wap_pay_request_is_signed_exactly_as_openssl_signs_it()
    {
        var request = Alipay().BuildCheckout(new AlipayCheckout("T20261126000002", Money.Parse("0.01"), "Cloudbill top-up", AlipayDevice.Phone)
        {
            QuitUrl = new Uri("https://billing.example.com/topup"),
            PaymentTimeout = TimeSpan.FromHours(2),
        }).Value;

        Assert.Equal(Text("alipay/wap-pay.sign-content.txt"), AlipaySignature.RequestSignContent(request.Fields));
        Assert.Equal(Text("alipay/wap-pay.sign.txt"), request.Field("sign"));
        Assert.Null(request.Field("return_url"));
    }

    [Fact]
    public void Query_request_asks_for_the_fund_bill_list_and_is_signed_as_openssl_signs_it()   // §1.9
    {
        var request = Alipay().BuildQuery("T20261126000001").Value;

        Assert.Equal(Text("alipay/query.sign-content.txt"), AlipaySignature.RequestSignContent(request.Fields));
        Assert.Equal(Text("alipay/query.sign.txt"), request.Field("sign"));
        Assert.Null(request.Field("notify_url"));
    }

    [Theory]
    [InlineData("pkcs1-pem")]
    [InlineData("pkcs8-base64")]
    [InlineData("pkcs1-base64")]
    public void Accepts_the_app_key_in_every_form_of_the_Alipay_key_tool(string form)   // §1.6.1, §4
    {
        var pkcs8 = Text("alipay/app-private.pem");
        var pkcs1 = Text("alipay/app-private-pkcs1.pem");
        var key = form switch
        {
            "pkcs1-pem" => pkcs1,
            "pkcs8-base64" => BareBase64(pkcs8),
            _ => BareBase64(pkcs1),
        };
        using var keys = AlipayKeys.Load(key, BareBase64(Text("alipay/platform-public.pem"))).Value;
        var gateway = new AlipayGateway(AlipayTestSettings, keys, new FakeTimeProvider(RequestTime));

        Assert.Equal(Text("alipay/page-pay.sign.txt"), PagePay(gateway).Field("sign"));
    }

    private static string BareBase64(string pem) =>
        string.Concat(pem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)));

    [Fact]
    public void Excludes_Huabei_and_credit_cards_and_never_opens_a_channel()   // §1.5, R7.2
    {
        var request = PagePay(Alipay());
        using var biz = JsonDocument.Parse(request.Field("biz_content")!);
        var root = biz.RootElement;

        var disabled = root.GetProperty("disable_pay_channels").GetString()!.Split(',');
        Assert.Equal(["credit_group", "pcredit", "pcreditpayInstallment", "creditCard", "creditCardExpress", "creditCardCartoon"], disabled);
        Assert.Equal("0", root.GetProperty("goods_type").GetString());
        Assert.False(root.TryGetProperty("enable_pay_channels", out _));
        Assert.False(root.TryGetProperty("specified_channel", out _));
        Assert.False(root.TryGetProperty("extend_params", out _));
        Assert.Equal("12.50", root.GetProperty("total_amount").GetString());
        Assert.Equal("FAST_INSTANT_TRADE_PAY", root.GetProperty("product_code").GetString());
        Assert.Equal("30m", root.GetProperty("timeout_express").GetString());
    }

    [Fact]
    public void Timestamp_is_China_Standard_Time_from_the_clock()   // §1.2
    {
        var gateway = Alipay(new DateTimeOffset(2026, 12, 31, 16, 30, 0, TimeSpan.Zero));

        Assert.Equal("2027-01-01 00:30:00", gateway.BuildClose("T1").Value.Field("timestamp"));
    }

    [Fact]
    public void The_browser_form_and_redirect_carry_the_signed_fields_unchanged()
    {
        var gateway = Alipay();
        var request = gateway.BuildCheckout(new AlipayCheckout("T1", Money.Parse("5.00"), "Cloudbill \"Pro\" <plan>", AlipayDevice.Phone)).Value;

        var html = request.ToAutoSubmitHtml();
        Assert.Contains("action=\"https://openapi.alipay.com/gateway.do?charset=utf-8\"", html, StringComparison.Ordinal);
        Assert.Contains("\\u0022Pro\\u0022 \\u003Cplan\\u003E", request.Field("biz_content"), StringComparison.Ordinal);
        Assert.DoesNotContain("<plan>", html, StringComparison.Ordinal);

        var query = request.ToRedirectUri().Query.TrimStart('?').Split('&')
            .Select(pair => pair.Split('=', 2)).Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p[1])))
            .ToList();
        Assert.Equal("utf-8", query[0].Value);   // the gateway's own ?charset=utf-8 comes first
        var fields = query.Skip(1).ToList();
        Assert.Equal(request.Fields, fields);
        using var appPublic = RSA.Create();
        appPublic.ImportFromPem(Text("alipay/app-public.pem"));
        Assert.True(AlipaySignature.Verify(AlipaySignature.RequestSignContent(fields), fields.Value("sign"), appPublic));
    }

    [Fact]
    public void Refund_request_names_the_amount_and_the_refund_request_number()   // §1.9
    {
        var request = Alipay().BuildRefund(new AlipayRefund("T20261126000001", Money.Parse("2.50"), "R20261127000001") { Reason = "Duplicate payment" }).Value;

        Assert.Equal(AlipayGateway.RefundMethod, request.Field("method"));
        Assert.Equal("{\"out_trade_no\":\"T20261126000001\",\"refund_amount\":\"2.50\",\"out_request_no\":\"R20261127000001\",\"refund_reason\":\"Duplicate payment\"}",
            request.Field("biz_content"));
    }

    [Theory]
    [InlineData("T-1", "12.50", "Top-up", 30, "out_trade_no 'T-1' must be 1 to 64 letters")]
    [InlineData("T1", "0.00", "Top-up", 30, "Alipay accepts 0.01 to 100000000.00")]
    [InlineData("T1", "100000000.01", "Top-up", 30, "Alipay accepts 0.01 to 100000000.00")]
    [InlineData("T1", "12.50", "a&b", 30, "without '/', '=' or '&'")]
    [InlineData("T1", "12.50", "Top-up", 3, "from 5 minutes to 15 days")]
    public void Refuses_a_checkout_Alipay_would_refuse(string outTradeNo, string amount, string subject, int timeoutMinutes, string message)   // §1.4
    {
        var result = Alipay().BuildCheckout(new AlipayCheckout(outTradeNo, Money.Parse(amount), subject, AlipayDevice.Phone)
        {
            PaymentTimeout = TimeSpan.FromMinutes(timeoutMinutes),
        });

        Assert.Equal(AlipayErrors.Codes.InvalidRequest, result.Problem!.Code);
        Assert.Contains(message, result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_are_never_shown_and_the_apps_own_public_key_is_refused_as_Alipays()
    {
        using var keys = LoadAlipayKeys();
        Assert.DoesNotContain("MII", keys.ToString(), StringComparison.Ordinal);

        var ownKey = AlipayKeys.Load(Text("alipay/app-private.pem"), Text("alipay/app-public.pem"));
        Assert.Equal(AlipayErrors.Codes.InvalidKey, ownKey.Problem!.Code);
        Assert.Contains("app's own public key", ownKey.Problem.Message, StringComparison.Ordinal);

        var garbage = AlipayKeys.Load("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", Text("alipay/platform-public.pem"));
        Assert.Equal(AlipayErrors.Codes.InvalidKey, garbage.Problem!.Code);
        Assert.DoesNotContain("MIIE", garbage.Problem.Message, StringComparison.Ordinal);
    }
}
