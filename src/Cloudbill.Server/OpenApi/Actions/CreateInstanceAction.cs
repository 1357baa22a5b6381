using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Purchase;

namespace Cloudbill.Server.OpenApi.Actions;

/// <summary>What CreateInstance buys; <see cref="Purchase"/> is null for pay-as-you-go.</summary>
public sealed record CreateInstanceRequest(PayAsYouGoRequest? PayAsYouGo, PurchaseRequest? Purchase, ClientToken ClientToken);

public sealed record CreateInstanceAnswer(string InstanceId, string OrderId);

/// <summary>CreateInstance: buys a subscription (paid at once from the balance) or a pay-as-you-go instance.</summary>
public sealed class CreateInstanceAction(PayAsYouGoPurchase payAsYouGo, PurchaseService purchases, OrderPayments payments, OrderQueries orders)
    : BssAction<CreateInstanceRequest, CreateInstanceAnswer>
{
    protected override CreateInstanceRequest Bind(BssParameters p)
    {
        var productCode = p.RequiredText("ProductCode");
        var charge = p.Choice<ChargeType>("SubscriptionType") ?? throw BssParameters.Missing("SubscriptionType");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in p.Objects("Parameter"))
        {
            var code = o.TryGetValue("Code", out var c) ? c : throw BssParameters.Missing("Parameter.N.Code");
            var value = o.TryGetValue("Value", out var v) ? v : throw BssParameters.Missing("Parameter.N.Value");
            // A setting named twice has no one value to buy with.
            if (!settings.TryAdd(code, value))
                throw BssParameters.Invalid("Parameter.N.Code", $"'{code}' is given more than once; name each setting once.");
        }
        var region = settings.GetValueOrDefault("Region") ?? throw BssParameters.Missing("Parameter.N.Code=Region");
        var spec = settings.GetValueOrDefault("InstanceType") ?? throw BssParameters.Missing("Parameter.N.Code=InstanceType");
        var quantity = 1;
        if (settings.TryGetValue("Quantity", out var q) && (!int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out quantity) || quantity < 1))
            throw BssParameters.Invalid("Parameter.N.Value", $"Quantity '{q}' is not a positive whole number.");
        var token = p.ClientToken();
        if (charge == ChargeType.PayAsYouGo)
            return new CreateInstanceRequest(new PayAsYouGoRequest(productCode, region, spec, quantity), null, token);

        var period = p.RequiredInt("Period", 1, 1200);
        var cycle = p.Int("PricingCycle", 1, 2) ?? 2;
        var months = cycle == 1 ? period * 12 : period;
        var auto = (p.OneOf("RenewalStatus", nameof(RenewalMethod.AutoRenewal), nameof(RenewalMethod.ManualRenewal)) ?? nameof(RenewalMethod.ManualRenewal)) == nameof(RenewalMethod.AutoRenewal);
        var renewMonths = p.Int("RenewPeriod", 1, 1200);
        if (auto && renewMonths is null)
            throw BssParameters.Missing("RenewPeriod");
        return new CreateInstanceRequest(null, new PurchaseRequest(productCode, region, spec, months, quantity, auto, auto ? renewMonths : null), token);
    }

    protected override async Task<BssResult<CreateInstanceAnswer>> Handle(BssCaller caller, CreateInstanceRequest r, CancellationToken ct)
    {
        if (r.PayAsYouGo is { } hourly)
        {
            var bought = await payAsYouGo.Buy(caller.AccountId, hourly, r.ClientToken, ct);
            return bought.Succeeded ? Created(bought.Value) : bought.Problem!;
        }
        var placed = await purchases.Buy(caller.AccountId, r.Purchase!, r.ClientToken, CouponChoice.Best, ct);
        if (!placed.Succeeded)
            return placed.Problem!;
        // CreateInstance pays at once from the balance (Alibaba: "the order is automatically
        // paid"). An order the balance cannot pay stays unpaid, held by its client token: the
        // customer pays it by Alipay or UnionPay, or cancels it with CancelOrder (docs/api.md).
        var paid = await payments.PayFromBalance(caller.AccountId, placed.Value.Id, ct);
        if (!paid.Succeeded)
            return paid.Problem!;
        if (paid.Value.AlreadyPaid)
        {
            var created = await orders.CreatedInstances(caller.AccountId, placed.Value.Id, ct);
            return Created(paid.Value with { CreatedInstanceIds = created });
        }
        return Created(paid.Value);
    }

    private static CreateInstanceAnswer Created(PaymentOutcome outcome) =>
        new(string.Join(',', outcome.CreatedInstanceIds), BssFormat.Id(outcome.Order.Id));
}
