using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.Orders;

/// <summary>R5.1.</summary>
public enum OrderType
{
    New,
    Renew,
}

public static class OrderTypes
{
    /// <summary>The order type as the coupon rules name it (R6.5).</summary>
    public static CouponOrderTypes ForCoupons(this OrderType type) => type switch
    {
        OrderType.New => CouponOrderTypes.New,
        OrderType.Renew => CouponOrderTypes.Renew,
    };
}

/// <summary>R5.1: Unpaid → Paid or Cancelled; a cancelled order is final.</summary>
public enum OrderStatus
{
    Unpaid,
    Paid,
    Cancelled,
}

public enum CancelReason
{
    /// <summary>The customer cancelled it (R5.2).</summary>
    Customer,

    /// <summary>It stayed unpaid past its time-out (R5.2).</summary>
    Timeout,

    /// <summary>An automatic payment failed and the order was cancelled at once (R4.4).</summary>
    PaymentFailed,

    /// <summary>The instance it was for was released before the order was paid.</summary>
    InstanceReleased,
}

public enum PaymentMethod
{
    Balance,
    Alipay,
    UnionPay,

    /// <summary>Nothing was paid: the provider's staff gave the time (an extension after an outage).</summary>
    Compensation,
}

/// <summary>
/// An order with the price breakdown as it was when placed (R5.6): later catalog changes do
/// not alter it. Placed once per client token (R5.4), paid once (R5.5).
/// </summary>
public sealed class Order : IVersioned
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string ClientToken { get; set; }
    public OrderType Type { get; set; }
    public OrderStatus Status { get; set; }
    public required string ProductCode { get; set; }
    public ChargeType ChargeType { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>R5.2: when an unpaid order is cancelled automatically.</summary>
    public DateTimeOffset PayBy { get; set; }

    public DateTimeOffset? PaidAt { get; set; }
    public PaymentMethod? PaidWith { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public CancelReason? CancelReason { get; set; }

    /// <summary>The list price: monthly × months × quantity, before any discount.</summary>
    public Money OriginalPrice { get; set; }

    /// <summary>R6.1: what the period discount takes off the list price.</summary>
    public Money Discount { get; set; }

    /// <summary>R6.3: what the coupon takes off; it is frozen on the coupon until payment (R6.4).</summary>
    public Money CouponDeduction { get; set; }

    public long? CouponId { get; set; }

    /// <summary>Original price − discount − coupon deduction: what the customer pays.</summary>
    public Money Payable { get; set; }

    /// <summary>What has gone back to the customer so far (staff refunds and instances the cloud could not create); never more than <see cref="Payable"/>.</summary>
    public Money Refunded { get; set; }

    public List<OrderLine> Lines { get; set; } = [];

    public long Version { get; set; }

    /// <summary>What a refund can still give back: what the customer paid, less what went back already. Nothing for an unpaid order or a compensation.</summary>
    public Money Refundable => Status == OrderStatus.Paid && PaidWith != PaymentMethod.Compensation ? Payable - Refunded : Money.Zero;

    /// <summary>The amount coupons are matched against (R6.5): the price after the period discount.</summary>
    public Money AmountBeforeCoupon => OriginalPrice - Discount;

    /// <summary>R6.3: the coupon this order uses, and what the customer pays after it.</summary>
    public void ApplyCoupon(long couponId, Money deduction)
    {
        CouponId = couponId;
        CouponDeduction = deduction;
        Payable = AmountBeforeCoupon - deduction;
    }

    /// <summary>R5.1, R5.5: Unpaid → Paid, once. One of the two writers of <see cref="Status"/>.</summary>
    public void MarkPaid(PaymentMethod method, DateTimeOffset at)
    {
        if (Status != OrderStatus.Unpaid)
            throw new InvalidOperationException($"Order {Id} is {Status}; only an unpaid order can be paid.");
        Status = OrderStatus.Paid;
        PaidAt = at;
        PaidWith = method;
    }

    /// <summary>Part of what was paid went back to the customer; the order stays Paid. The one writer of <see cref="Refunded"/>.</summary>
    public void RecordRefund(Money amount)
    {
        if (!amount.IsPositive || amount > Refundable)
            throw new InvalidOperationException($"Order {Id} can give back {Refundable}; a refund of {amount} is not one.");
        Refunded += amount;
    }

    /// <summary>R5.1, R5.2: Unpaid → Cancelled, final. The other writer of <see cref="Status"/>.</summary>
    public void Cancel(CancelReason reason, DateTimeOffset at)
    {
        if (Status != OrderStatus.Unpaid)
            throw new InvalidOperationException($"Order {Id} is {Status}; only an unpaid order can be cancelled.");
        Status = OrderStatus.Cancelled;
        CancelledAt = at;
        CancelReason = reason;
    }
}

/// <summary>One product, spec and region in an order: new instances to create, or one instance to renew.</summary>
public sealed class OrderLine
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public long AccountId { get; set; }

    /// <summary>Renew: the instance renewed. New: null (the created ids are on <see cref="Instance.CreatedByOrderId"/>).</summary>
    public string? InstanceId { get; set; }

    public required string SpecCode { get; set; }
    public required string RegionId { get; set; }
    public int Months { get; set; }
    public int Quantity { get; set; }

    /// <summary>The spec's monthly list price in the region when the order was placed.</summary>
    public Money MonthlyPrice { get; set; }

    public int DiscountPercent { get; set; }
    public Money OriginalPrice { get; set; }
    public Money Discount { get; set; }

    /// <summary>New orders: the renewal method the created instances get (R2.1; manual by default).</summary>
    public RenewalMethod RenewalMethod { get; set; }

    public int? AutoRenewPeriodMonths { get; set; }

    /// <summary>
    /// Renew: the expiry being renewed, recorded when placed (the cycle); the payment is refused
    /// if another renewal moved it meanwhile, so one cycle is never charged twice (R4.5).
    /// </summary>
    public DateTimeOffset? ExpiresBefore { get; set; }

    /// <summary>Renew to a unified expiration date: the new expiry (Months is 0, the price is by days).</summary>
    public DateTimeOffset? UnifiedExpiresAt { get; set; }

    public DateTimeOffset? ExpiresAfter { get; set; }

    /// <summary>New orders: the name the customer chose for the created instances (R1.7); null for the default names.</summary>
    public string? InstanceName { get; set; }

    public Money Amount => OriginalPrice - Discount;
}
