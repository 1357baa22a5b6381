namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>channelType (payments.md §2.2): the same gateway payment, laid out for the device.</summary>
public enum UnionPayDevice
{
    /// <summary>channelType 08: mobile web payment.</summary>
    Phone,

    /// <summary>channelType 07: PC / tablet gateway payment.</summary>
    Desktop,
}

/// <summary>A payment to collect through the UnionPay front (browser) transaction (§2.2).</summary>
/// <param name="OrderId">Our order number: 8–40 letters or digits (no '-' or '_').</param>
/// <param name="Amount">The amount; sent as txnAmt in fen ("1250" for 12.50).</param>
/// <param name="Device">Phone (channelType 08) or desktop (07).</param>
/// <param name="FrontUrl">Where the cashier sends the browser back (display only, §2.5).</param>
public sealed record UnionPayCheckout(string OrderId, Money Amount, UnionPayDevice Device, Uri FrontUrl)
{
    /// <summary>payTimeout relative to txnTime; null takes <see cref="UnionPaySettings.DefaultPaymentTimeout"/>.</summary>
    public TimeSpan? PaymentTimeout { get; init; }

    /// <summary>reqReserved: echoed in the notification and query (1–1024 bytes, no &amp;={}[]).</summary>
    public string? ReqReserved { get; init; }

    /// <summary>
    /// The txnTime the order was first sent with, to show the same cashier again (orderId + txnTime
    /// identify the order at UnionPay); null sends the current time (§2.2).
    /// </summary>
    public DateTimeOffset? TxnTime { get; init; }
}

/// <summary>
/// The signed front consumption request and what to keep with the order: orderId and txnTime
/// identify it in queries (§2.6, §4), and after <see cref="PayTimeout"/> a query is final.
/// </summary>
public sealed record UnionPayFrontRequest(GatewayRequest Request, string OrderId, DateTimeOffset TxnTime, DateTimeOffset PayTimeout);

/// <summary>A refund (txnType 04, §2.7): its own orderId and txnTime, the payment's queryId, the amount to give back.</summary>
public sealed record UnionPayRefund(string OrderId, DateTimeOffset TxnTime, string OrigQryId, Money Amount);

/// <summary>What the merchant expects of a notification for one of its orders (§2.5 merchant checks).</summary>
public sealed record UnionPayExpectedPayment(string OrderId, DateTimeOffset TxnTime, Money Amount);

/// <summary>respCode / origRespCode with its respMsg, and what payments.md says it means.</summary>
public sealed record UnionPayResponseCode(string Code, string? Message)
{
    /// <summary>§2.5: 00, and A6 (success with defects) as the demo does.</summary>
    public bool IsSuccess => Code is "00" or "A6";

    /// <summary>§2.6: 03, 04, 05 are still processing: query again.</summary>
    public bool IsProcessing => Code is "03" or "04" or "05";

    /// <summary>§2.6: 34, no such transaction.</summary>
    public bool IsNotFound => Code == "34";

    /// <summary>The meaning payments.md gives the code, else UnionPay's own respMsg.</summary>
    public string Meaning => Code switch
    {
        "00" => "success",
        "A6" => "success with defects, treated as success",
        "03" or "04" or "05" => "still processing, query again later",
        "34" => "no such transaction",
        _ => string.IsNullOrEmpty(Message) ? "no message" : Message,
    };
}

/// <summary>
/// A back notification (§2.5) whose certificate chain, signature and merId were verified. Whether
/// it is for one of our orders, at its amount, is <see cref="UnionPayGateway.CheckNotification"/>'s job.
/// </summary>
public sealed record UnionPayNotification
{
    /// <summary>§2.5: any body with HTTP 200 within 10 s acknowledges; this is the body we send.</summary>
    public const string AcknowledgementBody = "ok";

    public const int AcknowledgementStatusCode = 200;

    /// <summary>Any status other than 200/302 makes UnionPay send again (5 sends in all, §2.5).</summary>
    public const int RetryStatusCode = 503;

    public required string MerId { get; init; }
    public required string OrderId { get; init; }

    /// <summary>txnTime exactly as sent ("yyyyMMddHHmmss", Asia/Shanghai).</summary>
    public required string TxnTimeText { get; init; }

    public required DateTimeOffset TxnTime { get; init; }
    public required string TxnType { get; init; }
    public required Money Amount { get; init; }
    public required UnionPayResponseCode Response { get; init; }

    /// <summary>UnionPay's transaction serial: keep it, refunds and cancels reference it as origQryId (§2.5).</summary>
    public string? QueryId { get; init; }

    public string? ReqReserved { get; init; }

    /// <summary>Every field as received, for the audit record.</summary>
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    /// <summary>A front consumption (txnType 01) that UnionPay reports successful.</summary>
    public bool IsPaid => TxnType == "01" && Response.IsSuccess;

    /// <summary>§2.7: the txnType of a refund, whose result is notified too.</summary>
    public const string RefundTxnType = "04";
}

/// <summary>Where a payment stands according to a status query (§2.6).</summary>
public enum UnionPayPaymentState
{
    /// <summary>origRespCode 00 or A6.</summary>
    Paid,

    /// <summary>origRespCode 03, 04, 05: query again (§2.6 schedule).</summary>
    Processing,

    /// <summary>Any other origRespCode. Before payTimeout this may still change; after it, final.</summary>
    Failed,

    /// <summary>respCode 34. Before payTimeout the buyer may still pay; after it, final.</summary>
    NotFound,
}

/// <summary>A verified answer to the status query (§2.6).</summary>
public sealed record UnionPayQueryResult(UnionPayPaymentState State, UnionPayResponseCode Response)
{
    /// <summary>origRespCode/origRespMsg: the original transaction's result (only when respCode is 00).</summary>
    public UnionPayResponseCode? OriginalResponse { get; init; }

    public string? OrderId { get; init; }
    public string? QueryId { get; init; }
    public Money? Amount { get; init; }
    public required IReadOnlyDictionary<string, string> Fields { get; init; }
}
