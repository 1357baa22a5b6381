using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.OpenApi.Actions;

/// <summary>A renewal's price names the instance; a new order's names the region and the spec.</summary>
public sealed record GetSubscriptionPriceRequest(string ProductCode, string ModuleCode, int Quantity, int Months, string? RenewedInstanceId, string? Region, string? Spec);

public sealed record GetSubscriptionPriceAnswer(
    string Currency, decimal OriginalPrice, decimal DiscountPrice, decimal TradePrice, int Quantity, BssModuleDetails ModuleDetails, BssPromotionDetails PromotionDetails);

public sealed record BssModuleDetails(IReadOnlyList<BssModuleDetail> ModuleDetail);

public sealed record BssModuleDetail(string ModuleCode, decimal OriginalCost, decimal InvoiceDiscount, decimal CostAfterDiscount, decimal UnitPrice);

public sealed record BssPromotionDetails(IReadOnlyList<BssPromotionDetail> PromotionDetail);

public sealed record BssPromotionDetail(long PromotionId, string PromotionName, string PromotionDesc);

/// <summary>GetSubscriptionPrice: a new order's or a renewal's price, with the best coupon, without placing anything.</summary>
public sealed class GetSubscriptionPriceAction(RenewalService renewals, PurchaseService purchases) : BssAction<GetSubscriptionPriceRequest, GetSubscriptionPriceAnswer>
{
    protected override GetSubscriptionPriceRequest Bind(BssParameters p)
    {
        var productCode = p.RequiredText("ProductCode");
        if (p.OneOf("SubscriptionType", nameof(ChargeType.Subscription)) is null)
            throw BssParameters.Missing("SubscriptionType");
        var orderType = p.OneOf("OrderType", "NewOrder", "Renewal") ?? throw BssParameters.Missing("OrderType");
        var modules = p.Objects("ModuleList");
        if (modules.Count == 0)
            throw BssParameters.Missing("ModuleList.N.ModuleCode");
        var quantity = p.Int("Quantity", 1, 1000) ?? 1;
        var periods = p.Int("ServicePeriodQuantity", 1, 1200) ?? 1;
        var months = (p.OneOf("ServicePeriodUnit", "Month", "Year") ?? "Month") == "Year" ? periods * 12 : periods;
        var moduleCode = modules[0].GetValueOrDefault("ModuleCode") ?? "InstanceType";
        if (orderType == "Renewal")
            return new GetSubscriptionPriceRequest(productCode, moduleCode, quantity, months, p.RequiredText("InstanceId"), null, null);
        var spec = SpecOf(modules) ?? throw BssParameters.Missing("ModuleList.N.Config");
        return new GetSubscriptionPriceRequest(productCode, moduleCode, quantity, months, null, p.RequiredText("Region"), spec);
    }

    protected override async Task<BssResult<GetSubscriptionPriceAnswer>> Handle(BssCaller caller, GetSubscriptionPriceRequest r, CancellationToken ct)
    {
        Money original, discount;
        CouponVerdict? coupon;
        if (r.RenewedInstanceId is { } instanceId)
        {
            var quote = await renewals.Quote(caller.AccountId, [instanceId], RenewalTerm.ForMonths(r.Months), CouponChoice.Best, ct);
            if (!quote.Succeeded)
                return quote.Problem!;
            if (quote.Value.Product.Code != r.ProductCode)
                return BssErrors.InvalidParameter("ProductCode", $"instance {instanceId} is of product {quote.Value.Product.Code}, not {r.ProductCode}.");
            (original, discount, coupon) = (quote.Value.OriginalPrice, quote.Value.Discount, quote.Value.AppliedCoupon);
        }
        else
        {
            var quote = await purchases.Quote(caller.AccountId, new PurchaseRequest(r.ProductCode, r.Region!, r.Spec!, r.Months, r.Quantity), CouponChoice.Best, ct);
            if (!quote.Succeeded)
                return quote.Problem!;
            (original, discount, coupon) = (quote.Value.OriginalPrice, quote.Value.Discount, quote.Value.AppliedCoupon);
        }
        var deduction = coupon?.Deduction ?? Money.Zero;
        var trade = original - discount - deduction;
        return new GetSubscriptionPriceAnswer(
            Currency: BssFormat.Currency,
            OriginalPrice: BssFormat.Number(original),
            DiscountPrice: BssFormat.Number(discount + deduction),
            TradePrice: BssFormat.Number(trade),
            Quantity: r.Quantity,
            ModuleDetails: new BssModuleDetails([new BssModuleDetail(r.ModuleCode, BssFormat.Number(original), BssFormat.Number(discount + deduction), BssFormat.Number(trade), BssFormat.Number(original))]),
            PromotionDetails: new BssPromotionDetails(coupon is null
                ? []
                : [new BssPromotionDetail(coupon.Coupon.Id, coupon.Coupon.Name, $"Coupon: {deduction} CNY off")]));
    }

    /// <summary>The spec from a module's Config, `InstanceType:ecs.g7.large,IoOptimized:...` (the value named like the module, else the first).</summary>
    private static string? SpecOf(IReadOnlyList<IReadOnlyDictionary<string, string>> modules)
    {
        foreach (var module in modules)
        {
            if (!module.TryGetValue("Config", out var config) || string.IsNullOrWhiteSpace(config))
                continue;
            var pairs = config.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(pair => pair.Split(':', 2)).Where(kv => kv.Length == 2).ToList();
            var code = module.GetValueOrDefault("ModuleCode") ?? "InstanceType";
            return pairs.FirstOrDefault(kv => kv[0] == code)?[1] ?? pairs.FirstOrDefault()?[1] ?? config;
        }
        return null;
    }
}
