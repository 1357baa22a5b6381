using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Purchase;

/// <summary>A customer's configuration of a new purchase (the product page's choices).</summary>
public sealed record PurchaseRequest(
    string ProductCode,
    string RegionId,
    string SpecCode,
    int Months,
    int Quantity = 1,
    bool AutoRenewal = false,
    int? AutoRenewPeriodMonths = null,
    string? InstanceName = null);

/// <summary>Expense Details: the breakdown with the chosen coupon, the other eligible ones and why the rest do not apply.</summary>
public sealed record PurchaseQuote(
    Product Product,
    Spec Spec,
    Region Region,
    PurchaseRequest Request,
    Money OriginalPrice,
    Money Discount,
    CouponOptions Coupons,
    CouponVerdict? AppliedCoupon)
{
    public Money CouponDeduction => AppliedCoupon?.Deduction ?? Money.Zero;
    public Money Payable => OriginalPrice - Discount - CouponDeduction;
}

public sealed record CatalogCategory(string Name, IReadOnlyList<Product> Products);

/// <summary>Purchase: browse the catalog by category, configure, quote (Expense Details) and place the New order.</summary>
public sealed class PurchaseService(ProductCatalog catalog, CouponService coupons, OrderService orders)
{
    public const int MaxQuantity = 10;

    /// <summary>Cloud Products by category, in the catalog's order (Compute first).</summary>
    public IReadOnlyList<CatalogCategory> Categories() =>
        catalog.Categories
            .Select(c => new CatalogCategory(c, catalog.Products.Where(p => p.Category == c).ToList()))
            .Where(c => c.Products.Count > 0)
            .ToList();

    public Result<Product> Product(string code) =>
        catalog.FindProduct(code) is { } product ? product : PurchaseErrors.UnknownProduct(code);

    /// <summary>The regions where at least one spec of the product is sold, in the catalog's region order.</summary>
    public IReadOnlyList<Region> RegionsOf(Product product) =>
        catalog.Regions.Where(r => product.Specs.Any(s => s.IsSoldIn(r.Id))).ToList();

    public async Task<Result<PurchaseQuote>> Quote(long accountId, PurchaseRequest request, CouponChoice choice, CancellationToken ct)
    {
        var draft = Draft(request);
        if (!draft.Succeeded)
            return draft.Problem!;
        var (product, spec, region, order) = draft.Value;
        var facts = new CouponFacts(product.Code, CouponOrderTypes.New, ChargeType.Subscription, order.AmountBeforeCoupon);
        var options = await coupons.OptionsFor(accountId, facts, ct);
        var candidates = await coupons.Candidates(accountId, choice, facts, ct);
        if (!candidates.Succeeded)
            return candidates.Problem!;
        return new PurchaseQuote(product, spec, region, request, order.OriginalPrice, order.Discount, options, candidates.Value.FirstOrDefault());
    }

    /// <summary>Buy Now: places the unpaid New order (pay it from the balance or by gateway next).</summary>
    public async Task<Result<Order>> Buy(long accountId, PurchaseRequest request, ClientToken token, CouponChoice choice, CancellationToken ct)
    {
        var draft = Draft(request);
        if (!draft.Succeeded)
            return draft.Problem!;
        return await orders.Place(accountId, draft.Value.Order, token, choice, ct);
    }

    private Result<(Product Product, Spec Spec, Region Region, OrderDraft Order)> Draft(PurchaseRequest request)
    {
        if (catalog.FindProduct(request.ProductCode) is not { } product)
            return PurchaseErrors.UnknownProduct(request.ProductCode);
        if (product.FindSpec(request.SpecCode) is not { } spec)
            return PurchaseErrors.UnknownSpec(product, request.SpecCode);
        if (catalog.FindRegion(request.RegionId) is not { } region)
            return PurchaseErrors.UnknownRegion(request.RegionId);
        if (!spec.IsSoldIn(region.Id))
            return PurchaseErrors.NotSoldInRegion(product, spec, region);
        if (!product.RenewalDurationsMonths.Contains(request.Months))
            return PurchaseErrors.DurationNotOffered(product, request.Months);
        if (request.Quantity is < 1 or > MaxQuantity)
            return PurchaseErrors.Quantity(request.Quantity);
        if (request.AutoRenewal && (request.AutoRenewPeriodMonths is not { } period || !product.AutoRenewalPeriodsMonths.Contains(period)))
            return PurchaseErrors.AutoRenewPeriod(product, request.AutoRenewPeriodMonths);
        var name = InstanceNames.Validate(request.InstanceName, request.Quantity);
        if (!name.Succeeded)
            return name.Problem!;

        var price = LinePrice.For(product, spec, region.Id, request.Months, request.Quantity);
        // R2.1 and docs/procedures.md (Purchase step 4): manual renewal unless auto-renewal was switched on.
        var line = new DraftLine(null, spec.Code, region.Id, request.Months, request.Quantity, price,
            request.AutoRenewal ? RenewalMethod.AutoRenewal : RenewalMethod.ManualRenewal,
            request.AutoRenewal ? request.AutoRenewPeriodMonths : null,
            InstanceName: name.Value);
        return (product, spec, region, new OrderDraft(OrderType.New, product.Code, ChargeType.Subscription, [line]));
    }
}
