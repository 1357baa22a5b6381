using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record QueryProductListRequest(int PageNum, int PageSize);

public sealed record QueryProductListAnswer(int PageNum, int PageSize, int TotalCount, BssProductList ProductList);

public sealed record BssProductList(IReadOnlyList<BssProduct> Product);

public sealed record BssProduct(string ProductCode, string ProductName, string ProductType, string SubscriptionType);

/// <summary>QueryProductList: the catalog's products, once per way they are sold (subscription, pay-as-you-go).</summary>
public sealed class QueryProductListAction(ProductCatalog catalog) : BssAction<QueryProductListRequest, QueryProductListAnswer>
{
    protected override QueryProductListRequest Bind(BssParameters p) => new(p.RequiredInt("PageNum", 1), p.Int("PageSize", 1, 300) ?? 10);

    protected override Task<BssResult<QueryProductListAnswer>> Handle(BssCaller caller, QueryProductListRequest r, CancellationToken ct)
    {
        var all = catalog.Products
            .SelectMany(product => (product.OffersPayAsYouGo ? new[] { ChargeType.Subscription, ChargeType.PayAsYouGo } : [ChargeType.Subscription])
                .Select(charge => new BssProduct(
                    ProductCode: product.Code,
                    ProductName: charge == ChargeType.PayAsYouGo ? $"{product.Name} (Pay-as-you-go)" : product.Name,
                    ProductType: product.ProductType ?? product.Code,
                    SubscriptionType: charge.ToString())))
            .ToList();
        BssResult<QueryProductListAnswer> answer = new QueryProductListAnswer(r.PageNum, r.PageSize, all.Count,
            new BssProductList(all.Skip(Paging.Skip(r.PageNum, r.PageSize)).Take(r.PageSize).ToList()));
        return Task.FromResult(answer);
    }
}
