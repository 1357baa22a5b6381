using System.Collections.Concurrent;

namespace Cloudbill.Core.Payments;

/// <summary>One look at the gateway per payment every few seconds per node, whatever the pages ask (a singleton).</summary>
public sealed class GatewayQueryThrottle
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> lastLook = new(StringComparer.Ordinal);

    public bool MayQuery(string outTradeNo, DateTimeOffset now)
    {
        if (lastLook.Count > 10_000)
            lastLook.Clear(); // a bound, not a cache policy: forgetting only allows one extra look
        var previous = lastLook.GetOrAdd(outTradeNo, DateTimeOffset.MinValue);
        return now - previous >= MinimumInterval && lastLook.TryUpdate(outTradeNo, now, previous);
    }
}
