using Cloudbill.Core.Instances;

namespace Cloudbill.Core.Coupons;

/// <summary>R5.1: the order types a coupon can apply to.</summary>
[Flags]
public enum CouponOrderTypes
{
    None = 0,
    New = 1,
    Renew = 2,
}

/// <summary>
/// A voucher (R6.2): a face value that orders draw down (R6.3), valid in a window, limited to
/// products, order types, a subscription type and a minimum order amount.
/// </summary>
public sealed class Coupon
{
    public const int NameMaxLength = 128;
    public const int IssueKeyMaxLength = 100;

    public long Id { get; set; }
    public long AccountId { get; set; }
    public required string Name { get; set; }
    public Money FaceValue { get; set; }

    /// <summary>What is left after partial use (R6.3).</summary>
    public Money Remaining { get; set; }

    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset ValidTo { get; set; }

    /// <summary>Product codes the coupon applies to, comma-separated; empty means every product.</summary>
    public string ProductCodes { get; set; } = "";

    public CouponOrderTypes OrderTypes { get; set; }
    public ChargeType ChargeType { get; set; }
    public Money MinimumOrder { get; set; }
    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>R6.4: the unpaid order holding the coupon; nobody else can use it meanwhile.</summary>
    public long? FrozenByOrderId { get; set; }

    /// <summary>A staff grant's key, "grant:{client token}:{account}": one coupon per customer per form (R10.3); null for the CLI's coupons.</summary>
    public string? IssueKey { get; set; }

    /// <summary>When staff withdrew it; it expired at that moment (<see cref="ValidTo"/>).</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    public IReadOnlyList<string> Products =>
        ProductCodes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool AppliesToProduct(string productCode) => Products.Count == 0 || Products.Contains(productCode);

    /// <summary>R6.3: this copy shows what is left after a deduction (a forecast, or a copy read untracked); the database changes through <see cref="CouponHolds.Consume(Persistence.CloudbillDbContext, long, Money, Money, long?, CancellationToken)"/>.</summary>
    public void Deduct(Money deduction) => Remaining -= deduction;
}
