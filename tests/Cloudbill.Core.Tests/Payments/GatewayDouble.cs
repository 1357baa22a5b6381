using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

/// <summary>
/// Alipay and UnionPay as far as the core tests need them: trades the payer has paid, signed
/// answers to query, close and refund (with the keys of the openssl vectors), and signed
/// notifications to post to the notify handler. The sandbox tests cover the HTTP side.
/// </summary>
internal sealed class GatewayDouble() : GatewayTransport(null!, NullLogger<GatewayTransport>.Instance)
{
    /// <summary>The vector certificates are issued 2026-11-26 13:00 UTC; payment tests start the next morning.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);

    public static readonly AlipayMerchant Alipay = new(AlipayTestSettings.AppId, AlipayTestSettings.SellerId,
        Text("alipay/app-private.pem"), Text("alipay/platform-public.pem"), new Uri("https://alipay.test/gateway.do"));

    public static readonly UnionPayMerchant UnionPay = new(UnionPayTestSettings().MerId, Bytes("unionpay/merchant.pfx"), "000000",
        Bytes("unionpay/root.pem"), Bytes("unionpay/middle.pem"), new Uri("https://unionpay.test/"), ValidateCertificateName: false);

    private sealed record Trade(Money Amount, string TradeNo, string Channel, string? FundType);

    private readonly ConcurrentDictionary<string, Trade> paid = new();

    /// <summary>Refunds made, by Alipay out_trade_no or UnionPay refund orderId: the request number (Alipay) or txnTime (UnionPay) and the amount.</summary>
    private readonly ConcurrentDictionary<string, (string Request, Money Amount)> refunded = new();
    private int queries;
    private int closes;
    private int refunds;

    public int Queries => queries;
    public int Closes => closes;
    public int Refunds => refunds;

    /// <summary>Set to make every call fail as an unreachable gateway would.</summary>
    public bool Down { get; set; }

    /// <summary>Runs when Alipay is asked to close a trade, before it answers (the payer paying at that very moment).</summary>
    public Action<string>? BeforeClose { get; set; }

    /// <summary>Answers queries about the key with the signed answer about the value (another trade).</summary>
    public Dictionary<string, string> AnswerAbout { get; } = new(StringComparer.Ordinal);

    public Action<IServiceCollection> Install => services =>
    {
        services.AddSingleton<GatewayTransport>(this);
        services.AddSingleton(sp => new PaymentGateways(Alipay, UnionPay, new PaymentOptions { PublicBaseUrl = "http://127.0.0.1:5080" }, sp.GetRequiredService<TimeProvider>()));
    };

    /// <summary>The payer paid <paramref name="outTradeNo"/> at the gateway (the cashier's "confirm").</summary>
    public string Pay(string outTradeNo, Money amount, string channel = "ALIPAYACCOUNT", string? fundType = null)
    {
        var trade = paid.GetOrAdd(outTradeNo, _ => new Trade(amount, "20261127220014" + Math.Abs(outTradeNo.GetHashCode(StringComparison.Ordinal)).ToString("D12", CultureInfo.InvariantCulture), channel, fundType));
        return trade.TradeNo;
    }

    public override Task<Result<string>> Send(PaymentGateway gateway, GatewayRequest request, CancellationToken ct)
    {
        if (Down)
            return Task.FromResult<Result<string>>(PaymentErrors.Unreachable(gateway, "connection refused"));
        return Task.FromResult<Result<string>>(gateway == PaymentGateway.Alipay ? AnswerAlipay(request) : AnswerUnionPay(request));
    }

