using System.Globalization;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.App.Shared;

/// <summary>
/// What the Renew Now page renews, as its address and its form carry it: the instances, the
/// term (months, or a unified expiration day) and the coupon choice ("best" when absent,
/// "none", or a coupon id). Parsed once here; the services check ownership and the rules.
/// </summary>
public sealed record RenewSelection(IReadOnlyList<string> InstanceIds, RenewalTerm Term, CouponChoice Coupon, string CouponText)
{
    public const int MaxInstanceIdLength = 64;

    public static Result<RenewSelection> Parse(IReadOnlyList<string>? ids, string? months, string? day, string? coupon)
    {
        var instanceIds = (ids ?? []).Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (instanceIds.Count == 0)
            return Problem.Invalid("Renewal.NoInstance", "Select at least one instance to renew.");
        if (instanceIds.Count > RenewalService.MaxBatch)
            return Problem.Invalid("Renewal.Batch", $"Renew at most {RenewalService.MaxBatch} instances at once; {instanceIds.Count} are selected.");
        if (instanceIds.Any(id => id.Length > MaxInstanceIdLength))
            return Problem.Invalid("Renewal.InstanceId", "An instance id is too long; choose the instances from the list.");

        RenewalTerm term;
        if (!string.IsNullOrWhiteSpace(day))
        {
            if (!int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var d))
                return Problem.Invalid("Renewal.UnifiedDay", $"The unified expiration day must be a number from 1 to 28; '{Short(day)}' is not.");
            term = RenewalTerm.ToUnifiedDay(d);
        }
        else if (string.IsNullOrWhiteSpace(months))
        {
            term = RenewalTerm.ForMonths(1);
        }
        else if (int.TryParse(months, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m is > 0 and <= 120)
        {
            term = RenewalTerm.ForMonths(m);
        }
        else
        {
            return Problem.Invalid("Renewal.Duration", $"The renewal duration must be a number of months; '{Short(months)}' is not.");
        }

        CouponChoice choice;
        var couponText = string.IsNullOrWhiteSpace(coupon) ? "best" : coupon.Trim();
        if (couponText == "best")
            choice = CouponChoice.Best;
        else if (couponText == "none")
            choice = CouponChoice.None;
        else if (long.TryParse(couponText, NumberStyles.None, CultureInfo.InvariantCulture, out var couponId))
            choice = CouponChoice.Use(couponId);
        else
            return Problem.Invalid("Coupon.Choice", $"The coupon choice '{Short(couponText)}' is not a coupon; choose one from View Details.");
        return new RenewSelection(instanceIds, term, choice, couponText);
    }

    public int? Months => Term is RenewalTerm.Months m ? m.Count : null;

    public int? UnifiedDay => Term is RenewalTerm.UnifiedDay d ? d.Day : null;

    /// <summary>The address of the Renew Now page for this selection, with some parts changed.</summary>
    public string Href(string path = "/renew", int? months = null, int? day = null, string? coupon = null, string? back = null)
    {
        var parts = InstanceIds.Select(id => "ids=" + Uri.EscapeDataString(id)).ToList();
        var unified = day ?? (months is null ? UnifiedDay : null);
        if (unified is not null)
            parts.Add("day=" + unified.Value.ToString(CultureInfo.InvariantCulture));
        else
            parts.Add("months=" + (months ?? Months ?? 1).ToString(CultureInfo.InvariantCulture));
        parts.Add("coupon=" + Uri.EscapeDataString(coupon ?? CouponText));
        if (!string.IsNullOrEmpty(back))
            parts.Add("back=" + Uri.EscapeDataString(back));
        return path + "?" + string.Join("&", parts);
    }

    private static string Short(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
