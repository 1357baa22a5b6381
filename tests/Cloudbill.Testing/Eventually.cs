namespace Cloudbill.Testing;

/// <summary>
/// Waits on work that runs on its own task or process (a background service, the sandbox's
/// notifications, a server being started). The condition decides; the clock never does: a
/// loaded 2-core machine may take many times longer than an idle one, so the only time bound is
/// <see cref="Bound"/>, a last resort against a hang that no healthy run comes near.
/// </summary>
public static class Eventually
{
    /// <summary>How long a wait may last before it is a hang, not a slow machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; between polls runs <paramref name="nudge"/>
    /// (a fake clock moved on for a background timer that may have been set after the last move).
    /// </summary>
    public static async Task Until(Func<Task<bool>> condition, string what, Action? nudge = null, TimeSpan? pause = null)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Xunit.TestContext.Current.CancellationToken);
        bound.CancelAfter(Bound);
        try
        {
            while (!await condition())
            {
                nudge?.Invoke();
                await Task.Delay(pause ?? TimeSpan.FromMilliseconds(20), bound.Token);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !Xunit.TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Xunit.Assert.Fail($"Still waiting after {Bound.TotalMinutes} minutes: {what}.");
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing (instead of hanging) only past <see cref="Bound"/>.</summary>
    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Bound, Xunit.TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Xunit.Assert.Fail($"Still waiting after {Bound.TotalMinutes} minutes: {what}.");
            throw;
        }
    }
}
