using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Coupons;

/// <summary>The coupon chosen for an order (R6.6), the other eligible ones, and why the rest do not apply.</summary>
public sealed record CouponOptions(CouponVerdict? Chosen, IReadOnlyList<CouponVerdict> OtherEligible, IReadOnlyList<CouponVerdict> NotApplicable)
{
    public Money Deduction => Chosen?.Deduction ?? Money.Zero;
}

/// <summary>How the customer picks a coupon: the best one (the default), none, or a given one ("View Details").</summary>
public abstract record CouponChoice
{
    public static readonly CouponChoice Best = new BestCoupon();
    public static readonly CouponChoice None = new NoCoupon();

    public static CouponChoice Use(long couponId) => new GivenCoupon(couponId);

    public sealed record BestCoupon : CouponChoice;

    public sealed record NoCoupon : CouponChoice;

    public sealed record GivenCoupon(long CouponId) : CouponChoice;
}

public enum VoucherState
{
    Available,
    Frozen,
    UsedUp,
    Expired,
}

public sealed record Voucher(Coupon Coupon, VoucherState State);

public sealed record CouponIssue(
    string AccountEmail,
    string Name,
    Money Amount,
    Money MinimumOrder,
    IReadOnlyList<string> Products,
    CouponOrderTypes OrderTypes,
    ChargeType SubscriptionType,
    int ValidDays);

public sealed class CouponService(CloudbillDbContext db, ProductCatalog catalog, TimeProvider clock)
{
    /// <summary>Every coupon of the account judged against the order, best first (R6.5, R6.6).</summary>
    public async Task<CouponOptions> OptionsFor(long accountId, CouponFacts order, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync(ct);
        var verdicts = coupons.Select(c => CouponRules.Judge(c, order, now)).ToList();
        var eligible = CouponRules.BestFirst(verdicts.Where(v => v.Eligible)).ToList();
        var refused = verdicts.Where(v => !v.Eligible).OrderBy(v => v.Coupon.Id).ToList();
        return new CouponOptions(eligible.FirstOrDefault(), eligible.Skip(1).ToList(), refused);
    }

    /// <summary>
    /// The coupons a choice allows, best first: all eligible ones for Best (so a coupon taken by a
    /// concurrent order falls through to the next), the one given, or none.
    /// </summary>
    public async Task<Result<IReadOnlyList<CouponVerdict>>> Candidates(long accountId, CouponChoice choice, CouponFacts order, CancellationToken ct)
    {
        switch (choice)
        {
            case CouponChoice.NoCoupon:
                return Array.Empty<CouponVerdict>();
            case CouponChoice.GivenCoupon given:
                var coupon = await db.Coupons.AsNoTracking().FirstOrDefaultAsync(c => c.Id == given.CouponId && c.AccountId == accountId, ct);
                if (coupon is null)
                    return CouponErrors.NotFound(given.CouponId);
                var verdict = CouponRules.Judge(coupon, order, clock.GetUtcNow());
                return verdict.Eligible ? new[] { verdict } : CouponErrors.NotApplicable(given.CouponId, verdict.Reason!);
            default:
                var options = await OptionsFor(accountId, order, ct);
                return options.Chosen is null ? Array.Empty<CouponVerdict>() : [options.Chosen, .. options.OtherEligible];
        }
    }

    /// <summary>My > Costs > Vouchers: the account's coupons by state, soonest expiry first.</summary>
    public async Task<IReadOnlyList<Voucher>> Vouchers(long accountId, VoucherState? state, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync(ct);
        return coupons.Select(c => new Voucher(c, StateOf(c, now)))
            .Where(v => state is null || v.State == state)
            .OrderBy(v => v.Coupon.ValidTo).ThenBy(v => v.Coupon.Id)
            .ToList();
    }

    public static VoucherState StateOf(Coupon coupon, DateTimeOffset now) =>
        !coupon.Remaining.IsPositive ? VoucherState.UsedUp
        : coupon.FrozenByOrderId is not null ? VoucherState.Frozen
        : now >= coupon.ValidTo ? VoucherState.Expired
        : VoucherState.Available;

    /// <summary>The operator issues a coupon to a customer (R6.2), valid from now for the given days.</summary>
    public async Task<Result<Coupon>> Issue(CouponIssue issue, CancellationToken ct)
    {
        if (!issue.Amount.IsPositive)
            return CouponErrors.Invalid("--amount", $"{issue.Amount} must be greater than 0.00.");
        if (issue.MinimumOrder.IsNegative)
            return CouponErrors.Invalid("--min-order", $"{issue.MinimumOrder} must be 0.00 or more.");
        if (issue.ValidDays is < 1 or > 3650)
            return CouponErrors.Invalid("--valid-days", $"{issue.ValidDays} must be from 1 to 3650.");
        if (issue.OrderTypes == CouponOrderTypes.None)
            return CouponErrors.Invalid("--order-types", "name at least one of New, Renew.");
        var unknown = issue.Products.FirstOrDefault(p => catalog.FindProduct(p) is null);
        if (unknown is not null)
            return CouponErrors.Invalid("--products", $"'{unknown}' is not a product code in the catalog ({string.Join(", ", catalog.Products.Select(p => p.Code))}).");
        var accountId = await db.BillingAccounts.Where(a => a.Email == issue.AccountEmail).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (accountId is null)
            return Problem.NotFound("Account.NotFound", $"No account has the email {issue.AccountEmail}.");

        var now = clock.GetUtcNow();
        var coupon = new Coupon
        {
            AccountId = accountId.Value,
            Name = string.IsNullOrWhiteSpace(issue.Name) ? $"{issue.Amount} voucher" : issue.Name.Trim(),
            FaceValue = issue.Amount,
            Remaining = issue.Amount,
            ValidFrom = now,
            ValidTo = BusinessCalendar.AddDays(now, issue.ValidDays),
            ProductCodes = string.Join(",", issue.Products.Distinct()),
            OrderTypes = issue.OrderTypes,
            SubscriptionType = issue.SubscriptionType,
            MinimumOrder = issue.MinimumOrder,
            IssuedAt = now,
        };
        db.Coupons.Add(coupon);
        await db.SaveChangesAsync(ct);
        return coupon;
    }
}
