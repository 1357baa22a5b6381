using System.Linq.Expressions;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Cloudbill.Core.Renewals;

/// <summary>The expiry filters of the renewal pages ("All times" is the Renewal Management default).</summary>
public enum ExpiryWindow
{
    /// <summary>No expiry filter.</summary>
    AllTimes,

    /// <summary>Urgent Renewal: expires within 15 days, or has expired and is not released (R1.4).</summary>
    Urgent,

    /// <summary>Not yet expired, expires within 7 days from now.</summary>
    ExpiresIn7Days,

    /// <summary>Not yet expired, expires within 15 days from now: the WaitForExpire instances (R1.4).</summary>
    ExpiresIn15Days,

    /// <summary>Not yet expired, expires within 30 days from now.</summary>
    ExpiresIn30Days,

    /// <summary>Past expiry and not released.</summary>
    Expired,

    /// <summary>Expiry in [<see cref="RenewalFilter.From"/>, <see cref="RenewalFilter.To"/>).</summary>
    Custom,

    /// <summary>Not yet expired, expires within 60 days from now.</summary>
    ExpiresIn60Days,

    /// <summary>Not yet expired, expires within 90 days from now.</summary>
    ExpiresIn90Days,
}

/// <summary>
/// The filters of Urgent Renewal, Renewal Management and the API's instance list. Null means
/// "any". <see cref="Search"/> matches an instance whose id starts with the text (ids are
/// lower case, so the text is lowered first) or whose name contains it, ignoring case (on
/// SQLite only ASCII letters fold). The search never drives an index: the account's own rows
/// bound the scan.
/// </summary>
public sealed record RenewalFilter(
    string? ProductCode = null,
    string? RegionId = null,
    RenewalMethod? Method = null,
    ExpiryWindow Expiry = ExpiryWindow.AllTimes,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Search = null,
    int Page = 1,
    int PageSize = RenewalFilter.DefaultPageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 300;

    /// <summary>An instance name is at most this long, so a longer search cannot match.</summary>
    public const int MaxSearchLength = 128;

    /// <summary>Urgent Renewal's default view.</summary>
    public static RenewalFilter Urgent { get; } = new(Expiry: ExpiryWindow.Urgent);

    /// <summary>Only these instances (the API's InstanceIDs, at most <see cref="MaxInstanceIds"/>); null is any.</summary>
    public IReadOnlyList<string>? InstanceIds { get; init; }

    /// <summary>Created at or after this instant (the API's CreateTimeStart); null is any.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Created before this instant (the API's CreateTimeEnd); null is any.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    public const int MaxInstanceIds = 100;
}

/// <summary>One line of a renewal page: what the customer needs to decide whether to renew.</summary>
public sealed record RenewalRow(
    string Id,
    string Name,
    string ProductCode,
    string ProductName,
    string SpecCode,
    string SpecName,
    string RegionId,
    string RegionName,
    DateTimeOffset ExpiresAt,
    RenewalMethod RenewalMethod,
    int? AutoRenewPeriodMonths,
    InstanceState State,
    int DaysToExpiry,
    long? UnpaidOrderId)
{
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>R3.3: the instance already has an order waiting for payment.</summary>
    public bool HasUnpaidOrder => UnpaidOrderId is not null;
}

/// <summary>"Elastic Compute Service (ECS) - Subscription (N)" on the product list.</summary>
public sealed record ProductCount(string ProductCode, string ProductName, int Count);

/// <summary>A region of the product page's region list, with its instance count.</summary>
public sealed record RegionCount(Region Region, int Count);

/// <summary>The counts on the three tabs: Manual Renewal, Auto-Renewal, Expire Without Renewal.</summary>
public sealed record RenewalTabCounts(int ManualRenewal, int AutoRenewal, int NotRenewal)
{
    public int this[RenewalMethod method] => method switch
    {
        RenewalMethod.ManualRenewal => ManualRenewal,
        RenewalMethod.AutoRenewal => AutoRenewal,
        RenewalMethod.NotRenewal => NotRenewal,
    };

    public int All => ManualRenewal + AutoRenewal + NotRenewal;
}

