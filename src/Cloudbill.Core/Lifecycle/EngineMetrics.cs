using System.Diagnostics.Metrics;

namespace Cloudbill.Core.Lifecycle;

/// <summary>
/// The engine's actions as a metric (docs/operations.md): <c>cloudbill.engine.actions</c> by
/// kind and outcome, counted from each run's <see cref="EngineRunReport"/>.
/// </summary>
public static class EngineMetrics
{
    /// <summary>The meter of every Cloudbill metric; the host exports it.</summary>
    public const string MeterName = "Cloudbill";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Actions = Meter.CreateCounter<long>("cloudbill.engine.actions", "{action}",
        "Lifecycle engine actions done, by kind (auto-renewal, reminder, expiry, suspension, release, pay-as-you-go hour, order time-out...) and outcome.");

    private static readonly string[] Outcomes = ["charged", "failed", "skipped", "cleared"];

    internal static void Record(EngineRunReport report)
    {
        foreach (var (what, count) in report.Counts)
        {
            var (kind, outcome) = KindAndOutcome(what);
            Actions.Add(count, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>"auto-renewal charged" is kind "auto-renewal", outcome "charged"; "reminder" is kind "reminder", outcome "done".</summary>
    public static (string Kind, string Outcome) KindAndOutcome(string what)
    {
        var space = what.LastIndexOf(' ');
        return space > 0 && Outcomes.Contains(what[(space + 1)..]) ? (what[..space], what[(space + 1)..]) : (what, "done");
    }
}
