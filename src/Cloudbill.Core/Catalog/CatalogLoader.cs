using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudbill.Core.Catalog;

/// <summary>A catalog file that cannot be used, with the file and field that are wrong.</summary>
public sealed class CatalogException(string message) : Exception(message);

/// <summary>
/// Loads data/catalog: catalog.json (regions, categories, defaults) and products/*.json (one
/// product per file). Every problem names its file and field; the first one stops the load.
/// </summary>
public static class CatalogLoader
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ProductCatalog Load(string directory)
    {
        var catalogFile = Path.Combine(directory, "catalog.json");
        if (!File.Exists(catalogFile))
            throw new CatalogException($"{catalogFile}: the catalog file is missing (set Cloudbill:Catalog:Path to the folder that holds catalog.json).");

        var root = Read<CatalogFile>(catalogFile);
        var ctx = new Validation(catalogFile);
        var regions = ctx.Required(root.Regions, "regions").Select((r, i) => ctx.Region(r, $"regions[{i}]")).ToList();
        ctx.Unique(regions.Select(r => r.Id), "regions", "region id");
        var categories = ctx.Required(root.Categories, "categories");
        ctx.Unique(categories, "categories", "category");
        var defaults = ctx.Required(root.Defaults, "defaults");
        var defaultTerms = ctx.Durations(ctx.Required(defaults.RenewalDurationsMonths, "defaults.renewalDurationsMonths"), "defaults.renewalDurationsMonths");
        var defaultDiscounts = ctx.Discounts(defaults.PeriodDiscountPercent ?? [], "defaults.periodDiscountPercent");
        var defaultAutoPeriods = ctx.Durations(ctx.Required(defaults.AutoRenewalPeriodsMonths, "defaults.autoRenewalPeriodsMonths"), "defaults.autoRenewalPeriodsMonths");
        var defaultLifecycle = ctx.Lifecycle(ctx.Required(defaults.Lifecycle, "defaults.lifecycle"), "defaults.lifecycle");
        var defaultTiming = ctx.Timing(ctx.Required(defaults.AutoRenewal, "defaults.autoRenewal"), "defaults.autoRenewal");

        var productDir = Path.Combine(directory, "products");
        var files = Directory.Exists(productDir) ? Directory.GetFiles(productDir, "*.json").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0)
            throw new CatalogException($"{productDir}: no product files (*.json) found.");

        var regionIds = regions.Select(r => r.Id).ToHashSet();
        var products = new List<Product>();
        foreach (var file in files)
        {
            var dto = Read<ProductFile>(file);
            var p = new Validation(file);
            var code = p.Code(dto.Code, "code");
            var category = p.Text(dto.Category, "category");
            if (!categories.Contains(category))
                throw p.Fail("category", $"'{category}' is not one of the categories in catalog.json ({string.Join(", ", categories)})");
            var prefix = p.Text(dto.InstanceIdPrefix, "instanceIdPrefix");
            if (!prefix.EndsWith('-') || prefix.Any(c => !char.IsAsciiLetterLower(c) && c != '-'))
                throw p.Fail("instanceIdPrefix", $"'{prefix}' must be lower-case letters ending in '-', like 'i-'");

            var payAsYouGo = dto.PayAsYouGo ?? false;
            var specs = p.Required(dto.Specs, "specs").Select((s, i) => p.Spec(s, $"specs[{i}]", regionIds, payAsYouGo)).ToList();
            p.Unique(specs.Select(s => s.Code), "specs", "spec code");

            products.Add(new Product(
                code,
                dto.ProductType,
                p.Text(dto.Name, "name"),
                p.Text(dto.NameZh, "nameZh"),
                category,
                dto.SortOrder ?? 100,
                prefix,
                dto.Renewable ?? true,
                payAsYouGo,
                dto.RenewalDurationsMonths is null ? defaultTerms : p.Durations(dto.RenewalDurationsMonths, "renewalDurationsMonths"),
                dto.PeriodDiscountPercent is null ? defaultDiscounts : p.Discounts(dto.PeriodDiscountPercent, "periodDiscountPercent"),
                dto.AutoRenewalPeriodsMonths is null ? defaultAutoPeriods : p.Durations(dto.AutoRenewalPeriodsMonths, "autoRenewalPeriodsMonths"),
                dto.Lifecycle is null ? defaultLifecycle : p.Lifecycle(dto.Lifecycle, "lifecycle"),
                dto.AutoRenewal is null ? defaultTiming : p.Timing(dto.AutoRenewal, "autoRenewal"),
                specs));
        }

        var duplicate = products.GroupBy(x => x.Code).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new CatalogException($"{productDir}: product code '{duplicate.Key}' is defined by more than one file.");

        return new ProductCatalog(regions, categories, products.OrderBy(x => x.SortOrder).ThenBy(x => x.Code, StringComparer.Ordinal).ToList());
    }

    private static T Read<T>(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize<T>(stream, JsonOptions) ?? throw new CatalogException($"{file}: the file is empty.");
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path.TrimStart('$', '.')}";
            var line = e.LineNumber is null ? "" : $" (line {e.LineNumber + 1})";
            var reason = e.Message.Split(" Path:", 2)[0];
            throw new CatalogException($"{file}{where}{line}: {reason}");
        }
    }

    private sealed class Validation(string file)
    {
        public CatalogException Fail(string field, string message) => new($"{file}: {field}: {message}.");

        public T Required<T>(T? value, string field) where T : class =>
            value ?? throw Fail(field, "is required");

        public string Text(string? value, string field) =>
            string.IsNullOrWhiteSpace(value) ? throw Fail(field, "is required") : value.Trim();

        public string Code(string? value, string field)
        {
            var code = Text(value, field);
            if (code.Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('.' or '-' or '_')))
                throw Fail(field, $"'{code}' must be lower-case letters, digits, '.', '-' or '_'");
            return code;
        }

        public void Unique(IEnumerable<string> values, string field, string what)
        {
            var dup = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null)
                throw Fail(field, $"{what} '{dup.Key}' appears more than once");
        }

        public Region Region(RegionDto dto, string field) =>
            new(Code(dto.Id, $"{field}.id"), Text(dto.Name, $"{field}.name"), Text(dto.NameZh, $"{field}.nameZh"));

        public IReadOnlyList<int> Durations(int[] months, string field)
        {
            if (months.Length == 0)
                throw Fail(field, "must list at least one duration");
            for (var i = 0; i < months.Length; i++)
            {
                if (months[i] is < 1 or > 120)
                    throw Fail($"{field}[{i}]", $"{months[i]} months is outside 1 to 120");
            }
            Unique(months.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)), field, "duration");
            return months.Order().ToList();
        }

        public IReadOnlyDictionary<int, int> Discounts(Dictionary<string, int> byMonths, string field)
        {
            var result = new Dictionary<int, int>();
            foreach (var (key, percent) in byMonths)
            {
                if (!int.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var months) || months is < 1 or > 120)
                    throw Fail($"{field}.{key}", "the key must be a number of months from 1 to 120");
                if (percent is < 1 or > 100)
                    throw Fail($"{field}.{key}", $"{percent}% must be from 1 to 100");
                result[months] = percent;
            }
            return result;
        }

        public LifecycleDays Lifecycle(LifecycleDto dto, string field)
        {
            var grace = dto.GraceDays ?? throw Fail($"{field}.graceDays", "is required");
            var suspended = dto.SuspendedDays ?? throw Fail($"{field}.suspendedDays", "is required");
            if (grace is < 0 or > 365)
                throw Fail($"{field}.graceDays", $"{grace} is outside 0 to 365");
            if (suspended is < 0 or > 365)
                throw Fail($"{field}.suspendedDays", $"{suspended} is outside 0 to 365");
            return new LifecycleDays(grace, suspended);
        }

        public AutoRenewalTiming Timing(AutoRenewalDto dto, string field)
        {
            var days = dto.FirstAttemptDaysBeforeExpiry ?? throw Fail($"{field}.firstAttemptDaysBeforeExpiry", "is required");
            var hour = dto.AttemptHour ?? throw Fail($"{field}.attemptHour", "is required");
            if (days is < 1 or > 60)
                throw Fail($"{field}.firstAttemptDaysBeforeExpiry", $"{days} is outside 1 to 60");
            if (hour is < 0 or > 23)
                throw Fail($"{field}.attemptHour", $"{hour} is not an hour of the day (0 to 23)");
            return new AutoRenewalTiming(days, hour);
        }

        public Spec Spec(SpecDto dto, string field, HashSet<string> regionIds, bool payAsYouGo)
        {
            var code = Code(dto.Code, $"{field}.code");
            var prices = Required(dto.Prices, $"{field}.prices");
            if (prices.Count == 0)
                throw Fail($"{field}.prices", "must price the spec in at least one region");
            var byRegion = new Dictionary<string, SpecPrice>();
            foreach (var (region, price) in prices)
            {
                var at = $"{field}.prices.{region}";
                if (!regionIds.Contains(region))
                    throw Fail(at, $"'{region}' is not a region in catalog.json");
                var monthly = Amount(price.Monthly, $"{at}.monthly");
                Cloudbill.Core.Money? hourly = null;
                if (price.Hourly is not null)
                {
                    if (!payAsYouGo)
                        throw Fail($"{at}.hourly", "is set but the product does not offer pay-as-you-go (payAsYouGo: true)");
                    hourly = Amount(price.Hourly, $"{at}.hourly");
                }
                else if (payAsYouGo)
                {
                    throw Fail($"{at}.hourly", "is required because the product offers pay-as-you-go");
                }
                byRegion[region] = new SpecPrice(monthly, hourly);
            }
            return new Spec(code, Text(dto.Name, $"{field}.name"), byRegion);
        }

        private Cloudbill.Core.Money Amount(string? text, string field)
        {
            if (!Cloudbill.Core.Money.TryParse(text, out var money, out var error))
                throw Fail(field, error.TrimEnd('.'));
            if (!money.IsPositive)
                throw Fail(field, $"{money} must be greater than 0.00");
            return money;
        }
    }

    private sealed record CatalogFile(RegionDto[]? Regions, string[]? Categories, DefaultsDto? Defaults);

    private sealed record RegionDto(string? Id, string? Name, string? NameZh);

    private sealed record DefaultsDto(
        int[]? RenewalDurationsMonths,
        Dictionary<string, int>? PeriodDiscountPercent,
        int[]? AutoRenewalPeriodsMonths,
        LifecycleDto? Lifecycle,
        AutoRenewalDto? AutoRenewal);

    private sealed record LifecycleDto(int? GraceDays, int? SuspendedDays);

    private sealed record AutoRenewalDto(int? FirstAttemptDaysBeforeExpiry, int? AttemptHour);

    private sealed record ProductFile(
        string? Code,
        string? ProductType,
        string? Name,
        string? NameZh,
        string? Category,
        int? SortOrder,
        string? InstanceIdPrefix,
        bool? Renewable,
        bool? PayAsYouGo,
        int[]? RenewalDurationsMonths,
        Dictionary<string, int>? PeriodDiscountPercent,
        int[]? AutoRenewalPeriodsMonths,
        LifecycleDto? Lifecycle,
        AutoRenewalDto? AutoRenewal,
        SpecDto[]? Specs);

    private sealed record SpecDto(string? Code, string? Name, Dictionary<string, PriceDto>? Prices);

    private sealed record PriceDto(string? Monthly, string? Hourly);
}
