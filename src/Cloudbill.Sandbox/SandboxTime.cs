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

    public static DateTimeOffset? ParseCompact(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        var parsed = Compact.Parse(text);
        return parsed.Success ? BusinessCalendar.FromLocal(parsed.Value) : null;
    }
}
