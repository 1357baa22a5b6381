using Cloudbill.Core.Payments.UnionPay;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

public class UnionPayRequestTests
{
    private static UnionPayCheckout Checkout(UnionPayDevice device = UnionPayDevice.Phone) =>
        new("T20261126000001", Money.Parse("12.50"), device, new Uri("https://billing.example.com/payments/unionpay/return"));

    [Fact]
    public void CertId_is_the_merchant_certificate_serial_in_decimal()   // §2.3 step 2
    {
        using var certificates = LoadUnionPayCertificates();

        // The serial is above 2^63: read as signed hex it would come out negative.
        Assert.Equal(Text("unionpay/merchant-cert-id.txt"), certificates.CertId);
        Assert.Equal("11474836471234567890", certificates.CertId);
        Assert.DoesNotContain("000000", certificates.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Front_consumption_is_signed_exactly_as_openssl_signs_it()   // §2.2, §2.3
    {
        var front = UnionPay(RequestTime).BuildFrontConsume(Checkout()).Value;
        var request = front.Request;

        var content = UnionPaySignature.SignContent(request.Fields);
        Assert.Equal(Text("unionpay/front-consume.sign-content.txt"), content);
        Assert.Equal(Text("unionpay/front-consume.digest.txt"), UnionPaySignature.Digest(content));
        Assert.Equal(Text("unionpay/front-consume.signature.txt"), request.Field("signature"));
        Assert.Equal("https://gateway.test.95516.com/gateway/api/frontTransReq.do", request.Endpoint.AbsoluteUri);
        Assert.Equal("1250", request.Field("txnAmt"));
        Assert.Equal("20261126120506", request.Field("txnTime"));
        Assert.Equal("20261126122006", request.Field("payTimeout"));
        Assert.Equal(RequestTime, front.TxnTime);
        Assert.Equal(RequestTime.AddMinutes(15), front.PayTimeout);
    }

    [Fact]
    public void Desktop_uses_channel_07_and_txnTime_carries_whole_seconds()
    {
        var front = UnionPay(RequestTime.AddMilliseconds(999)).BuildFrontConsume(Checkout(UnionPayDevice.Desktop)).Value;

        Assert.Equal("07", front.Request.Field("channelType"));
        Assert.Equal(RequestTime, front.TxnTime);
    }

    [Fact]
    public void Status_query_is_signed_exactly_as_openssl_signs_it()   // §2.6
    {
        // A day later: the query names the original order's txnTime, not the current time.
        var request = UnionPay(RequestTime.AddDays(1)).BuildQuery("T20261126000001", RequestTime).Value;

        Assert.Equal(Text("unionpay/query.sign-content.txt"), UnionPaySignature.SignContent(request.Fields));
        Assert.Equal(Text("unionpay/query.signature.txt"), request.Field("signature"));
        Assert.Equal("https://gateway.test.95516.com/gateway/api/queryTrans.do", request.Endpoint.AbsoluteUri);
    }

    [Theory]
    [InlineData("T-20261126-01", "12.50", "8 to 40 letters or digits")]
    [InlineData("T1", "12.50", "8 to 40 letters or digits")]
    [InlineData("T20261126000001", "0.00", "at least 0.01")]
    public void Refuses_an_order_UnionPay_would_refuse(string orderId, string amount, string message)
    {
        var result = UnionPay(RequestTime).BuildFrontConsume(Checkout() with { OrderId = orderId, Amount = Money.Parse(amount) });

        Assert.Equal(UnionPayErrors.Codes.InvalidRequest, result.Problem!.Code);
        Assert.Contains(message, result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_PFX_password_is_a_clear_problem_that_does_not_repeat_it()
    {
        var result = UnionPayCertificates.Load(Bytes("unionpay/merchant.pfx"), "wrong-secret", Bytes("unionpay/root.pem"), Bytes("unionpay/middle.pem"));

        Assert.Equal(UnionPayErrors.Codes.InvalidCertificates, result.Problem!.Code);
        Assert.DoesNotContain("wrong-secret", result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_back_URL_with_a_query_string_is_refused_at_start()   // §2.2
    {
        var settings = UnionPayTestSettings() with { BackUrl = new Uri("https://billing.example.com/notify?x=1") };

        Assert.Equal(UnionPayErrors.Codes.InvalidSettings, settings.Validate()!.Code);
    }
}
