using System.Threading.RateLimiting;
using Cloudbill.Server.Hosting;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// Counts API requests that named an unknown AccessKey or carried a wrong signature, per key id
/// and per source address. Each costs a database read and a decryption; past
/// Cloudbill:RateLimits:ApiSignatureFailures in a window, the key id or address is refused before
/// either (docs/decisions/0025). A request signed with the secret this node already holds is
/// never refused here, so failures sent under someone else's key id do not lock its owner out.
/// </summary>
public sealed class BssSignatureFailures(RateLimitOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.ApiSignatureFailures.Requests,
            Window = options.ApiSignatureFailures.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>True when the key id or the address has used up its failures in the current window.</summary>
    public bool IsRefused(string accessKeyId, string? sourceAddress) =>
        Exhausted("key:" + accessKeyId) || (sourceAddress is not null && Exhausted("address:" + sourceAddress));

    public void Failed(string accessKeyId, string? sourceAddress)
    {
        failures.AttemptAcquire("key:" + accessKeyId).Dispose();
        if (sourceAddress is not null)
            failures.AttemptAcquire("address:" + sourceAddress).Dispose();
    }

    private bool Exhausted(string key) => failures.GetStatistics(key) is { CurrentAvailablePermits: <= 0 };

    public void Dispose() => failures.Dispose();
}