    private string AnswerAlipay(GatewayRequest request)
    {
        var method = request.Field("method")!;
        var outTradeNo = JsonDocument.Parse(request.Field("biz_content")!).RootElement.GetProperty("out_trade_no").GetString()!;
        if (method == AlipayGateway.CloseMethod)
            BeforeClose?.Invoke(outTradeNo);
        if (AnswerAbout.TryGetValue(outTradeNo, out var other))
            outTradeNo = other;
        var node = method.Replace('.', '_') + "_response";
        var known = paid.TryGetValue(outTradeNo, out var trade);
        Dictionary<string, object> answer;
        switch (method)
        {
            case AlipayGateway.QueryMethod:
                Interlocked.Increment(ref queries);
                answer = known
                    ? new()
                    {
                        ["code"] = "10000",
                        ["msg"] = "Success",
                        ["out_trade_no"] = outTradeNo,
                        ["trade_no"] = trade!.TradeNo,
                        // §1.7: a fully refunded trade is closed.
                        ["trade_status"] = refunded.ContainsKey(outTradeNo) ? "TRADE_CLOSED" : "TRADE_SUCCESS",
                        ["total_amount"] = trade.Amount.ToString(),
                        ["buyer_pay_amount"] = trade.Amount.ToString(),
                        ["send_pay_date"] = "2026-11-27 10:01:00",
                        ["fund_bill_list"] = new[] { FundBill(trade) }
                    }
                    : NotExist(outTradeNo);
                break;
            case AlipayGateway.CloseMethod:
                Interlocked.Increment(ref closes);
                answer = known ? new() { ["code"] = "40004", ["msg"] = "Business Failed", ["sub_code"] = "ACQ.TRADE_STATUS_ERROR", ["sub_msg"] = "paid" } : NotExist(outTradeNo);
                break;
            case AlipayGateway.RefundMethod:
                Interlocked.Increment(ref refunds);
                var biz = JsonDocument.Parse(request.Field("biz_content")!).RootElement;
                refunded.TryAdd(outTradeNo, (biz.GetProperty("out_request_no").GetString()!, Money.Parse(biz.GetProperty("refund_amount").GetString()!)));
                answer = new()
                {
                    ["code"] = "10000",
                    ["msg"] = "Success",
                    ["out_trade_no"] = outTradeNo,
                    ["trade_no"] = trade!.TradeNo,
                    ["fund_change"] = "Y",
                    ["refund_fee"] = trade.Amount.ToString(),
                    ["gmt_refund_pay"] = "2026-11-27 10:05:00"
                };
                break;
            case AlipayGateway.RefundQueryMethod:
                var asked = JsonDocument.Parse(request.Field("biz_content")!).RootElement.GetProperty("out_request_no").GetString();
                answer = new() { ["code"] = "10000", ["msg"] = "Success", ["out_trade_no"] = outTradeNo, ["out_request_no"] = asked! };
                if (refunded.TryGetValue(outTradeNo, out var made) && made.Request == asked)
                {
                    answer["refund_amount"] = made.Amount.ToString();
                    answer["total_amount"] = trade!.Amount.ToString();
                    answer["refund_status"] = "REFUND_SUCCESS";
                }
                break;
            default:
                throw new InvalidOperationException($"The double does not play {method}.");
        }
        var nodeText = JsonSerializer.Serialize(answer);
        using var key = AlipayPlatformKey();
        return $"{{\"{node}\":{nodeText},\"sign\":\"{AlipaySignature.Sign(nodeText, key)}\"}}";
    }

    private static Dictionary<string, object> NotExist(string outTradeNo) =>
        new() { ["code"] = "40004", ["msg"] = "Business Failed", ["sub_code"] = "ACQ.TRADE_NOT_EXIST", ["sub_msg"] = "交易不存在", ["out_trade_no"] = outTradeNo };

    private static Dictionary<string, string> FundBill(Trade trade)
    {
        var bill = new Dictionary<string, string> { ["amount"] = trade.Amount.ToString(), ["fund_channel"] = trade.Channel };
        if (trade.FundType is not null)
            bill["fund_type"] = trade.FundType;
        return bill;
    }

    private string AnswerUnionPay(GatewayRequest request)
    {
        var orderId = request.Field("orderId")!;
        var txnType = request.Field("txnType")!;
        List<KeyValuePair<string, string>> fields =
        [
            new("version", "5.1.0"), new("encoding", "UTF-8"), new("signMethod", "01"), new("txnType", txnType), new("txnSubType", "00"),
            new("bizType", "000201"), new("accessType", "0"), new("merId", UnionPay.MerId), new("orderId", orderId), new("txnTime", request.Field("txnTime")!),
        ];
        if (txnType == "04")
        {
            // §2.7: a refund of a paid consumption, by its queryId; 00 means accepted.
            Interlocked.Increment(ref refunds);
            var known = paid.Values.Any(t => t.TradeNo == request.Field("origQryId"));
            if (known)
                refunded.TryAdd(orderId, (request.Field("txnTime")!, new Money(long.Parse(request.Field("txnAmt")!, CultureInfo.InvariantCulture))));
            fields.AddRange(known ? [new("respCode", "00"), new("respMsg", "成功[0000000]")] : [new("respCode", "35"), new("respMsg", "原交易不存在或状态不正确")]);
            return string.Join('&', SignedByUnionPay(fields).Select(f => $"{f.Key}={f.Value}"));
        }
        Interlocked.Increment(ref queries);
        if (refunded.TryGetValue(orderId, out var refund) && refund.Request == request.Field("txnTime"))
        {
            fields.AddRange([new("respCode", "00"), new("respMsg", "成功[0000000]"), new("origRespCode", "00"), new("origRespMsg", "成功[0000000]"),
                new("queryId", "R" + orderId), new("txnAmt", refund.Amount.Fen.ToString(CultureInfo.InvariantCulture)), new("currencyCode", "156")]);
        }
        else if (paid.TryGetValue(orderId, out var trade))
        {
            fields.AddRange([new("respCode", "00"), new("respMsg", "成功[0000000]"), new("origRespCode", "00"), new("origRespMsg", "成功[0000000]"),
                new("queryId", trade.TradeNo), new("txnAmt", trade.Amount.Fen.ToString(CultureInfo.InvariantCulture)), new("currencyCode", "156")]);
        }
        else
        {
            fields.AddRange([new("respCode", "34"), new("respMsg", "查无此交易[0000000]")]);
        }
        fields = SignedByUnionPay(fields);
        return string.Join('&', fields.Select(f => $"{f.Key}={f.Value}"));
    }