/// <summary>
/// One page and its counts. <see cref="Total"/> counts every instance the filter matches.
/// Each facet's counts apply every filter except its own: <see cref="Products"/> ignores the
/// product (it is the list to choose one from), <see cref="Tabs"/> ignores the renewal method.
/// </summary>
public sealed record RenewalPage(
    IReadOnlyList<RenewalRow> Instances,
    int Total,
    int Page,
    int PageSize,
    IReadOnlyList<ProductCount> Products,
    RenewalTabCounts Tabs);

public static class RenewalViewErrors
{
    public static Problem Invalid(string message) => Problem.Invalid("Renewals.InvalidFilter", message);
}

/// <summary>
/// The filtered, paged queries behind Urgent Renewal and Renewal Management and the API's
/// instance list: the caller's subscription instances that are not released (R1.4), soonest
/// expiry first, then by id. Everything is filtered, counted and paged in SQL.
/// </summary>
public sealed class RenewalViews(CloudbillDbContext db, ProductCatalog catalog, TimeProvider clock)
{
    /// <summary>Parses a renewal method as the edges receive it ("ManualRenewal", "AutoRenewal", "NotRenewal"); blank is "any".</summary>
    public static Result<RenewalMethod?> ParseMethod(string? text) =>
        ParseName<RenewalMethod>(text, "Renewal method");

    /// <summary>Parses an expiry range name ("AllTimes", "Urgent", "ExpiresIn7Days", ...); blank is "All times".</summary>
    public static Result<ExpiryWindow?> ParseExpiry(string? text) =>
        ParseName<ExpiryWindow>(text, "Expiry range");

    public async Task<Result<RenewalPage>> List(long accountId, RenewalFilter filter, CancellationToken ct)
    {
        if (Validate(filter) is { } problem)
            return problem;

        var now = clock.GetUtcNow();
        var (matching, live) = Build(accountId, filter, now);

        // A search matches few instances but has to test every live one: they are found once
        // (their keys), counted here and the page read by id, instead of testing them per query.
        List<string>? found = null;
        List<FacetCount> counts;
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var keys = await live.Select(i => new { i.Id, i.ProductCode, i.RenewalMethod }).Take(MaxSearchKeys + 1).ToListAsync(ct);
            if (keys.Count <= MaxSearchKeys)
            {
                found = keys.Select(k => k.Id).ToList();
                counts = keys.GroupBy(k => (k.ProductCode, k.RenewalMethod)).Select(g => new FacetCount(g.Key.ProductCode, g.Key.RenewalMethod, g.Count())).ToList();
            }
            else
            {
                counts = await Facets(live, ct);
            }
        }
        else
        {
            counts = await Facets(live, ct);
        }
        var byMethod = counts.Where(c => filter.ProductCode is null || c.ProductCode == filter.ProductCode)
            .GroupBy(c => c.RenewalMethod).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var tabs = new RenewalTabCounts(
            byMethod.GetValueOrDefault(RenewalMethod.ManualRenewal),
            byMethod.GetValueOrDefault(RenewalMethod.AutoRenewal),
            byMethod.GetValueOrDefault(RenewalMethod.NotRenewal));
        var total = filter.Method is { } only ? tabs[only] : tabs.All;

