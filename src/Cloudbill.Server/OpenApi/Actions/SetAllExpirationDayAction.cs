using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record SetAllExpirationDayRequest(int UnifyExpireDay);

/// <summary>No OrderId when there was nothing to renew.</summary>
public sealed record SetAllExpirationDayAnswer(string? OrderId, int InstanceCount);

/// <summary>
/// SetAllExpirationDay: renews every ECS subscription instance of the account that has not
/// expired and has no unpaid order to the unified day, paid from the balance in one order (docs/api.md).
/// </summary>
public sealed class SetAllExpirationDayAction(RenewalViews views, RenewalService renewals) : BssAction<SetAllExpirationDayRequest, SetAllExpirationDayAnswer>
{
    protected override SetAllExpirationDayRequest Bind(BssParameters p) => new(p.RequiredInt("UnifyExpireDay", 1, 28));

    protected override async Task<BssResult<SetAllExpirationDayAnswer>> Handle(BssCaller caller, SetAllExpirationDayRequest r, CancellationToken ct)
    {
        var ids = new List<string>();
        for (var page = 1; ; page++)
        {
            var listed = await views.List(caller.AccountId, new RenewalFilter(ProductCode: "ecs", Page: page, PageSize: RenewalFilter.MaxPageSize), ct);
            if (!listed.Succeeded)
                return listed.Problem!;
            ids.AddRange(listed.Value.Instances.Where(i => i.State.Status is InstanceStatus.Normal or InstanceStatus.WaitForExpire && !i.HasUnpaidOrder).Select(i => i.Id));
            if (page * RenewalFilter.MaxPageSize >= listed.Value.Total)
                break;
        }
        if (ids.Count == 0)
            return new SetAllExpirationDayAnswer(null, 0);
        if (ids.Count > RenewalService.MaxBatch)
            return BssErrors.InvalidParameter("UnifyExpireDay", $"the account has {ids.Count} ECS instances to align; at most {RenewalService.MaxBatch} are renewed at once, so renew the others with RenewInstance first.");
        var renewed = await renewals.RenewNow(caller.AccountId, ids, RenewalTerm.ToUnifiedDay(r.UnifyExpireDay), ClientToken.New(), CouponChoice.Best, ct);
        if (!renewed.Succeeded)
            return renewed.Problem!;
        return new SetAllExpirationDayAnswer(BssFormat.Id(renewed.Value.Order.Id), ids.Count);
    }
}
