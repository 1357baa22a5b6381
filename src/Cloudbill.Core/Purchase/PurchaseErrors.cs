using Cloudbill.Core.Catalog;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Purchase;

public static class PurchaseErrors
{
    public static Problem UnknownProduct(string code) =>
        Problem.NotFound("Purchase.UnknownProduct", $"Product '{code}' is not in the catalog.");

    public static Problem UnknownSpec(Product product, string spec) =>
        Problem.NotFound("Purchase.UnknownSpec", $"{product.Name} has no spec '{spec}'; choose one of {string.Join(", ", product.Specs.Select(s => s.Code))}.");

    public static Problem UnknownRegion(string region) =>
        Problem.NotFound("Purchase.UnknownRegion", $"Region '{region}' does not exist.");

    public static Problem NotSoldInRegion(Product product, Spec spec, Region region) =>
        Problem.Invalid("Purchase.RegionNotSold", $"{spec.Code} of {product.Name} is not sold in {region.Name} ({region.Id}); it is sold in {string.Join(", ", spec.PricesByRegion.Keys)}.");

    public static Problem DurationNotOffered(Product product, int months) =>
        Problem.Invalid("Purchase.DurationNotOffered", $"{product.Name} is sold for {string.Join(", ", product.RenewalDurationsMonths)} months; {months} months is not offered.");

    public static Problem Quantity(int quantity) =>
        Problem.Invalid("Purchase.Quantity", $"Quantity {quantity} is outside 1 to {PurchaseService.MaxQuantity}.");

    public static Problem AutoRenewPeriod(Product product, int? months) =>
        Problem.Invalid("Purchase.AutoRenewPeriod", months is null
            ? "Auto-renewal needs a period: choose one of " + string.Join(", ", product.AutoRenewalPeriodsMonths) + " months."
            : $"{months} months is not an auto-renewal period of {product.Name}; choose one of {string.Join(", ", product.AutoRenewalPeriodsMonths)} months.");
}
