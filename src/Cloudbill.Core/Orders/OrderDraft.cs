using Cloudbill.Core.Instances;

namespace Cloudbill.Core.Orders;

/// <summary>A validated, priced order about to be placed; purchase and renewal build it, <see cref="OrderService"/> places it.</summary>
public sealed record OrderDraft(OrderType Type, string ProductCode, ChargeType ChargeType, IReadOnlyList<DraftLine> Lines)
{
    public Money OriginalPrice => Lines.Aggregate(Money.Zero, (sum, l) => sum + l.Price.OriginalPrice);
    public Money Discount => Lines.Aggregate(Money.Zero, (sum, l) => sum + l.Price.Discount);
    public Money AmountBeforeCoupon => OriginalPrice - Discount;
}

public sealed record DraftLine(
    string? InstanceId,
    string SpecCode,
    string RegionId,
    int Months,
    int Quantity,
    LinePrice Price,
    RenewalMethod RenewalMethod = RenewalMethod.ManualRenewal,
    int? AutoRenewPeriodMonths = null,
    DateTimeOffset? ExpiresBefore = null,
    DateTimeOffset? UnifiedExpiresAt = null,
    string? InstanceName = null);
