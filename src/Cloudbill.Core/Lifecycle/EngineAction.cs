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
}
