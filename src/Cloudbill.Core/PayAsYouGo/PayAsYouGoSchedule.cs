using System.Globalization;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Time;

namespace Cloudbill.Core.PayAsYouGo;

/// <summary>What the pay-as-you-go pass owes an instance next.</summary>
public enum MeterEventKind
{
    /// <summary>R8.1: a full hour ended; charge it.</summary>
    HourlyCharge,

    /// <summary>R8.2: the account has been overdue for the configured days; stop the instance.</summary>
    Stop,

    /// <summary>R8.2: the instance has been stopped for the configured days; release it.</summary>
    Release,
}

public readonly record struct MeterEvent(MeterEventKind Kind, DateTimeOffset At);

/// <summary>
/// The pay-as-you-go timeline of an instance, from its state alone: hours are charged in
/// arrears, each full hour from the start (or the restart) on; an overdue account's running
/// instances stop a configured number of days after the overdue episode began, and are
/// released a configured number of days after the stop (R8.1, R8.2).
/// </summary>
public static class PayAsYouGoSchedule
{
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>R10.3: one charge per instance-hour, whatever runs concurrently or catches up.</summary>
    public static string ChargeKey(string instanceId, DateTimeOffset hourStart) => $"payg:{instanceId}:{Stamp(hourStart)}";

    public static string StopKey(string instanceId, DateTimeOffset stoppedAt) => $"payg-stop:{instanceId}:{Stamp(stoppedAt)}";

    public static string ReleaseKey(string instanceId, DateTimeOffset releasedAt) => $"payg-release:{instanceId}:{Stamp(releasedAt)}";

    public static string RestartKey(string instanceId, DateTimeOffset stoppedAt) => $"payg-restart:{instanceId}:{Stamp(stoppedAt)}";

    public static string OverdueKey(long accountId, DateTimeOffset overdueSince) => $"overdue:{accountId}:{Stamp(overdueSince)}";

    public static DateTimeOffset StopsAt(DateTimeOffset overdueSince, PayAsYouGoOptions options) =>
        BusinessCalendar.AddDays(overdueSince, options.StopAfterOverdueDays);

    public static DateTimeOffset ReleasesAt(DateTimeOffset stoppedAt, PayAsYouGoOptions options) =>
        BusinessCalendar.AddDays(stoppedAt, options.ReleaseAfterStopDays);

    /// <summary>Starts (or restarts) hourly charging at <paramref name="at"/> (the instance keeps its meter, R8.1).</summary>
    public static void Start(Instance instance, DateTimeOffset at) => instance.StartMetering(at);

    /// <summary>The next event owed; null for a released or subscription instance.</summary>
    public static MeterEvent? Next(Instance instance, DateTimeOffset? overdueSince, PayAsYouGoOptions options)
    {
        if (instance.ChargeType != ChargeType.PayAsYouGo || instance.ReleasedAt is not null || instance.ChargedUntil is not { } charged)
            return null;
        if (instance.StoppedAt is { } stopped)
            return new MeterEvent(MeterEventKind.Release, ReleasesAt(stopped, options));
        var hourEnd = charged + Hour;
        // The hour that ends exactly at the stop ran in full and is charged; a later one is not.
        if (overdueSince is { } since && StopsAt(since, options) is var stop && stop < hourEnd)
            return new MeterEvent(MeterEventKind.Stop, stop > charged ? stop : charged);
        return new MeterEvent(MeterEventKind.HourlyCharge, hourEnd);
    }

    private static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
}
