using Cloudbill.Core.Instances;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record SetRenewalRequest(IReadOnlyList<string> InstanceIds, RenewalMethod Method, int? AutoRenewMonths);

/// <summary>The SDK's SetRenewal model has no data: a success answers none.</summary>
public sealed record SetRenewalAnswer;

/// <summary>SetRenewal: manual, auto-renewal (with its period) or no renewal for the instances named; its answer has no data.</summary>
public sealed class SetRenewalAction(RenewalService renewals) : BssAction<SetRenewalRequest, SetRenewalAnswer>
{
    protected override SetRenewalRequest Bind(BssParameters p)
    {
        var ids = p.List("InstanceIDs") is { Count: > 0 } list ? list : throw BssParameters.Missing("InstanceIDs");
        p.RequiredText("ProductCode");
        var method = p.Choice<RenewalMethod>("RenewalStatus") ?? throw BssParameters.Missing("RenewalStatus");
        int? months = null;
        if (method == RenewalMethod.AutoRenewal)
        {
            var period = p.RequiredInt("RenewalPeriod", 1, 100);
            var unit = p.OneOf("RenewalPeriodUnit", "M", "Y") ?? "M";
            months = unit == "Y" ? period * 12 : period;
        }
        return new SetRenewalRequest(ids, method, months);
    }

    protected override async Task<BssResult<SetRenewalAnswer>> Handle(BssCaller caller, SetRenewalRequest r, CancellationToken ct)
    {
        var set = await renewals.SetRenewalMethod(caller.AccountId, r.InstanceIds, r.Method, r.AutoRenewMonths, ct);
        return set.Succeeded ? BssResult<SetRenewalAnswer>.Done : set.Problem!;
    }
}
