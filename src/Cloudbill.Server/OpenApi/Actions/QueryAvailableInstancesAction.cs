using Cloudbill.Core;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record QueryAvailableInstancesRequest(
    int PageNum, int PageSize, RenewalMethod? RenewStatus, ChargeType? SubscriptionType, DateTimeOffset? EndTimeStart, DateTimeOffset? EndTimeEnd,
    IReadOnlyList<string>? InstanceIds, string? ProductCode, string? Region, DateTimeOffset? CreateTimeStart, DateTimeOffset? CreateTimeEnd);

public sealed record QueryAvailableInstancesAnswer(IReadOnlyList<BssInstance> InstanceList, int PageNum, int PageSize, int TotalCount);

/// <summary>One instance as the SDK's Instance model shows it.</summary>
public sealed record BssInstance(
    string InstanceID, string ProductCode, string ProductType, string Region, string SubscriptionType, string Status, string SubStatus,
    string? CreateTime, string? EndTime, string? StopTime, string? ReleaseTime, string? ExpectedReleaseTime,
    string? RenewStatus, int? RenewalDuration, string? RenewalDurationUnit, long OwnerId);

/// <summary>QueryAvailableInstances: the caller's subscription instances through the renewal views, or its pay-as-you-go ones.</summary>
public sealed class QueryAvailableInstancesAction(ProductCatalog catalog, InstanceQueries instances, RenewalViews views)
    : BssAction<QueryAvailableInstancesRequest, QueryAvailableInstancesAnswer>
{
    protected override QueryAvailableInstancesRequest Bind(BssParameters p) => new(
        PageNum: p.Int("PageNum", 1) ?? 1,
        PageSize: p.Int("PageSize", 1, RenewalFilter.MaxPageSize) ?? RenewalFilter.DefaultPageSize,
        RenewStatus: p.Choice<RenewalMethod>("RenewStatus"),
        SubscriptionType: p.Choice<ChargeType>("SubscriptionType"),
        EndTimeStart: p.Time("EndTimeStart"),
        EndTimeEnd: p.EndTime("EndTimeEnd"),
        InstanceIds: p.List("InstanceIDs"),
        ProductCode: p.Text("ProductCode"),
        Region: p.Text("Region"),
        CreateTimeStart: p.Time("CreateTimeStart"),
        CreateTimeEnd: p.EndTime("CreateTimeEnd"));

    protected override async Task<BssResult<QueryAvailableInstancesAnswer>> Handle(BssCaller caller, QueryAvailableInstancesRequest r, CancellationToken ct)
    {
        if (r.ProductCode is not null && catalog.FindProduct(r.ProductCode) is null)
            return new QueryAvailableInstancesAnswer([], r.PageNum, r.PageSize, 0);

        if (r.SubscriptionType == ChargeType.PayAsYouGo)
        {
            // Pay-as-you-go instances have no expiry and no renewal method; an account holds few.
            var all = (await instances.ForAccount(caller.AccountId, ct))
                .Where(i => i.ChargeType == ChargeType.PayAsYouGo
                    && (r.ProductCode is null || i.ProductCode == r.ProductCode)
                    && (r.Region is null || i.RegionId == r.Region)
                    && (r.InstanceIds is null || r.InstanceIds.Contains(i.Id))
                    && r.RenewStatus is null && r.EndTimeStart is null && r.EndTimeEnd is null)
                .ToList();
            var rows = all.Skip(Paging.Skip(r.PageNum, r.PageSize)).Take(r.PageSize).Select(i => Instance(
                i.Id, i.ProductCode, i.RegionId, i.ChargeType, i.State, i.ExpiresAt, i.RenewalMethod, i.AutoRenewPeriodMonths, i.CreatedAt, caller.AccountId)).ToList();
            return new QueryAvailableInstancesAnswer(rows, r.PageNum, r.PageSize, all.Count);
        }

        var expiry = r.EndTimeStart is null && r.EndTimeEnd is null ? ExpiryWindow.AllTimes : ExpiryWindow.Custom;
        var filter = new RenewalFilter(
            ProductCode: r.ProductCode,
            RegionId: r.Region,
            Method: r.RenewStatus,
            Expiry: expiry,
            From: expiry == ExpiryWindow.Custom ? r.EndTimeStart ?? DateTimeOffset.UnixEpoch : null,
            To: expiry == ExpiryWindow.Custom ? r.EndTimeEnd ?? new DateTimeOffset(9999, 1, 1, 0, 0, 1, TimeSpan.Zero) : null,
            Page: r.PageNum,
            PageSize: r.PageSize)
        {
            InstanceIds = r.InstanceIds,
            CreatedFrom = r.CreateTimeStart,
            CreatedTo = r.CreateTimeEnd,
        };
        var result = await views.Page(caller.AccountId, filter, ct);
        if (!result.Succeeded)
            return result.Problem!;
        var list = result.Value.Rows.Select(i => Instance(
            i.Id, i.ProductCode, i.RegionId, ChargeType.Subscription, i.State, i.ExpiresAt, i.RenewalMethod, i.AutoRenewPeriodMonths, i.CreatedAt, caller.AccountId)).ToList();
        return new QueryAvailableInstancesAnswer(list, r.PageNum, r.PageSize, result.Value.Total);
    }

    private BssInstance Instance(string id, string productCode, string regionId, ChargeType charge, InstanceState state, DateTimeOffset? expires,
        RenewalMethod method, int? autoRenewMonths, DateTimeOffset created, long accountId) => new(
            InstanceID: id,
            ProductCode: productCode,
            ProductType: catalog.FindProduct(productCode)?.ProductType ?? productCode,
            Region: regionId,
            SubscriptionType: charge.ToString(),
            Status: state.Status.ToString(),
            SubStatus: state.Phase == InstancePhase.Suspended ? "Stopped" : "Normal",
            CreateTime: BssFormat.Time(created),
            EndTime: BssFormat.Time(expires),
            StopTime: BssFormat.Time(state.SuspendsAt),
            ReleaseTime: BssFormat.Time(state.ReleasesAt),
            ExpectedReleaseTime: BssFormat.Time(state.ReleasesAt),
            RenewStatus: charge == ChargeType.Subscription ? method.ToString() : null,
            RenewalDuration: autoRenewMonths,
            RenewalDurationUnit: autoRenewMonths is null ? null : "M",
            OwnerId: accountId);
}
