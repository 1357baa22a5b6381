using Cloudbill.Core.Time;
using NodaTime.Text;

namespace Cloudbill.Core.Payments;

/// <summary>
/// Gateway clock texts. Both gateways want China Standard Time (payments.md §1.2 timestamp,
/// §2.2 txnTime), so the instant goes through the one Asia/Shanghai helper.
/// </summary>
internal static class GatewayTime
{
    private static readonly LocalDateTimePattern Dashed = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm':'ss");
    // Alipay's gmt_refund carries milliseconds ("2026-11-27 10:00:00.123"); the other times do not.
    private static readonly LocalDateTimePattern DashedWithFraction = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm':'ss.FFF");
    private static readonly LocalDateTimePattern Compact = LocalDateTimePattern.CreateWithInvariantCulture("uuuuMMddHHmmss");

    /// <summary>"2026-11-26 12:05:06" (Alipay timestamp and notification times).</summary>
    public static string ToDashed(DateTimeOffset instant) => Dashed.Format(BusinessCalendar.ToLocal(instant));

    /// <summary>"20261126120506" (UnionPay txnTime and payTimeout).</summary>
    public static string ToCompact(DateTimeOffset instant) => Compact.Format(BusinessCalendar.ToLocal(instant));

    public static DateTimeOffset? ParseDashed(string? text) => Parse(DashedWithFraction, text);

    public static DateTimeOffset? ParseCompact(string? text) => Parse(Compact, text);

    /// <summary>The instant without its fraction of a second: what the texts above can carry.</summary>
    public static DateTimeOffset WholeSeconds(DateTimeOffset instant) =>
        new DateTimeOffset(instant.UtcTicks - (instant.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static DateTimeOffset? Parse(LocalDateTimePattern pattern, string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var parsed = pattern.Parse(text);
        return parsed.Success ? BusinessCalendar.FromLocal(parsed.Value) : null;
    }
}