        var byProduct = counts.Where(c => filter.Method is null || c.RenewalMethod == filter.Method)
            .GroupBy(c => c.ProductCode, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Count), StringComparer.Ordinal);
        var products = catalog.Products.Where(p => byProduct.ContainsKey(p.Code))
            .Select(p => new ProductCount(p.Code, p.Name, byProduct[p.Code]))
            .ToList();

        // A page far past the end (its offset does not fit an int) is empty, like any page past the end.
        var skip = (long)(filter.Page - 1) * filter.PageSize;
        var rows = skip >= total ? []
            : found is not null ? await Ordered(matching.Where(i => found.Contains(i.Id))).Skip((int)skip).Take(filter.PageSize).ToListAsync(ct)
            : await PageOf(matching, (int)skip, filter.PageSize).ToListAsync(ct);

        return new RenewalPage(rows.Select(i => Row(i, now)).ToList(), total, filter.Page, filter.PageSize, products, tabs);
    }

    /// <summary>
    /// One page and the number of instances the filter matches, without the facets the pages
    /// show (the API's instance list), in one round trip: each row of the page carries the count
    /// (an uncorrelated subquery, which the database computes once). Only a page past the last,
    /// which has no row to carry it, is counted on its own.
    /// </summary>
    public async Task<Result<(IReadOnlyList<RenewalRow> Rows, int Total)>> Page(long accountId, RenewalFilter filter, CancellationToken ct)
    {
        if (Validate(filter) is { } problem)
            return problem;
        var now = clock.GetUtcNow();
        var matching = Matching(accountId, filter, now);
        var skip = (filter.Page - 1L) * filter.PageSize;
        if (skip > int.MaxValue)
            return ([], await matching.CountAsync(ct));
        var rows = await PageOf(matching, (int)skip, filter.PageSize)
            .Select(i => new { Instance = i, Total = matching.Count() })
            .Prepared()
            .ToListAsync(ct);
        var total = rows.Count > 0 ? rows[0].Total : skip == 0 ? 0 : await matching.CountAsync(ct);
        return (rows.Select(r => Row(r.Instance, now)).ToList(), total);
    }

    /// <summary>How many instances the filter matches, and nothing else: the Console's pending-event counts.</summary>
    public async Task<Result<int>> Count(long accountId, RenewalFilter filter, CancellationToken ct)
    {
        if (Validate(filter) is { } problem)
            return problem;
        return await Matching(accountId, filter, clock.GetUtcNow()).CountAsync(ct);
    }

    /// <summary>
    /// The region list of a product page ("Hong Kong (China) (2)"): the instances every filter
    /// but the region matches, counted per region, in the catalog's region order.
    /// </summary>
    public async Task<Result<IReadOnlyList<RegionCount>>> Regions(long accountId, RenewalFilter filter, CancellationToken ct)
    {
        if (Validate(filter) is { } problem)
            return problem;
        var counts = await Matching(accountId, filter with { RegionId = null, Search = null }, clock.GetUtcNow()).GroupBy(i => i.RegionId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, StringComparer.Ordinal, ct);
        return catalog.Regions.Where(r => counts.ContainsKey(r.Id))
            .Select(r => new RegionCount(r, counts[r.Id]))
            .ToList();
    }

    /// <summary>A search matching more instances than this is counted and paged in SQL.</summary>
    private const int MaxSearchKeys = 1000;

    private sealed record FacetCount(string ProductCode, RenewalMethod RenewalMethod, int Count);

    /// <summary>
    /// Both facets from one grouped read of the account's live instances: the tabs are the
    /// counts of the chosen product (or all), the product list the counts of the chosen method (or all).
    /// </summary>
    private static Task<List<FacetCount>> Facets(IQueryable<Instance> live, CancellationToken ct) =>
        live.GroupBy(i => new { i.ProductCode, i.RenewalMethod })
            .Select(g => new FacetCount(g.Key.ProductCode, g.Key.RenewalMethod, g.Count()))
            .ToListAsync(ct);

    /// <summary>The page query as it runs (for the benchmark notes and the SQL tests); the filter must be valid.</summary>
    internal IQueryable<Instance> PageQuery(long accountId, RenewalFilter filter)
    {
        var now = clock.GetUtcNow();
        return PageOf(Matching(accountId, filter, now), Paging.Skip(filter.Page, filter.PageSize), filter.PageSize);
    }

    /// <summary>
    /// The page's ids come from the index alone (filtered, ordered, offset: no table rows read
    /// for the skipped ones); then only the page's rows are read, by primary key.
    /// </summary>
    private IQueryable<Instance> PageOf(IQueryable<Instance> matching, int skip, int take)
    {
        var ids = SkipTake(Ordered(matching), skip, take).Select(i => i.Id);
        return Ordered(db.Instances.AsNoTracking().Where(i => ids.Contains(i.Id)));
    }

    /// <summary>
    /// Skip and Take with their numbers as SQL parameters. Inside the page's id subquery EF would
    /// write them as constants (`LIMIT 20 OFFSET 40`), so every page would be its own SQL text, and
    /// its own prepared statement on every connection; read from a closure they are parameters.
    /// </summary>
    private static IQueryable<T> SkipTake<T>(IQueryable<T> query, int skip, int take)
    {
        Expression<Func<int>> skipped = () => skip;
        Expression<Func<int>> taken = () => take;
        var call = Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(T)],
            Expression.Call(typeof(Queryable), nameof(Queryable.Skip), [typeof(T)], query.Expression, skipped.Body),
            taken.Body);
        return query.Provider.CreateQuery<T>(call);
    }

    /// <summary>Soonest expiry first, then by id, so pages do not overlap.</summary>
    private static IQueryable<Instance> Ordered(IQueryable<Instance> matching) =>
        matching.OrderBy(i => i.ExpiresAt).ThenBy(i => i.Id);

    /// <summary>
    /// The matching instances, and the live instances the other filters (not the product nor
    /// the method) leave, which the facets count. A product's own release bound is the one the
    /// live query applies to its instances, so the counts and the page agree.
    /// </summary>
    private (IQueryable<Instance> Matching, IQueryable<Instance> Live) Build(
        long accountId, RenewalFilter filter, DateTimeOffset now)
    {
        var common = Common(accountId, filter, now);
        return (Matching(common, filter, now), NotPastRelease(common, null, now));
    }

    /// <summary>The matching instances alone, for the reads without facets (the live query is as large to build).</summary>
    private IQueryable<Instance> Matching(long accountId, RenewalFilter filter, DateTimeOffset now) =>
        Matching(Common(accountId, filter, now), filter, now);

    private IQueryable<Instance> Matching(IQueryable<Instance> common, RenewalFilter filter, DateTimeOffset now)
    {
        var matching = NotPastRelease(common, filter.ProductCode, now);
        if (filter.ProductCode is { } product)
            matching = matching.Where(i => i.ProductCode == product);
        if (filter.Method is { } method)
            matching = matching.Where(i => i.RenewalMethod == method);
        return matching;
    }

    /// <summary>What every view filters on before the product, the method and the release bound.</summary>
    private IQueryable<Instance> Common(long accountId, RenewalFilter filter, DateTimeOffset now)
    {
        var common = db.Instances.AsNoTracking()
            .Where(i => i.AccountId == accountId
                && i.ChargeType == ChargeType.Subscription
                && i.ReleasedAt == null
                && i.ExpiresAt != null);
        if (filter.RegionId is { } region)
            common = common.Where(i => i.RegionId == region);
        if (filter.InstanceIds is { } ids)
            common = common.Where(i => ids.Contains(i.Id));
        if (filter.CreatedFrom is { } createdFrom)
            common = common.Where(i => i.CreatedAt >= createdFrom);
        if (filter.CreatedTo is { } createdTo)
            common = common.Where(i => i.CreatedAt < createdTo);
        common = WithinExpiry(common, filter, now);
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            // Ids are lower-case letters and digits; names fold case in the database.
            var text = filter.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1304 // Translated to SQL lower(); it never runs in .NET.
            common = common.Where(i => i.Id.StartsWith(text) || i.Name.ToLower().Contains(text));
#pragma warning restore CA1304
        }

        return common;
    }

    private Problem? Validate(RenewalFilter filter)
    {
        if (filter.Page < 1)
            return RenewalViewErrors.Invalid($"Page {filter.Page} does not exist; pages start at 1.");
        if (filter.PageSize is < 1 or > RenewalFilter.MaxPageSize)
            return RenewalViewErrors.Invalid($"Page size {filter.PageSize} is outside 1 to {RenewalFilter.MaxPageSize}.");
        if (filter.ProductCode is { } code && catalog.FindProduct(code) is null)
            return RenewalViewErrors.Invalid($"Product '{code}' is not in the catalog; use one of {string.Join(", ", catalog.Products.Select(p => p.Code))}.");
        if (filter.RegionId is { } region && catalog.FindRegion(region) is null)
            return RenewalViewErrors.Invalid($"Region '{region}' does not exist; use one of {string.Join(", ", catalog.Regions.Select(r => r.Id))}.");
        if (filter.Method is { } method && !Enum.IsDefined(method))
            return UnknownName("Renewal method", method.ToString(), Enum.GetNames<RenewalMethod>());
        if (!Enum.IsDefined(filter.Expiry))
            return UnknownName("Expiry range", filter.Expiry.ToString(), Enum.GetNames<ExpiryWindow>());
        if (filter.Expiry == ExpiryWindow.Custom)
        {
            if (filter.From is not { } from || filter.To is not { } to)
                return RenewalViewErrors.Invalid("A custom expiry range needs both a start and an end.");
            if (from >= to)
                return RenewalViewErrors.Invalid($"The expiry range is empty: its start ({BusinessCalendar.FormatDateTime(from)}) must be before its end ({BusinessCalendar.FormatDateTime(to)}).");
        }
        else if (filter.From is not null || filter.To is not null)
        {
            return RenewalViewErrors.Invalid($"A start or end of the expiry range applies only to the Custom range, not to {filter.Expiry}; choose Custom or leave them out.");
        }
        if (filter.InstanceIds is { Count: > RenewalFilter.MaxInstanceIds } many)
            return RenewalViewErrors.Invalid($"{many.Count} instance ids were given; at most {RenewalFilter.MaxInstanceIds} can be listed at once.");
        if (filter.CreatedFrom is { } created && filter.CreatedTo is { } createdBefore && created >= createdBefore)
            return RenewalViewErrors.Invalid("The creation time range is empty: its start must be before its end.");
        if (filter.Search is { } search && search.Trim().Length > RenewalFilter.MaxSearchLength)
            return RenewalViewErrors.Invalid($"The search text is {search.Trim().Length} characters long; an instance name or id is at most {RenewalFilter.MaxSearchLength}.");
        return null;
    }

    private static Result<T?> ParseName<T>(string? text, string what) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
            return (T?)null;
        // Names only: Enum.TryParse would also take "2" or "1,2".
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), text.Trim(), StringComparison.OrdinalIgnoreCase))
                return (T?)value;
        }
        return UnknownName(what, text, Enum.GetNames<T>());
    }

    private static Problem UnknownName(string what, string text, string[] names) =>
        RenewalViewErrors.Invalid($"{what} '{text}' is unknown; use {string.Join(", ", names[..^1])} or {names[^1]}.");

    /// <summary>
    /// The expiry presets, all relative to now: "Expires in N days" is now &lt; expiry ≤ now + N
    /// days (not yet expired, as R1.4's WaitForExpire); Expired is expiry ≤ now; Urgent is both
    /// at once (expiry ≤ now + 15 days); Custom is [From, To).
    /// </summary>
    private static IQueryable<Instance> WithinExpiry(IQueryable<Instance> query, RenewalFilter filter, DateTimeOffset now)
    {
        switch (filter.Expiry)
        {
            case ExpiryWindow.AllTimes:
                return query;
            case ExpiryWindow.Urgent:
                var urgentUntil = now + TimeSpan.FromDays(InstanceLifecycle.ExpiringSoonDays);
                return query.Where(i => i.ExpiresAt <= urgentUntil);
            case ExpiryWindow.ExpiresIn7Days:
                return ExpiringWithin(query, now, 7);
            case ExpiryWindow.ExpiresIn15Days:
                return ExpiringWithin(query, now, InstanceLifecycle.ExpiringSoonDays);
            case ExpiryWindow.ExpiresIn30Days:
                return ExpiringWithin(query, now, 30);
            case ExpiryWindow.ExpiresIn60Days:
                return ExpiringWithin(query, now, 60);
            case ExpiryWindow.ExpiresIn90Days:
                return ExpiringWithin(query, now, 90);
            case ExpiryWindow.Expired:
                return query.Where(i => i.ExpiresAt <= now);
            case ExpiryWindow.Custom:
                var from = filter.From!.Value;
                var to = filter.To!.Value;
                return query.Where(i => i.ExpiresAt >= from && i.ExpiresAt < to);
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter.Expiry, "validated before");
        }
    }

    private static IQueryable<Instance> ExpiringWithin(IQueryable<Instance> query, DateTimeOffset now, int days)
    {
        var until = now + TimeSpan.FromDays(days);
        return query.Where(i => i.ExpiresAt > now && i.ExpiresAt <= until);
    }

    /// <summary>
    /// R1.4, R1.5: an instance whose release time has come is released even before the engine
    /// has marked it (ReleasedAt is set when the engine runs), so it leaves the views on time,
    /// as <see cref="InstanceLifecycle.StateAt"/> says: the bound on the expiry is
    /// <see cref="InstanceLifecycle.ReleasedIfExpiredBy"/>, the release rule read backwards.
    /// One product gives one bound on the expiry; otherwise one bound per distinct lifecycle.
    /// Instances of products missing from the catalog are left out.
    /// </summary>
    private IQueryable<Instance> NotPastRelease(IQueryable<Instance> query, string? productCode, DateTimeOffset now)
    {
        if (productCode is not null)
        {
            var releasedUpTo = ReleaseCutoff(catalog.GetProduct(productCode).Lifecycle, now);
            return query.Where(i => i.ExpiresAt > releasedUpTo);
        }

        var parameter = Expression.Parameter(typeof(Instance), "i");
        Expression? any = null;
        foreach (var group in catalog.Products.GroupBy(p => ReleaseCutoff(p.Lifecycle, now)).OrderBy(g => g.Key))
        {
            var codes = group.Select(p => p.Code).ToList();
            var releasedUpTo = ReleaseCutoff(group.First().Lifecycle, now);
            Expression<Func<Instance, bool>> live = i => codes.Contains(i.ProductCode) && i.ExpiresAt > releasedUpTo;
            var body = ReplacingExpressionVisitor.Replace(live.Parameters[0], parameter, live.Body);
            any = any is null ? body : Expression.OrElse(any, body);
        }
        if (any is null)
            return query.Where(_ => false);
        // The longest lifecycle's bound also on its own: a range the index seeks to, not a filter
        // on every row. Past the shortest lifecycle's bound every product is live: most rows pass
        // on that one comparison, and only the few in between are matched against product lists.
        var oldestLive = catalog.Products.Min(p => ReleaseCutoff(p.Lifecycle, now));
        var newestCutoff = catalog.Products.Max(p => ReleaseCutoff(p.Lifecycle, now));
        Expression<Func<Instance, bool>> surelyLive = i => i.ExpiresAt > newestCutoff;
        var liveBody = Expression.OrElse(ReplacingExpressionVisitor.Replace(surelyLive.Parameters[0], parameter, surelyLive.Body), any);
        return query.Where(i => i.ExpiresAt > oldestLive).Where(Expression.Lambda<Func<Instance, bool>>(liveBody, parameter));
    }

    /// <summary>Instances that expired at or before this instant have reached their release time (R1.5, computed by Instances).</summary>
    private static DateTimeOffset ReleaseCutoff(LifecycleDays lifecycle, DateTimeOffset now) =>
        InstanceLifecycle.ReleasedIfExpiredBy(lifecycle, now);

    private RenewalRow Row(Instance i, DateTimeOffset now)
    {
        var product = catalog.GetProduct(i.ProductCode);
        var expires = i.ExpiresAt!.Value;
        return new RenewalRow(
            i.Id,
            i.Name,
            product.Code,
            product.Name,
            i.SpecCode,
            product.FindSpec(i.SpecCode)?.Name ?? i.SpecCode,
            i.RegionId,
            catalog.RegionName(i.RegionId),
            expires,
            i.RenewalMethod,
            i.AutoRenewPeriodMonths,
            InstanceLifecycle.StateAt(i, product.Lifecycle, now),
            BusinessCalendar.DaysBetween(now, expires),
            i.UnpaidOrderId)
        {
            CreatedAt = i.CreatedAt,
        };
    }
}
