using System.Threading.RateLimiting;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// Alibaba's flow control: a fixed window of calls per AccessKey and action (quotas in
/// <see cref="BssApiOptions.Quotas"/>). Counted on each node (docs/decisions/0014).
/// </summary>
public sealed class BssThrottle(BssApiOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<(string AccessKeyId, string Action)> limiter =
        PartitionedRateLimiter.Create<(string AccessKeyId, string Action), (string, string)>(key =>
        {
            var quota = options.QuotaFor(key.Action);
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = quota.Requests,
                Window = TimeSpan.FromSeconds(quota.PeriodSeconds),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

    /// <summary>True when the call may go ahead.</summary>
    public bool TryAcquire(string accessKeyId, string action)
    {
        if (!options.ThrottlingEnabled)
            return true;
        using var lease = limiter.AttemptAcquire((accessKeyId, action));
        return lease.IsAcquired;
    }

    public void Dispose() => limiter.Dispose();
}
