using Cloudbill.Core.Catalog;
using Cloudbill.Core.Instances;

namespace Cloudbill.Core.Tests;

public class InstanceLifecycleTests
{
    private static readonly DateTimeOffset Expiry = new(2026, 12, 9, 16, 0, 0, TimeSpan.Zero); // 2026-12-10 00:00 Shanghai
    private static readonly LifecycleDays Ecs = new(15, 15);
    private static readonly LifecycleDays Rds = new(0, 15);

    private static Instance Subscription(DateTimeOffset? expires = null) => new()
    {
        Id = "i-test",
        ProductCode = "ecs",
        SpecCode = "ecs.g7.large",
        RegionId = "cn-hangzhou",
        Name = "test",
        ChargeType = ChargeType.Subscription,
        Provisioning = ProvisioningState.Ready,
        ExpiresAt = expires ?? Expiry,
    };

    [Theory] // R1.4, R1.5 for ECS: 15 grace days running, 15 suspended, then released
    [InlineData(-16 * 24, InstanceStatus.Normal, InstancePhase.Running)]
    [InlineData(-15 * 24, InstanceStatus.WaitForExpire, InstancePhase.Running)]
    [InlineData(-1, InstanceStatus.WaitForExpire, InstancePhase.Running)]
    [InlineData(0, InstanceStatus.Expired, InstancePhase.Running)]
    [InlineData(15 * 24 - 1, InstanceStatus.Expired, InstancePhase.Running)]
    [InlineData(15 * 24, InstanceStatus.Expired, InstancePhase.Suspended)]
    [InlineData(30 * 24 - 1, InstanceStatus.Expired, InstancePhase.Suspended)]
    [InlineData(30 * 24, InstanceStatus.Released, InstancePhase.Released)]
    public void Ecs_status_follows_the_clock(int hoursAfterExpiry, InstanceStatus status, InstancePhase phase)
    {
        var state = InstanceLifecycle.StateAt(Subscription(), Ecs, Expiry.AddHours(hoursAfterExpiry));
        Assert.Equal((status, phase), (state.Status, state.Phase));
    }

    [Fact]
    public void Rds_is_suspended_at_expiry_and_released_15_days_later() // R1.5: RDS 0 + 15
    {
        Assert.Equal(InstancePhase.Suspended, InstanceLifecycle.StateAt(Subscription(), Rds, Expiry).Phase);
        Assert.Equal(Expiry.AddDays(15), InstanceLifecycle.StateAt(Subscription(), Rds, Expiry).ReleasesAt);
        Assert.Equal(InstanceStatus.Released, InstanceLifecycle.StateAt(Subscription(), Rds, Expiry.AddDays(15)).Status);
    }

    [Fact]
    public void Creating_until_provisioned_and_released_once_recorded()
    {
        var instance = Subscription();
        instance.Provisioning = ProvisioningState.Creating;
        Assert.Equal(InstanceStatus.Creating, InstanceLifecycle.StateAt(instance, Ecs, Expiry.AddDays(-100)).Status);
        instance.Provisioning = ProvisioningState.Ready;
        instance.ReleasedAt = Expiry.AddDays(-50);
        Assert.Equal(InstanceStatus.Released, InstanceLifecycle.StateAt(instance, Ecs, Expiry.AddDays(-40)).Status);
    }

    [Fact]
    public void Pay_as_you_go_runs_until_stopped_for_an_overdue_account() // R8.2
    {
        var instance = Subscription();
        instance.ChargeType = ChargeType.PayAsYouGo;
        instance.ExpiresAt = null;
        Assert.Equal((InstanceStatus.Normal, InstancePhase.Running), Pair(InstanceLifecycle.StateAt(instance, Ecs, Expiry)));
        instance.StoppedAt = Expiry;
        Assert.Equal((InstanceStatus.Normal, InstancePhase.Suspended), Pair(InstanceLifecycle.StateAt(instance, Ecs, Expiry.AddHours(1))));
    }

    [Fact]
    public void Ids_are_shaped_like_the_providers()
    {
        Assert.Matches("^i-[a-z0-9]{20}$", InstanceIds.New("i-"));
        Assert.Matches("^rm-[a-z0-9]{20}$", InstanceIds.New("rm-"));
        Assert.Equal(InstanceIds.FromSeed("i-", new Random(7)), InstanceIds.FromSeed("i-", new Random(7)));
    }

    private static (InstanceStatus, InstancePhase) Pair(InstanceState s) => (s.Status, s.Phase);
}
