using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core.Problems;
using static Cloudbill.Core.Payments.GatewayFields;

namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>
/// UnionPay ACP 5.1.0 with signMethod 01 (payments.md §2): builds signed front consumption and
/// status query requests, verifies back notifications and query responses. Pure: no I/O, no
/// database. Thread-safe; one instance per configuration.
/// </summary>
public sealed class UnionPayGateway
{
    public const string Version = "5.1.0";
    public const string Encoding = "UTF-8";
    public const string SignMethod = "01";
    public const string CurrencyCode = "156";

    private readonly UnionPaySettings settings;
    private readonly UnionPayCertificates certificates;
    private readonly TimeProvider clock;
    private readonly UnionPayCertificateValidator validator;

    /// <exception cref="ArgumentException">The settings cannot work (see <see cref="UnionPaySettings.Validate"/>): a configuration bug.</exception>
    public UnionPayGateway(UnionPaySettings settings, UnionPayCertificates certificates, TimeProvider clock)
    {
        if (settings.Validate() is { } problem)
            throw new ArgumentException(problem.Message, nameof(settings));
        this.settings = settings;
        this.certificates = certificates;
        this.clock = clock;
        validator = new UnionPayCertificateValidator(certificates, settings.ValidateCertificateName);
    }

    public UnionPaySettings Settings => settings;

    // ---------------------------------------------------------------- requests

    /// <summary>
    /// The signed front consumption (txnType 01, §2.2) for the browser: render it with
    /// <see cref="GatewayRequest.ToAutoSubmitHtml"/>. Keep <see cref="UnionPayFrontRequest.TxnTime"/>
    /// with the order: the status query needs it.
    /// </summary>
    public Result<UnionPayFrontRequest> BuildFrontConsume(UnionPayCheckout checkout)
    {
        if (ValidateOrderId(checkout.OrderId) is { } badOrder)
            return badOrder;
        if (!checkout.Amount.IsPositive)
            return UnionPayErrors.InvalidRequest($"Order {checkout.OrderId} is for {checkout.Amount}; UnionPay needs at least 0.01.");
        if (!checkout.FrontUrl.IsAbsoluteUri || checkout.FrontUrl.Scheme is not ("https" or "http"))
            return UnionPayErrors.InvalidRequest($"The front URL of order {checkout.OrderId} must be an absolute http(s) URL.");
        var timeout = checkout.PaymentTimeout ?? settings.DefaultPaymentTimeout;
        if (timeout <= TimeSpan.Zero)
            return UnionPayErrors.InvalidRequest($"The payment timeout of order {checkout.OrderId} must be positive.");
        if (checkout.ReqReserved is { } reserved
            && (string.IsNullOrWhiteSpace(reserved) || System.Text.Encoding.UTF8.GetByteCount(reserved) > 1024 || reserved.IndexOfAny(['&', '=', '{', '}', '[', ']']) >= 0))
        {
            return UnionPayErrors.InvalidRequest($"reqReserved of order {checkout.OrderId} must be 1 to 1024 bytes without & = {{ }} [ ] (Base64 it).");
        }

        // §2.2: txnTime must be the current Beijing time; it carries whole seconds only.
        var txnTime = GatewayTime.WholeSeconds(checkout.TxnTime ?? clock.GetUtcNow());
        var payTimeout = txnTime + timeout;
        var fields = Common("01", "01");
        fields.Add(new("channelType", checkout.Device switch
        {
            UnionPayDevice.Phone => "08",
            UnionPayDevice.Desktop => "07",
        }));
        fields.Add(new("accessType", "0"));
        fields.Add(new("merId", settings.MerId));
        fields.Add(new("orderId", checkout.OrderId));
        fields.Add(new("txnTime", GatewayTime.ToCompact(txnTime)));
        fields.Add(new("txnAmt", checkout.Amount.Fen.ToString(CultureInfo.InvariantCulture)));
        fields.Add(new("currencyCode", CurrencyCode));
        fields.Add(new("frontUrl", checkout.FrontUrl.AbsoluteUri));
        fields.Add(new("backUrl", settings.BackUrl.AbsoluteUri));
        fields.Add(new("payTimeout", GatewayTime.ToCompact(payTimeout)));
        if (checkout.ReqReserved is not null)
            fields.Add(new("reqReserved", checkout.ReqReserved));
        return new UnionPayFrontRequest(Signed(settings.FrontTransUrl, fields), checkout.OrderId, txnTime, payTimeout);
    }

