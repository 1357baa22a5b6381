using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Provisioning;

/// <summary>
/// Creates the resources of a paid order at the provider. Called after the payment commits; the
/// instances stay `Creating` until <see cref="ProvisioningService.Complete"/> marks them ready.
/// A real provider replaces the simulated implementation with its own.
/// </summary>
public interface IInstanceProvisioner
{
    void Provision(IReadOnlyList<string> instanceIds);
}

/// <summary>Marks instances ready once the provider reports them created (R1.4: Creating → Normal).</summary>
public sealed class ProvisioningService(CloudbillDbContext db)
{
    /// <returns>True when the instance was Creating and is now ready; false when it already was.</returns>
    public async Task<bool> Complete(string instanceId, CancellationToken ct) =>
        await db.Instances.Where(i => i.Id == instanceId && i.Provisioning == ProvisioningState.Creating)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Provisioning, ProvisioningState.Ready), ct) == 1;

    public Task<List<string>> StillCreating(DateTimeOffset createdBefore, CancellationToken ct) =>
        db.Instances.Where(i => i.Provisioning == ProvisioningState.Creating && i.CreatedAt <= createdBefore)
            .OrderBy(i => i.CreatedAt).Select(i => i.Id).Take(500).ToListAsync(ct);
}

/// <summary>
/// The bundled provider: "creates" each instance a few seconds after payment (on the injected
/// clock), and on every pass also finishes instances left Creating by a restart.
/// </summary>
public sealed class SimulatedProvisioner(IServiceScopeFactory scopes, ProvisioningOptions options, TimeProvider clock, ILogger<SimulatedProvisioner> logger)
    : BackgroundService, IInstanceProvisioner
{
    private readonly System.Threading.Channels.Channel<string> requested = System.Threading.Channels.Channel.CreateUnbounded<string>();

    private TimeSpan Delay => TimeSpan.FromSeconds(options.SimulatedDelaySeconds);

    public void Provision(IReadOnlyList<string> instanceIds)
    {
        foreach (var id in instanceIds)
            requested.Writer.TryWrite(id);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await CompleteLeftovers(stoppingToken);
            await foreach (var id in requested.Reader.ReadAllAsync(stoppingToken))
            {
                _ = CompleteLater(id, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CompleteLater(string instanceId, CancellationToken ct)
    {
        try
        {
            await Task.Delay(Delay, clock, ct);
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<ProvisioningService>().Complete(instanceId, ct))
                logger.LogInformation("Instance {InstanceId} created", instanceId);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Provisioning instance {InstanceId} failed; it is retried at the next start", instanceId);
        }
    }

    private async Task CompleteLeftovers(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var service = scope.ServiceProvider.GetRequiredService<ProvisioningService>();
        foreach (var id in await service.StillCreating(clock.GetUtcNow(), ct))
            Provision([id]);
    }
}
