using Cloudbill.Testing;

namespace Cloudbill.Server.Tests;

/// <summary>A bad setting or catalog stops the server and the verbs with one clear line and a non-zero exit.</summary>
public class StartupProblemTests
{
    /// <summary>The server start and an operator verb read the same settings.</summary>
    public static TheoryData<string> Entrypoints => ["server", "migrate"];

    private static async Task<string> OneLineFailure(Dictionary<string, string> environment, string entrypoint)
    {
        string[] args = entrypoint == "server" ? ["--urls", $"http://127.0.0.1:{CloudbillProcess.FreePort()}"] : [entrypoint];
        var result = await CloudbillProcess.Run(environment, args);
        Assert.Equal(2, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("cloudbill: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        return line;
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task An_unknown_provider_is_named(string entrypoint)
    {
        var line = await OneLineFailure(new() { ["Cloudbill__Database__Provider"] = "Oracle" }, entrypoint);
        Assert.Equal("cloudbill: Cloudbill:Database:Provider is 'Oracle'; use Sqlite (the embedded default) or Postgres.", line);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task A_real_merchant_without_a_public_address_is_refused(string entrypoint)
    {
        var line = await OneLineFailure(new()
        {
            ["Cloudbill__Payments__Alipay__AppId"] = "2021000000000001",
            ["Cloudbill__Payments__Alipay__SellerId"] = "2088000000000001",
            ["Cloudbill__Payments__Alipay__AppPrivateKey"] = "not shown",
            ["Cloudbill__Payments__Alipay__AlipayPublicKey"] = "not shown",
        }, entrypoint);
        Assert.Equal("cloudbill: Cloudbill:Payments:PublicBaseUrl is required with a real Alipay or UnionPay merchant: the gateways send their notifications and the payers' browsers there (for example https://billing.example.com).", line);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task A_malformed_connection_string_is_named(string entrypoint)
    {
        var line = await OneLineFailure(new()
        {
            ["Cloudbill__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Cloudbill"] = "Host=127.0.0.1;Colour=blue",
        }, entrypoint);
        Assert.StartsWith("cloudbill: ConnectionStrings:Cloudbill is not a valid Postgres connection string:", line, StringComparison.Ordinal);
        Assert.Contains("colour", line, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task An_unreachable_database_is_named_without_its_password(string entrypoint)
    {
        var line = await OneLineFailure(new()
        {
            ["Cloudbill__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Cloudbill"] = "Host=127.0.0.1;Port=1;Database=nowhere;Username=cloudbill;Password=topsecret;Timeout=3",
        }, entrypoint);
        Assert.StartsWith("cloudbill: Cannot open the database (PostgreSQL cloudbill@127.0.0.1:1/nowhere):", line, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task An_invalid_catalog_names_the_file_and_field(string entrypoint)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-badcatalog-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "products"));
        try
        {
            File.Copy(Path.Combine(RepositoryPaths.Catalog, "catalog.json"), Path.Combine(folder, "catalog.json"));
            var ecs = File.ReadAllText(Path.Combine(RepositoryPaths.Catalog, "products", "ecs.json")).Replace("\"monthly\": \"99.00\"", "\"monthly\": \"ninety-nine\"", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "products", "ecs.json"), ecs);

            var line = await OneLineFailure(new() { ["Cloudbill__Catalog__Path"] = folder }, entrypoint);
            Assert.Contains(Path.Combine(folder, "products", "ecs.json"), line, StringComparison.Ordinal);
            Assert.Contains("specs[0].prices.cn-hangzhou.monthly: 'ninety-nine' is not an amount", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
