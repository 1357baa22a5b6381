using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.Payments;

public enum PaymentGateway
{
    Alipay,
    UnionPay,
}

/// <summary>What the money paid at the gateway is for.</summary>
public enum GatewayPaymentPurpose
{
    /// <summary>R7.2: money onto the account; it settles the overdue amount first (R7.4).</summary>
    TopUp,

    /// <summary>R5.3: the full amount of one order.</summary>
    Order,
}

/// <summary>
/// Monotonic: Pending → Credited, Closed or Refunding → Refunded; a Closed payment the gateway later
/// confirms is still Credited; a Credited payment staff send back is Refunding → Refunded.
/// </summary>
public enum GatewayPaymentState
{
    /// <summary>Sent to the gateway; nothing is credited until the gateway confirms it (R7.3).</summary>
    Pending,

    /// <summary>Confirmed by a signed notification or an active query and posted to the ledger, once.</summary>
    Credited,

    /// <summary>Abandoned: not paid by its deadline, or cancelled by the payer; closed at the gateway.</summary>
    Closed,

    /// <summary>Going back to the payer: paid with a refused channel (Huabei, credit card, R7.2), or refunded by staff; the gateway has not confirmed the refund yet.</summary>
    Refunding,

    /// <summary>The gateway confirmed the refund: nothing of it is on the balance (never credited, or taken back when it was refunded).</summary>
    Refunded,
}

/// <summary>The device the payer uses: Alipay wap pay and UnionPay channelType 08 on phones, page pay and 07 on desktops.</summary>
public enum PaymentDevice
{
    Phone,
    Desktop,
}

/// <summary>
/// One payment sent to Alipay or UnionPay: a top-up or an order's full amount. Its merchant trade
/// number (Alipay out_trade_no, UnionPay orderId) is the key every notification, query and
/// ledger posting refers to, so each confirmation is applied exactly once.
/// </summary>
public sealed class GatewayPayment : IVersioned
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public PaymentGateway Gateway { get; set; }
    public GatewayPaymentPurpose Purpose { get; set; }

    /// <summary>The order paid, for <see cref="GatewayPaymentPurpose.Order"/>.</summary>
    public long? OrderId { get; set; }

    /// <summary>Our trade number at the gateway: letters and digits only (UnionPay's rule), unique.</summary>
    public required string OutTradeNo { get; set; }

    /// <summary>R5.4-style idempotency of a double click on "Pay": same token, same payment.</summary>
    public required string ClientToken { get; set; }

    public Money Amount { get; set; }
    public PaymentDevice Device { get; set; }
    public GatewayPaymentState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The request time sent to the gateway, whole seconds: UnionPay identifies the order by orderId + txnTime.</summary>
    public DateTimeOffset TxnTime { get; set; }

    /// <summary>After this the payer can no longer pay at the gateway; the poller closes the payment.</summary>
    public DateTimeOffset PayBy { get; set; }

    /// <summary>The gateway's own number: Alipay trade_no, UnionPay queryId.</summary>
    public string? GatewayTradeNo { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>"notification" or "query": which path confirmed it first.</summary>
    public string? ConfirmedBy { get; set; }

    /// <summary>What the confirmation did, in the customer's words (credited, settled, paid order, refunded to the balance).</summary>
    public string? Outcome { get; set; }

    /// <summary>Something an operator should look at (a refused channel); shown by `reconcile --gateways`.</summary>
    public string? Flag { get; set; }

    /// <summary>How <see cref="Flag"/> starts for a notification that broke an invariant (GatewayNotifications): `reconcile --gateways` lists it until the payment is credited.</summary>
    public const string NotAppliedFlag = "Notification not applied: ";

    /// <summary>The refund's own number (Alipay out_request_no, UnionPay orderId of the txnType 04); reused on every retry so the gateway refunds once.</summary>
    public string? RefundRequestNo { get; set; }

    /// <summary>UnionPay: the txnTime the refund was last sent with; with <see cref="RefundRequestNo"/> it names the refund in a query (§2.6).</summary>
    public DateTimeOffset? RefundTxnTime { get; set; }

    /// <summary>When the gateway confirmed the refund.</summary>
    public DateTimeOffset? RefundedAt { get; set; }

    /// <summary>When the poller next asks the gateway (lost notifications, abandoned payments, refund retries); null when final.</summary>
    public DateTimeOffset? NextQueryAt { get; set; }

    public int QueryCount { get; set; }
    public long Version { get; set; }
}
