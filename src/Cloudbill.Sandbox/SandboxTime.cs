using Cloudbill.Core.Time;
using NodaTime.Text;

namespace Cloudbill.Sandbox;

/// <summary>Gateway clock texts in China Standard Time (payments.md §1.2, §2.2), as the real gateways write them.</summary>
internal static class SandboxTime
{
    private static readonly LocalDateTimePattern Dashed = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm':'ss");
    private static readonly LocalDateTimePattern Compact = LocalDateTimePattern.CreateWithInvariantCulture("uuuuMMddHHmmss");

    /// <summary>"2026-11-26 12:05:06": Alipay timestamps, gmt_* and notify_time.</summary>
    public static string ToDashed(DateTimeOffset instant) => Dashed.Format(BusinessCalendar.ToLocal(instant));

    /// <summary>"20261126120506": UnionPay txnTime and payTimeout.</summary>
    public static string ToCompact(DateTimeOffset instant) => Compact.Format(BusinessCalendar.ToLocal(instant));

    public static DateTimeOffset? ParseCompact(string? text) => Parse(Compact, text);

    public static DateTimeOffset? ParseDashed(string? text) => Parse(Dashed, text);

    /// <summary>
    /// How far a request's own time may be from the gateway's: both gateways want the current China
    /// Standard Time (§1.2, §2.2); an hour lets slow tests through and still catches a request sent in UTC.
    /// </summary>
    public static readonly TimeSpan RequestTimeTolerance = TimeSpan.FromHours(1);

    public static bool IsCurrent(DateTimeOffset requestTime, DateTimeOffset now) =>
        (requestTime - now).Duration() <= RequestTimeTolerance;

    private static DateTimeOffset? Parse(LocalDateTimePattern pattern, string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var parsed = pattern.Parse(text);
        return parsed.Success ? BusinessCalendar.FromLocal(parsed.Value) : null;
    }
}
