using System.Text.Json.Nodes;
using Cloudbill.Core.Catalog;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests;

public class ShippedCatalogTests
{
    private static readonly ProductCatalog Catalog = CatalogLoader.Load(RepositoryPaths.Catalog);

    [Fact]
    public void Holds_the_21_renewable_products_the_procedures_list()
    {
        string[] listed =
        [
            "Elastic Compute Service (ECS)", "ApsaraDB RDS", "Domain Names", "Cloud Web Hosting", "Tair (Redis OSS-compatible)",
            "Simple Application Server", "ApsaraDB for MongoDB", "Server Load Balancer", "Apsara File Storage NAS",
            "Anti-DDoS Proxy IP", "Web Application Firewall", "Elastic IP Address", "VPN", "Express Connect",
            "ApsaraDB for POLARDB", "NAT Gateway", "Anti-DDoS Pro and Anti-DDoS Premium", "Cloud Enterprise Network",
            "Cloud Parallel File Storage", "ApsaraDB for Hbase", "Enterprise Distributed Application Service (EDAS)",
        ];
        Assert.Equal(listed.Order(StringComparer.Ordinal), Catalog.Products.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(Catalog.Products, p => Assert.True(p.Renewable));
    }

    [Fact]
    public void Uses_the_known_BSS_product_codes()
    {
        Assert.NotNull(Catalog.FindProduct("ecs"));
        Assert.NotNull(Catalog.FindProduct("rds"));
        Assert.NotNull(Catalog.FindProduct("polardb"));
        Assert.NotNull(Catalog.FindProduct("waf"));
        Assert.NotNull(Catalog.FindProduct("edas"));
        Assert.Equal("ddoscoo", Catalog.GetProduct("ddos").ProductType);
        Assert.Equal("i-", Catalog.GetProduct("ecs").InstanceIdPrefix);
    }

    [Fact]
    public void Sells_in_the_six_required_regions_with_their_display_names()
    {
        var names = Catalog.Regions.ToDictionary(r => r.Id, r => r.Name);
        Assert.Equal("China (Hangzhou)", names["cn-hangzhou"]);
        Assert.Equal("China (Shanghai)", names["cn-shanghai"]);
        Assert.Equal("China (Beijing)", names["cn-beijing"]);
        Assert.Equal("China (Shenzhen)", names["cn-shenzhen"]);
        Assert.Equal("Hong Kong (China)", names["cn-hongkong"]);
        Assert.Equal("Singapore", names["ap-southeast-1"]);
    }

    [Fact]
    public void Puts_every_product_in_one_of_the_seven_categories_with_Compute_first()
    {
        Assert.Equal(["Compute", "Database", "Storage", "Networking", "Security", "Middleware", "Domains and Websites"], Catalog.Categories);
        Assert.All(Catalog.Products, p => Assert.Contains(p.Category, Catalog.Categories));
        Assert.Equal("Compute", Catalog.Products[0].Category);
        Assert.Equal("ecs", Catalog.Products[0].Code);
    }

    [Fact]
    public void Applies_the_default_durations_discounts_and_lifecycles() // R3.1, R6.1, R1.5, R4.2
    {
        var ecs = Catalog.GetProduct("ecs");
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36], ecs.RenewalDurationsMonths);
        Assert.Equal(new LifecycleDays(15, 15), ecs.Lifecycle);
        Assert.Equal(new LifecycleDays(0, 15), Catalog.GetProduct("rds").Lifecycle);
        Assert.Equal(new LifecycleDays(15, 15), Catalog.GetProduct("polardb").Lifecycle);
        Assert.Equal(new AutoRenewalTiming(9, 8), ecs.AutoRenewal);
        Assert.Equal(new AutoRenewalTiming(7, 8), Catalog.GetProduct("tair").AutoRenewal);
        Assert.Equal([1, 2, 3, 6, 12, 24, 36], ecs.AutoRenewalPeriodsMonths);
    }

    [Theory] // R6.1: monthly × N × discount(N), rounded half up once
    [InlineData(1, "330.00")]
    [InlineData(9, "2970.00")]
    [InlineData(12, "3366.00")]
    [InlineData(24, "5544.00")]
    [InlineData(36, "5940.00")]
    public void Prices_a_term_with_its_period_discount(int months, string expected)
    {
        var ecs = Catalog.GetProduct("ecs");
        Assert.Equal(Money.Parse(expected), ecs.PriceFor(ecs.FindSpec("ecs.g7.large")!, "cn-hangzhou", months));
    }

    [Fact]
    public void Offers_hourly_prices_only_for_pay_as_you_go_products() // R8.1
    {
        Assert.All(Catalog.Products, p => Assert.All(p.Specs.SelectMany(s => s.PricesByRegion.Values),
            price => Assert.Equal(p.OffersPayAsYouGo, price.Hourly is not null)));
        Assert.True(Catalog.GetProduct("ecs").OffersPayAsYouGo);
    }

    [Fact]
    public void Some_specs_are_not_sold_everywhere()
    {
        var gpu = Catalog.GetProduct("ecs").FindSpec("ecs.gn7i-c8g1.2xlarge")!;
        Assert.True(gpu.IsSoldIn("cn-hangzhou"));
        Assert.False(gpu.IsSoldIn("cn-hongkong"));
    }
}

