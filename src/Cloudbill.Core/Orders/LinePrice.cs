using Cloudbill.Core.Catalog;

namespace Cloudbill.Core.Orders;

/// <summary>One line's price (R6.1): the list price and what the period discount takes off, rounded once.</summary>
public sealed record LinePrice(Money MonthlyPrice, int DiscountPercent, Money OriginalPrice, Money Discount)
{
    public Money Amount => OriginalPrice - Discount;

    public static LinePrice For(Product product, Spec spec, string regionId, int months, int quantity)
    {
        var monthly = spec.PricesByRegion[regionId].Monthly;
        var percent = product.DiscountPercentFor(months);
        var units = checked(months * quantity);
        var original = monthly * units;
        var amount = monthly.Times(checked((long)units * percent), 100);
        return new LinePrice(monthly, percent, original, original - amount);
    }
}
