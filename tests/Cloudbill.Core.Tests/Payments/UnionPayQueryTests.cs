using System.Security.Cryptography;
using Cloudbill.Core.Payments.UnionPay;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

public class UnionPayQueryTests
{
    [Fact]
    public void Reads_a_paid_order_from_a_signed_query_answer()   // §2.6
    {
        var result = UnionPay().ReadQueryResponse(Text("unionpay/query-paid.txt"));

        Assert.True(result.Succeeded, result.Problem?.Message);
        Assert.Equal(UnionPayPaymentState.Paid, result.Value.State);
        Assert.Equal(Money.Parse("12.50"), result.Value.Amount);
        Assert.Equal("772611261205068512348", result.Value.QueryId);
        Assert.Equal("{cardNumberLock=1&issInsCode=01020000}", result.Value.Fields["reserved"]);
    }

    [Fact]
    public void Reads_processing_and_not_found()   // §2.6: 03/04/05 query again; 34 no such transaction
    {
        var processing = UnionPay().ReadQueryResponse(Text("unionpay/query-processing.txt")).Value;
        Assert.Equal(UnionPayPaymentState.Processing, processing.State);
        Assert.Equal("05", processing.OriginalResponse!.Code);

        var notFound = UnionPay().ReadQueryResponse(Text("unionpay/query-not-found.txt")).Value;
        Assert.Equal(UnionPayPaymentState.NotFound, notFound.State);
        Assert.Equal("no such transaction", notFound.Response.Meaning);
    }

    [Fact]
    public void Rejects_a_tampered_answer()
    {
        var body = Text("unionpay/query-paid.txt").Replace("origRespCode=00", "origRespCode=A6", StringComparison.Ordinal);

        Assert.Equal(UnionPayErrors.Codes.BadSignature, UnionPay().ReadQueryResponse(body).Problem!.Code);
    }

    [Fact]
    public void Splits_fields_only_outside_brackets()   // §2.4
    {
        var fields = UnionPayGateway.ParseResponseBody("a=1&reserved={x=1&y=[2&3]}&b=&c=k=v");

        Assert.Equal(
            [new("a", "1"), new("reserved", "{x=1&y=[2&3]}"), new("b", ""), new("c", "k=v")],
            fields);
    }

    /// <summary>A query answer with fields changed, signed again by the test UnionPay key, as a raw body.</summary>
    private static string Resigned(string vector, params (string Key, string? Value)[] changes)
    {
        var fields = UnionPayGateway.ParseResponseBody(Text(vector)).ToList();
        foreach (var (key, value) in changes)
            fields = fields.With(key, value);
        using var unionPayKey = RSA.Create();
        unionPayKey.ImportFromPem(Text("unionpay/signing-test.key"));
        fields = fields.With("signature", UnionPaySignature.Sign(UnionPaySignature.SignContent(fields), unionPayKey));
        return string.Join('&', fields.Select(field => $"{field.Key}={field.Value}"));
    }

    [Fact]
    public void A_query_that_itself_failed_is_a_problem_to_retry_not_a_payment_state()   // §2.6
    {
        var result = UnionPay().ReadQueryResponse(Resigned("unionpay/query-not-found.txt", ("respCode", "12"), ("respMsg", "System busy")));

        Assert.Equal(UnionPayErrors.Codes.QueryFailed, result.Problem!.Code);
        Assert.Contains("respCode 12 (System busy)", result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_any_other_original_code_as_failed_and_refuses_another_merchants_answer()
    {
        var failed = UnionPay().ReadQueryResponse(Resigned("unionpay/query-paid.txt", ("origRespCode", "01"), ("origRespMsg", "交易失败"))).Value;
        Assert.Equal(UnionPayPaymentState.Failed, failed.State);

        Assert.Equal(UnionPayErrors.Codes.WrongMerchant,
            UnionPay().ReadQueryResponse(Resigned("unionpay/query-paid.txt", ("merId", "777290058110099"))).Problem!.Code);
    }

    [Fact]
    public void A_paid_answer_must_name_the_order_and_its_exact_amount()
    {
        var paid = UnionPay().ReadQueryResponse(Text("unionpay/query-paid.txt")).Value;

        Assert.True(UnionPayGateway.CheckQueryResult(paid, UnionPayOrder).Succeeded);
        Assert.Equal(UnionPayErrors.Codes.AmountMismatch,
            UnionPayGateway.CheckQueryResult(paid, UnionPayOrder with { Amount = Money.Parse("1.00") }).Problem!.Code);
        Assert.Equal(UnionPayErrors.Codes.OtherOrder,
            UnionPayGateway.CheckQueryResult(paid, UnionPayOrder with { OrderId = "T20261126000009" }).Problem!.Code);
    }

    [Fact]
    public void Verifies_any_synchronous_answer()
    {
        Assert.Equal("34", UnionPay().VerifyResponse(Text("unionpay/query-not-found.txt")).Value["respCode"]);
        Assert.Equal(UnionPayErrors.Codes.BadSignature,
            UnionPay().VerifyResponse(Text("unionpay/query-not-found.txt").Replace("respCode=34", "respCode=00", StringComparison.Ordinal)).Problem!.Code);
    }
}
