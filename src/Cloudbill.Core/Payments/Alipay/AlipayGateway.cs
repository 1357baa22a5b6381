using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Cloudbill.Core.Problems;
using static Cloudbill.Core.Payments.GatewayFields;

namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// The Alipay OpenAPI protocol in public-key RSA2 mode (payments.md §1): builds signed requests,
/// verifies what Alipay sends. Pure: no I/O, no database; the caller posts the requests and
/// applies the verified results. Thread-safe; one instance per configuration.
/// </summary>
public sealed class AlipayGateway
{
    public const string WapPayMethod = "alipay.trade.wap.pay";
    public const string PagePayMethod = "alipay.trade.page.pay";
    public const string QueryMethod = "alipay.trade.query";
    public const string CloseMethod = "alipay.trade.close";
    public const string RefundMethod = "alipay.trade.refund";
    public const string RefundQueryMethod = "alipay.trade.fastpay.refund.query";

    private static readonly Money MinimumAmount = new(1);
    private static readonly Money MaximumAmount = Money.FromYuan(100_000_000);

    // biz_content keeps Chinese subjects readable and escapes what could break out of JSON or HTML.
    private static readonly JsonWriterOptions BizContentJson = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    private readonly AlipaySettings settings;
    private readonly AlipayKeys keys;
    private readonly TimeProvider clock;
    private readonly Uri endpoint;

    /// <exception cref="ArgumentException">The settings cannot work (see <see cref="AlipaySettings.Validate"/>): a configuration bug.</exception>
    public AlipayGateway(AlipaySettings settings, AlipayKeys keys, TimeProvider clock)
    {
        if (settings.Validate() is { } problem)
            throw new ArgumentException(problem.Message, nameof(settings));
        this.settings = settings;
        this.keys = keys;
        this.clock = clock;
        // §1.1: the SDKs append the charset to the gateway URL.
        var builder = new UriBuilder(settings.GatewayUrl);
        builder.Query = string.IsNullOrEmpty(builder.Query) ? "charset=utf-8" : builder.Query.TrimStart('?') + "&charset=utf-8";
        endpoint = builder.Uri;
    }

    public AlipaySettings Settings => settings;

    // ---------------------------------------------------------------- requests

    /// <summary>
    /// The signed <c>alipay.trade.wap.pay</c> (phone) or <c>alipay.trade.page.pay</c> (desktop)
    /// request (§1.3, §1.4), with Huabei and credit cards disabled (§1.5, R7.2). Render it with
    /// <see cref="GatewayRequest.ToAutoSubmitHtml"/> or <see cref="GatewayRequest.ToRedirectUri"/>.
    /// </summary>
    public Result<GatewayRequest> BuildCheckout(AlipayCheckout checkout)
    {
        if (ValidateTradeNumber(checkout.OutTradeNo, "out_trade_no") is { } badNumber)
            return badNumber;
        if (ValidateAmount(checkout.Amount, $"Order {checkout.OutTradeNo}") is { } badAmount)
            return badAmount;
        if (string.IsNullOrWhiteSpace(checkout.Subject) || checkout.Subject.Length > 256 || checkout.Subject.IndexOfAny(['/', '=', '&']) >= 0)
            return AlipayErrors.InvalidRequest($"The subject of order {checkout.OutTradeNo} must be 1 to 256 characters without '/', '=' or '&' (Alipay refuses them).");
        var timeout = FormatTimeout(checkout.PaymentTimeout ?? settings.DefaultPaymentTimeout, checkout.Device);
        if (timeout is null)
            return AlipayErrors.InvalidRequest($"The payment timeout of order {checkout.OutTradeNo} must be whole minutes, from {(checkout.Device == AlipayDevice.Phone ? "5 minutes" : "1 minute")} to 15 days.");
        if (checkout.ReturnUrl is not null && !IsHttpUrl(checkout.ReturnUrl, out var badReturn))
            return AlipayErrors.InvalidRequest($"The return URL {badReturn}");
        if (checkout.QuitUrl is not null && !IsHttpUrl(checkout.QuitUrl, out var badQuit))
            return AlipayErrors.InvalidRequest($"The quit URL {badQuit}");

        var (method, productCode) = checkout.Device switch
        {
            AlipayDevice.Phone => (WapPayMethod, "QUICK_WAP_WAY"),
            AlipayDevice.Desktop => (PagePayMethod, "FAST_INSTANT_TRADE_PAY"),
        };
        var bizContent = Json(json =>
        {
            json.WriteString("out_trade_no", checkout.OutTradeNo);
            json.WriteString("total_amount", checkout.Amount.ToString());
            json.WriteString("subject", checkout.Subject);
            json.WriteString("product_code", productCode);
            // §1.5 "alternative/extra": virtual goods also rule out Huabei. Never sent:
            // enable_pay_channels, specified_channel, hb_fq_* (they would reopen Huabei or block payment).
            json.WriteString("goods_type", "0");
            json.WriteString("timeout_express", timeout);
            json.WriteString("disable_pay_channels", AlipayChannels.DisablePayChannels);
            if (checkout.Device == AlipayDevice.Phone && checkout.QuitUrl is not null)
                json.WriteString("quit_url", checkout.QuitUrl.AbsoluteUri);
        });
        return Signed(method, bizContent, settings.NotifyUrl, checkout.ReturnUrl);
    }

