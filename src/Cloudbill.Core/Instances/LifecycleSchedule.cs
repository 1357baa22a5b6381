using System.Globalization;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Time;
using NodaTime;

namespace Cloudbill.Core.Instances;

/// <summary>
/// What the lifecycle engine does to a subscription instance at a due time (R4.7). The engine's own
/// record of it (Lifecycle.EngineActionKind) has one kind more, the order time-out.
/// </summary>
public enum ScheduledActionKind
{
    AutoRenewal,
    Reminder,
    Expiry,
    Suspension,
    Release,
}

/// <summary>One action the engine owes an instance: when, what, and the key that makes it happen once (R4.7).</summary>
public sealed record ScheduledAction(ScheduledActionKind Kind, DateTimeOffset DueAt, string Key, DateTimeOffset CycleEnd, string Label)
{
    /// <summary>Same due time: charge before expiring, expire before suspending, remind last.</summary>
    public int Priority => Kind switch
    {
        ScheduledActionKind.AutoRenewal => 0,
        ScheduledActionKind.Expiry => 1,
        ScheduledActionKind.Suspension => 2,
        ScheduledActionKind.Release => 3,
        ScheduledActionKind.Reminder => 4,
    };
}

/// <summary>
/// The actions an instance's current state implies, from its expiry, renewal method and the
/// product's catalog entry. A renewal moves the expiry, and with it the whole schedule, so a
/// cycle already paid has nothing left to charge (R4.5). It lives with the instances because whatever
/// changes an instance's expiry (a paid order, a renewal, the demo data) keeps its next due time with it;
/// the engine (Lifecycle) runs the actions.
/// </summary>
public static class LifecycleSchedule
{
    /// <summary>Reminders go out at 10:00, after the 08:00 auto-renewal attempt of the same day.</summary>
    public const int ReminderHour = 10;

    /// <summary>R4.6: days before expiry that get a reminder.</summary>
    public static readonly int[] ReminderDaysBefore = [7, 3, 1];

    public static IEnumerable<ScheduledAction> For(Instance instance, Product product)
    {
        if (instance.ChargeType != ChargeType.Subscription || instance.ExpiresAt is not { } expires || instance.ReleasedAt is not null)
            yield break;

        var id = instance.Id;
        var cycle = Stamp(BusinessCalendar.LocalDate(expires));
        var expiryDate = BusinessCalendar.LocalDate(expires);

        // R4.2: from 08:00 on the Nth day before expiry, daily to the expiry day inclusive;
        // R2.3: not on the day auto-renewal was switched on.
        if (instance.RenewalMethod == RenewalMethod.AutoRenewal && instance.AutoRenewPeriodMonths is > 0)
        {
            var enabledOn = instance.AutoRenewEnabledAt is { } enabled ? BusinessCalendar.LocalDate(enabled) : (LocalDate?)null;
            for (var date = expiryDate.PlusDays(-product.AutoRenewal.FirstAttemptDaysBeforeExpiry); date <= expiryDate; date = date.PlusDays(1))
            {
                if (enabledOn is { } on && date <= on)
                    continue;
                yield return new ScheduledAction(ScheduledActionKind.AutoRenewal, BusinessCalendar.At(date, product.AutoRenewal.AttemptHour),
                    $"autorenew:{id}:{cycle}:{Stamp(date)}", expires, Stamp(date));
            }
        }

        // R4.6: reminders for manual renewal and for auto-renewal not yet paid for this cycle
        // (a success moves the expiry, so these keys fall out of the schedule); none for NotRenewal.
        var releases = InstanceLifecycle.ReleasesAt(expires, product.Lifecycle);
        if (instance.RenewalMethod != RenewalMethod.NotRenewal)
        {
            foreach (var days in ReminderDaysBefore)
            {
                yield return new ScheduledAction(ScheduledActionKind.Reminder, BusinessCalendar.At(expiryDate.PlusDays(-days), ReminderHour),
                    $"reminder:{id}:{cycle}:{days}d", expires, $"{days}d");
            }
            yield return new ScheduledAction(ScheduledActionKind.Reminder, BusinessCalendar.At(expiryDate, ReminderHour),
                $"reminder:{id}:{cycle}:expiry-day", expires, "expiry-day");
            yield return new ScheduledAction(ScheduledActionKind.Reminder, BusinessCalendar.At(BusinessCalendar.LocalDate(releases).PlusDays(-1), ReminderHour),
                $"reminder:{id}:{cycle}:before-release", expires, "before-release");
        }

        // R1.5: expiry, then suspension after the grace days, then release.
        yield return new ScheduledAction(ScheduledActionKind.Expiry, expires, $"expiry:{id}:{cycle}", expires, "expiry");
        yield return new ScheduledAction(ScheduledActionKind.Suspension, InstanceLifecycle.SuspendsAt(expires, product.Lifecycle), $"suspension:{id}:{cycle}", expires, "suspension");
        yield return new ScheduledAction(ScheduledActionKind.Release, releases, $"release:{id}:{cycle}", expires, "release");
    }

    /// <summary>The first action due strictly after <paramref name="after"/>: the instance's next due time.</summary>
    public static DateTimeOffset? NextDueAfter(Instance instance, Product product, DateTimeOffset after) =>
        For(instance, product).Where(a => a.DueAt > after).Select(a => (DateTimeOffset?)a.DueAt).Min();

    /// <summary>Actions due from <paramref name="from"/> (inclusive) to <paramref name="until"/> (inclusive), in the order they run.</summary>
    public static IEnumerable<ScheduledAction> Due(Instance instance, Product product, DateTimeOffset from, DateTimeOffset until) =>
        For(instance, product).Where(a => a.DueAt >= from && a.DueAt <= until).OrderBy(a => a.DueAt).ThenBy(a => a.Priority);

    private static string Stamp(LocalDate date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
