namespace Cloudbill.Core.Payments.Alipay;

/// <summary>Which cashier the buyer gets (payments.md §1.3).</summary>
public enum AlipayDevice
{
    /// <summary><c>alipay.trade.wap.pay</c>, product_code QUICK_WAP_WAY: the mobile web cashier.</summary>
    Phone,

    /// <summary><c>alipay.trade.page.pay</c>, product_code FAST_INSTANT_TRADE_PAY: the PC web cashier.</summary>
    Desktop,
}

/// <summary>A payment to collect through the Alipay cashier (payments.md §1.4).</summary>
/// <param name="OutTradeNo">Our order number: 1–64 letters, digits or underscores, unique per payment attempt.</param>
/// <param name="Amount">The amount, 0.01 to 100,000,000.00 yuan; sent as "12.50".</param>
/// <param name="Subject">The order title the buyer sees: up to 256 characters, without '/', '=' or '&amp;'.</param>
/// <param name="Device">Phone (wap pay) or desktop (page pay).</param>
public sealed record AlipayCheckout(string OutTradeNo, Money Amount, string Subject, AlipayDevice Device)
{
    /// <summary>Where the browser returns after paying (display only, §1.8).</summary>
    public Uri? ReturnUrl { get; init; }

    /// <summary>Phone only: where the buyer lands when leaving the cashier without paying (§1.4 quit_url).</summary>
    public Uri? QuitUrl { get; init; }

    /// <summary>timeout_express; whole minutes. Null takes <see cref="AlipaySettings.DefaultPaymentTimeout"/>.</summary>
    public TimeSpan? PaymentTimeout { get; init; }
}

/// <summary>
/// One refund request (payments.md §1.9). <paramref name="OutRequestNo"/> identifies it within the
/// trade: keep it and send the same value when retrying, so that Alipay refunds only once.
/// </summary>
public sealed record AlipayRefund(string OutTradeNo, Money Amount, string OutRequestNo)
{
    public string? Reason { get; init; }
}

/// <summary>
/// What the merchant expects of a notification for one of its orders (payments.md §1.7 checks
/// 1–3): the order number, the amount at creation and, when it differs from the settings, the payee.
/// </summary>
public sealed record AlipayExpectedPayment(string OutTradeNo, Money Amount)
{
    public string? SellerId { get; init; }
}