    /// <summary>
    /// <c>alipay.trade.query</c> by our order number, asking for fund_bill_list (§1.9) so that a paid
    /// trade can be checked against R7.2 even when the notification was lost.
    /// </summary>
    public Result<GatewayRequest> BuildQuery(string outTradeNo)
    {
        if (ValidateTradeNumber(outTradeNo, "out_trade_no") is { } problem)
            return problem;
        return Signed(QueryMethod, Json(json =>
        {
            json.WriteString("out_trade_no", outTradeNo);
            json.WriteStartArray("query_options");
            json.WriteStringValue("fund_bill_list");
            json.WriteEndArray();
        }));
    }

    /// <summary><c>alipay.trade.close</c> of an unpaid trade (§1.9).</summary>
    public Result<GatewayRequest> BuildClose(string outTradeNo)
    {
        if (ValidateTradeNumber(outTradeNo, "out_trade_no") is { } problem)
            return problem;
        return Signed(CloseMethod, Json(json => json.WriteString("out_trade_no", outTradeNo)));
    }

    /// <summary><c>alipay.trade.refund</c> (§1.9); retry with the same <see cref="AlipayRefund.OutRequestNo"/>.</summary>
    public Result<GatewayRequest> BuildRefund(AlipayRefund refund)
    {
        if (ValidateTradeNumber(refund.OutTradeNo, "out_trade_no") is { } badTrade)
            return badTrade;
        if (ValidateTradeNumber(refund.OutRequestNo, "out_request_no") is { } badRequest)
            return badRequest;
        if (ValidateAmount(refund.Amount, $"The refund {refund.OutRequestNo} of order {refund.OutTradeNo}") is { } badAmount)
            return badAmount;
        if (refund.Reason is { Length: > 256 })
            return AlipayErrors.InvalidRequest($"The refund reason of {refund.OutRequestNo} is longer than 256 characters.");
        return Signed(RefundMethod, Json(json =>
        {
            json.WriteString("out_trade_no", refund.OutTradeNo);
            json.WriteString("refund_amount", refund.Amount.ToString());
            json.WriteString("out_request_no", refund.OutRequestNo);
            if (!string.IsNullOrEmpty(refund.Reason))
                json.WriteString("refund_reason", refund.Reason);
        }));
    }

    /// <summary><c>alipay.trade.fastpay.refund.query</c>: confirms one refund request (§1.9).</summary>
    public Result<GatewayRequest> BuildRefundQuery(string outTradeNo, string outRequestNo)
    {
        if (ValidateTradeNumber(outTradeNo, "out_trade_no") is { } badTrade)
            return badTrade;
        if (ValidateTradeNumber(outRequestNo, "out_request_no") is { } badRequest)
            return badRequest;
        return Signed(RefundQueryMethod, Json(json =>
        {
            json.WriteString("out_trade_no", outTradeNo);
            json.WriteString("out_request_no", outRequestNo);
        }));
    }

