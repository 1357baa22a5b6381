using Cloudbill.Core.Coupons;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record QueryCashCouponsRequest(bool? EffectiveOrNot, DateTimeOffset? ExpiryTimeStart, DateTimeOffset? ExpiryTimeEnd);

public sealed record QueryCashCouponsAnswer(IReadOnlyList<BssCashCoupon> CashCoupon);

public sealed record BssCashCoupon(
    long CashCouponId, string CashCouponNo, string NominalValue, string Balance, string Status, string? EffectiveTime, string? ExpiryTime,
    string? GrantedTime, string ApplicableProducts, string ApplicableScenarios, string Description);

/// <summary>QueryCashCoupons: the caller's coupons, usable (available or frozen by an unpaid order) or not.</summary>
public sealed class QueryCashCouponsAction(CouponService coupons) : BssAction<QueryCashCouponsRequest, QueryCashCouponsAnswer>
{
    protected override QueryCashCouponsRequest Bind(BssParameters p) => new(p.Bool("EffectiveOrNot"), p.Time("ExpiryTimeStart"), p.Time("ExpiryTimeEnd"));

    protected override async Task<BssResult<QueryCashCouponsAnswer>> Handle(BssCaller caller, QueryCashCouponsRequest r, CancellationToken ct)
    {
        var vouchers = await coupons.Vouchers(caller.AccountId, null, ct);
        var list = vouchers
            .Where(v => r.EffectiveOrNot is null || (v.State is VoucherState.Available or VoucherState.Frozen) == r.EffectiveOrNot)
            .Where(v => (r.ExpiryTimeStart is null || v.Coupon.ValidTo >= r.ExpiryTimeStart) && (r.ExpiryTimeEnd is null || v.Coupon.ValidTo <= r.ExpiryTimeEnd))
            .Select(v => new BssCashCoupon(
                CashCouponId: v.Coupon.Id,
                CashCouponNo: $"CC-{v.Coupon.Id}",
                NominalValue: v.Coupon.FaceValue.ToString(),
                Balance: v.Coupon.Remaining.ToString(),
                Status: v.State.ToString(),
                EffectiveTime: BssFormat.Time(v.Coupon.ValidFrom),
                ExpiryTime: BssFormat.Time(v.Coupon.ValidTo),
                GrantedTime: BssFormat.Time(v.Coupon.IssuedAt),
                ApplicableProducts: v.Coupon.Products.Count == 0 ? "All products" : string.Join(',', v.Coupon.Products),
                ApplicableScenarios: $"{v.Coupon.OrderTypes} orders, {v.Coupon.ChargeType}, minimum order {v.Coupon.MinimumOrder} CNY",
                Description: v.Coupon.Name))
            .ToList();
        return new QueryCashCouponsAnswer(list);
    }
}
