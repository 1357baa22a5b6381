namespace Cloudbill.Core.Demo;

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
