using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Provisioning;

/// <summary>
/// Marks instances ready once the provider's cloud reports them created (R1.4: Creating → Normal).
/// Nothing in the process creates a resource: a paid purchase writes `instance.create_requested`
/// (docs/webhooks.md), the cloud hears it as a webhook and calls the provider API back; with the
/// payment sandbox, the sandbox's simulated cloud plays that part.
/// </summary>
public sealed class ProvisioningService(CloudbillDbContext db)
{
    /// <returns>True when the instance was Creating and is now ready; false when it already was.</returns>
    public async Task<bool> Complete(string instanceId, CancellationToken ct) =>
        await db.Instances.Where(i => i.Id == instanceId && i.Provisioning == ProvisioningState.Creating)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Provisioning, ProvisioningState.Ready), ct) == 1;
}
