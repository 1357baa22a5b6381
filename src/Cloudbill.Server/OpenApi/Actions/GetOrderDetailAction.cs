using System.Globalization;
using System.Text.Json.Serialization;
using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Orders;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record GetOrderDetailRequest(long OrderId);

public sealed record GetOrderDetailAnswer(string HostName, BssOrderList<BssOrderLine> OrderList, int PageNum, int PageSize, int TotalCount);

/// <summary>One line of an order (a sub-order) as the SDK's GetOrderDetail model shows it.</summary>
public sealed record BssOrderLine(
    string OrderId, string SubOrderId, string OrderSubType, string OrderType, string PaymentStatus, string? CreateTime, string? PaymentTime,
    string ProductCode, string ProductType, string CommodityCode, string SubscriptionType, string Region, string Quantity, string InstanceIDs,
    string Config, string? UsageStartTime, string? UsageEndTime, string Currency, string PaymentCurrency, string PretaxGrossAmount,
    string PretaxAmount, string PretaxAmountLocal, string AfterTaxAmount, string Tax, string Operator, string RelatedOrderId,
    BssBillModuleConfig BillModuleConfig);

/// <summary>The SDK's `BillModuleConfig.billModuleConfig` wrapper (lower case, as the model names it).</summary>
public sealed record BssBillModuleConfig([property: JsonPropertyName("billModuleConfig")] IReadOnlyList<BssBillModule> Modules);

public sealed record BssBillModule(string Code, string ApiCode, string Name, BssBillModuleProperties BillModuleProperties);

public sealed record BssBillModuleProperties([property: JsonPropertyName("billModuleProperties")] IReadOnlyList<BssBillModuleProperty> Properties);

public sealed record BssBillModuleProperty(string AttrApiCode, string ModuleApiCode, string Value);

/// <summary>GetOrderDetail: one order of the caller's, line by line.</summary>
public sealed class GetOrderDetailAction(OrderQueries orders, ProductCatalog catalog) : BssAction<GetOrderDetailRequest, GetOrderDetailAnswer>
{
    protected override GetOrderDetailRequest Bind(BssParameters p) => new(p.RequiredOrderId());

    protected override async Task<BssResult<GetOrderDetailAnswer>> Handle(BssCaller caller, GetOrderDetailRequest r, CancellationToken ct)
    {
        var found = await orders.Get(caller.AccountId, r.OrderId, ct);
        if (!found.Succeeded)
            return found.Problem!;
        var order = found.Value;
        var created = order.Type == OrderType.New ? await orders.CreatedInstances(caller.AccountId, r.OrderId, ct) : [];
        var productType = catalog.FindProduct(order.ProductCode)?.ProductType ?? order.ProductCode;
        var lines = order.Lines.OrderBy(l => l.Id).Select(l =>
        {
            // The coupon is taken off the order as a whole (R6.3); a one-line order shows it on its line.
            var amount = (order.Lines.Count == 1 ? order.Payable : l.Amount).ToString();
            return new BssOrderLine(
                OrderId: BssFormat.Id(order.Id),
                SubOrderId: BssFormat.Id(l.Id),
                OrderSubType: "ProductSubOrder",
                OrderType: order.Type.ToString(),
                PaymentStatus: QueryOrdersAction.PaymentStatus(order.Status),
                CreateTime: BssFormat.Time(order.CreatedAt),
                PaymentTime: BssFormat.Time(order.PaidAt),
                ProductCode: order.ProductCode,
                ProductType: productType,
                CommodityCode: order.ProductCode,
                SubscriptionType: order.ChargeType.ToString(),
                Region: l.RegionId,
                Quantity: l.Quantity.ToString(CultureInfo.InvariantCulture),
                InstanceIDs: System.Text.Json.JsonSerializer.Serialize(l.InstanceId is { } one ? [one] : created),
                Config: $"InstanceType:{l.SpecCode};Months:{l.Months}",
                UsageStartTime: BssFormat.Time(l.ExpiresBefore ?? order.PaidAt),
                UsageEndTime: BssFormat.Time(l.ExpiresAfter ?? l.UnifiedExpiresAt),
                Currency: BssFormat.Currency,
                PaymentCurrency: BssFormat.Currency,
                PretaxGrossAmount: l.OriginalPrice.ToString(),
                PretaxAmount: amount,
                PretaxAmountLocal: amount,
                AfterTaxAmount: amount,
                Tax: Money.Zero.ToString(),
                Operator: BssFormat.Id(caller.AccountId),
                RelatedOrderId: "",
                BillModuleConfig: new BssBillModuleConfig(
                [
                    new BssBillModule("InstanceType", "InstanceType", "Instance type",
                        new BssBillModuleProperties([new BssBillModuleProperty("InstanceType", "InstanceType", l.SpecCode)])),
                ]));
        }).ToList();
        return new GetOrderDetailAnswer("cloudbill", new(lines), 1, lines.Count, lines.Count);
    }
}
