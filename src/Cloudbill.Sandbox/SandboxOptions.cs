namespace Cloudbill.Sandbox;

/// <summary>How the offline sandbox gateways run (payments.md §5).</summary>
public sealed record SandboxOptions
{
    /// <summary>
    /// Where the credentials (<c>credentials.json</c>) and the trade state (<c>state.json</c>) live;
    /// the server passes <c>data/sandbox</c>. One process per directory: the credentials may be
    /// shared, the trade state may not.
    /// </summary>
    public required string Directory { get; init; }

    /// <summary>
    /// Multiplies every retry gap of the notification schedules: 1 is the real schedule, 0.001 turns
    /// Alipay's 4 minutes into 0.24 seconds. Driven by the injected TimeProvider either way.
    /// </summary>
    public double RetryScale { get; init; } = 1.0;

    /// <summary>§1.7 (Chinese Open Platform docs, §6): the gaps between Alipay's 8 sends.</summary>
    public IReadOnlyList<TimeSpan> AlipayRetryGaps { get; init; } =
    [
        TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1),
        TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromHours(15),
    ];

    /// <summary>§2.5 (official demo comments): the gaps between UnionPay's 5 sends.</summary>
    public IReadOnlyList<TimeSpan> UnionPayRetryGaps { get; init; } =
        [TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4)];

    /// <summary>§2.5: a notification not answered within 10 s counts as not received (real time, not the TimeProvider's).</summary>
    public TimeSpan NotificationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The simulated cloud reports a requested instance created this long after it hears of it (on the injected clock).</summary>
    public TimeSpan CloudReportDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The test switches in force at start; <c>POST {prefix}/switches</c> changes them at run time.</summary>
    public SandboxSwitches Switches { get; init; } = new();

    internal TimeSpan Scaled(TimeSpan gap) => TimeSpan.FromTicks(checked((long)(gap.Ticks * RetryScale)));

    internal string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            return "SandboxOptions.Directory is required (the server uses data/sandbox).";
        if (!(RetryScale > 0) || double.IsInfinity(RetryScale))
            return "SandboxOptions.RetryScale must be a positive number (1 = the real schedules).";
        if (AlipayRetryGaps.Any(gap => gap < TimeSpan.Zero) || UnionPayRetryGaps.Any(gap => gap < TimeSpan.Zero))
            return "SandboxOptions retry gaps must not be negative.";
        if (CloudReportDelay < TimeSpan.Zero)
            return "SandboxOptions.CloudReportDelay must not be negative.";
        if (NotificationTimeout <= TimeSpan.Zero)
            return "SandboxOptions.NotificationTimeout must be positive.";
        return Switches.Validate();
    }
}
