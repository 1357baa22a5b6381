using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Renewals;

namespace Cloudbill.Server.OpenApi.Actions;

public sealed record RenewInstanceRequest(string InstanceId, string ProductCode, int RenewPeriod, ClientToken ClientToken);

public sealed record RenewInstanceAnswer(string OrderId);

/// <summary>RenewInstance: one instance renewed for whole months and paid from the balance, with the best coupon.</summary>
public sealed class RenewInstanceAction(RenewalService renewals) : BssAction<RenewInstanceRequest, RenewInstanceAnswer>
{
    protected override RenewInstanceRequest Bind(BssParameters p) =>
        new(p.RequiredText("InstanceId"), p.RequiredText("ProductCode"), p.RequiredInt("RenewPeriod", 1, 1200), p.ClientToken());

    protected override async Task<BssResult<RenewInstanceAnswer>> Handle(BssCaller caller, RenewInstanceRequest r, CancellationToken ct)
    {
        var term = RenewalTerm.ForMonths(r.RenewPeriod);
        // The product named must be the instance's: a script renewing the wrong id must not be
        // charged. One query; whether the instance can be renewed at all is RenewNow's to say.
        if (await renewals.ProductOf(caller.AccountId, r.InstanceId, ct) is { } product && product != r.ProductCode)
            return BssErrors.InvalidParameter("ProductCode", $"instance {r.InstanceId} is of product {product}, not {r.ProductCode}.");
        var renewed = await renewals.RenewNow(caller.AccountId, [r.InstanceId], term, r.ClientToken, CouponChoice.Best, ct);
        if (!renewed.Succeeded)
            return renewed.Problem!;
        return new RenewInstanceAnswer(BssFormat.Id(renewed.Value.Order.Id));
    }
}
