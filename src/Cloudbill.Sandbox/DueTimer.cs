namespace Cloudbill.Sandbox;

/// <summary>The sandbox's background senders sleep until their next due time on the injected clock, or until new work wakes them.</summary>
internal static class DueTimer
{
    private static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    /// <param name="next">The next due time; null when nothing is queued (then it waits an hour at most).</param>
    /// <param name="woken">Completes when new work is queued.</param>
    public static async Task Wait(DateTimeOffset now, DateTimeOffset? next, TimeProvider clock, Func<CancellationToken, Task> woken, CancellationToken stoppingToken)
    {
        var wait = next is null ? Longest : next.Value - now;
        wait = wait > Longest ? Longest : wait;
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        try
        {
            var timer = Task.Delay(wait, clock, sleep.Token);
            // The clock may have moved between reading it and starting the timer (a test's fake
            // clock does): a timer started late would wait too long, so look once more.
            if (next is not null && clock.GetUtcNow() >= next.Value)
                return;
            await Task.WhenAny(timer, woken(sleep.Token));
        }
        finally
        {
            await sleep.CancelAsync();
        }
    }
}
