using System.Globalization;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;

namespace Cloudbill.Server.App.Shared;

/// <summary>A purchase ready for the services: a subscription (quoted with a coupon choice) or pay-as-you-go (no coupon, R8.1).</summary>
public sealed record PurchaseOrder(PurchaseRequest? Subscription, PayAsYouGoRequest? PayAsYouGo, CouponChoice Coupon);

/// <summary>
/// The configuration page's choices as its address and its forms carry them (region, spec,
/// billing, months, quantity, name, auto, period, coupon), with the product's defaults for what
/// is absent. The text stays as typed so a refused value is shown back beside its field; it is
/// parsed once here and the services check the catalog and the rules (R6, R1.7).
/// </summary>
public sealed record PurchaseSelection(
    Product Product,
    string Region,
    string Spec,
    bool PayAsYouGo,
    string Months,
    string Quantity,
    string Name,
    bool AutoRenewal,
    string Period,
    string Coupon)
{
    public const string Subscription = "Subscription";
    public const string PayAsYouGoBilling = "PayAsYouGo";
    public const int MaxFieldLength = 200;

    /// <summary>The field of the form a problem is about, so the page shows it there.</summary>
    public static string FieldOf(Problem problem) => problem.Code switch
    {
        "Purchase.UnknownRegion" or "Purchase.RegionNotSold" => "region",
        "Purchase.UnknownSpec" => "spec",
        "Purchase.Billing" or "Purchase.PayAsYouGoNotOffered" => "billing",
        "Purchase.DurationNotOffered" or "Purchase.Duration" => "months",
        "Purchase.Quantity" => "quantity",
        "Purchase.AutoRenewal" or "Purchase.AutoRenewPeriod" => "period",
        "Instance.NameLength" or "Instance.NameStart" or "Instance.NameCharacter" => "name",
        "Coupon.Choice" or "Coupon.NotFound" or "Coupon.NotApplicable" => "coupon",
        _ => "",
    };

    /// <summary>The selection from the address or a form; a blank value takes the product's default.</summary>
    public static PurchaseSelection From(PurchaseService purchase, Product product, string? region, string? spec, string? billing, string? months,
        string? quantity, string? name, string? auto, string? period, string? coupon)
    {
        var regionId = Clean(region) ?? purchase.RegionsOf(product).FirstOrDefault()?.Id ?? "";
        var specCode = Clean(spec) ?? (product.Specs.FirstOrDefault(s => s.IsSoldIn(regionId)) ?? product.Specs[0]).Code;
        return new PurchaseSelection(
            product,
            regionId,
            specCode,
            Clean(billing) == PayAsYouGoBilling,
            Clean(months) ?? Invariant(product.RenewalDurationsMonths[0]),
            Clean(quantity) ?? "1",
            name?.Trim() ?? "",
            Clean(auto) is "true" or "on",
            Clean(period) ?? Invariant(product.AutoRenewalPeriodsMonths.FirstOrDefault(1)),
            Clean(coupon) ?? "best")
        {
            BillingText = Clean(billing) ?? Subscription,
            AutoText = Clean(auto),
        };
    }

    /// <summary>The billing method as given (to refuse an unknown one rather than guess).</summary>
    public string BillingText { get; init; } = Subscription;

    /// <summary>The auto-renewal switch as given.</summary>
    public string? AutoText { get; init; }

    public int? MonthsValue => Number(Months);

    /// <summary>The typed purchase, or the first problem with the selection's own text (the services check the rest).</summary>
    public Result<PurchaseOrder> ToOrder()
    {
        if (BillingText is not (Subscription or PayAsYouGoBilling))
            return Problem.Invalid("Purchase.Billing", $"Billing method '{Short(BillingText)}' is unknown; choose Subscription or Pay-As-You-Go.");
        if (Number(Quantity) is not { } quantity)
            return Problem.Invalid("Purchase.Quantity", $"The quantity must be a whole number from 1 to {PurchaseService.MaxQuantity}; '{Short(Quantity)}' is not.");
        if (Name.Length > MaxFieldLength)
            return Problem.Invalid("Instance.NameLength", $"The instance name is {Name.Length} characters long; use 2 to 128 characters.");
        if (PayAsYouGo)
            return new PurchaseOrder(null, new PayAsYouGoRequest(Product.Code, Region, Spec, quantity, NameOrNull), CouponChoice.None);

        if (Number(Months) is not { } months)
            return Problem.Invalid("Purchase.Duration", $"The duration must be a number of months; '{Short(Months)}' is not.");
        if (AutoText is not (null or "true" or "on" or "false"))
            return Problem.Invalid("Purchase.AutoRenewal", $"The auto-renewal switch '{Short(AutoText)}' is neither on nor off.");
        int? period = null;
        if (AutoRenewal)
        {
            if (Number(Period) is not { } p)
                return Problem.Invalid("Purchase.AutoRenewPeriod", $"The auto-renewal period must be a number of months; '{Short(Period)}' is not.");
            period = p;
        }
        CouponChoice choice;
        if (Coupon == "best")
            choice = CouponChoice.Best;
        else if (Coupon == "none")
            choice = CouponChoice.None;
        else if (long.TryParse(Coupon, NumberStyles.None, CultureInfo.InvariantCulture, out var couponId))
            choice = CouponChoice.Use(couponId);
        else
            return Problem.Invalid("Coupon.Choice", $"The coupon choice '{Short(Coupon)}' is not a coupon; choose one in Expense Details.");
        return new PurchaseOrder(new PurchaseRequest(Product.Code, Region, Spec, months, quantity, AutoRenewal, period, NameOrNull), null, choice);
    }

    private string? NameOrNull => Name.Length == 0 ? null : Name;

    /// <summary>An address of the purchase pages for this selection, with some choices changed.</summary>
    public string Href(string? path = null, string? region = null, string? spec = null, bool? payAsYouGo = null, string? months = null, string? coupon = null)
    {
        var payg = payAsYouGo ?? PayAsYouGo;
        var parts = new List<string>
        {
            "region=" + Uri.EscapeDataString(region ?? Region),
            "spec=" + Uri.EscapeDataString(spec ?? Spec),
            "billing=" + (payg ? PayAsYouGoBilling : Subscription),
        };
        if (!payg)
            parts.Add("months=" + Uri.EscapeDataString(months ?? Months));
        parts.Add("quantity=" + Uri.EscapeDataString(Quantity));
        if (Name.Length > 0)
            parts.Add("name=" + Uri.EscapeDataString(Name));
        if (!payg && AutoRenewal)
        {
            parts.Add("auto=true");
            parts.Add("period=" + Uri.EscapeDataString(Period));
        }
        if (!payg && (coupon ?? Coupon) is var c && c != "best")
            parts.Add("coupon=" + Uri.EscapeDataString(c));
        return (path ?? ConfigurePath) + "?" + string.Join("&", parts);
    }

    public string ConfigurePath => $"/purchase/{Uri.EscapeDataString(Product.Code)}";

    public string DetailsPath => ConfigurePath + "/details";

    private static int? Number(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 10_000 ? n : null;

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Invariant(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Short(string? text) => text is null ? "" : text.Length <= 20 ? text : text[..20] + "…";
}
