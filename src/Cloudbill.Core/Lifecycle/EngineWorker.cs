using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Lifecycle;

/// <summary>Runs the lifecycle engine on every node at the configured interval, on the injected clock.</summary>
public sealed class EngineWorker(LifecycleEngine engine, CloudbillOptions options, TimeProvider clock, ILogger<EngineWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Engine.IntervalSeconds <= 0)
            return;
        var interval = TimeSpan.FromSeconds(options.Engine.IntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await engine.RunUntil(clock.GetUtcNow(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A failed batch rolled back whole; its instances stay due and the next run retries them.
                logger.LogError(e, "A lifecycle engine run failed; it runs again in {Seconds} s", interval.TotalSeconds);
            }

            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
