using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record QueryOrdersRequest(OrderFilter? Filter, int PageNum, int PageSize);

public sealed record QueryOrdersAnswer(string HostName, BssOrderList<BssOrder> OrderList, int PageNum, int PageSize, int TotalCount);

/// <summary>The SDK's `OrderList.Order` wrapper.</summary>
public sealed record BssOrderList<TOrder>(IReadOnlyList<TOrder> Order);

/// <summary>One order as the SDK's QueryOrders model shows it.</summary>
public sealed record BssOrder(
    string OrderId, string OrderType, string PaymentStatus, string? CreateTime, string? PaymentTime, string ProductCode, string ProductType,
    string CommodityCode, string SubscriptionType, string Currency, string PaymentCurrency, string PretaxGrossAmount, string PretaxAmount,
    string PretaxAmountLocal, string AfterTaxAmount, string Tax, string RelatedOrderId);

/// <summary>QueryOrders: the caller's orders, newest first; Cloudbill has no upgrade or refund orders, so those filters find none.</summary>
public sealed class QueryOrdersAction(OrderQueries orders, ProductCatalog catalog) : BssAction<QueryOrdersRequest, QueryOrdersAnswer>
{
    /// <summary>The SDK's names of an order's status.</summary>
    public static string PaymentStatus(OrderStatus status) => status switch
    {
        OrderStatus.Unpaid => "Unpaid",
        OrderStatus.Paid => "Paid",
        OrderStatus.Cancelled => "Cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "An order status the API has no name for."),
    };

    protected override QueryOrdersRequest Bind(BssParameters p)
    {
        var type = p.OneOf("OrderType", "New", "Renew", "Upgrade", "Refund");
        var status = p.Choice<OrderStatus>("PaymentStatus");
        var charge = p.Choice<ChargeType>("SubscriptionType");
        var page = p.Int("PageNum", 1) ?? 1;
        var size = p.Int("PageSize", 1, OrderFilter.MaxPageSize) ?? 20;
        if (type is "Upgrade" or "Refund")
            return new QueryOrdersRequest(null, page, size);
        var filter = new OrderFilter(type is null ? null : Enum.Parse<OrderType>(type), status, p.Time("CreateTimeStart"), p.EndTime("CreateTimeEnd"), page, size)
        {
            ProductCode = p.Text("ProductCode"),
            ChargeType = charge,
        };
        return new QueryOrdersRequest(filter, page, size);
    }

    protected override async Task<BssResult<QueryOrdersAnswer>> Handle(BssCaller caller, QueryOrdersRequest r, CancellationToken ct)
    {
        if (r.Filter is null)
            return new QueryOrdersAnswer("cloudbill", new([]), r.PageNum, r.PageSize, 0);
        var listed = await orders.List(caller.AccountId, r.Filter, ct);
        if (!listed.Succeeded)
            return listed.Problem!;
        return new QueryOrdersAnswer("cloudbill", new(listed.Value.Orders.Select(Order).ToList()), r.PageNum, r.PageSize, listed.Value.Total);
    }

    private BssOrder Order(Order o) => new(
        OrderId: BssFormat.Id(o.Id),
        OrderType: o.Type.ToString(),
        PaymentStatus: PaymentStatus(o.Status),
        CreateTime: BssFormat.Time(o.CreatedAt),
        PaymentTime: BssFormat.Time(o.PaidAt),
        ProductCode: o.ProductCode,
        ProductType: catalog.FindProduct(o.ProductCode)?.ProductType ?? o.ProductCode,
        CommodityCode: o.ProductCode,
        SubscriptionType: o.ChargeType.ToString(),
        Currency: BssFormat.Currency,
        PaymentCurrency: BssFormat.Currency,
        PretaxGrossAmount: o.OriginalPrice.ToString(),
        PretaxAmount: o.Payable.ToString(),
        PretaxAmountLocal: o.Payable.ToString(),
        AfterTaxAmount: o.Payable.ToString(),
        Tax: Money.Zero.ToString(),
        RelatedOrderId: "");
}
