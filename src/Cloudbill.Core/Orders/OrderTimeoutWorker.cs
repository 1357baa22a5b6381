using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Orders;

/// <summary>
/// R5.2: cancels unpaid orders past their pay-by time, on every node (the account lock and the
/// status check make a second node's attempt a no-op). Runs on the injected clock.
/// </summary>
public sealed class OrderTimeoutWorker(IServiceScopeFactory scopes, CloudbillOptions options, TimeProvider clock, ILogger<OrderTimeoutWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Orders.TimeoutSweepSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var cancelled = await scope.ServiceProvider.GetRequiredService<OrderService>().TimeOutUnpaid(stoppingToken);
                if (cancelled > 0)
                    logger.LogInformation("Cancelled {Count} unpaid order(s) past their time-out", cancelled);
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "The order time-out sweep failed; it runs again in {Seconds} s", interval.TotalSeconds);
                await Task.Delay(interval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
