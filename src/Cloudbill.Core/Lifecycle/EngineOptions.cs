namespace Cloudbill.Core.Lifecycle;

/// <summary>The lifecycle engine (R4), which runs on every node.</summary>
public sealed class EngineOptions
{
    /// <summary>Seconds between runs of the engine's hosted service; 0 turns the hosted service off (the `engine run` verb still works).</summary>
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>Instances claimed and processed per database transaction.</summary>
    public int BatchSize { get; set; } = 200;
}