public class CatalogValidationTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "cloudbill-catalog-" + Guid.NewGuid().ToString("N"));

    public CatalogValidationTests()
    {
        Directory.CreateDirectory(Path.Combine(folder, "products"));
        File.Copy(Path.Combine(RepositoryPaths.Catalog, "catalog.json"), Path.Combine(folder, "catalog.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Catalog, "products")))
            File.Copy(file, Path.Combine(folder, "products", Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Ecs => Path.Combine(folder, "products", "ecs.json");

    private void EditEcs(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Ecs))!.AsObject();
        edit(json);
        File.WriteAllText(Ecs, json.ToJsonString());
    }

    private string LoadError() => Assert.Throws<CatalogException>(() => CatalogLoader.Load(folder)).Message;

    [Fact]
    public void A_copy_of_the_shipped_catalog_loads() => Assert.Equal(21, CatalogLoader.Load(folder).Products.Count);

    [Fact]
    public void A_price_with_three_decimals_names_the_file_and_field()
    {
        EditEcs(p => p["specs"]![0]!["prices"]!["cn-hangzhou"]!["monthly"] = "99.001");
        var error = LoadError();
        Assert.Contains("ecs.json", error, StringComparison.Ordinal);
        Assert.Contains("specs[0].prices.cn-hangzhou.monthly", error, StringComparison.Ordinal);
        Assert.Contains("more than two decimals", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_price_that_is_not_positive_is_refused()
    {
        EditEcs(p => p["specs"]![1]!["prices"]!["cn-beijing"]!["monthly"] = "0.00");
        Assert.Contains("specs[1].prices.cn-beijing.monthly: 0.00 must be greater than 0.00", LoadError(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_region_is_refused()
    {
        EditEcs(p => p["specs"]![0]!["prices"]!["mars-1"] = new JsonObject { ["monthly"] = "1.00", ["hourly"] = "0.01" });
        Assert.Contains("specs[0].prices.mars-1: 'mars-1' is not a region in catalog.json", LoadError(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_name_is_refused()
    {
        EditEcs(p => p.Remove("name"));
        Assert.Matches(@"ecs\.json: name: is required\.$", LoadError());
    }

    [Fact]
    public void An_unknown_category_is_refused()
    {
        EditEcs(p => p["category"] = "Quantum");
        Assert.Contains("category: 'Quantum' is not one of the categories", LoadError(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_field_is_refused_with_its_path()
    {
        EditEcs(p => p["specs"]![0]!["prise"] = "1.00");
        var error = LoadError();
        Assert.Contains("ecs.json", error, StringComparison.Ordinal);
        Assert.Contains("specs[0]", error, StringComparison.Ordinal);
        Assert.Contains("prise", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hourly_price_missing_on_a_pay_as_you_go_product_is_refused()
    {
        EditEcs(p => p["specs"]![0]!["prices"]!["cn-hangzhou"]!.AsObject().Remove("hourly"));
        Assert.Contains("specs[0].prices.cn-hangzhou.hourly: is required because the product offers pay-as-you-go", LoadError(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_duration_out_of_range_and_a_bad_discount_are_refused()
    {
        EditEcs(p => p["renewalDurationsMonths"] = new JsonArray(1, 0));
        Assert.Contains("renewalDurationsMonths[1]: 0 months is outside 1 to 120", LoadError(), StringComparison.Ordinal);
        EditEcs(p => { p.Remove("renewalDurationsMonths"); p["periodDiscountPercent"] = new JsonObject { ["12"] = 120 }; });
        Assert.Contains("periodDiscountPercent.12: 120% must be from 1 to 100", LoadError(), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        File.WriteAllText(Ecs, "{\n  \"code\": \"ecs\",\n  \"name\": \n}");
        var error = LoadError();
        Assert.Contains("ecs.json", error, StringComparison.Ordinal);
        Assert.Contains("line 4", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_files_with_one_product_code_are_refused()
    {
        File.Copy(Ecs, Path.Combine(folder, "products", "ecs-copy.json"));
        Assert.Contains("product code 'ecs' is defined by more than one file", LoadError(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_catalog_file_says_where_it_was_looked_for()
    {
        File.Delete(Path.Combine(folder, "catalog.json"));
        Assert.Contains("catalog.json: the catalog file is missing", LoadError(), StringComparison.Ordinal);
    }
}
