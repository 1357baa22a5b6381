using System.Globalization;
using System.Text.RegularExpressions;
using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;
using Cloudbill.Server.Hosting;
using Microsoft.Extensions.Localization;

namespace Cloudbill.Server.App.Shared;

/// <summary>How the app writes amounts, dates, names and states, in the request's language.</summary>
public static partial class Display
{
    /// <summary>"¥1,234.50", "-¥5.00".</summary>
    public static string Yuan(Money amount) => amount.IsNegative ? $"-¥{(-amount).ToDisplayString()}" : $"¥{amount.ToDisplayString()}";

    /// <summary>A date in Asia/Shanghai.</summary>
    public static string Date(DateTimeOffset instant) => BusinessCalendar.FormatDate(instant);

    /// <summary>A date and time in Asia/Shanghai.</summary>
    public static string DateTime(DateTimeOffset instant) => BusinessCalendar.FormatDateTime(instant);

    public static string ProductName(Product product) => AppLanguages.IsChinese ? product.NameZh : product.Name;

    public static string RegionName(Region region) => AppLanguages.IsChinese ? region.NameZh : region.Name;

    public static string RegionName(ProductCatalog catalog, string regionId) =>
        catalog.FindRegion(regionId) is { } region ? RegionName(region) : regionId;

    public static string ProductName(ProductCatalog catalog, string code) =>
        catalog.FindProduct(code) is { } product ? ProductName(product) : code;

    /// <summary>
    /// The renewal pages' product line, as docs/procedures.md writes it (Renew step 1): "Elastic Compute Service -
    /// Subscription" (the catalog's "(ECS)" abbreviation left out), "云服务器 ECS-包年包月".
    /// </summary>
    public static string SubscriptionGroup(Product product) => AppLanguages.IsChinese
        ? $"{product.NameZh}-包年包月"
        : $"{TrailingAbbreviation().Replace(product.Name, "")} - Subscription";

    public static string Method(IStringLocalizer<Text> l, RenewalMethod method, int? periodMonths) => method switch
    {
        RenewalMethod.ManualRenewal => l["Manual Renewal"],
        RenewalMethod.AutoRenewal when periodMonths is { } months => l["Auto-Renewal · {0}", Months(l, months)],
        RenewalMethod.AutoRenewal => l["Auto-Renewal"],
        RenewalMethod.NotRenewal => l["Expire Without Renewal"],
    };

    /// <summary>"1 Month", "3 Months", "1 Year", "2 Years".</summary>
    public static string Months(IStringLocalizer<Text> l, int months) => months switch
    {
        1 => l["1 Month"],
        12 => l["1 Year"],
        _ when months % 12 == 0 => l["{0} Years", months / 12],
        _ => l["{0} Months", months],
    };

    public static string Status(IStringLocalizer<Text> l, InstanceState state, DateTimeOffset? expiresAt, DateTimeOffset now) => state switch
    {
        { Status: InstanceStatus.Creating } => l["Creating"],
        { Status: InstanceStatus.Released } => l["Released"],
        { Phase: InstancePhase.Suspended, Status: InstanceStatus.Expired } => l["Suspended"],
        { Phase: InstancePhase.Suspended } => l["Stopped (overdue)"],
        { Status: InstanceStatus.Expired } => l["Expired"],
        { Status: InstanceStatus.WaitForExpire } when expiresAt is { } expires => l["Expires in {0} days", Math.Max(0, BusinessCalendar.DaysBetween(now, expires))],
        _ => l["Normal"],
    };

    public static string StatusClass(InstanceState state) => state switch
    {
        { Phase: InstancePhase.Suspended } => "danger",
        { Status: InstanceStatus.Expired } => "danger",
        { Status: InstanceStatus.WaitForExpire } => "warning",
        { Status: InstanceStatus.Creating } => "info",
        { Status: InstanceStatus.Released } => "muted",
        _ => "ok",
    };

    /// <summary>
    /// A service's expected failure in the page's language: the Chinese text of its code where
    /// there is one (the English message, with its ids and amounts, follows it).
    /// </summary>
    public static string Problem(IStringLocalizer<Text> l, Problem problem)
    {
        if (!AppLanguages.IsChinese)
            return problem.Message;
        var text = l["problem:" + problem.Code];
        return text.ResourceNotFound ? problem.Message : $"{text.Value}（{problem.Message}）";
    }

    /// <summary>Why a staff action's reason is refused (Core's rule, StaffReason.Check), in the reader's language; null when it is a reason.</summary>
    public static string? StaffReasonRefusal(IStringLocalizer<Text> l, string? reason) =>
        Core.Operators.StaffReason.Check((reason ?? "").Trim())?.Code switch
        {
            null => null,
            "Staff.ReasonRequired" => l["Say why: the reason goes into the audit log."].Value,
            "Staff.ReasonTooLong" => l["A reason is at most {0} characters.", Core.Operators.StaffReason.MaxLength].Value,
            _ => l["A reason has no control characters."].Value,
        };

    /// <summary>Why a coupon does not apply to this order (R6.5), with the coupon's own figures in English.</summary>
    public static string CouponRefusal(IStringLocalizer<Text> l, Core.Coupons.CouponVerdict verdict)
    {
        if (!AppLanguages.IsChinese)
            return verdict.Reason ?? "";
        string label = verdict.Refusal switch
        {
            Core.Coupons.CouponRefusal.NotYetValid => l["Not yet valid"],
            Core.Coupons.CouponRefusal.Expired => l["Expired"],
            Core.Coupons.CouponRefusal.UsedUp => l["Used up"],
            Core.Coupons.CouponRefusal.Frozen => l["Frozen by an unpaid order"],
            Core.Coupons.CouponRefusal.WrongProduct => l["Not for this product"],
            Core.Coupons.CouponRefusal.WrongOrderType => l["Not for this order type"],
            Core.Coupons.CouponRefusal.WrongSubscriptionType => l["Not for this billing method"],
            Core.Coupons.CouponRefusal.BelowMinimum => l["Minimum order not met"],
            null => "",
        };
        return $"{label}（{verdict.Reason}）";
    }

    /// <summary>The catalog's categories are English words; the app shows them in the page's language.</summary>
    public static string Category(IStringLocalizer<Text> l, string category) => l[category];

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\s\([A-Z]{2,6}\)$")]
    private static partial Regex TrailingAbbreviation();
}
