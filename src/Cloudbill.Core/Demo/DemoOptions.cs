namespace Cloudbill.Core.Demo;

/// <summary>The demo customer of `seed-demo` (README: "Demo data").</summary>
public sealed class DemoOptions
{
    /// <summary>
    /// Seed the demo data on the first start of an empty embedded (SQLite) database. Unset, only in
    /// the Development environment (what `dotnet run` uses): a published build runs in Production
    /// and starts without a demo customer unless this is set to true.
    /// </summary>
    public bool? SeedOnFirstStart { get; set; }

    public string Email { get; set; } = PublishedDemoCredentials.Email;
    public string Password { get; set; } = PublishedDemoCredentials.Password;
    public string AccessKeyId { get; set; } = PublishedDemoCredentials.AccessKeyId;
    public string AccessKeySecret { get; set; } = PublishedDemoCredentials.AccessKeySecret;
    public string CashBalance { get; set; } = "5000.00";
}
