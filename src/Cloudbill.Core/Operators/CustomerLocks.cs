using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

/// <summary>
/// Staff lock a customer out of the app (a compromised account, a fraud case) and let them back
/// in. A lock is Identity's lockout with no end, so the sign-in refuses it like any lockout, and a
/// new security stamp ends every session at its next request. Each change carries the staff
/// member's reason into the audit row with it, in one transaction.
/// </summary>
public sealed class CustomerLocks(CloudbillDbContext db, UserManager<CloudbillUser> users, AuditLog audit, AuditOrigin origin, TimeProvider clock)
{
    /// <summary>
    /// Identity's "locked until" for a lock by staff: no end in practice (a lockout after failed
    /// sign-ins ends within minutes). Not <see cref="DateTimeOffset.MaxValue"/>: PostgreSQL keeps
    /// microseconds, so that would not read back equal.
    /// </summary>
    public static readonly DateTimeOffset ByStaff = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool IsLockedByStaff(DateTimeOffset? lockoutEnd) => lockoutEnd >= ByStaff;

    public Task<Result<bool>> Lock(long accountId, string reason, CancellationToken ct) => Change(accountId, reason, locked: true, ct);

    public Task<Result<bool>> Unlock(long accountId, string reason, CancellationToken ct) => Change(accountId, reason, locked: false, ct);

    private async Task<Result<bool>> Change(long accountId, string reason, bool locked, CancellationToken ct)
    {
        reason = reason.Trim();
        if (StaffReason.Give(origin, reason) is { } refused)
            return refused;
        if (await db.Users.FirstOrDefaultAsync(u => u.BillingAccountId == accountId, ct) is not { } user)
            return Problem.NotFound("Account.NotFound", "No customer has this account ID.");
        if (IsLockedByStaff(user.LockoutEnd) == locked)
            return Problem.Conflict(locked ? "Customer.AlreadyLocked" : "Customer.NotLocked", locked ? "The customer is already locked." : "The customer is not locked.");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Each step saves the row under its concurrency stamp: a sign-in that changed it meanwhile fails the step, and nothing is recorded.
        IdentityResult[] steps =
        [
            await users.SetLockoutEnabledAsync(user, true),
            await users.SetLockoutEndDateAsync(user, locked ? ByStaff : null),
            locked ? await users.UpdateSecurityStampAsync(user) : await users.ResetAccessFailedCountAsync(user),
        ];
        if (steps.Any(s => !s.Succeeded))
            return Problem.Conflict("Customer.ChangedMeanwhile", "The customer's account changed meanwhile; nothing was done. Reload the page and try again.");
        await audit.Record(locked ? AuditEventKind.CustomerLocked : AuditEventKind.CustomerUnlocked, accountId,
            $"{(locked ? "locked" : "unlocked")} at {clock.GetUtcNow():yyyy-MM-dd HH:mm}Z", ct);
        await transaction.CommitAsync(ct);
        return locked;
    }
}