    // §1.2 common parameters, then §1.6.1: sign everything but sign (sign_type included).
    private GatewayRequest Signed(string method, string bizContent, Uri? notifyUrl = null, Uri? returnUrl = null)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("app_id", settings.AppId),
            new("method", method),
            new("format", "JSON"),
            new("charset", "utf-8"),
            new("sign_type", "RSA2"),
            new("timestamp", GatewayTime.ToDashed(clock.GetUtcNow())),
            new("version", "1.0"),
        };
        if (notifyUrl is not null)
            fields.Add(new("notify_url", notifyUrl.AbsoluteUri));
        if (returnUrl is not null)
            fields.Add(new("return_url", returnUrl.AbsoluteUri));
        fields.Add(new("biz_content", bizContent));
        fields.Add(new("sign", AlipaySignature.Sign(AlipaySignature.RequestSignContent(fields), keys.AppPrivateKey)));
        return new GatewayRequest(endpoint, fields);
    }

    // ---------------------------------------------------------------- notifications

    /// <summary>
    /// Verifies an asynchronous notification (§1.6.2: all received fields, already URL-decoded,
    /// minus sign and sign_type) and that it is for our app_id, then reads it. The merchant checks
    /// against the order follow in <see cref="CheckNotification"/>.
    /// </summary>
    public Result<AlipayNotification> VerifyNotification(IEnumerable<KeyValuePair<string, string>> fields)
    {
        const string what = "notification";
        if (!TryCollect(fields, out var received, out var duplicate))
            return AlipayErrors.DuplicateField(what, duplicate);
        if (VerifyV1(received, what) is { } rejected)
            return rejected;

        var outTradeNo = Get(received, "out_trade_no");
        var tradeNo = Get(received, "trade_no");
        var notifyId = Get(received, "notify_id");
        if (outTradeNo is null || tradeNo is null || notifyId is null)
            return AlipayErrors.Malformed(what, $"out_trade_no, trade_no and notify_id are required (order {Quote(outTradeNo)}).");
        if (!AlipayTradeStatuses.TryParse(Get(received, "trade_status"), out var status))
            return AlipayErrors.UnknownTradeStatus(outTradeNo, Get(received, "trade_status"));
        if (!Money.TryParse(Get(received, "total_amount"), out var total, out _) || !total.IsPositive)
            return AlipayErrors.Malformed(what, $"total_amount {Quote(Get(received, "total_amount"))} of order {outTradeNo} is not a positive amount.");
        var fundBills = AlipayChannels.ParseFundBills(Get(received, "fund_bill_list"));
        if (fundBills is null)
            return AlipayErrors.Malformed(what, $"fund_bill_list of order {outTradeNo} is not a list of {{amount, fundChannel}}, so Huabei and credit cards cannot be ruled out (R7.2).");

        return new AlipayNotification
        {
            NotifyId = notifyId,
            NotifyType = Get(received, "notify_type") ?? "",
            AppId = settings.AppId,
            OutTradeNo = outTradeNo,
            TradeNo = tradeNo,
            TradeStatus = status,
            TotalAmount = total,
            ReceiptAmount = OptionalMoney(received, "receipt_amount"),
            BuyerPayAmount = OptionalMoney(received, "buyer_pay_amount"),
            RefundFee = OptionalMoney(received, "refund_fee"),
            OutBizNo = Get(received, "out_biz_no"),
            SellerId = Get(received, "seller_id"),
            BuyerId = Get(received, "buyer_id"),
            NotifiedAt = GatewayTime.ParseDashed(Get(received, "notify_time")),
            PaidAt = GatewayTime.ParseDashed(Get(received, "gmt_payment")),
            RefundedAt = GatewayTime.ParseDashed(Get(received, "gmt_refund")),
            FundBills = fundBills,
            Fields = received,
        };
    }

    /// <summary>
    /// §1.7 merchant checks, after the signature: the notification is for an order we created
    /// (<paramref name="expected"/> is null when out_trade_no is unknown), for that order, for its
    /// exact amount, paid to the expected seller. Any failure: ignore it, never act on it.
    /// </summary>
    public Result<AlipayNotification> CheckNotification(AlipayNotification notification, AlipayExpectedPayment? expected)
    {
        if (expected is null)
            return AlipayErrors.UnknownTrade(notification.OutTradeNo);
        if (!string.Equals(notification.OutTradeNo, expected.OutTradeNo, StringComparison.Ordinal))
            return AlipayErrors.OtherOrder(notification.OutTradeNo, expected.OutTradeNo);
        // Exact to the fen: "20" and "20.00" are the same amount, "19.99" is not (§4).
        if (notification.TotalAmount != expected.Amount)
            return AlipayErrors.AmountMismatch(notification.OutTradeNo, notification.TotalAmount, expected.Amount);
        var seller = expected.SellerId ?? settings.SellerId;
        if (!string.Equals(notification.SellerId, seller, StringComparison.Ordinal))
            return AlipayErrors.WrongSeller(notification.OutTradeNo, notification.SellerId, seller);
        return notification;
    }

    /// <summary>Both steps at once: <see cref="VerifyNotification(IEnumerable{KeyValuePair{string, string}})"/>, then <see cref="CheckNotification"/>.</summary>
    public Result<AlipayNotification> VerifyNotification(IEnumerable<KeyValuePair<string, string>> fields, AlipayExpectedPayment? expected)
    {
        var verified = VerifyNotification(fields);
        return verified.Succeeded ? CheckNotification(verified.Value, expected) : verified;
    }

    /// <summary>
    /// The poller's counterpart of <see cref="CheckNotification"/> (§3.5 step 4): a successful
    /// query answer must name the expected order and its exact amount before it may mark it paid.
    /// </summary>
    public static Result<AlipayTradeQueryResponse> CheckQueryResponse(AlipayTradeQueryResponse response, AlipayExpectedPayment expected)
    {
        if (!response.Status.IsSuccess)
            return response;
        if (!string.Equals(response.OutTradeNo, expected.OutTradeNo, StringComparison.Ordinal))
            return AlipayErrors.OtherOrder(response.OutTradeNo ?? "", expected.OutTradeNo);
        if (response.TotalAmount != expected.Amount)
            return AlipayErrors.AmountMismatch(expected.OutTradeNo, response.TotalAmount ?? Money.Zero, expected.Amount);
        return response;
    }

    /// <summary>
    /// Verifies the return_url parameters (§1.8, same V1 rule). Display only: never mark an order
    /// paid from it; query instead.
    /// </summary>
    public Result<AlipayReturn> VerifyReturn(IEnumerable<KeyValuePair<string, string>> fields)
    {
        const string what = "return page";
        if (!TryCollect(fields, out var received, out var duplicate))
            return AlipayErrors.DuplicateField(what, duplicate);
        if (VerifyV1(received, what) is { } rejected)
            return rejected;
        var outTradeNo = Get(received, "out_trade_no");
        if (outTradeNo is null || !Money.TryParse(Get(received, "total_amount"), out var total, out _))
            return AlipayErrors.Malformed(what, "out_trade_no and total_amount are required.");
        return new AlipayReturn(outTradeNo, Get(received, "trade_no"), total, Get(received, "seller_id"));
    }

    private Problem? VerifyV1(Dictionary<string, string> received, string what)
    {
        var outTradeNo = Get(received, "out_trade_no");
        var sign = Get(received, "sign");
        if (sign is null)
            return AlipayErrors.MissingSign(what, outTradeNo);
        var signType = Get(received, "sign_type");
        if (signType != "RSA2")
            return AlipayErrors.UnsupportedSignType(what, signType);
        var charset = Get(received, "charset");
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return AlipayErrors.UnsupportedCharset(what, charset);
        if (!AlipaySignature.Verify(AlipaySignature.NotificationSignContent(received), sign, keys.AlipayPublicKey))
            return AlipayErrors.BadSignature(what, outTradeNo);
        // §1.7 check 4, after the signature: a genuine message for another of the operator's apps.
        var appId = Get(received, "app_id");
        if (!string.Equals(appId, settings.AppId, StringComparison.Ordinal))
            return AlipayErrors.WrongAppId(what, appId, settings.AppId);
        return null;
    }

    // ---------------------------------------------------------------- synchronous responses

    public Result<AlipayTradeQueryResponse> ReadQueryResponse(string body) =>
        ReadResponse<AlipayTradeQueryResponse>(body, QueryMethod, (status, node) =>
        {
            var fundBills = node.TryGetProperty("fund_bill_list", out var bills) ? AlipayChannels.ParseFundBills(bills) : [];
            if (fundBills is null)
                return AlipayErrors.Malformed("alipay.trade.query response", "fund_bill_list is not a list of {amount, fund_channel}.");
            AlipayTradeStatus? tradeStatus = AlipayTradeStatuses.TryParse(Text(node, "trade_status"), out var parsed) ? parsed : null;
            if (status.IsSuccess && tradeStatus is null)
                return AlipayErrors.UnknownTradeStatus(Text(node, "out_trade_no") ?? "", Text(node, "trade_status"));
            return new AlipayTradeQueryResponse(status)
            {
                TradeNo = Text(node, "trade_no"),
                OutTradeNo = Text(node, "out_trade_no"),
                TradeStatus = tradeStatus,
                TotalAmount = OptionalMoney(node, "total_amount"),
                BuyerPayAmount = OptionalMoney(node, "buyer_pay_amount"),
                ReceiptAmount = OptionalMoney(node, "receipt_amount"),
                BuyerUserId = Text(node, "buyer_user_id"),
                PaidAt = GatewayTime.ParseDashed(Text(node, "send_pay_date")),
                FundBills = fundBills,
            };
        });

    public Result<AlipayTradeCloseResponse> ReadCloseResponse(string body) =>
        ReadResponse<AlipayTradeCloseResponse>(body, CloseMethod, (status, node) => new AlipayTradeCloseResponse(status)
        {
            TradeNo = Text(node, "trade_no"),
            OutTradeNo = Text(node, "out_trade_no"),
        });

    public Result<AlipayTradeRefundResponse> ReadRefundResponse(string body) =>
        ReadResponse<AlipayTradeRefundResponse>(body, RefundMethod, (status, node) => new AlipayTradeRefundResponse(status)
        {
            TradeNo = Text(node, "trade_no"),
            OutTradeNo = Text(node, "out_trade_no"),
            FundChange = Text(node, "fund_change") == "Y",
            RefundFee = OptionalMoney(node, "refund_fee"),
            RefundedAt = GatewayTime.ParseDashed(Text(node, "gmt_refund_pay")),
        });

    public Result<AlipayRefundQueryResponse> ReadRefundQueryResponse(string body) =>
        ReadResponse<AlipayRefundQueryResponse>(body, RefundQueryMethod, (status, node) => new AlipayRefundQueryResponse(status)
        {
            TradeNo = Text(node, "trade_no"),
            OutTradeNo = Text(node, "out_trade_no"),
            OutRequestNo = Text(node, "out_request_no"),
            RefundAmount = OptionalMoney(node, "refund_amount"),
            RefundStatus = Text(node, "refund_status"),
        });

    /// <summary>
    /// §1.6.3: the body is {"&lt;method&gt;_response":{…},"sign":"…"} (or error_response); the signature
    /// covers the exact text of the node, so it is cut out of the raw body, never re-serialised,
    /// and checked once more with "\/" read as "/" as the SDKs do.
    /// </summary>
    private Result<T> ReadResponse<T>(string body, string method, Func<AlipayCallStatus, JsonElement, Result<T>> read)
    {
        var what = $"{method} response";
        var nodeName = method.Replace('.', '_') + "_response";
        if (!TryCutNode(body, nodeName, out var nodeText, out var sign))
            return AlipayErrors.Malformed(what, $"the body is not a JSON object with {nodeName} or error_response.");

        using var document = JsonDocument.Parse(nodeText);
        var node = document.RootElement;
        var status = new AlipayCallStatus(Text(node, "code") ?? "", Text(node, "msg") ?? "", Text(node, "sub_code"), Text(node, "sub_msg"));
        if (string.IsNullOrEmpty(sign))
            return AlipayErrors.UnsignedResponse(method, status);
        var verified = AlipaySignature.Verify(nodeText, sign, keys.AlipayPublicKey)
                       || (nodeText.Contains("\\/", StringComparison.Ordinal)
                           && AlipaySignature.Verify(nodeText.Replace("\\/", "/", StringComparison.Ordinal), sign, keys.AlipayPublicKey));
        if (!verified)
            return AlipayErrors.BadSignature(what, Text(node, "out_trade_no"));
        if (status.Code.Length == 0)
            return AlipayErrors.Malformed(what, "the response has no code.");
        return read(status, node);
    }

    internal static bool TryCutNode(string body, string nodeName, out string nodeText, out string? sign)
    {
        nodeText = "";
        sign = null;
        var utf8 = Encoding.UTF8.GetBytes(body);
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            string? errorNode = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if ((name == nodeName || name == "error_response") && reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = checked((int)reader.TokenStartIndex);
                    reader.Skip();
                    var text = Encoding.UTF8.GetString(utf8, start, checked((int)reader.TokenStartIndex + 1 - start));
                    if (name == nodeName)
                        nodeText = text;
                    else
                        errorNode = text;
                }
                else if (name == "sign" && reader.TokenType == JsonTokenType.String)
                {
                    sign = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
            if (nodeText.Length == 0 && errorNode is not null)
                nodeText = errorNode;
            return nodeText.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>§1.4 timeout_express: integer and unit, no decimals; 1m–15d, at least 5m for the wireless cashier.</summary>
    internal static string? FormatTimeout(TimeSpan timeout, AlipayDevice device)
    {
        if (timeout.Ticks % TimeSpan.TicksPerMinute != 0)
            return null;
        var minutes = timeout.Ticks / TimeSpan.TicksPerMinute;
        var minimum = device == AlipayDevice.Phone ? 5 : 1;
        if (minutes < minimum || minutes > 15 * 24 * 60)
            return null;
        return minutes % (24 * 60) == 0 ? $"{minutes / (24 * 60)}d"
            : minutes % 60 == 0 ? $"{minutes / 60}h"
            : $"{minutes}m";
    }

    internal static bool IsHttpUrl(Uri? url, out string problem)
    {
        problem = "";
        if (url is null || !url.IsAbsoluteUri || url.Scheme is not ("https" or "http"))
            problem = "must be an absolute http(s) URL.";
        else if (url.AbsoluteUri.Length > 256)
            problem = "is longer than the 256 characters Alipay accepts.";
        return problem.Length == 0;
    }

    // §1.4: up to 64 letters, digits or underscores.
    private static Problem? ValidateTradeNumber(string value, string field) =>
        !string.IsNullOrEmpty(value) && value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? null
            : AlipayErrors.InvalidRequest($"{field} {Quote(value)} must be 1 to 64 letters, digits or underscores.");

    // §1.4: total_amount in [0.01, 100000000].
    private static Problem? ValidateAmount(Money amount, string subject) =>
        amount >= MinimumAmount && amount <= MaximumAmount
            ? null
            : AlipayErrors.InvalidRequest($"{subject} is for {amount}; Alipay accepts 0.01 to 100000000.00.");

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, BizContentJson))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Money? OptionalMoney(IReadOnlyDictionary<string, string> fields, string key) =>
        Money.TryParse(Get(fields, key), out var money, out _) ? money : null;

    private static Money? OptionalMoney(JsonElement node, string name) =>
        Money.TryParse(Text(node, name), out var money, out _) ? money : null;

    private static string? Text(JsonElement node, string name) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
