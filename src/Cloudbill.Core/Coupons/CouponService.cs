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

/// <summary>One page of the account's vouchers in one state, with how many there are in each state.</summary>
public sealed record VoucherPage(IReadOnlyList<Voucher> Vouchers, int Total, int Page, int PageSize, IReadOnlyDictionary<VoucherState, int> Counts);

public sealed record CouponIssue(
    string AccountEmail,
    string Name,
    Money Amount,
    Money MinimumOrder,
    IReadOnlyList<string> Products,
    CouponOrderTypes OrderTypes,
    ChargeType ChargeType,
    int ValidDays);

public sealed class CouponService(CloudbillDbContext db, ProductCatalog catalog, TimeProvider clock)
{
    /// <summary>Every coupon of the account judged against the order, best first (R6.5, R6.6).</summary>
    public async Task<CouponOptions> OptionsFor(long accountId, CouponFacts order, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var coupons = await db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId).ToListAsync(ct);
        var eligible = CouponRules.EligibleBestFirst(coupons, order, now);
        var refused = coupons.Select(c => CouponRules.Judge(c, order, now)).Where(v => !v.Eligible).OrderBy(v => v.Coupon.Id).ToList();
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

    public const int MaxVoucherPageSize = 100;

    /// <summary>
    /// My > Costs > Vouchers, paged in SQL: the vouchers in one state (as <see cref="StateOf"/>
    /// decides it), soonest expiry first, and the count of each state for the tabs.
    /// </summary>
    public async Task<Result<VoucherPage>> VoucherPage(long accountId, VoucherState state, int page, int pageSize, CancellationToken ct)
    {
        if (page < 1)
            return CouponErrors.Invalid("page", $"page {page} does not exist; pages start at 1.");
        if (pageSize is < 1 or > MaxVoucherPageSize)
            return CouponErrors.Invalid("page size", $"{pageSize} is outside 1 to {MaxVoucherPageSize}.");
        var now = clock.GetUtcNow();
        var mine = db.Coupons.AsNoTracking().Where(c => c.AccountId == accountId);
        var counts = new Dictionary<VoucherState, int>();
        foreach (var each in Enum.GetValues<VoucherState>())
            counts[each] = await InState(mine, each, now).CountAsync(ct);
        var coupons = await InState(mine, state, now).OrderBy(c => c.ValidTo).ThenBy(c => c.Id)
            .Skip(Paging.Skip(page, pageSize)).Take(pageSize).ToListAsync(ct);
        return new VoucherPage(coupons.Select(c => new Voucher(c, state)).ToList(), counts[state], page, pageSize, counts);
    }

    /// <summary>The order of <see cref="StateOf"/>, in SQL: used up, then frozen, then expired, else available.</summary>
    private static IQueryable<Coupon> InState(IQueryable<Coupon> coupons, VoucherState state, DateTimeOffset now) => state switch
    {
        VoucherState.UsedUp => coupons.Where(c => c.Remaining <= Money.Zero),
        VoucherState.Frozen => coupons.Where(c => c.Remaining > Money.Zero && c.FrozenByOrderId != null),
        VoucherState.Expired => coupons.Where(c => c.Remaining > Money.Zero && c.FrozenByOrderId == null && c.ValidTo <= now),
        _ => coupons.Where(c => c.Remaining > Money.Zero && c.FrozenByOrderId == null && c.ValidTo > now),
    };

    /// <summary>One of the account's vouchers; another customer's is not found.</summary>
    public async Task<Result<Voucher>> Voucher(long accountId, long couponId, CancellationToken ct)
    {
        var coupon = await db.Coupons.AsNoTracking().FirstOrDefaultAsync(c => c.Id == couponId && c.AccountId == accountId, ct);
        return coupon is null ? CouponErrors.NotFound(couponId) : new Voucher(coupon, StateOf(coupon, clock.GetUtcNow()));
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
            ChargeType = issue.ChargeType,
            MinimumOrder = issue.MinimumOrder,
            IssuedAt = now,
        };
        db.Coupons.Add(coupon);
        await db.SaveChangesAsync(ct);
        return coupon;
    }
}
