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
}
