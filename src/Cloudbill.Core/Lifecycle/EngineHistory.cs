using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Lifecycle;

/// <summary>One thing the engine did to an instance, as staff read it: "auto-renewal, due 08:00: failed: InsufficientCredit: …".</summary>
public sealed record EngineHistoryEntry(string InstanceId, EngineActionKind Kind, DateTimeOffset DueAt, DateTimeOffset DoneAt, string Outcome);

/// <summary>A failed auto-renewal as the finance overview lists it: whose, which instance, when, and the engine's outcome ("failed: InsufficientCredit: …").</summary>
public sealed record EngineFailure(long AccountId, string? InstanceId, DateTimeOffset DoneAt, string Outcome)
{
    /// <summary>The reason's code: "InsufficientCredit", "Overdue", "Released"…</summary>
    public string Reason => Outcome.Split(':', 3) is [_, var code, ..] ? code.Trim() : Outcome;
}

/// <summary>The engine's record read back (the engine alone writes it): what it did to a customer's instances and how it went, newest first.</summary>
public sealed class EngineHistory(CloudbillDbContext db)
{
    public async Task<ILookup<string, EngineHistoryEntry>> OfInstances(long accountId, IReadOnlyCollection<string> instanceIds, int limit, CancellationToken ct)
    {
        var rows = await db.EngineActions.AsNoTracking()
            .Where(a => a.AccountId == accountId && a.InstanceId != null && instanceIds.Contains(a.InstanceId))
            .OrderByDescending(a => a.DoneAt).ThenByDescending(a => a.Id).Take(limit)
            .Select(a => new EngineHistoryEntry(a.InstanceId!, a.Kind, a.DueAt, a.DoneAt, a.Outcome))
            .ToListAsync(ct);
        return rows.ToLookup(r => r.InstanceId);
    }

    /// <summary>The auto-renewals that failed in [<paramref name="from"/>, <paramref name="to"/>), oldest first (by the index on kind and time).</summary>
    public async Task<IReadOnlyList<EngineFailure>> FailedAutoRenewals(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        await db.EngineActions.AsNoTracking()
            .Where(a => a.Kind == EngineActionKind.AutoRenewal && a.DoneAt >= from && a.DoneAt < to && a.Outcome.StartsWith("failed"))
            .OrderBy(a => a.DoneAt).ThenBy(a => a.Id)
            .Select(a => new EngineFailure(a.AccountId, a.InstanceId, a.DoneAt, a.Outcome))
            .ToListAsync(ct);
}
