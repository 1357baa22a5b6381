namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// The common part of every synchronous answer (payments.md §1.9): <c>10000</c> means the call
/// succeeded; otherwise <see cref="SubCode"/> says why.
/// </summary>
public sealed record AlipayCallStatus(string Code, string Message, string? SubCode, string? SubMessage)
{
    public bool IsSuccess => Code == "10000";

    /// <summary>ACQ.TRADE_NOT_EXIST: for page/wap pay the buyer has not paid (or never opened the cashier), §1.3.</summary>
    public bool IsTradeNotExist => SubCode == "ACQ.TRADE_NOT_EXIST";

    /// <summary>20000 (service unavailable) or a system-error sub_code: the same call may succeed later.</summary>
    public bool IsRetryable => Code == "20000" || SubCode is "ACQ.SYSTEM_ERROR" or "isp.unknow-error" or "aop.ACQ.SYSTEM_ERROR";
}

/// <summary>alipay.trade.query, verified (§1.9). The trade fields are present when the call succeeded.</summary>
public sealed record AlipayTradeQueryResponse(AlipayCallStatus Status)
{
    public string? TradeNo { get; init; }
    public string? OutTradeNo { get; init; }
    public AlipayTradeStatus? TradeStatus { get; init; }
    public Money? TotalAmount { get; init; }
    public Money? BuyerPayAmount { get; init; }
    public Money? ReceiptAmount { get; init; }
    public string? BuyerUserId { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    public IReadOnlyList<AlipayFundBill> FundBills { get; init; } = [];

    public bool IsPaid => Status.IsSuccess && TradeStatus is { } status && status.IsPaid();

    /// <summary>R7.2, as for notifications.</summary>
    public bool UsedForbiddenChannel => FundBills.Any(bill => bill.IsForbidden);
}

/// <summary>alipay.trade.close, verified (§1.9). ACQ.TRADE_NOT_EXIST for an unpaid page/wap order: close it locally.</summary>
public sealed record AlipayTradeCloseResponse(AlipayCallStatus Status)
{
    public string? TradeNo { get; init; }
    public string? OutTradeNo { get; init; }
}

/// <summary>alipay.trade.refund, verified (§1.9). Confirm with the refund query before booking it as final.</summary>
public sealed record AlipayTradeRefundResponse(AlipayCallStatus Status)
{
    public string? TradeNo { get; init; }
    public string? OutTradeNo { get; init; }

    /// <summary>fund_change = Y: this call moved money (N on a retry of a refund already made).</summary>
    public bool FundChange { get; init; }

    /// <summary>refund_fee: the total refunded on this trade so far, not this refund's amount.</summary>
    public Money? RefundFee { get; init; }

    public DateTimeOffset? RefundedAt { get; init; }
}

/// <summary>alipay.trade.fastpay.refund.query, verified (§1.9).</summary>
public sealed record AlipayRefundQueryResponse(AlipayCallStatus Status)
{
    public string? TradeNo { get; init; }
    public string? OutTradeNo { get; init; }
    public string? OutRequestNo { get; init; }
    public Money? RefundAmount { get; init; }

    /// <summary>REFUND_PROCESSING, REFUND_SUCCESS or REFUND_FAIL for asynchronous refunds; often absent when the refund succeeded at once.</summary>
    public string? RefundStatus { get; init; }

    /// <summary>Alipay knows the refund request (a successful answer with its amount) and does not report it processing or failed.</summary>
    public bool IsRefunded => Status.IsSuccess && RefundAmount is not null && RefundStatus is null or "REFUND_SUCCESS";
}
