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

    /// <summary>
    /// Whether the window still has a call left, without using it up: a read starts beside the
    /// nonce only then, so calls over the quota cost the database nothing (docs/decisions/0023).
    /// </summary>
    public bool HasRoom(string accessKeyId, string action) =>
        !options.ThrottlingEnabled || limiter.GetStatistics((accessKeyId, action)) is not { CurrentAvailablePermits: 0 };

    public void Dispose() => limiter.Dispose();
}
