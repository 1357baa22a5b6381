using Cloudbill.Core.Payments.Alipay;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

public class AlipayResponseTests
{
    [Fact]
    public void Reads_a_signed_query_answer_and_detects_a_credit_card()   // §1.6.3, §1.9, R7.2
    {
        var result = Alipay().ReadQueryResponse(Text("alipay/query-paid.json"));

        Assert.True(result.Succeeded, result.Problem?.Message);
        var query = result.Value;
        Assert.True(query.Status.IsSuccess);
        Assert.True(query.IsPaid);
        Assert.Equal(AlipayTradeStatus.TradeSuccess, query.TradeStatus);
        Assert.Equal(Money.Parse("12.50"), query.TotalAmount);   // sent as "12.5"
        Assert.Equal("T20261126000001", query.OutTradeNo);
        Assert.True(query.UsedForbiddenChannel);
        Assert.Equal(AlipayFunding.CreditCard, query.FundBills[1].Funding);
    }

    [Fact]
    public void Reads_trade_not_exist_as_a_verified_answer_not_as_a_failure()   // §1.3, §1.9
    {
        var query = Alipay().ReadQueryResponse(Text("alipay/query-not-exist.json")).Value;

        Assert.False(query.Status.IsSuccess);
        Assert.True(query.Status.IsTradeNotExist);
        Assert.False(query.IsPaid);
        Assert.Null(query.TradeStatus);
    }

    [Fact]
    public void Reads_close_and_refund_answers()
    {
        var close = Alipay().ReadCloseResponse(Text("alipay/close-ok.json")).Value;
        Assert.True(close.Status.IsSuccess);
        Assert.Equal("2026112622001446880500000001", close.TradeNo);

        // This body writes "/" as "\/" although the signed node text has "/" (§1.6.3).
        Assert.Contains("\\/", Text("alipay/refund-ok.json"), StringComparison.Ordinal);
        var refund = Alipay().ReadRefundResponse(Text("alipay/refund-ok.json"));
        Assert.True(refund.Succeeded, refund.Problem?.Message);
        Assert.True(refund.Value.FundChange);
        Assert.Equal(Money.Parse("12.50"), refund.Value.RefundFee);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero), refund.Value.RefundedAt);
    }

    [Fact]
    public void Rejects_a_tampered_answer()
    {
        var body = Text("alipay/query-paid.json").Replace("\"total_amount\":\"12.5\"", "\"total_amount\":\"1.5\"", StringComparison.Ordinal);

        Assert.Equal(AlipayErrors.Codes.BadSignature, Alipay().ReadQueryResponse(body).Problem!.Code);
    }

    [Fact]
    public void Finds_the_node_wherever_the_sign_is_and_whatever_the_spacing_outside_it()
    {
        var body = Text("alipay/close-ok.json");
        var node = body[body.IndexOf(":{", StringComparison.Ordinal)..body.IndexOf("},\"sign\"", StringComparison.Ordinal)][1..] + "}";
        var sign = body[(body.IndexOf("\"sign\":\"", StringComparison.Ordinal) + 8)..^2];
        var reordered = $"{{ \"sign\" : \"{sign}\",\n  \"alipay_trade_close_response\" : {node} }}";

        Assert.True(Alipay().ReadCloseResponse(reordered).Succeeded);
    }

    [Fact]
    public void Refuses_an_answer_for_another_method_and_an_unsigned_error()
    {
        Assert.Equal(AlipayErrors.Codes.Malformed, Alipay().ReadQueryResponse(Text("alipay/close-ok.json")).Problem!.Code);
        Assert.Equal(AlipayErrors.Codes.Malformed, Alipay().ReadQueryResponse("<html>502</html>").Problem!.Code);

        var unsigned = Alipay().ReadQueryResponse("{\"error_response\":{\"code\":\"40002\",\"msg\":\"Invalid Arguments\",\"sub_code\":\"isv.invalid-app-id\",\"sub_msg\":\"bad app_id\"}}");
        Assert.Equal(AlipayErrors.Codes.UnsignedResponse, unsigned.Problem!.Code);
        Assert.Contains("40002", unsigned.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_paid_query_answer_must_name_the_order_and_its_exact_amount()   // §3.5 step 4
    {
        var query = Alipay().ReadQueryResponse(Text("alipay/query-paid.json")).Value;
        var order = new AlipayExpectedPayment("T20261126000001", Money.Parse("12.50"));

        Assert.True(AlipayGateway.CheckQueryResponse(query, order).Succeeded);
        Assert.Equal(AlipayErrors.Codes.AmountMismatch, AlipayGateway.CheckQueryResponse(query, order with { Amount = Money.Parse("12.00") }).Problem!.Code);
        Assert.Equal(AlipayErrors.Codes.OtherOrder, AlipayGateway.CheckQueryResponse(query, order with { OutTradeNo = "T2" }).Problem!.Code);
    }

    [Fact]
    public void Reads_a_refund_query_answer()
    {
        const string node = "{\"code\":\"10000\",\"msg\":\"Success\",\"out_request_no\":\"R20261127000001\",\"out_trade_no\":\"T20261126000001\",\"refund_amount\":\"2.50\",\"total_amount\":\"12.50\",\"trade_no\":\"2026112622001446880500000001\"}";
        using var alipayKey = AlipayPlatformKey();
        var body = $"{{\"alipay_trade_fastpay_refund_query_response\":{node},\"sign\":\"{AlipaySignature.Sign(node, alipayKey)}\"}}";

        var refund = Alipay().ReadRefundQueryResponse(body).Value;

        Assert.True(refund.IsRefunded);
        Assert.Equal(Money.Parse("2.50"), refund.RefundAmount);
        Assert.Equal("R20261127000001", refund.OutRequestNo);
    }
}
