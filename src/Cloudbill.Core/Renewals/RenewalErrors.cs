using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.Renewals;

public static class RenewalErrors
{
    public static Problem NotFound(string instanceId) =>
        Problem.NotFound("Instance.NotFound", $"Instance {instanceId} was not found in your instances.");



    public static Problem PayAsYouGo(string instanceId) =>
        Problem.Invalid("Instance.PayAsYouGo", $"Instance {instanceId} is pay-as-you-go and is billed by the hour; only subscription instances are renewed.");

    /// <summary>R3.1.</summary>
    public static Problem DurationNotOffered(Product product, int months) =>
        Problem.Invalid("Renewal.DurationNotOffered", $"{product.Name} renews for {string.Join(", ", product.RenewalDurationsMonths)} months; {months} months is not offered.");

    public static Problem NoLongerSold(Instance instance) =>
        Problem.Conflict("Renewal.NoPrice", $"Instance {instance.Id}'s spec {instance.SpecCode} has no price in {instance.RegionId} any more; contact support to renew it.");


    public static Problem Batch(string message) => Problem.Invalid("Renewal.Batch", message);

    /// <summary>R2.3.</summary>
    public static Problem AutoRenewalOnExpired(Instance instance) =>
        Problem.Conflict("Renewal.AutoRenewalOnExpired", $"Instance {instance.Id} expired on {BusinessCalendar.FormatDateTime(instance.ExpiresAt!.Value)}; renew it manually first, then turn on auto-renewal.");

    /// <summary>R2.1.</summary>
    public static Problem AutoRenewPeriod(Product product, int? months) =>
        Problem.Invalid("Renewal.AutoRenewPeriod", months is null
            ? $"Auto-renewal needs a period: {string.Join(", ", product.AutoRenewalPeriodsMonths)} months."
            : $"{months} months is not an auto-renewal period of {product.Name}; choose one of {string.Join(", ", product.AutoRenewalPeriodsMonths)} months.");

    public static Problem UnifiedDay(int day) =>
        Problem.Invalid("Renewal.UnifiedDay", $"The unified expiration day must be from 1 to 28; {day} is not.");

    public static Problem UnifiedOnExpired(Instance instance) =>
        Problem.Conflict("Renewal.UnifiedOnExpired", $"Instance {instance.Id} has expired; renew it by months first, then unify its expiration date.");

    public static Problem ExtensionDays(int days) =>
        Problem.Invalid("Renewal.ExtensionDays", $"An extension is 1 to {RenewalService.MaxExtensionDays} days; {days} was given.");
}
