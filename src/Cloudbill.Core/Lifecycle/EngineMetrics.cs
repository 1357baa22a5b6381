using System.Collections.Concurrent;

namespace Cloudbill.Core.Lifecycle;

/// <summary>
/// The engine's actions as a metric (docs/operations.md): <c>cloudbill.engine.actions</c> by
/// kind and outcome, counted from each run's <see cref="EngineRunReport"/>.
/// </summary>
public static class EngineMetrics
{
    /// <summary>The meter of every Cloudbill metric; the host creates and exports it (Server/Operations/OperationsGauges).</summary>
    public const string MeterName = "Cloudbill";

    /// <summary>
    /// Every action the engine reports (<see cref="EngineRunReport.Counts"/>' keys). Each one's
    /// series is there at 0 from the first scrape: an alert on the increase of "auto-renewal
    /// failed" needs the series before the first failure, and a node whose engine has not run yet
    /// still shows what it will count.
    /// </summary>
    public static readonly IReadOnlyList<string> ReportedActions =
    [
        "auto-renewal charged", "auto-renewal failed", "auto-renewal skipped", "reminder", "expiry", "suspension", "release",
        "pay-as-you-go hour charged", "pay-as-you-go stop", "pay-as-you-go release", "overdue", "overdue cleared", "order time-out",
    ];

    private static readonly string[] Outcomes = ["charged", "failed", "skipped", "cleared"];

    private static readonly ConcurrentDictionary<(string Kind, string Outcome), long> Counted =
        new(ReportedActions.Select(what => KeyValuePair.Create(KindAndOutcome(what), 0L)));

    /// <summary>
    /// The actions counted so far in this process, by kind and outcome: observed by the host's
    /// meter as the counter <c>cloudbill.engine.actions</c> (observed rather than added to, so the
    /// series at 0 above are there before the engine first runs).
    /// </summary>
    public static IEnumerable<(string Kind, string Outcome, long Total)> Totals() => Counted.Select(t => (t.Key.Kind, t.Key.Outcome, t.Value));

    internal static void Record(EngineRunReport report)
    {
        foreach (var (what, count) in report.Counts)
            Counted.AddOrUpdate(KindAndOutcome(what), count, (_, total) => total + count);
    }

    /// <summary>"auto-renewal charged" is kind "auto-renewal", outcome "charged"; "reminder" is kind "reminder", outcome "done".</summary>
    public static (string Kind, string Outcome) KindAndOutcome(string what)
    {
        var space = what.LastIndexOf(' ');
        return space > 0 && Outcomes.Contains(what[(space + 1)..]) ? (what[..space], what[(space + 1)..]) : (what, "done");
    }
}