    /// <summary>
    /// The signed status query (txnType 00, §2.6) of an order, identified by its orderId and the
    /// txnTime it was sent with. POST <see cref="GatewayRequest.ToFormBody"/> to the endpoint.
    /// </summary>
    public Result<GatewayRequest> BuildQuery(string orderId, DateTimeOffset txnTime)
    {
        if (ValidateOrderId(orderId) is { } badOrder)
            return badOrder;
        // §6: the official demo's bizType 000201 (one library sends 000000).
        var fields = Common("00", "00");
        fields.Add(new("accessType", "0"));
        fields.Add(new("merId", settings.MerId));
        fields.Add(new("orderId", orderId));
        fields.Add(new("txnTime", GatewayTime.ToCompact(txnTime)));
        return Signed(settings.QueryTransUrl, fields);
    }

    /// <summary>
    /// The signed refund (txnType 04, §2.7) of a paid consumption, by its queryId: a back
    /// transaction with its own orderId and the current txnTime. POST it to the endpoint; respCode
    /// 00 only means accepted, so ask <see cref="BuildQuery"/> with the refund's orderId and txnTime.
    /// </summary>
    public Result<GatewayRequest> BuildRefund(UnionPayRefund refund)
    {
        if (ValidateOrderId(refund.OrderId) is { } badOrder)
            return badOrder;
        if (!refund.Amount.IsPositive)
            return UnionPayErrors.InvalidRequest($"Refund {refund.OrderId} is for {refund.Amount}; UnionPay needs at least 0.01.");
        if (string.IsNullOrEmpty(refund.OrigQryId) || !refund.OrigQryId.All(char.IsAsciiLetterOrDigit))
            return UnionPayErrors.InvalidRequest($"Refund {refund.OrderId} needs the queryId of the payment it refunds.");
        var fields = Common("04", "00");
        fields.Add(new("channelType", "07"));
        fields.Add(new("accessType", "0"));
        fields.Add(new("merId", settings.MerId));
        fields.Add(new("orderId", refund.OrderId));
        fields.Add(new("txnTime", GatewayTime.ToCompact(GatewayTime.WholeSeconds(refund.TxnTime))));
        fields.Add(new("txnAmt", refund.Amount.Fen.ToString(CultureInfo.InvariantCulture)));
        fields.Add(new("currencyCode", CurrencyCode));
        fields.Add(new("origQryId", refund.OrigQryId));
        fields.Add(new("backUrl", settings.BackUrl.AbsoluteUri));
        return Signed(settings.BackTransUrl, fields);
    }

    /// <summary>
    /// Verifies and reads the synchronous answer of a back transaction (§2.7): respCode 00 means
    /// UnionPay accepted it, nothing more.
    /// </summary>
    public Result<UnionPayResponseCode> ReadBackResponse(string body)
    {
        var verified = VerifyResponse(body);
        if (!verified.Succeeded)
            return verified.Problem!;
        return Get(verified.Value, "respCode") is { } code
            ? new UnionPayResponseCode(code, Get(verified.Value, "respMsg"))
            : UnionPayErrors.Malformed("response", "respCode is missing.");
    }

    private static List<KeyValuePair<string, string>> Common(string txnType, string txnSubType) =>
    [
        new("version", Version),
        new("encoding", Encoding),
        new("signMethod", SignMethod),
        new("txnType", txnType),
        new("txnSubType", txnSubType),
        new("bizType", "000201"),
    ];

    // §2.3: certId first (it is signed too), then the signature over everything else.
    private GatewayRequest Signed(Uri endpoint, List<KeyValuePair<string, string>> fields)
    {
        fields.Add(new("certId", certificates.CertId));
        fields.Add(new("signature", UnionPaySignature.Sign(UnionPaySignature.SignContent(fields), certificates.SigningKey)));
        return new GatewayRequest(endpoint, fields);
    }

    // ---------------------------------------------------------------- notifications

