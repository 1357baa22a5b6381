using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Cloudbill.Server.OpenApi;

/// <summary>A quota's partition: one AccessKey's calls to one action.</summary>
public readonly record struct BssQuotaKey(string AccessKeyId, string Action);

/// <summary>
/// Alibaba's flow control as a policy of ASP.NET Core's rate limiter: a fixed window of calls per
/// AccessKey and action (quotas in <see cref="BssApiOptions.Quotas"/>), counted on each node
/// (docs/decisions/0014). It runs after the authentication step, so only a signed call with a new
/// nonce uses up the quota; one over it is answered Throttling.User (HTTP 400, as Alibaba does).
/// </summary>
public sealed class BssQuotaPolicy(BssApiOptions options) : IRateLimiterPolicy<BssQuotaKey>, IDisposable
{
    public const string Name = "bss-quota";

    /// <summary>The windows, kept here rather than in the middleware, so <see cref="HasRoom"/> can look at them.</summary>
    private readonly PartitionedRateLimiter<BssQuotaKey> windows = PartitionedRateLimiter.Create<BssQuotaKey, BssQuotaKey>(key =>
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

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, _) =>
    {
        var http = context.HttpContext;
        await BssAnswers.Error(http, BssErrors.Throttled(http.Features.Get<BssRequestFeature>()!.Call!.Action));
    };

    public RateLimitPartition<BssQuotaKey> GetPartition(HttpContext httpContext)
    {
        if (!options.ThrottlingEnabled || httpContext.Features.Get<BssRequestFeature>()?.Call is not { } call)
            return RateLimitPartition.GetNoLimiter(default(BssQuotaKey));
        var key = new BssQuotaKey(call.Caller.AccessKeyId, call.Action);
        return RateLimitPartition.Get(key, k => new Window(this, k));
    }

    /// <summary>
    /// Whether the window still has a call left, without using it up: a read starts beside the
    /// nonce only then, so calls over the quota cost the database nothing (docs/decisions/0023).
    /// </summary>
    public bool HasRoom(string accessKeyId, string action) =>
        !options.ThrottlingEnabled || windows.GetStatistics(new BssQuotaKey(accessKeyId, action)) is not { CurrentAvailablePermits: 0 };

    private int Limit(string action) => options.QuotaFor(action).Requests;

    public void Dispose() => windows.Dispose();

    /// <summary>The middleware's view of one key's window: it acquires from the shared windows and owns nothing.</summary>
    private sealed class Window(BssQuotaPolicy policy, BssQuotaKey key) : RateLimiter
    {
        /// <summary>Idle (so the middleware may drop this view) when the window has not been used.</summary>
        public override TimeSpan? IdleDuration =>
            policy.windows.GetStatistics(key) is { } statistics && statistics.CurrentAvailablePermits == policy.Limit(key.Action)
                ? TimeSpan.MaxValue
                : null;

        public override RateLimiterStatistics? GetStatistics() => policy.windows.GetStatistics(key);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => policy.windows.AttemptAcquire(key, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            policy.windows.AcquireAsync(key, permitCount, cancellationToken);
    }
}
