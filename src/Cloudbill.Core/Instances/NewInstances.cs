using Cloudbill.Core.Catalog;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.Instances;

/// <summary>What a paid New order line asks for: how many instances of a spec in a region, and how they are named and renewed.</summary>
public sealed record InstanceRequest(
    long AccountId,
    long OrderId,
    ChargeType ChargeType,
    string SpecCode,
    string RegionId,
    int Months,
    int Quantity,
    string? Name,
    RenewalMethod RenewalMethod,
    int? AutoRenewPeriodMonths);

/// <summary>An instance the provider already runs, brought over from its own system by its id (docs/webhooks.md, "Importing").</summary>
public sealed record InstanceImport(long AccountId, string? ExternalId, string SpecCode, string RegionId, string Name, ChargeType ChargeType,
    DateTimeOffset? ExpiresAt, RenewalMethod RenewalMethod, int? AutoRenewPeriodMonths);

/// <summary>The one place instances are made (R1.1), for any paid New order (subscription or pay-as-you-go) and for an import.</summary>
public static class NewInstances
{
    /// <summary>
    /// The instances of one order line, not yet added: Creating until the provider has made them
    /// (R1.4); a subscription expires after its term, rounded up to the next 00:00 (R1.3).
    /// <paramref name="sequence"/> numbers the order's instances across its lines (default names, R1.7).
    /// </summary>
    public static IReadOnlyList<Instance> For(InstanceRequest request, Product product, DateTimeOffset now, ref int sequence)
    {
        var made = new List<Instance>(request.Quantity);
        for (var n = 0; n < request.Quantity; n++)
        {
            sequence++;
            var subscription = request.ChargeType == ChargeType.Subscription;
            var auto = subscription && request.RenewalMethod == RenewalMethod.AutoRenewal;
            var instance = new Instance
            {
                Id = InstanceIds.New(product.InstanceIdPrefix),
                AccountId = request.AccountId,
                ProductCode = product.Code,
                SpecCode = request.SpecCode,
                RegionId = request.RegionId,
                Name = InstanceNames.For(request.Name, n + 1, request.Quantity, product.Code, request.OrderId, sequence),
                ChargeType = request.ChargeType,
                Provisioning = ProvisioningState.Creating,
                CreatedAt = now,
                ExpiresAt = subscription ? BusinessCalendar.SubscriptionExpiry(now, request.Months) : null,
                RenewalMethod = subscription ? request.RenewalMethod : default,
                AutoRenewPeriodMonths = auto ? request.AutoRenewPeriodMonths : null,
                AutoRenewEnabledAt = auto ? now : null,
                CreatedByOrderId = request.OrderId,
            };
            if (subscription)
                instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, now);
            else
                instance.StartMetering(now); // R8.1: charged hourly from the purchase on
            made.Add(instance);
        }
        return made;
    }

    /// <summary>An imported instance: running (Ready) at the provider already, on the schedule the engine picks it up by.</summary>
    public static Instance Imported(InstanceImport imported, Product product, DateTimeOffset now)
    {
        var subscription = imported.ChargeType == ChargeType.Subscription;
        var auto = subscription && imported.RenewalMethod == RenewalMethod.AutoRenewal;
        var instance = new Instance
        {
            Id = InstanceIds.New(product.InstanceIdPrefix),
            ExternalId = imported.ExternalId,
            AccountId = imported.AccountId,
            ProductCode = product.Code,
            SpecCode = imported.SpecCode,
            RegionId = imported.RegionId,
            Name = imported.Name,
            ChargeType = imported.ChargeType,
            Provisioning = ProvisioningState.Ready,
            CreatedAt = now,
            ExpiresAt = subscription ? imported.ExpiresAt : null,
            RenewalMethod = subscription ? imported.RenewalMethod : default,
            AutoRenewPeriodMonths = auto ? imported.AutoRenewPeriodMonths : null,
            AutoRenewEnabledAt = auto ? now : null,
        };
        if (subscription)
            instance.NextDueAt = LifecycleSchedule.NextDueAfter(instance, product, now);
        else
            instance.StartMetering(now); // R8.1: charged hourly from the import on
        return instance;
    }
}
