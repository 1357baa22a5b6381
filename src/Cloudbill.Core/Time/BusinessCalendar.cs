using NodaTime;

namespace Cloudbill.Core.Time;

/// <summary>
/// Business days and calendar months in Asia/Shanghai (UTC+8, no daylight saving). Everything
/// is stored as UTC instants; this is the one place that turns them into local dates and back.
/// </summary>
public static class BusinessCalendar
{
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    public static LocalDateTime ToLocal(DateTimeOffset instant) =>
        Instant.FromDateTimeOffset(instant).InZone(Zone).LocalDateTime;

    public static DateTimeOffset FromLocal(LocalDateTime local) =>
        local.InZoneLeniently(Zone).ToDateTimeOffset().ToUniversalTime();

    public static LocalDate LocalDate(DateTimeOffset instant) => ToLocal(instant).Date;

    /// <summary>R1.2: whole calendar months; a day past the target month's end clamps to it (Jan 31 + 1 = Feb 28/29).</summary>
    public static DateTimeOffset AddMonths(DateTimeOffset instant, int months) =>
        FromLocal(ToLocal(instant).PlusMonths(months));

    public static DateTimeOffset AddDays(DateTimeOffset instant, int days) =>
        FromLocal(ToLocal(instant).PlusDays(days));

    /// <summary>The instant itself when it is 00:00 Asia/Shanghai, otherwise the next 00:00.</summary>
    public static DateTimeOffset RoundUpToMidnight(DateTimeOffset instant)
    {
        var local = ToLocal(instant);
        return local.TimeOfDay == LocalTime.Midnight ? FromLocal(local) : StartOfDay(local.Date.PlusDays(1));
    }

    public static DateTimeOffset StartOfDay(LocalDate date) => FromLocal(date.AtMidnight());

    /// <summary>R1.3: a new subscription expires at purchase + term, rounded up to the next 00:00.</summary>
    public static DateTimeOffset SubscriptionExpiry(DateTimeOffset purchasedAt, int months) =>
        RoundUpToMidnight(AddMonths(purchasedAt, months));

    /// <summary>Local wall-clock time on the given date, as a UTC instant (e.g. 08:00 on the 9th day before expiry).</summary>
    public static DateTimeOffset At(LocalDate date, int hour, int minute = 0) =>
        FromLocal(date.At(new LocalTime(hour, minute)));

    /// <summary>Whole local days from <paramref name="from"/>'s date to <paramref name="to"/>'s date (negative when earlier).</summary>
    public static int DaysBetween(DateTimeOffset from, DateTimeOffset to) =>
        Period.Between(LocalDate(from), LocalDate(to), PeriodUnits.Days).Days;

    public static string FormatDate(DateTimeOffset instant) =>
        LocalDate(instant).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string FormatDateTime(DateTimeOffset instant) =>
        ToLocal(instant).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
