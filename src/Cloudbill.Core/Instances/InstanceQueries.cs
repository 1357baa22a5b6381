using Cloudbill.Core.Catalog;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Instances;

public sealed record InstanceSummary(
    string Id,
    string Name,
    string ProductCode,
    string ProductName,
    string SpecName,
    string RegionId,
    string RegionName,
    ChargeType ChargeType,
    InstanceState State,
    DateTimeOffset? ExpiresAt,
    RenewalMethod RenewalMethod,
    int? AutoRenewPeriodMonths,
    DateTimeOffset CreatedAt);

/// <summary>A page of My Instances and how many there are in all.</summary>
public sealed record InstancePage(IReadOnlyList<InstanceSummary> Items, int Total);

/// <summary>Read side of instances, always scoped to the caller's account.</summary>
public sealed class InstanceQueries(CloudbillDbContext db, ProductCatalog catalog, TimeProvider clock)
{
    /// <summary>The account's instances that still exist, soonest expiry first, pay-as-you-go last.</summary>
    public async Task<IReadOnlyList<InstanceSummary>> ForAccount(long accountId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Instances.AsNoTracking()
            .Where(i => i.AccountId == accountId && i.ReleasedAt == null)
            .ToListAsync(ct);
        return rows.Select(i => Summarize(i, now))
            .Where(s => s.State.Status != InstanceStatus.Released)
            .OrderBy(s => s.ExpiresAt is null)
            .ThenBy(s => s.ExpiresAt)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The regions of the caller's instances among <paramref name="instanceIds"/> (My Instances is by region); others' are left out.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RegionsOf(long accountId, IReadOnlyCollection<string> instanceIds, CancellationToken ct) =>
        instanceIds.Count == 0
            ? new Dictionary<string, string>()
            : await db.Instances.AsNoTracking().Where(i => i.AccountId == accountId && instanceIds.Contains(i.Id))
                .ToDictionaryAsync(i => i.Id, i => i.RegionId, ct);

    /// <summary>My Instances: the regions where the account has instances, with counts, in the catalog's region order.</summary>
    public async Task<IReadOnlyList<(Region Region, int Count)>> Regions(long accountId, CancellationToken ct)
    {
        var counts = await db.Instances.AsNoTracking()
            .Where(i => i.AccountId == accountId && i.ReleasedAt == null)
            .GroupBy(i => i.RegionId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        return catalog.Regions.Where(r => counts.ContainsKey(r.Id)).Select(r => (r, counts[r.Id])).ToList();
    }

    /// <summary>My Instances in one region, newest first.</summary>
    public async Task<IReadOnlyList<InstanceSummary>> InRegion(long accountId, string regionId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Instances.AsNoTracking()
            .Where(i => i.AccountId == accountId && i.RegionId == regionId && i.ReleasedAt == null)
            .OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id)
            .ToListAsync(ct);
        return rows.Select(i => Summarize(i, now)).Where(s => s.State.Status != InstanceStatus.Released).ToList();
    }

    /// <summary>My Instances in one region, one page at a time (newest first), with the region's total.</summary>
    public async Task<InstancePage> InRegion(long accountId, string regionId, int page, int pageSize, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var query = db.Instances.AsNoTracking().Where(i => i.AccountId == accountId && i.RegionId == regionId && i.ReleasedAt == null);
        var total = await query.CountAsync(ct);
        var skip = (long)(Math.Max(page, 1) - 1) * pageSize;
        var rows = skip >= total ? []
            : await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).Skip((int)skip).Take(pageSize).ToListAsync(ct);
        return new InstancePage(rows.Select(i => Summarize(i, now)).ToList(), total);
    }

    /// <summary>One instance of the account, or null: never another account's.</summary>
    public async Task<InstanceSummary?> Find(long accountId, string instanceId, CancellationToken ct)
    {
        var row = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.AccountId == accountId && i.Id == instanceId, ct);
        return row is null ? null : Summarize(row, clock.GetUtcNow());
    }

    private InstanceSummary Summarize(Instance i, DateTimeOffset now)
    {
        var product = catalog.GetProduct(i.ProductCode);
        return new InstanceSummary(
            i.Id,
            i.Name,
            product.Code,
            product.Name,
            product.FindSpec(i.SpecCode)?.Name ?? i.SpecCode,
            i.RegionId,
            catalog.RegionName(i.RegionId),
            i.ChargeType,
            InstanceLifecycle.StateAt(i, product.Lifecycle, now),
            i.ExpiresAt,
            i.RenewalMethod,
            i.AutoRenewPeriodMonths,
            i.CreatedAt);
    }
}
