using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Instances;

/// <summary>
/// R3.3: at most one unpaid order per instance. The only writer of <see cref="Instance.UnpaidOrderId"/>
/// besides a paid renewal (<see cref="Instance.Extend"/>): a conditional update in the database,
/// so two orders placed at once cannot both hold one instance.
/// </summary>
public static class InstanceHolds
{
    /// <summary>Holds the instance for the order; false when another order holds it.</summary>
    public static async Task<bool> Hold(CloudbillDbContext db, string instanceId, long accountId, long orderId, CancellationToken ct) =>
        await db.Instances.Where(i => i.Id == instanceId && i.AccountId == accountId && i.UnpaidOrderId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UnpaidOrderId, orderId), ct) == 1;

    /// <summary>The order holding the instance, if any (to say which one).</summary>
    public static Task<long?> HeldBy(CloudbillDbContext db, string instanceId, CancellationToken ct) =>
        db.Instances.Where(i => i.Id == instanceId).Select(i => i.UnpaidOrderId).FirstOrDefaultAsync(ct);

    /// <summary>The instances an unpaid order held are free again (it was cancelled).</summary>
    public static Task Release(CloudbillDbContext db, long orderId, CancellationToken ct) =>
        db.Instances.Where(i => i.UnpaidOrderId == orderId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UnpaidOrderId, (long?)null), ct);
}
