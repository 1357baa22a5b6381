using Cloudbill.Core.Accounts;
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

/// <summary>What a coupon is (R6.2): its name (default "&lt;amount&gt; voucher"), face value and limits, valid from its issue for <see cref="ValidDays"/>.</summary>
public sealed record CouponTerms(
    string Name,
    Money Amount,
    Money MinimumOrder,
    IReadOnlyList<string> Products,
    CouponOrderTypes OrderTypes,
    ChargeType ChargeType,
    int ValidDays);

/// <summary>The operator's `coupons issue`: one coupon to the customer with this email.</summary>
public sealed record CouponIssue(string AccountEmail, CouponTerms Terms);

/// <summary>The coupons one grant issued, one per customer; <see cref="AlreadyIssued"/> when the same form had issued them before.</summary>
public sealed record CouponsIssued(IReadOnlyList<Coupon> Coupons, bool AlreadyIssued);

public sealed class CouponService(CloudbillDbContext db, ProductCatalog catalog, Audit.AuditLog audit, TimeProvider clock)
{
    /// <summary>The most customers one grant reaches.</summary>
    public const int MaxGrant = 10_000;

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
        if (Check(issue.Terms) is { } invalid)
            return invalid;
        var accountId = await db.BillingAccounts.Where(a => a.Email == issue.AccountEmail).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        if (accountId is null)
            return Problem.NotFound("Account.NotFound", $"No account has the email {issue.AccountEmail}.");
        var coupon = New(accountId.Value, issue.Terms, clock.GetUtcNow(), issueKey: null);
        db.Coupons.Add(coupon);
        audit.Add(Audit.AuditEventKind.CouponIssued, coupon.AccountId, Described(coupon));
        await db.SaveChangesAsync(ct);
        return coupon;
    }

    /// <summary>
    /// The same coupon to each of <paramref name="accountIds"/> (staff's grant to one customer or a
    /// list), all or none, in one transaction with an audit row each. Once per client token: the
    /// same form again returns the coupons it issued (R10.3).
    /// </summary>
    public async Task<Result<CouponsIssued>> Grant(IReadOnlyList<long> accountIds, CouponTerms terms, ClientToken token, CancellationToken ct)
    {
        if (Check(terms) is { } invalid)
            return invalid;
        if (accountIds.Count is 0 or > MaxGrant || accountIds.Distinct().Count() != accountIds.Count)
            return CouponErrors.Invalid("customers", $"a grant is for 1 to {MaxGrant} different customers; {accountIds.Count} were given.");
        var prefix = $"grant:{token.Value}:";
        var earlier = await db.Coupons.AsNoTracking().Where(c => c.IssueKey != null && c.IssueKey.StartsWith(prefix)).OrderBy(c => c.Id).ToListAsync(ct);
        if (earlier.Count > 0)
            return new CouponsIssued(earlier, AlreadyIssued: true);

        var now = clock.GetUtcNow();
        var coupons = accountIds.Select(id => New(id, terms, now, prefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        await using var tx = await db.BeginOrJoinTransaction(ct);
        db.Coupons.AddRange(coupons);
        try
        {
            await db.SaveChangesAsync(ct);
            foreach (var coupon in coupons)
                audit.Add(Audit.AuditEventKind.CouponIssued, coupon.AccountId, Described(coupon));
            await db.SaveChangesAsync(ct);
            await tx.Commit(ct);
        }
        catch (DbUpdateException)
        {
            // The same form sent twice at once: the other request issued them (its keys are taken).
            db.ChangeTracker.Clear();
            await tx.DisposeAsync();
            var issued = await db.Coupons.AsNoTracking().Where(c => c.IssueKey != null && c.IssueKey.StartsWith(prefix)).OrderBy(c => c.Id).ToListAsync(ct);
            if (issued.Count == 0)
                throw;
            return new CouponsIssued(issued, AlreadyIssued: true);
        }
        return new CouponsIssued(coupons, AlreadyIssued: false);
    }

    /// <summary>
    /// Withdraws a coupon the customer has not used up: it expires now (the customer sees it under
    /// Expired) and is marked revoked. Under the account lock that orders take, so no order freezes
    /// it meanwhile; a coupon held by an unpaid order is refused until that order is paid or cancelled.
    /// </summary>
    public async Task<Result<Coupon>> Revoke(long accountId, long couponId, CancellationToken ct)
    {
        await using var tx = await db.BeginOrJoinTransaction(ct);
        await db.Acquire(accountId, ct);
        if (await db.Coupons.AsNoTracking().FirstOrDefaultAsync(c => c.Id == couponId && c.AccountId == accountId, ct) is not { } coupon)
            return CouponErrors.NotFound(couponId);
        var now = clock.GetUtcNow();
        if (coupon.RevokedAt is not null)
            return Problem.Conflict("Coupon.Revoked", $"Coupon {couponId} was revoked already.");
        if (StateOf(coupon, now) is VoucherState.UsedUp or VoucherState.Expired)
            return Problem.Conflict("Coupon.NothingToRevoke", $"Coupon {couponId} is {StateOf(coupon, now)}; nothing is left to revoke.");
        if (coupon.FrozenByOrderId is { } orderId)
            return Problem.Conflict("Coupon.Frozen", $"Coupon {couponId} is held by unpaid order {orderId}; revoke it once the order is paid or cancelled.");
        await db.Coupons.Where(c => c.Id == couponId && c.FrozenByOrderId == null && c.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ValidTo, now).SetProperty(c => c.RevokedAt, now), ct);
        await audit.Record(Audit.AuditEventKind.CouponRevoked, accountId, $"coupon {couponId} ({coupon.Name}, {coupon.Remaining} CNY of {coupon.FaceValue} left) revoked", ct);
        await tx.Commit(ct);
        coupon.ValidTo = now;
        coupon.RevokedAt = now;
        return coupon;
    }

    private Problem? Check(CouponTerms terms)
    {
        if (!terms.Amount.IsPositive)
            return CouponErrors.Invalid("--amount", $"{terms.Amount} must be greater than 0.00.");
        if (terms.MinimumOrder.IsNegative)
            return CouponErrors.Invalid("--min-order", $"{terms.MinimumOrder} must be 0.00 or more.");
        if (terms.ValidDays is < 1 or > 3650)
            return CouponErrors.Invalid("--valid-days", $"{terms.ValidDays} must be from 1 to 3650.");
        if (terms.OrderTypes == CouponOrderTypes.None)
            return CouponErrors.Invalid("--order-types", "name at least one of New, Renew.");
        if (terms.Name.Trim().Length > Coupon.NameMaxLength)
            return CouponErrors.Invalid("--name", $"a name is at most {Coupon.NameMaxLength} characters.");
        var unknown = terms.Products.FirstOrDefault(p => catalog.FindProduct(p) is null);
        if (unknown is not null)
            return CouponErrors.Invalid("--products", $"'{unknown}' is not a product code in the catalog ({string.Join(", ", catalog.Products.Select(p => p.Code))}).");
        return null;
    }

    private static Coupon New(long accountId, CouponTerms terms, DateTimeOffset now, string? issueKey) => new()
    {
        AccountId = accountId,
        Name = string.IsNullOrWhiteSpace(terms.Name) ? $"{terms.Amount} voucher" : terms.Name.Trim(),
        FaceValue = terms.Amount,
        Remaining = terms.Amount,
        ValidFrom = now,
        ValidTo = BusinessCalendar.AddDays(now, terms.ValidDays),
        ProductCodes = string.Join(",", terms.Products.Distinct()),
        OrderTypes = terms.OrderTypes,
        ChargeType = terms.ChargeType,
        MinimumOrder = terms.MinimumOrder,
        IssuedAt = now,
        IssueKey = issueKey,
    };

    private static string Described(Coupon c) =>
        $"coupon {c.Name}: {c.FaceValue} CNY, minimum order {c.MinimumOrder} CNY, {(c.ProductCodes.Length == 0 ? "every product" : c.ProductCodes)}, {c.OrderTypes}, {c.ChargeType}, valid to {BusinessCalendar.FormatDateTime(c.ValidTo)}";
}
