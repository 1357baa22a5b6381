using Cloudbill.Core.Instances;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.App.Shared;

/// <summary>The tab and expiry range of a renewal page's address, parsed once; a missing one is the entry's default.</summary>
public static class RenewalPageFilters
{
    public static Result<(RenewalMethod Tab, ExpiryWindow Expiry)> Parse(RenewalEntry entry, string? tabText, string? expiryText)
    {
        var tab = RenewalViews.ParseMethod(tabText);
        if (!tab.Succeeded)
            return tab.Problem!;
        var expiry = RenewalViews.ParseExpiry(expiryText);
        if (!expiry.Succeeded)
            return expiry.Problem!;
        // A custom range needs dates the address does not carry; the picker offers fixed ranges.
        if (expiry.Value == ExpiryWindow.Custom)
            return RenewalViewErrors.Invalid("Choose one of the listed expiry ranges.");
        var method = tab.Value ?? RenewalMethod.ManualRenewal;
        // The expiry filter belongs to the Manual Renewal tab; the other tabs show the entry's default view.
        var window = method == RenewalMethod.ManualRenewal ? expiry.Value ?? entry.DefaultExpiry : entry.DefaultExpiry;
        return (method, window);
    }
}
