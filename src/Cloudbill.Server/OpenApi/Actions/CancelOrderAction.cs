using Cloudbill.Core.Orders;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record CancelOrderRequest(long OrderId);

public sealed record CancelOrderAnswer(string HostId);

/// <summary>CancelOrder: an unpaid order of the caller's cancelled, its coupon and holds released.</summary>
public sealed class CancelOrderAction(OrderService orders) : BssAction<CancelOrderRequest, CancelOrderAnswer>
{
    protected override CancelOrderRequest Bind(BssParameters p) => new(p.RequiredOrderId());

    protected override async Task<BssResult<CancelOrderAnswer>> Handle(BssCaller caller, CancelOrderRequest r, CancellationToken ct)
    {
        var cancelled = await orders.Cancel(caller.AccountId, r.OrderId, ct);
        return cancelled.Succeeded ? new CancelOrderAnswer("cloudbill") : cancelled.Problem!;
    }
}
