using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Payments;

/// <summary>Runs <see cref="GatewayPoller"/> on every node at the configured interval, on the injected clock.</summary>
public sealed class GatewayPollerWorker(IServiceScopeFactory scopes, CloudbillOptions options, TimeProvider clock, ILogger<GatewayPollerWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Payments.PollerIntervalSeconds <= 0)
            return;
        var interval = TimeSpan.FromSeconds(options.Payments.PollerIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<GatewayPoller>().RunDue(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Every step is idempotent: what failed is still due and the next round retries it.
                logger.LogError(e, "A payment poller round failed; it runs again in {Seconds} s", interval.TotalSeconds);
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
