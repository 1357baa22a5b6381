namespace Cloudbill.Core.Webhooks;

/// <summary>
/// When a failed delivery is tried again (docs/webhooks.md, "Retries"): the first attempt as soon
/// as the dispatcher sees the event, then after 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and
/// 24 h: ten attempts over 3 days 3 h 36 min. When the tenth fails the delivery has failed and the
/// endpoint is disabled.
/// </summary>
public static class WebhookSchedule
{
    public static readonly IReadOnlyList<TimeSpan> Retries =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>The first attempt and one per retry.</summary>
    public static int MaxAttempts => Retries.Count + 1;

    /// <summary>The wait after the <paramref name="failedAttempts"/>th failed attempt, or null when none is left.</summary>
    public static TimeSpan? AfterFailure(int failedAttempts) =>
        failedAttempts >= 1 && failedAttempts <= Retries.Count ? Retries[failedAttempts - 1] : null;
}
