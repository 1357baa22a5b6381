namespace Cloudbill.Core.Catalog;

public sealed record Region(string Id, string Name, string NameZh);

/// <summary>R1.5: after expiry the instance keeps running for the grace days, then is suspended, then released.</summary>
public sealed record LifecycleDays(int GraceDays, int SuspendedDays);

/// <summary>R4.2: the first auto-renewal attempt is at <see cref="AttemptHour"/>:00 on the Nth day before expiry.</summary>
public sealed record AutoRenewalTiming(int FirstAttemptDaysBeforeExpiry, int AttemptHour);

public sealed record SpecPrice(Money Monthly, Money? Hourly);

public sealed record Spec(string Code, string Name, IReadOnlyDictionary<string, SpecPrice> PricesByRegion)
{
    public bool IsSoldIn(string regionId) => PricesByRegion.ContainsKey(regionId);
}

public sealed record Product(
    string Code,
    string? ProductType,
    string Name,
    string NameZh,
    string Category,
    int SortOrder,
    string InstanceIdPrefix,
    bool Renewable,
    bool OffersPayAsYouGo,
    IReadOnlyList<int> RenewalDurationsMonths,
    IReadOnlyDictionary<int, int> PeriodDiscountPercent,
    IReadOnlyList<int> AutoRenewalPeriodsMonths,
    LifecycleDays Lifecycle,
    AutoRenewalTiming AutoRenewal,
    IReadOnlyList<Spec> Specs)
{
    public Spec? FindSpec(string code) => Specs.FirstOrDefault(s => s.Code == code);

    public IEnumerable<string> RegionIds => Specs.SelectMany(s => s.PricesByRegion.Keys).Distinct();

    /// <summary>R6.1: the percentage of the list price charged for a term of this many months (100 when none is set).</summary>
    public int DiscountPercentFor(int months) => PeriodDiscountPercent.TryGetValue(months, out var p) ? p : 100;

    /// <summary>R6.1: monthly × months × period discount, rounded half up to the fen once, at the end.</summary>
    public Money PriceFor(Spec spec, string regionId, int months)
    {
        var monthly = spec.PricesByRegion[regionId].Monthly;
        return monthly.Times(checked((long)months * DiscountPercentFor(months)), 100);
    }
}

public sealed class ProductCatalog
{
    public ProductCatalog(IReadOnlyList<Region> regions, IReadOnlyList<string> categories, IReadOnlyList<Product> products)
    {
        Regions = regions;
        Categories = categories;
        Products = products;
    }

    public IReadOnlyList<Region> Regions { get; }
    public IReadOnlyList<string> Categories { get; }
    public IReadOnlyList<Product> Products { get; }

    public Product? FindProduct(string code) => Products.FirstOrDefault(p => p.Code == code);
    public Product GetProduct(string code) => FindProduct(code) ?? throw new KeyNotFoundException($"Product '{code}' is not in the catalog.");
    public Region? FindRegion(string id) => Regions.FirstOrDefault(r => r.Id == id);
    public string RegionName(string id) => FindRegion(id)?.Name ?? id;
}
