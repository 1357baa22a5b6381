using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;

namespace Cloudbill.Core.Tests;

/// <summary>R6.3 to R6.6 on single coupons, without a database.</summary>
public class CouponRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
    private static readonly CouponFacts EcsRenewal = new("ecs", CouponOrderTypes.Renew, ChargeType.Subscription, Money.Parse("330.00"));
    private static long ids;

    private static Coupon Make(string amount, string min = "0.00", string products = "", CouponOrderTypes types = CouponOrderTypes.New | CouponOrderTypes.Renew,
        ChargeType subscription = ChargeType.Subscription, int expiresInDays = 30, int issuedDaysAgo = 1, long? frozenBy = null, string? remaining = null) => new()
        {
            Id = Interlocked.Increment(ref ids),
            Name = amount,
            FaceValue = Money.Parse(amount),
            Remaining = Money.Parse(remaining ?? amount),
            ValidFrom = Now.AddDays(-issuedDaysAgo),
            ValidTo = Now.AddDays(expiresInDays),
            IssuedAt = Now.AddDays(-issuedDaysAgo),
            MinimumOrder = Money.Parse(min),
            ProductCodes = products,
            OrderTypes = types,
            ChargeType = subscription,
            FrozenByOrderId = frozenBy,
        };

    private static CouponVerdict Judge(Coupon c, CouponFacts? facts = null, DateTimeOffset? at = null) => CouponRules.Judge(c, facts ?? EcsRenewal, at ?? Now);

    [Fact]
    public void R6_6_chooses_the_largest_deduction_first()
    {
        var small = Make("20.00", expiresInDays: 1);
        var large = Make("100.00", expiresInDays: 90);
        var best = CouponRules.BestFirst([Judge(small), Judge(large)]).First();
        Assert.Equal(large.Id, best.Coupon.Id);
    }

    [Fact]
    public void R6_6_breaks_a_tie_in_deduction_by_the_earliest_expiry()
    {
        // Both deduct the whole order (330.00): the one expiring first is used first.
        var later = Make("500.00", expiresInDays: 60);
        var sooner = Make("400.00", expiresInDays: 10);
        Assert.Equal(sooner.Id, CouponRules.BestFirst([Judge(later), Judge(sooner)]).First().Coupon.Id);
    }

    [Fact]
    public void R6_6_breaks_a_tie_in_deduction_and_expiry_by_the_earliest_issued()
    {
        var newer = Make("50.00", issuedDaysAgo: 1);
        var older = Make("50.00", issuedDaysAgo: 5);
        newer.ValidTo = older.ValidTo;
        Assert.Equal(older.Id, CouponRules.BestFirst([Judge(newer), Judge(older)]).First().Coupon.Id);
    }

    [Fact]
    public void R6_5_the_order_amount_must_meet_the_minimum()
    {
        Assert.True(Judge(Make("50.00", min: "330.00")).Eligible);
        var below = Judge(Make("50.00", min: "330.01"));
        Assert.Equal(CouponRefusal.BelowMinimum, below.Refusal);
        Assert.Equal("Needs an order of at least 330.01; this order is 330.00.", below.Reason);
    }

    [Fact]
    public void R6_5_the_product_must_match()
    {
        Assert.True(Judge(Make("50.00", products: "rds,ecs")).Eligible);
        Assert.True(Judge(Make("50.00", products: "")).Eligible);
        var other = Judge(Make("50.00", products: "rds,polardb"));
        Assert.Equal(CouponRefusal.WrongProduct, other.Refusal);
        Assert.Equal("Only for rds, polardb.", other.Reason);
    }

    [Fact]
    public void R6_5_the_order_type_must_match()
    {
        var newOnly = Judge(Make("50.00", types: CouponOrderTypes.New));
        Assert.Equal(CouponRefusal.WrongOrderType, newOnly.Refusal);
        Assert.Equal("Only for new purchase orders.", newOnly.Reason);
        Assert.True(Judge(Make("50.00", types: CouponOrderTypes.Renew)).Eligible);
    }

    [Fact]
    public void R6_5_the_subscription_type_must_match()
    {
        var payg = Judge(Make("50.00", subscription: ChargeType.PayAsYouGo));
        Assert.Equal(CouponRefusal.WrongSubscriptionType, payg.Refusal);
        Assert.Equal("Only for pay-as-you-go purchases.", payg.Reason);
    }

    [Fact]
    public void R6_5_valid_from_its_first_instant_until_just_before_its_end()
    {
        var coupon = Make("50.00");
        Assert.Equal(CouponRefusal.NotYetValid, Judge(coupon, at: coupon.ValidFrom.AddTicks(-1)).Refusal);
        Assert.True(Judge(coupon, at: coupon.ValidFrom).Eligible);
        Assert.True(Judge(coupon, at: coupon.ValidTo.AddTicks(-1)).Eligible);
        var expired = Judge(coupon, at: coupon.ValidTo);
        Assert.Equal(CouponRefusal.Expired, expired.Refusal);
        Assert.StartsWith("Expired on ", expired.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void R6_4_a_frozen_coupon_names_the_order_holding_it()
    {
        var frozen = Judge(Make("50.00", frozenBy: 42));
        Assert.Equal(CouponRefusal.Frozen, frozen.Refusal);
        Assert.Equal("Frozen by unpaid order 42; pay or cancel that order to use it.", frozen.Reason);
    }

    [Fact]
    public void R6_3_a_coupon_larger_than_the_order_deducts_the_order_amount()
    {
        Assert.Equal(Money.Parse("330.00"), Judge(Make("500.00")).Deduction);
        Assert.Equal(Money.Parse("12.34"), Judge(Make("500.00", remaining: "12.34")).Deduction);
        Assert.Equal(CouponRefusal.UsedUp, Judge(Make("500.00", remaining: "0.00")).Refusal);
    }
}
