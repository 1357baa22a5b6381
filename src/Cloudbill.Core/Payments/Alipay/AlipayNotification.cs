namespace Cloudbill.Core.Payments.Alipay;

/// <summary>trade_status (payments.md §1.7).</summary>
public enum AlipayTradeStatus
{
    /// <summary>WAIT_BUYER_PAY: created, not paid.</summary>
    WaitBuyerPay,

    /// <summary>TRADE_SUCCESS: paid, still refundable (also on a partial-refund notification).</summary>
    TradeSuccess,

    /// <summary>TRADE_FINISHED: paid, no longer refundable.</summary>
    TradeFinished,

    /// <summary>TRADE_CLOSED: unpaid and timed out, or paid and fully refunded.</summary>
    TradeClosed,
}

public static class AlipayTradeStatuses
{
    public static bool TryParse(string? text, out AlipayTradeStatus status)
    {
        (var known, status) = text switch
        {
            "WAIT_BUYER_PAY" => (true, AlipayTradeStatus.WaitBuyerPay),
            "TRADE_SUCCESS" => (true, AlipayTradeStatus.TradeSuccess),
            "TRADE_FINISHED" => (true, AlipayTradeStatus.TradeFinished),
            "TRADE_CLOSED" => (true, AlipayTradeStatus.TradeClosed),
            _ => (false, AlipayTradeStatus.WaitBuyerPay),
        };
        return known;
    }

    /// <summary>§1.7: only TRADE_SUCCESS and TRADE_FINISHED mean paid.</summary>
    public static bool IsPaid(this AlipayTradeStatus status) =>
        status is AlipayTradeStatus.TradeSuccess or AlipayTradeStatus.TradeFinished;
}

/// <summary>
/// A notification whose Alipay signature and app_id were verified (payments.md §1.6.2, §1.7).
/// Whether it is one of our orders, for the right amount and payee, is
/// <see cref="AlipayGateway.CheckNotification"/>'s job.
/// </summary>
public sealed record AlipayNotification
{
    /// <summary>The body that acknowledges a notification: exactly these 7 characters, text/plain (§1.7).</summary>
    public const string SuccessReply = "success";

    /// <summary>Any other body makes Alipay send again; answer this for a rejected notification or a transient failure.</summary>
    public const string FailureReply = "failure";

    public required string NotifyId { get; init; }
    public required string NotifyType { get; init; }
    public required string AppId { get; init; }
    public required string OutTradeNo { get; init; }
    public required string TradeNo { get; init; }
    public required AlipayTradeStatus TradeStatus { get; init; }
    public required Money TotalAmount { get; init; }
    public Money? ReceiptAmount { get; init; }
    public Money? BuyerPayAmount { get; init; }

    /// <summary>Total refunded so far; present on refund notifications (§1.7).</summary>
    public Money? RefundFee { get; init; }

    /// <summary>On a refund notification: the refund request number (out_request_no).</summary>
    public string? OutBizNo { get; init; }

    public string? SellerId { get; init; }
    public string? BuyerId { get; init; }
    public DateTimeOffset? NotifiedAt { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    public DateTimeOffset? RefundedAt { get; init; }
    public required IReadOnlyList<AlipayFundBill> FundBills { get; init; }

    /// <summary>Every field as received, for the audit record.</summary>
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    public bool IsPaid => TradeStatus.IsPaid();

    /// <summary>§1.7: a refund notification carries refund_fee / gmt_refund; it is never a new payment.</summary>
    public bool IsRefund => RefundFee is not null || RefundedAt is not null;

    /// <summary>R7.2: Huabei or a credit card paid (part of) this trade: refund and flag it.</summary>
    public bool UsedForbiddenChannel => FundBills.Any(bill => bill.IsForbidden);

    /// <summary>A bank card of unknown type paid: query with fund_bill_list before ruling out a credit card.</summary>
    public bool UsedBankCardOfUnknownType => FundBills.Any(bill => bill.Funding == AlipayFunding.BankCardOfUnknownType);
}

/// <summary>
/// The signed parameters of the browser's return_url redirect (payments.md §1.8). Display only:
/// the browser can replay or alter them, so they never mark an order paid; query instead.
/// </summary>
public sealed record AlipayReturn(string OutTradeNo, string? TradeNo, Money TotalAmount, string? SellerId);
