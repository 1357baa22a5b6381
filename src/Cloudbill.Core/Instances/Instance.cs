using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.Instances;

/// <summary>R1.1.</summary>
public enum ChargeType
{
    Subscription,
    PayAsYouGo,
}

/// <summary>R2.1: every subscription instance has exactly one.</summary>
public enum RenewalMethod
{
    ManualRenewal,
    AutoRenewal,
    NotRenewal,
}

/// <summary>Whether the provider has finished creating the resource (R1.4 Creating).</summary>
public enum ProvisioningState
{
    Creating,
    Ready,

    /// <summary>The provider reported it could not create the resource: the line was refunded and the instance is gone (docs/decisions/0032).</summary>
    Failed,
}

/// <summary>A cloud resource a customer holds: one account, product, region and spec (R1.1).</summary>
public sealed class Instance : IVersioned
{
    public required string Id { get; set; }
    public long AccountId { get; set; }
    public required string ProductCode { get; set; }
    public required string SpecCode { get; set; }
    public required string RegionId { get; set; }
    public required string Name { get; set; }
    public ChargeType ChargeType { get; set; }
    public ProvisioningState Provisioning { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Subscription only: when the paid term ends. Null for pay-as-you-go.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public RenewalMethod RenewalMethod { get; set; }

    /// <summary>R2.1: the months each auto-renewal buys; set only with <see cref="RenewalMethod.AutoRenewal"/>.</summary>
    public int? AutoRenewPeriodMonths { get; set; }

    /// <summary>Pay-as-you-go only: when the instance was stopped for an overdue account (R8.2).</summary>
    public DateTimeOffset? StoppedAt { get; set; }

    /// <summary>When the instance was deleted; it then leaves the renewal views and the API (R1.4).</summary>
    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>R2.3: when auto-renewal was last switched on; it charges from the next day (Asia/Shanghai) on.</summary>
    public DateTimeOffset? AutoRenewEnabledAt { get; set; }

    /// <summary>When the lifecycle engine next has something to do for this instance (indexed); null when nothing is scheduled.</summary>
    public DateTimeOffset? NextDueAt { get; set; }

    /// <summary>Pay-as-you-go only: the end of the last charged hour (the start, or the restart, before the first); the next hour charged begins here (R8.1).</summary>
    public DateTimeOffset? ChargedUntil { get; set; }

    /// <summary>
    /// Pay-as-you-go only: when the engine's pay-as-you-go pass next has something to do (an
    /// hour to charge, a stop, a release); indexed. Kept apart from <see cref="NextDueAt"/> so
    /// the subscription pass never claims a pay-as-you-go instance (docs/decisions/0010).
    /// </summary>
    public DateTimeOffset? PayAsYouGoDueAt { get; set; }

    /// <summary>The New order that created the instance.</summary>
    public long? CreatedByOrderId { get; set; }

    /// <summary>R3.3: the one unpaid order that may exist for this instance; set and cleared atomically.</summary>
    public long? UnpaidOrderId { get; set; }

    /// <summary>The provider's own id of an imported instance (unique when set); null for instances bought here.</summary>
    public string? ExternalId { get; set; }

    public long Version { get; set; }

    /// <summary>
    /// R3.2: a paid renewal moves the expiry to <paramref name="newExpiry"/> and frees the instance
    /// from the paying order's hold (R3.3); the schedule follows the new expiry (R4.5).
    /// </summary>
    public void Extend(DateTimeOffset newExpiry, long paidByOrderId, Catalog.Product product, DateTimeOffset now)
    {
        ExpiresAt = newExpiry;
        if (UnpaidOrderId == paidByOrderId)
            UnpaidOrderId = null;
        NextDueAt = LifecycleSchedule.NextDueAfter(this, product, now);
    }

    /// <summary>
    /// R8.1: starts (or restarts) hourly charging at <paramref name="at"/>. Metering starts on a
    /// whole second, so the hour keys read the same from either database.
    /// </summary>
    public void StartMetering(DateTimeOffset at)
    {
        var start = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        StoppedAt = null;
        ChargedUntil = start;
        PayAsYouGoDueAt = start + TimeSpan.FromHours(1);
    }

    /// <summary>R1.5, R8.3: the instance is deleted at <paramref name="at"/>; it leaves the renewal views and the API.</summary>
    public void Release(DateTimeOffset at) => ReleasedAt = at;

    /// <summary>A copy as the instance would be with another expiry, for a forecast; never saved.</summary>
    public Instance WithExpiry(DateTimeOffset expiresAt) => new()
    {
        Id = Id,
        AccountId = AccountId,
        ProductCode = ProductCode,
        SpecCode = SpecCode,
        RegionId = RegionId,
        Name = Name,
        ChargeType = ChargeType,
        Provisioning = Provisioning,
        CreatedAt = CreatedAt,
        ExpiresAt = expiresAt,
        RenewalMethod = RenewalMethod,
        AutoRenewPeriodMonths = AutoRenewPeriodMonths,
        AutoRenewEnabledAt = AutoRenewEnabledAt,
    };
}
