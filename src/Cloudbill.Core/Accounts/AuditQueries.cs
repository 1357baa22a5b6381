using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Accounts;

/// <summary>An audit row as the operator reads it: with the account's email (null for nobody's).</summary>
public sealed record AuditRow(DateTimeOffset At, string? AccountEmail, AuditActor Actor, string? ActorId, AuditEventKind Kind, string? SourceAddress, string? RequestId, string Detail, string? Reason = null);

/// <summary>Reads the audit log (with the accounts' emails, so it lives above Audit): all of it for the operator, a customer's own security events for Settings.</summary>
public sealed class AuditQueries(CloudbillDbContext db)
{
    /// <summary>What a customer sees of their own log: sign-ins, the password and their AccessKeys (money has its own pages).</summary>
    public static readonly AuditEventKind[] SecurityKinds =
    [
        AuditEventKind.SignedIn, AuditEventKind.SignInFailed, AuditEventKind.LockedOut, AuditEventKind.PasswordChanged,
        AuditEventKind.AccessKeyCreated, AuditEventKind.AccessKeyDisabled, AuditEventKind.AccessKeyEnabled, AuditEventKind.AccessKeyDeleted,
    ];

    /// <summary>
    /// Rows at or after <paramref name="since"/> (all when null), of the account with that email
    /// (every account's and nobody's when null), oldest first; null when no account has the email.
    /// </summary>
    public async Task<IReadOnlyList<AuditRow>?> List(string? accountEmail, DateTimeOffset? since, CancellationToken ct)
    {
        var rows = db.AuditEvents.AsNoTracking();
        if (accountEmail is not null)
        {
            var accountId = await db.BillingAccounts.Where(a => a.Email == accountEmail.Trim()).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
            if (accountId is null)
                return null;
            rows = rows.Where(r => r.AccountId == accountId);
        }
        if (since is { } from)
            rows = rows.Where(r => r.At >= from);
        var found = await rows
            .OrderBy(r => r.At).ThenBy(r => r.Id)
            .Select(r => new { r.At, Email = db.BillingAccounts.Where(a => a.Id == r.AccountId).Select(a => a.Email).FirstOrDefault(), r.Actor, r.ActorId, r.Kind, r.SourceAddress, r.RequestId, r.Detail, r.Reason })
            .ToListAsync(ct);
        return found.Select(r => new AuditRow(r.At, r.Email, r.Actor, r.ActorId, r.Kind, r.SourceAddress, r.RequestId, r.Detail, r.Reason)).ToList();
    }

    /// <summary>The customer's latest security events, newest first.</summary>
    public async Task<IReadOnlyList<AuditEvent>> SecurityActivity(long accountId, int count, CancellationToken ct) =>
        await db.AuditEvents.AsNoTracking()
            .Where(r => r.AccountId == accountId && SecurityKinds.Contains(r.Kind))
            .OrderByDescending(r => r.At).ThenByDescending(r => r.Id)
            .Take(count)
            .ToListAsync(ct);
}
