using Cloudbill.Core.Catalog;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.Instances;

/// <summary>An instance at one instant: its status, whether it serves, and when it is suspended and released.</summary>
public sealed record InstanceState(InstanceStatus Status, InstancePhase Phase, DateTimeOffset? SuspendsAt, DateTimeOffset? ReleasesAt);

/// <summary>Status derived from the clock and the product's lifecycle, the same way everywhere.</summary>
public static class InstanceLifecycle
{
    /// <summary>R1.4: WaitForExpire within this many days of expiry; also the Urgent Renewal window.</summary>
    public const int ExpiringSoonDays = 15;

    public static DateTimeOffset SuspendsAt(DateTimeOffset expiresAt, LifecycleDays lifecycle) =>
        BusinessCalendar.AddDays(expiresAt, lifecycle.GraceDays);

    /// <summary>R1.5: the one computation of when a subscription instance is released: its expiry plus the grace and suspended days.</summary>
    public static DateTimeOffset ReleasesAt(DateTimeOffset expiresAt, LifecycleDays lifecycle) =>
        BusinessCalendar.AddDays(expiresAt, ReleaseDays(lifecycle));

    /// <summary>
    /// The same rule read backwards, for a query: an instance that expired at or before this
    /// instant has reached its release time at <paramref name="now"/> (<see cref="ReleasesAt"/> ≤ now).
    /// </summary>
    public static DateTimeOffset ReleasedIfExpiredBy(LifecycleDays lifecycle, DateTimeOffset now) =>
        BusinessCalendar.AddDays(now, -ReleaseDays(lifecycle));

    private static int ReleaseDays(LifecycleDays lifecycle) => lifecycle.GraceDays + lifecycle.SuspendedDays;

    public static InstanceState StateAt(Instance instance, LifecycleDays lifecycle, DateTimeOffset now)
    {
        if (instance.ReleasedAt is { } released && released <= now)
            return new InstanceState(InstanceStatus.Released, InstancePhase.Released, null, released);
        // A resource the provider could not create never ran: it shows as released (and is never renewed or charged).
        if (instance.Provisioning == ProvisioningState.Failed)
            return new InstanceState(InstanceStatus.Released, InstancePhase.Released, null, instance.ReleasedAt);
        if (instance.Provisioning == ProvisioningState.Creating)
            return new InstanceState(InstanceStatus.Creating, InstancePhase.Running, null, null);

        if (instance.ChargeType == ChargeType.PayAsYouGo || instance.ExpiresAt is null)
        {
            var phase = instance.StoppedAt is { } stopped && stopped <= now ? InstancePhase.Suspended : InstancePhase.Running;
            return new InstanceState(InstanceStatus.Normal, phase, instance.StoppedAt, null);
        }

        var expires = instance.ExpiresAt.Value;
        var suspends = SuspendsAt(expires, lifecycle);
        var releases = ReleasesAt(expires, lifecycle);
        if (now >= releases)
            return new InstanceState(InstanceStatus.Released, InstancePhase.Released, suspends, releases);
        if (now >= expires)
            return new InstanceState(InstanceStatus.Expired, now >= suspends ? InstancePhase.Suspended : InstancePhase.Running, suspends, releases);
        var status = expires - now <= TimeSpan.FromDays(ExpiringSoonDays) ? InstanceStatus.WaitForExpire : InstanceStatus.Normal;
        return new InstanceState(status, InstancePhase.Running, suspends, releases);
    }
}
