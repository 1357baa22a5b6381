using System.Globalization;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

/// <summary>Where an instance stands, as the console's list filters it (by its expiry and release, read now).</summary>
public enum InstanceListState
{
    /// <summary>Not expired (pay-as-you-go instances, which do not expire, included).</summary>
    Live,

    /// <summary>Expiring within the urgent window (R3.1: 15 days).</summary>
    ExpiringSoon,

    /// <summary>Past its expiry, not released yet.</summary>
    Expired,

    Released,
}

/// <summary>The filters of the console's instance list; <see cref="After"/> is the cursor of the page before.</summary>
public sealed record InstanceListFilter(
    InstanceListState? State = null,
    string? ProductCode = null,
    string? RegionId = null,
    RenewalMethod? Method = null,
    ChargeType? ChargeType = null,
    string? After = null,
    int PageSize = InstanceList.DefaultPageSize);

/// <summary>A page of the list, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record InstanceListPage(IReadOnlyList<Instance> Instances, string? Next);

/// <summary>
/// Every customer's instances for staff, newest first, with filters, a page at a time by keyset
/// (the creation time and id of the last row seen, on the index of both): page 1,000 costs what
/// page 1 costs, on a million instances as on the demo (bench/run.sh --console).
/// </summary>
public sealed class InstanceList(CloudbillDbContext db, TimeProvider clock)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    public static readonly TimeSpan UrgentWindow = TimeSpan.FromDays(15);

    public async Task<Result<InstanceListPage>> Page(InstanceListFilter filter, CancellationToken ct)
    {
        if (filter.PageSize is < 1 or > MaxPageSize)
            return Invalid($"A page holds 1 to {MaxPageSize} instances.");
        var query = db.Instances.AsNoTracking();
        if (filter.After is not null)
        {
            if (!TryCursor(filter.After, out var createdAt, out var id))
                return Invalid("The page cursor is not one this list gave; start from the first page.");
            query = query.Where(i => i.CreatedAt < createdAt || (i.CreatedAt == createdAt && string.Compare(i.Id, id) < 0));
        }
        var now = clock.GetUtcNow();
        query = filter.State switch
        {
            InstanceListState.Live => query.Where(i => i.ReleasedAt == null && (i.ExpiresAt == null || i.ExpiresAt > now)),
            InstanceListState.ExpiringSoon => query.Where(i => i.ReleasedAt == null && i.ExpiresAt > now && i.ExpiresAt <= now + UrgentWindow),
            InstanceListState.Expired => query.Where(i => i.ReleasedAt == null && i.ExpiresAt <= now),
            InstanceListState.Released => query.Where(i => i.ReleasedAt != null),
            _ => query,
        };
        if (filter.ProductCode is { } product)
            query = query.Where(i => i.ProductCode == product);
        if (filter.RegionId is { } region)
            query = query.Where(i => i.RegionId == region);
        if (filter.Method is { } method)
            query = query.Where(i => i.RenewalMethod == method && i.ChargeType == ChargeType.Subscription);
        if (filter.ChargeType is { } charge)
            query = query.Where(i => i.ChargeType == charge);

        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(filter.PageSize + 1).ToListAsync(ct);
        var more = rows.Count > filter.PageSize;
        if (more)
            rows.RemoveAt(rows.Count - 1);
        return new InstanceListPage(rows, more ? Cursor(rows[^1]) : null);
    }

    private static string Cursor(Instance last) => $"{last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}.{last.Id}";

    private static bool TryCursor(string text, out DateTimeOffset createdAt, out string id)
    {
        createdAt = default;
        id = "";
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1 || text.Length > 100
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
            return false;
        createdAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        id = text[(dot + 1)..];
        return true;
    }

    private static Problem Invalid(string message) => Problem.Invalid("Instances.InvalidFilter", message);
}
