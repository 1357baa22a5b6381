using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Coupons;

/// <summary>
/// The only writer of a coupon's freeze and remaining amount (R6.3, R6.4): orders and the engine
/// ask here. Each change is one conditional update in the database, never a write of a value read
/// earlier, because a customer may freeze a coupon for an order without holding the account lock.
/// </summary>
public static class CouponHolds
{
    /// <summary>R6.4: freezes the coupon for an order, only if no other order froze or used it since it was judged with <paramref name="remaining"/>.</summary>
    public static async Task<bool> Freeze(CloudbillDbContext db, long couponId, Money remaining, long orderId, CancellationToken ct) =>
        await db.Coupons.Where(c => c.Id == couponId && c.FrozenByOrderId == null && c.Remaining == remaining)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.FrozenByOrderId, orderId), ct) == 1;

    /// <summary>The order a coupon is frozen by, if any (to say why it could not be frozen).</summary>
    public static Task<long?> FrozenBy(CloudbillDbContext db, long couponId, CancellationToken ct) =>
        db.Coupons.Where(c => c.Id == couponId).Select(c => c.FrozenByOrderId).FirstOrDefaultAsync(ct);

    /// <summary>R6.4: an unpaid order's coupon is free again, whole.</summary>
    public static Task Release(CloudbillDbContext db, long couponId, long orderId, CancellationToken ct) =>
        db.Coupons.Where(c => c.Id == couponId && c.FrozenByOrderId == orderId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.FrozenByOrderId, (long?)null), ct);

    /// <summary>R6.3: as <see cref="Consume(CloudbillDbContext, long, Money, Money, long?, CancellationToken)"/> for a coupon read untracked, whose copy then shows what is left.</summary>
    public static async Task<bool> Consume(CloudbillDbContext db, Coupon coupon, Money deduction, long? heldByOrderId, CancellationToken ct)
    {
        var consumed = await Consume(db, coupon.Id, coupon.Remaining, deduction, heldByOrderId, ct);
        if (consumed)
            coupon.Deduct(deduction);
        return consumed;
    }

    /// <summary>
    /// R6.3, R6.4: consumes a coupon's deduction in one conditional update, only if it still has
    /// the remaining amount the deduction was judged on and is held by <paramref name="heldByOrderId"/>
    /// (an order's freeze) or, with null, by no order at all (the engine takes an unfrozen coupon
    /// at once). The coupon ends unfrozen. False when someone froze or used it meanwhile.
    /// </summary>
    public static async Task<bool> Consume(CloudbillDbContext db, long couponId, Money remainingBefore, Money deduction, long? heldByOrderId, CancellationToken ct)
    {
        var left = remainingBefore - deduction;
        if (left.IsNegative)
            return false;
        var consumed = heldByOrderId is { } orderId
            ? await db.Coupons.Where(c => c.Id == couponId && c.FrozenByOrderId == orderId && c.Remaining == remainingBefore)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Remaining, left).SetProperty(c => c.FrozenByOrderId, (long?)null), ct)
            : await db.Coupons.Where(c => c.Id == couponId && c.FrozenByOrderId == null && c.Remaining == remainingBefore)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Remaining, left), ct);
        if (consumed == 1 && db.ChangeTracker.Entries<Coupon>().FirstOrDefault(e => e.Entity.Id == couponId) is { } tracked)
            await tracked.ReloadAsync(ct);
        return consumed == 1;
    }
}
