using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.OpenApi;

/// <summary>Deletes nonces that a replay could no longer get past the timestamp check with, on every node.</summary>
public sealed class SignatureNonceCleanup(IServiceScopeFactory scopes, BssApiOptions options, TimeProvider clock, ILogger<SignatureNonceCleanup> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Core.Time.PeriodicLoop.Run(TimeSpan.FromSeconds(options.NonceCleanupSeconds), clock, DeleteExpired,
            e => logger.LogWarning(e, "Deleting old signature nonces failed; it is retried in {Seconds} s", options.NonceCleanupSeconds), stoppingToken);

    /// <summary>
    /// A request signed at t passes until t + skew and can only have been first seen after
    /// t − skew, so a nonce seen more than twice the skew ago cannot come back.
    /// </summary>
    public async Task<int> DeleteExpired(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromMinutes(2 * options.MaxClockSkewMinutes);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        return await db.SignatureNonces.Where(n => n.SeenAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
