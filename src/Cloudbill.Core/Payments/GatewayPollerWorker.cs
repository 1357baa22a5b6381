using Cloudbill.Core.Time;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Payments;

/// <summary>Runs <see cref="GatewayPoller"/> on every node at the configured interval, on the injected clock.</summary>
public sealed class GatewayPollerWorker(IServiceScopeFactory scopes, PaymentOptions options, TimeProvider clock, ILogger<GatewayPollerWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.PollerIntervalSeconds <= 0)
            return;
        var interval = TimeSpan.FromSeconds(options.PollerIntervalSeconds);
        // Every step is idempotent: what failed is still due and the next round retries it.
        await PeriodicLoop.Run(interval, clock, async ct =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<GatewayPoller>().RunDue(ct);
            },
            e =>
            {
                if (Persistence.DatabaseOutage.IsTransient(e))
                    logger.LogWarning("A payment poller round failed on the database connection ({Reason}); it runs again in {Seconds} s", e.GetBaseException().Message, interval.TotalSeconds);
                else
                    logger.LogError(e, "A payment poller round failed; it runs again in {Seconds} s", interval.TotalSeconds);
            }, stoppingToken);
    }
}
