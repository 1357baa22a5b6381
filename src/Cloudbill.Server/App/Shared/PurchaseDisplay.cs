using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Purchase;
using Microsoft.Extensions.Localization;

namespace Cloudbill.Server.App.Shared;

/// <summary>How the purchase pages write a product's prices and a configuration's choices.</summary>
public static class PurchaseDisplay
{
    /// <summary>The lowest monthly list price of any spec in any region: the "From ¥…/month" of a product card.</summary>
    public static Money LowestMonthly(Product product) =>
        product.Specs.SelectMany(s => s.PricesByRegion.Values).Select(p => p.Monthly).DefaultIfEmpty(Money.Zero).Min();

    /// <summary>The hourly price of a pay-as-you-go configuration for all its instances (R8.1), or null where none is sold.</summary>
    public static Money? Hourly(Product product, string specCode, string regionId, int quantity) =>
        product.FindSpec(specCode)?.PricesByRegion.GetValueOrDefault(regionId)?.Hourly is { } hourly ? hourly * quantity : null;

    /// <summary>An id as the addresses and forms carry it.</summary>
    public static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Renewal(IStringLocalizer<Text> l, PurchaseRequest request) =>
        request.AutoRenewal && request.AutoRenewPeriodMonths is { } months
            ? l["Auto-Renewal · {0}", Display.Months(l, months)]
            : l["Manual Renewal"];
}
