using Cloudbill.Core.Time;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Lifecycle;

/// <summary>Runs the lifecycle engine on every node at the configured interval, on the injected clock.</summary>
public sealed class EngineWorker(LifecycleEngine engine, EngineOptions options, TimeProvider clock, ILogger<EngineWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.IntervalSeconds <= 0)
            return;
        var interval = TimeSpan.FromSeconds(options.IntervalSeconds);
        // A failed batch rolled back whole; its instances stay due and the next run retries them.
        await PeriodicLoop.Run(interval, clock, ct => engine.RunUntil(clock.GetUtcNow(), ct),
            e =>
            {
                // During a failover: each action is keyed by its due time, so the next run does what this one did not, once.
                if (Persistence.DatabaseOutage.IsTransient(e))
                    logger.LogWarning("A lifecycle engine run failed on the database connection ({Reason}); it runs again in {Seconds} s", e.GetBaseException().Message, interval.TotalSeconds);
                else
                    logger.LogError(e, "A lifecycle engine run failed; it runs again in {Seconds} s", interval.TotalSeconds);
            }, stoppingToken);
    }
}
