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
            // Production on PostgreSQL requires the shared key ring certificate first (decision 0004).
            ["Cloudbill__DataProtection__CertificatePath"] = CloudbillProcess.KeyRingCertificatePath,
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
            ["Cloudbill__DataProtection__CertificatePath"] = CloudbillProcess.KeyRingCertificatePath,
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

    /// <summary>A representative wrong value of each options class, and the one line it stops the start with.</summary>
    public static TheoryData<string, string, string> BadSettings => new()
    {
        // CloudbillOptions (engine, orders, provisioning)
        { "Cloudbill__Engine__BatchSize", "0", "cloudbill: Cloudbill:Engine:BatchSize is 0; use a number of instances from 1 to 10000 (default 200)." },
        { "Cloudbill__Orders__UnpaidLifetimeDays", "0", "cloudbill: Cloudbill:Orders:UnpaidLifetimeDays is 0; use a number of days from 1 to 365 (default 7)." },
        { "Cloudbill__Engine__IntervalSeconds", "-5", "cloudbill: Cloudbill:Engine:IntervalSeconds is -5; use a number of seconds from 0 to 86400 (default 60; 0 turns the hosted engine off)." },
        // PayAsYouGoOptions
        { "Cloudbill__PayAsYouGo__StopAfterOverdueDays", "400", "cloudbill: Cloudbill:PayAsYouGo:StopAfterOverdueDays is 400; use a number of days from 0 to 365 (default 15)." },
        // PaymentOptions: amounts, URLs, intervals
        { "Cloudbill__Payments__TopUpMinimum", "0.001", "cloudbill: Cloudbill:Payments:TopUpMinimum is '0.001'; use an amount from 0.01 to 100000000.00 with at most two decimals (default 1.00, R7.2)." },
        { "Cloudbill__Payments__PublicBaseUrl", "billing.example.com", "cloudbill: Cloudbill:Payments:PublicBaseUrl is 'billing.example.com'; use an absolute http or https address where the gateways reach Cloudbill, for example https://billing.example.com." },
        { "Cloudbill__Payments__PollerIntervalSeconds", "7200", "cloudbill: Cloudbill:Payments:PollerIntervalSeconds is 7200; use a number of seconds from 0 to 3600 (default 30; 0 turns the hosted poller off)." },
        // WebhookOptions
        { "Cloudbill__Webhooks__TimeoutSeconds", "0", "cloudbill: Cloudbill:Webhooks:TimeoutSeconds is 0; use a number of seconds from 1 to 60 (default 10)." },
        { "Cloudbill__Webhooks__PollSeconds", "-1", "cloudbill: Cloudbill:Webhooks:PollSeconds is -1; use a number of seconds from 0 to 3600 (default 5; 0 turns the hosted dispatcher off)." },
        // EmailOptions
        { "Cloudbill__Email__BatchSize", "5000", "cloudbill: Cloudbill:Email:BatchSize is 5000; use 1 to 1000 (default 50)." },
        // A value of the wrong type names its key too.
        { "Cloudbill__Engine__BatchSize", "many", "cloudbill: Failed to convert configuration value 'many' at 'Cloudbill:Engine:BatchSize' to type 'System.Int32'." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_setting_out_of_range_stops_the_server_naming_the_key_and_the_range(string key, string value, string expected)
    {
        var line = await OneLineFailure(new() { [key] = value }, "server");
        Assert.Equal(expected, line);
    }

    [Fact]
    public async Task A_verb_checks_the_same_ranges()
    {
        var line = await OneLineFailure(new() { ["Cloudbill__Payments__TopUpPresets__0"] = "5000000.00" }, "migrate");
        Assert.Equal("cloudbill: Cloudbill:Payments:TopUpPresets has '5000000.00'; each preset must be an amount from 1.00 to 1000000.00 (the top-up limits).", line);
    }

    [Theory]
    [MemberData(nameof(Entrypoints))]
    public async Task A_bad_sandbox_retry_scale_is_named(string entrypoint) // the sandbox's options
    {
        var line = await OneLineFailure(new()
        {
            // The sandbox runs only in Development: its options are checked there.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Cloudbill__Payments__Sandbox"] = "true",
            ["Cloudbill__Payments__SandboxRetryScale"] = "0",
            ["Cloudbill__Payments__SandboxDirectory"] = Path.Combine(Path.GetTempPath(), "cloudbill-sandbox-badscale"),
        }, entrypoint);
        Assert.Equal("cloudbill: Cloudbill:Payments:SandboxRetryScale is 0; use a number greater than 0 and at most 100 (1 = the gateways' real retry schedules, 0.001 makes minutes into fractions of a second).", line);
    }
}
