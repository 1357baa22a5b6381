using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Orders;

/// <summary>The order list's filters; times are creation times, From inclusive, To exclusive.</summary>
public sealed record OrderFilter(OrderType? Type = null, OrderStatus? Status = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Page = 1, int PageSize = 20)
{
    public const int MaxPageSize = 100;

    /// <summary>Only orders for this product (the API's ProductCode); null is any.</summary>
    public string? ProductCode { get; init; }

    /// <summary>Only subscription or only pay-as-you-go orders (the API's SubscriptionType); null is any.</summary>
    public Instances.ChargeType? ChargeType { get; init; }
}

public sealed record OrderPage(IReadOnlyList<Order> Orders, int Total, int Page, int PageSize);

/// <summary>The caller's orders: the list with filters and one order with its breakdown.</summary>
public sealed class OrderQueries(CloudbillDbContext db)
{
    /// <summary>Which of the caller's orders among <paramref name="orderIds"/> are still unpaid (the Message Center's links); others' are left out.</summary>
    public async Task<IReadOnlyDictionary<long, bool>> UnpaidAmong(long accountId, IReadOnlyCollection<long> orderIds, CancellationToken ct) =>
        orderIds.Count == 0
            ? new Dictionary<long, bool>()
            : await db.Orders.AsNoTracking().Where(o => o.AccountId == accountId && orderIds.Contains(o.Id))
                .ToDictionaryAsync(o => o.Id, o => o.Status == OrderStatus.Unpaid, ct);

    public async Task<Result<OrderPage>> List(long accountId, OrderFilter filter, CancellationToken ct)
    {
        if (filter.Page < 1)
            return OrderErrors.InvalidFilter($"Page {filter.Page} does not exist; pages start at 1.");
        if (filter.PageSize is < 1 or > OrderFilter.MaxPageSize)
            return OrderErrors.InvalidFilter($"Page size {filter.PageSize} is outside 1 to {OrderFilter.MaxPageSize}.");
        if (filter.From is { } from && filter.To is { } to && from >= to)
            return OrderErrors.InvalidFilter("The time range is empty: its start must be before its end.");

        var query = db.Orders.AsNoTracking().Where(o => o.AccountId == accountId);
        if (filter.Type is { } type)
            query = query.Where(o => o.Type == type);
        if (filter.Status is { } status)
            query = query.Where(o => o.Status == status);
        if (filter.ProductCode is { } product)
            query = query.Where(o => o.ProductCode == product);
        if (filter.ChargeType is { } charge)
            query = query.Where(o => o.ChargeType == charge);
        if (filter.From is { } start)
            query = query.Where(o => o.CreatedAt >= start);
        if (filter.To is { } end)
            query = query.Where(o => o.CreatedAt < end);

        var total = await query.CountAsync(ct);
        var orders = await query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id)
            .Skip(Paging.Skip(filter.Page, filter.PageSize)).Take(filter.PageSize)
            .Include(o => o.Lines)
            .ToListAsync(ct);
        return new OrderPage(orders, total, filter.Page, filter.PageSize);
    }

    public async Task<Result<Order>> Get(long accountId, long orderId, CancellationToken ct)
    {
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines)
            .FirstOrDefaultAsync(o => o.Id == orderId && o.AccountId == accountId, ct);
        return order is null ? OrderErrors.NotFound(orderId) : order;
    }

    /// <summary>The instances a paid New order created.</summary>
    public Task<List<string>> CreatedInstances(long accountId, long orderId, CancellationToken ct) =>
        db.Instances.AsNoTracking().Where(i => i.AccountId == accountId && i.CreatedByOrderId == orderId)
            .OrderBy(i => i.Name).Select(i => i.Id).ToListAsync(ct);
}
