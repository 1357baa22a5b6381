using Cloudbill.Core.Instances;
using Cloudbill.Core.Renewals;
using Microsoft.Extensions.Localization;

namespace Cloudbill.Server.App.Shared;

/// <summary>
/// The two ways into the renewal pages (docs/procedures.md, Renew step 1) and the filters they carry
/// in the address: Urgent Renewal shows what expires within 15 days and what has expired,
/// Renewal Management everything (All times, Expired included).
/// </summary>
public sealed record RenewalEntry(string Slug, ExpiryWindow DefaultExpiry)
{
    public static readonly RenewalEntry Urgent = new("urgent", ExpiryWindow.Urgent);
    public static readonly RenewalEntry Management = new("manage", ExpiryWindow.AllTimes);

    public static RenewalEntry? Find(string? slug) => slug switch
    {
        "urgent" => Urgent,
        "manage" => Management,
        _ => null,
    };

    /// <summary>The "All times" picker's ranges, in the order the picker lists them.</summary>
    public static readonly ExpiryWindow[] PickerRanges =
    [
        ExpiryWindow.AllTimes, ExpiryWindow.Expired, ExpiryWindow.ExpiresIn7Days, ExpiryWindow.ExpiresIn15Days,
        ExpiryWindow.ExpiresIn30Days, ExpiryWindow.ExpiresIn60Days, ExpiryWindow.ExpiresIn90Days,
    ];

    public string Title(IStringLocalizer<Text> l) => this == Urgent ? l["Urgent Renewal"] : l["Renewal Management"];

    public string Home => $"/renewals/{Slug}";

    public string Product(string product) => $"{Home}/{Uri.EscapeDataString(product)}";

    public string Region(string product, string region) => $"{Product(product)}/{Uri.EscapeDataString(region)}";

    public static string Query(RenewalMethod tab, ExpiryWindow expiry, string? search = null, int page = 1)
    {
        var query = $"?tab={tab}&expiry={expiry}";
        if (!string.IsNullOrWhiteSpace(search))
            query += "&q=" + Uri.EscapeDataString(search);
        if (page > 1)
            query += "&page=" + Display.Invariant(page);
        return query;
    }

    public static string Label(IStringLocalizer<Text> l, ExpiryWindow window) => window switch
    {
        ExpiryWindow.AllTimes => l["All times"],
        ExpiryWindow.Urgent => l["Expires in 15 days or expired"],
        ExpiryWindow.Expired => l["Expired"],
        ExpiryWindow.ExpiresIn7Days => l["Expires in {0} days", 7],
        ExpiryWindow.ExpiresIn15Days => l["Expires in 15 days"],
        ExpiryWindow.ExpiresIn30Days => l["Expires in {0} days", 30],
        ExpiryWindow.ExpiresIn60Days => l["Expires in {0} days", 60],
        ExpiryWindow.ExpiresIn90Days => l["Expires in {0} days", 90],
        ExpiryWindow.Custom => l["Custom"],
    };

    public static string TabLabel(IStringLocalizer<Text> l, RenewalMethod method) => method switch
    {
        RenewalMethod.ManualRenewal => l["Manual Renewal"],
        RenewalMethod.AutoRenewal => l["Auto-Renewal"],
        RenewalMethod.NotRenewal => l["Expire Without Renewal"],
    };
}