    /// <summary>
    /// Verifies a back notification (the form posted to backUrl, already URL-decoded): the
    /// signPubKeyCert chain and name, the signature, our merId (§2.4, §2.5). Then read it.
    /// </summary>
    public Result<UnionPayNotification> VerifyNotification(IEnumerable<KeyValuePair<string, string>> fields)
    {
        const string what = "notification";
        if (!TryCollect(fields, out var received, out var duplicate))
            return UnionPayErrors.DuplicateField(what, duplicate);
        if (VerifySigned(received, what) is { } rejected)
            return rejected;

        var orderId = Get(received, "orderId");
        var txnTimeText = Get(received, "txnTime");
        var txnTime = GatewayTime.ParseCompact(txnTimeText);
        var txnType = Get(received, "txnType");
        var respCode = Get(received, "respCode");
        if (orderId is null || txnTimeText is null || txnTime is null || txnType is null || respCode is null)
            return UnionPayErrors.Malformed(what, $"orderId, txnTime (yyyyMMddHHmmss), txnType and respCode are required (order {Quote(orderId)}).");
        var amount = ParseFen(Get(received, "txnAmt"));
        if (amount is null)
            return UnionPayErrors.Malformed(what, $"txnAmt {Quote(Get(received, "txnAmt"))} of order {orderId} is not an amount in fen.");
        var currency = Get(received, "currencyCode");
        if (currency is not null && currency != CurrencyCode)
            return UnionPayErrors.Malformed(what, $"order {orderId} is in currency {Quote(currency)}, not CNY (156).");

        return new UnionPayNotification
        {
            MerId = settings.MerId,
            OrderId = orderId,
            TxnTimeText = txnTimeText,
            TxnTime = txnTime.Value,
            TxnType = txnType,
            Amount = amount.Value,
            Response = new UnionPayResponseCode(respCode, Get(received, "respMsg")),
            QueryId = Get(received, "queryId"),
            ReqReserved = Get(received, "reqReserved"),
            Fields = received,
        };
    }

    /// <summary>
    /// §2.5 merchant checks, after the signature: orderId + txnTime identify one of our orders
    /// (<paramref name="expected"/> is null when orderId is unknown), and txnAmt is its exact amount.
    /// </summary>
    public Result<UnionPayNotification> CheckNotification(UnionPayNotification notification, UnionPayExpectedPayment? expected)
    {
        if (expected is null)
            return UnionPayErrors.UnknownTrade(notification.OrderId);
        var expectedTxnTime = GatewayTime.ToCompact(expected.TxnTime);
        if (!string.Equals(notification.OrderId, expected.OrderId, StringComparison.Ordinal) || notification.TxnTimeText != expectedTxnTime)
            return UnionPayErrors.OtherOrder(notification.OrderId, notification.TxnTimeText, expected.OrderId, expectedTxnTime);
        if (notification.Amount != expected.Amount)
            return UnionPayErrors.AmountMismatch(notification.OrderId, notification.Amount, expected.Amount);
        return notification;
    }

    /// <summary>Both steps at once: <see cref="VerifyNotification(IEnumerable{KeyValuePair{string, string}})"/>, then <see cref="CheckNotification"/>.</summary>
    public Result<UnionPayNotification> VerifyNotification(IEnumerable<KeyValuePair<string, string>> fields, UnionPayExpectedPayment? expected)
    {
        var verified = VerifyNotification(fields);
        return verified.Succeeded ? CheckNotification(verified.Value, expected) : verified;
    }

    // ---------------------------------------------------------------- query response

    /// <summary>
    /// Verifies and reads the synchronous answer of queryTrans.do (§2.4, §2.6): respCode is the
    /// query's own result; only when it is 00 does origRespCode say how the payment went.
    /// </summary>
    public Result<UnionPayQueryResult> ReadQueryResponse(string body)
    {
        const string what = "query response";
        if (!TryCollect(ParseResponseBody(body), out var received, out var duplicate))
            return UnionPayErrors.DuplicateField(what, duplicate);
        if (VerifySigned(received, what) is { } rejected)
            return rejected;

        var orderId = Get(received, "orderId") ?? "";
        var respCode = Get(received, "respCode");
        if (respCode is null)
            return UnionPayErrors.Malformed(what, $"respCode is missing (order {Quote(orderId)}).");
        var response = new UnionPayResponseCode(respCode, Get(received, "respMsg"));
        if (response.IsNotFound)
            return new UnionPayQueryResult(UnionPayPaymentState.NotFound, response) { OrderId = orderId, Fields = received };
        if (respCode != "00")
            return UnionPayErrors.QueryFailed(orderId, response);

        var origCode = Get(received, "origRespCode");
        if (origCode is null)
            return UnionPayErrors.Malformed(what, $"origRespCode is missing although respCode is 00 (order {Quote(orderId)}).");
        var original = new UnionPayResponseCode(origCode, Get(received, "origRespMsg"));
        var state = original.IsSuccess ? UnionPayPaymentState.Paid
            : original.IsProcessing ? UnionPayPaymentState.Processing
            : UnionPayPaymentState.Failed;
        return new UnionPayQueryResult(state, response)
        {
            OriginalResponse = original,
            OrderId = orderId,
            QueryId = Get(received, "queryId"),
            Amount = ParseFen(Get(received, "txnAmt")),
            Fields = received,
        };
    }

