using Cloudbill.Core.Instances;

namespace Cloudbill.Core.Lifecycle;

/// <summary>R4.7: what the lifecycle engine does at a due time.</summary>
public enum EngineActionKind
{
    AutoRenewal,
    Reminder,
    Expiry,
    Suspension,
    Release,
    OrderTimeout,
}

/// <summary>
/// The record of one engine action, written in the same transaction as the action under its
/// unique business key (`autorenew:{instance}:{cycleEnd:yyyyMMdd}:{attempt date}`), so a second
/// run, a second node or a retry finds it done (R4.7).
/// </summary>
public sealed class EngineAction
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public EngineActionKind Kind { get; set; }
    public long AccountId { get; set; }
    public string? InstanceId { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset DoneAt { get; set; }

    /// <summary>What happened, for operators: "charged order 12", "failed: insufficient credit".</summary>
    public required string Outcome { get; set; }

    /// <summary>The record's kind for an action of an instance's schedule (the same names; the numbers stored stay the engine's).</summary>
    public static EngineActionKind KindOf(ScheduledActionKind kind) => kind switch
    {
        ScheduledActionKind.AutoRenewal => EngineActionKind.AutoRenewal,
        ScheduledActionKind.Reminder => EngineActionKind.Reminder,
        ScheduledActionKind.Expiry => EngineActionKind.Expiry,
        ScheduledActionKind.Suspension => EngineActionKind.Suspension,
        ScheduledActionKind.Release => EngineActionKind.Release,
    };
}
