using Cloudbill.Core.Instances;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.Coupons;

/// <summary>
/// What an order offers a coupon to match against (R6.5). <paramref name="OrderType"/> is the order's one
/// type (New or Renew), in the coupons' own terms so that coupons do not depend on orders.
/// </summary>
public sealed record CouponFacts(string ProductCode, CouponOrderTypes OrderType, ChargeType ChargeType, Money Amount);

/// <summary>Why a coupon does not apply to an order, in the words the quote shows.</summary>
public enum CouponRefusal
{
    NotYetValid,
    Expired,
    UsedUp,
    Frozen,
    WrongProduct,
    WrongOrderType,
    WrongSubscriptionType,
    BelowMinimum,
}

/// <summary>A coupon judged against one order: eligible with its deduction, or refused with the reason.</summary>
public sealed record CouponVerdict(Coupon Coupon, Money Deduction, CouponRefusal? Refusal, string? Reason)
{
    public bool Eligible => Refusal is null;
}

/// <summary>R6.3 to R6.6, as pure functions of a coupon, an order and the time.</summary>
public static class CouponRules
{
    public static CouponVerdict Judge(Coupon coupon, CouponFacts order, DateTimeOffset now)
    {
        CouponVerdict Refuse(CouponRefusal refusal, string reason) => new(coupon, Money.Zero, refusal, reason);

        if (now < coupon.ValidFrom)
            return Refuse(CouponRefusal.NotYetValid, $"Valid from {BusinessCalendar.FormatDateTime(coupon.ValidFrom)}.");
        if (now >= coupon.ValidTo)
            return Refuse(CouponRefusal.Expired, $"Expired on {BusinessCalendar.FormatDateTime(coupon.ValidTo)}.");
        if (!coupon.Remaining.IsPositive)
            return Refuse(CouponRefusal.UsedUp, "Used up: no balance left.");
        if (coupon.FrozenByOrderId is { } orderId)
            return Refuse(CouponRefusal.Frozen, $"Frozen by unpaid order {orderId}; pay or cancel that order to use it.");
        if (!coupon.AppliesToProduct(order.ProductCode))
            return Refuse(CouponRefusal.WrongProduct, $"Only for {string.Join(", ", coupon.Products)}.");
        if (!coupon.OrderTypes.HasFlag(order.OrderType))
            return Refuse(CouponRefusal.WrongOrderType, $"Only for {DescribeOrderTypes(coupon.OrderTypes)} orders.");
        if (coupon.ChargeType != order.ChargeType)
            return Refuse(CouponRefusal.WrongSubscriptionType, $"Only for {(coupon.ChargeType == ChargeType.Subscription ? "subscription" : "pay-as-you-go")} purchases.");
        if (order.Amount < coupon.MinimumOrder)
            return Refuse(CouponRefusal.BelowMinimum, $"Needs an order of at least {coupon.MinimumOrder}; this order is {order.Amount}.");

        // R6.3: it deducts what it can; the rest stays on the coupon.
        return new CouponVerdict(coupon, Money.Min(coupon.Remaining, order.Amount), null, null);
    }

    /// <summary>R6.5, R6.6: the coupons that apply to the order, best first; every chooser of a coupon asks this.</summary>
    public static IReadOnlyList<CouponVerdict> EligibleBestFirst(IEnumerable<Coupon> coupons, CouponFacts order, DateTimeOffset now) =>
        BestFirst(coupons.Select(c => Judge(c, order, now)).Where(v => v.Eligible)).ToList();

    /// <summary>R6.6: largest deduction, then earliest expiry, then earliest issued.</summary>
    public static IOrderedEnumerable<CouponVerdict> BestFirst(IEnumerable<CouponVerdict> eligible) =>
        eligible.OrderByDescending(v => v.Deduction)
            .ThenBy(v => v.Coupon.ValidTo)
            .ThenBy(v => v.Coupon.IssuedAt)
            .ThenBy(v => v.Coupon.Id);

    public static string DescribeOrderTypes(CouponOrderTypes types) => types switch
    {
        CouponOrderTypes.New => "new purchase",
        CouponOrderTypes.Renew => "renewal",
        CouponOrderTypes.New | CouponOrderTypes.Renew => "new purchase and renewal",
        _ => "no",
    };
}