    /// <summary>
    /// The poller's counterpart of <see cref="CheckNotification"/>: a query that reports the order
    /// paid must name it and its exact amount.
    /// </summary>
    public static Result<UnionPayQueryResult> CheckQueryResult(UnionPayQueryResult result, UnionPayExpectedPayment expected)
    {
        if (result.State != UnionPayPaymentState.Paid)
            return result;
        var expectedTxnTime = GatewayTime.ToCompact(expected.TxnTime);
        var txnTime = result.Fields.TryGetValue("txnTime", out var text) ? text : "";
        if (!string.Equals(result.OrderId, expected.OrderId, StringComparison.Ordinal) || txnTime != expectedTxnTime)
            return UnionPayErrors.OtherOrder(result.OrderId ?? "", txnTime, expected.OrderId, expectedTxnTime);
        if (result.Amount != expected.Amount)
            return UnionPayErrors.AmountMismatch(expected.OrderId, result.Amount ?? Money.Zero, expected.Amount);
        return result;
    }

    /// <summary>
    /// Verifies any synchronous answer of the gateway (§2.4): certificate chain and name, signature,
    /// merId. <see cref="ReadBackResponse"/> reads a back transaction's with it.
    /// </summary>
    public Result<IReadOnlyDictionary<string, string>> VerifyResponse(string body)
    {
        const string what = "response";
        if (!TryCollect(ParseResponseBody(body), out var received, out var duplicate))
            return UnionPayErrors.DuplicateField(what, duplicate);
        if (VerifySigned(received, what) is { } rejected)
            return rejected;
        return received;
    }

    /// <summary>
    /// Splits a synchronous response body "k=v&amp;k=v" whose values are raw and may hold nested
    /// {…} or […] with their own '&amp;' and '=' (§2.4): a '&amp;' separates fields only outside brackets.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseResponseBody(string body)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var position = 0;
        while (position < body.Length)
        {
            var equals = body.IndexOf('=', position);
            if (equals < 0)
                break;
            var depth = 0;
            var end = equals + 1;
            for (; end < body.Length; end++)
            {
                var c = body[end];
                if (c is '{' or '[')
                    depth++;
                else if (c is '}' or ']' && depth > 0)
                    depth--;
                else if (c == '&' && depth == 0)
                    break;
            }
            fields.Add(new(body[position..equals], body[(equals + 1)..end]));
            position = end + 1;
        }
        return fields;
    }

    // §2.4: protocol fields, then the certificate, then the signature, then whose message it is.
    private Problem? VerifySigned(Dictionary<string, string> received, string what)
    {
        var orderId = Get(received, "orderId");
        var signature = Get(received, "signature");
        if (signature is null)
            return UnionPayErrors.MissingSignature(what, orderId);
        if (Get(received, "version") != Version)
            return UnionPayErrors.UnsupportedVersion(what, Get(received, "version"));
        if (Get(received, "signMethod") != SignMethod)
            return UnionPayErrors.UnsupportedSignMethod(what, Get(received, "signMethod"));
        var encoding = Get(received, "encoding");
        if (encoding is not null && !encoding.Equals(Encoding, StringComparison.OrdinalIgnoreCase) && !encoding.Equals("UTF8", StringComparison.OrdinalIgnoreCase))
            return UnionPayErrors.UnsupportedEncoding(what, encoding);
        var pem = Get(received, "signPubKeyCert");
        if (pem is null)
            return UnionPayErrors.MissingCertificate(what, orderId);

        var certificate = validator.Validate(pem, clock.GetUtcNow(), what);
        if (!certificate.Succeeded)
            return certificate.Problem;
        using var publicKey = certificate.Value.GetRSAPublicKey();
        if (publicKey is null || !UnionPaySignature.Verify(UnionPaySignature.SignContent(received), signature, publicKey))
            return UnionPayErrors.BadSignature(what, orderId);

        var merId = Get(received, "merId");
        if (!string.Equals(merId, settings.MerId, StringComparison.Ordinal))
            return UnionPayErrors.WrongMerchant(what, merId, settings.MerId);
        return null;
    }

    // §2.2: 8–40 letters or digits.
    private static Problem? ValidateOrderId(string orderId) =>
        orderId is { Length: >= 8 and <= 40 } && orderId.All(char.IsAsciiLetterOrDigit)
            ? null
            : UnionPayErrors.InvalidRequest($"orderId {Quote(orderId)} must be 8 to 40 letters or digits (no '-' or '_').");

    // txnAmt is an integer in fen, no decimal point (§2.2).
    private static Money? ParseFen(string? text) =>
        text is { Length: > 0 and <= 15 } && text.All(char.IsAsciiDigit)
            ? new Money(long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture))
            : null;
}
