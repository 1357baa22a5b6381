namespace Cloudbill.Core;

/// <summary>The `Cloudbill` configuration section.</summary>
public sealed class CloudbillOptions
{
    public const string Section = "Cloudbill";

    /// <summary>State only: the SQLite file and the sandbox's generated keys. Relative paths start at the current folder.</summary>
    public string DataDirectory { get; set; } = "data";

    public CatalogOptions Catalog { get; set; } = new();
    public DatabaseOptions Database { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public OrderOptions Orders { get; set; } = new();
    public EngineOptions Engine { get; set; } = new();
    public ProvisioningOptions Provisioning { get; set; } = new();
    public Payments.PaymentOptions Payments { get; set; } = new();
    public PayAsYouGo.PayAsYouGoOptions PayAsYouGo { get; set; } = new();
}

public sealed class OrderOptions
{
    /// <summary>R5.2: an unpaid order is cancelled automatically after this many days.</summary>
    public int UnpaidLifetimeDays { get; set; } = 7;

}

/// <summary>The lifecycle engine (R4), which runs on every node.</summary>
public sealed class EngineOptions
{
    /// <summary>Seconds between runs of the engine's hosted service; 0 turns the hosted service off (the `engine run` verb still works).</summary>
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>Instances claimed and processed per database transaction.</summary>
    public int BatchSize { get; set; } = 200;
}

public sealed class ProvisioningOptions
{
    /// <summary>The simulated provider finishes creating an instance this many seconds after payment.</summary>
    public int SimulatedDelaySeconds { get; set; } = 3;
}

public sealed class CatalogOptions
{
    /// <summary>The folder with catalog.json and products/; defaults to the catalog shipped beside the executable.</summary>
    public string? Path { get; set; }
}

public sealed class DatabaseOptions
{
    /// <summary>Sqlite (default) or Postgres; the connection string is ConnectionStrings:Cloudbill.</summary>
    public string? Provider { get; set; }

    /// <summary>Apply the migrations when the server starts; false makes the start refuse an older schema instead (run `migrate`).</summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>The demo customer of `seed-demo` (README: "Demo data").</summary>
public sealed class DemoOptions
{
    /// <summary>Seed the demo data on the first start of an empty embedded (SQLite) database.</summary>
    public bool SeedOnFirstStart { get; set; } = true;

    public string Email { get; set; } = "demo@cloudbill.local";
    public string Password { get; set; } = "Demo-2026!";
    public string AccessKeyId { get; set; } = "LTAI5tCloudbillDemo00001";
    public string AccessKeySecret { get; set; } = "CloudbillDemoSecret00000000001";
    public string CashBalance { get; set; } = "5000.00";
}
