using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.PayAsYouGo;

/// <summary>A customer's choice of a new pay-as-you-go resource: no term, billed by the hour (R8.1).</summary>
public sealed record PayAsYouGoRequest(string ProductCode, string RegionId, string SpecCode, int Quantity = 1, string? InstanceName = null);

public static class PayAsYouGoErrors
{
    public static Problem NotOffered(Product product) =>
        Problem.Invalid("Purchase.PayAsYouGoNotOffered", $"{product.Name} is sold by subscription only; choose a duration instead.");

    /// <summary>R8.4.</summary>
    public static Problem CreditBelowMinimum(Money available, Money minimum) =>
        Problem.Conflict("PayAsYouGo.CreditBelowMinimum", $"Pay-as-you-go needs an Available Credit of at least {minimum} CNY; yours is {available} CNY. Top up {minimum - available} CNY or more, then buy again.");

    /// <summary>R8.5.</summary>
    public static Problem InstanceLimit(int held, int quantity, int limit) =>
        Problem.Conflict("PayAsYouGo.InstanceLimit", $"An account may hold at most {limit} pay-as-you-go instances; you hold {held}, so {quantity} more would be {held + quantity}. Release some first, or buy by subscription.");
}

/// <summary>
/// Buying pay-as-you-go instances: nothing is paid up front, so the New order (0.00, kept for the
/// order history and the client token, R5.4) is placed and completed at once and the instances
/// are charged hourly from the purchase (R8.1). Refused while the account is overdue (R7.4), with
/// less Available Credit than the minimum (R8.4), or past the account's instance cap (R8.5).
/// </summary>
public sealed class PayAsYouGoPurchase(
    CloudbillDbContext db,
    ProductCatalog catalog,
    OrderPayments payments,
    PayAsYouGoOptions options)
{
    /// <summary>The request checked against the catalog and R1.7 without placing anything (the configuration page's check).</summary>
    public Problem? Check(PayAsYouGoRequest request)
    {
        var checkedRequest = Validate(request);
        return checkedRequest.Succeeded ? null : checkedRequest.Problem;
    }

    private Result<(Product Product, Spec Spec, Region Region, Money Hourly, string? Name)> Validate(PayAsYouGoRequest request)
    {
        if (catalog.FindProduct(request.ProductCode) is not { } product)
            return PurchaseErrors.UnknownProduct(request.ProductCode);
        if (!product.OffersPayAsYouGo)
            return PayAsYouGoErrors.NotOffered(product);
        if (product.FindSpec(request.SpecCode) is not { } spec)
            return PurchaseErrors.UnknownSpec(product, request.SpecCode);
        if (catalog.FindRegion(request.RegionId) is not { } region)
            return PurchaseErrors.UnknownRegion(request.RegionId);
        if (!spec.PricesByRegion.TryGetValue(region.Id, out var price) || price.Hourly is not { } hourly)
            return PurchaseErrors.NotSoldInRegion(product, spec, region);
        if (request.Quantity is < 1 or > PurchaseService.MaxQuantity)
            return PurchaseErrors.Quantity(request.Quantity);
        var name = InstanceNames.Validate(request.InstanceName, request.Quantity);
        if (!name.Succeeded)
            return name.Problem!;
        return (product, spec, region, hourly, name.Value);
    }

    /// <summary>Places the purchase's New order and completes it at once, through the one payment pipeline (<see cref="OrderPayments.PlaceAndPay"/>).</summary>
    public async Task<Result<PaymentOutcome>> Buy(long accountId, PayAsYouGoRequest request, ClientToken token, CancellationToken ct)
    {
        var valid = Validate(request);
        if (!valid.Succeeded)
            return valid.Problem!;
        var (product, spec, region, hourly, name) = valid.Value;
        return await payments.PlaceAndPay(accountId, token,
            existing => OrderService.IsFor(existing, OrderType.New, [], product.Code) && existing.ChargeType == ChargeType.PayAsYouGo, "This purchase", async balance =>
            {
                // R8.4: nothing is paid up front, so the credit is what the first hours are charged against.
                if (balance.AvailableCredit < options.MinimumCredit)
                    return PayAsYouGoErrors.CreditBelowMinimum(balance.AvailableCredit, options.MinimumCredit);
                // R8.5: under the account's lock, so two purchases at once cannot both pass the count.
                var held = await db.Instances.CountAsync(i => i.AccountId == accountId && i.ChargeType == ChargeType.PayAsYouGo && i.ReleasedAt == null, ct);
                if (held + request.Quantity > options.MaxInstancesPerAccount)
                    return PayAsYouGoErrors.InstanceLimit(held, request.Quantity, options.MaxInstancesPerAccount);
                var free = new LinePrice(Money.Zero, 100, Money.Zero, Money.Zero);
                var draft = new OrderDraft(OrderType.New, product.Code, ChargeType.PayAsYouGo, [new DraftLine(null, spec.Code, region.Id, 0, request.Quantity, free, InstanceName: name)]);
                return new ReadyDraft(draft, Coupons.CouponChoice.None, [], new PayAsYouGoRate(region.Id, hourly));
            }, ct);
    }
}
