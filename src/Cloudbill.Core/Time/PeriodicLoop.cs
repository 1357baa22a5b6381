namespace Cloudbill.Core.Time;

/// <summary>
/// The loop of the hosted services that run on every node (engine, payment poller, email
/// outbox): a pass, then the interval on the injected clock, until the host stops. A failed
/// pass is reported and the next one runs on schedule: each pass only does what is still due.
/// </summary>
public static class PeriodicLoop
{
    public static async Task Run(TimeSpan interval, TimeProvider clock, Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pass(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failed(e);
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