    /// <summary>Alipay's asynchronous notification for a paid trade, signed by "Alipay".</summary>
    public static List<KeyValuePair<string, string>> AlipayNotification(string outTradeNo, Money amount, string tradeNo, string channel = "ALIPAYACCOUNT",
        string tradeStatus = "TRADE_SUCCESS", string? sellerId = null, string? appId = null)
    {
        List<KeyValuePair<string, string>> fields =
        [
            new("notify_time", "2026-11-27 10:01:02"), new("notify_type", "trade_status_sync"), new("notify_id", "N" + tradeNo),
            new("app_id", appId ?? Alipay.AppId), new("auth_app_id", appId ?? Alipay.AppId), new("charset", "utf-8"), new("version", "1.0"), new("sign_type", "RSA2"),
            new("trade_no", tradeNo), new("out_trade_no", outTradeNo), new("buyer_id", "2088102177846880"), new("buyer_logon_id", "cus***@example.com"),
            new("seller_id", sellerId ?? Alipay.SellerId), new("trade_status", tradeStatus), new("total_amount", amount.ToString()),
            new("receipt_amount", amount.ToString()), new("buyer_pay_amount", amount.ToString()), new("subject", "Cloudbill top-up"),
            new("gmt_create", "2026-11-27 10:00:30"), new("gmt_payment", "2026-11-27 10:01:00"),
            new("fund_bill_list", $"[{{\"amount\":\"{amount}\",\"fundChannel\":\"{channel}\"}}]"),
        ];
        using var key = AlipayPlatformKey();
        return fields.With("sign", AlipaySignature.Sign(AlipaySignature.NotificationSignContent(fields), key));
    }

    /// <summary>UnionPay's back notification for a paid order, signed by the test "UnionPay" certificate.</summary>
    public static List<KeyValuePair<string, string>> UnionPayNotification(string orderId, DateTimeOffset txnTime, Money amount, string queryId, string? merId = null) =>
        SignedByUnionPay(
        [
            new("version", "5.1.0"), new("encoding", "UTF-8"), new("signMethod", "01"), new("txnType", "01"), new("txnSubType", "01"),
            new("bizType", "000201"), new("accessType", "0"), new("merId", merId ?? UnionPay.MerId), new("orderId", orderId),
            new("txnTime", BusinessCalendar.ToLocal(txnTime).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)),
            new("txnAmt", amount.Fen.ToString(CultureInfo.InvariantCulture)), new("currencyCode", "156"), new("queryId", queryId),
            new("respCode", "00"), new("respMsg", "成功[0000000]"), new("settleAmt", amount.Fen.ToString(CultureInfo.InvariantCulture)), new("payCardType", "01"),
        ]);

    /// <summary>UnionPay's back notification of a refund (txnType 04): success or, with <paramref name="respCode"/>, failure.</summary>
    public static List<KeyValuePair<string, string>> UnionPayRefundNotification(string refundOrderId, DateTimeOffset txnTime, Money amount, string origQryId, string respCode = "00") =>
        SignedByUnionPay(
        [
            new("version", "5.1.0"), new("encoding", "UTF-8"), new("signMethod", "01"), new("txnType", "04"), new("txnSubType", "00"),
            new("bizType", "000201"), new("accessType", "0"), new("merId", UnionPay.MerId), new("orderId", refundOrderId),
            new("txnTime", BusinessCalendar.ToLocal(txnTime).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)),
            new("txnAmt", amount.Fen.ToString(CultureInfo.InvariantCulture)), new("currencyCode", "156"), new("origQryId", origQryId), new("queryId", "R" + refundOrderId),
            new("respCode", respCode), new("respMsg", respCode == "00" ? "成功[0000000]" : "交易失败"),
        ]);

    private static List<KeyValuePair<string, string>> SignedByUnionPay(List<KeyValuePair<string, string>> fields)
    {
        fields = fields.With("signPubKeyCert", Text("unionpay/signing-test.pem").ReplaceLineEndings("\r\n"));
        using var key = RSA.Create();
        key.ImportFromPem(Text("unionpay/signing-test.key"));
        return fields.With("signature", UnionPaySignature.Sign(UnionPaySignature.SignContent(fields), key));
    }
}
