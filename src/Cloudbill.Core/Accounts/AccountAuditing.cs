using Cloudbill.Core.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Accounts;

/// <summary>The audit rows of sign-ins and API signatures (docs/decisions/0027): here, because Audit sits below Accounts.</summary>
public static class AccountAuditing
{
    /// <summary>
    /// A sign-in attempt: a success, a failure (with whether the email has an account; never what
    /// was typed), and the lockout once when it begins. Attempts refused while locked are not
    /// written again: the lockout row stands for them.
    /// </summary>
    public static async Task SignIn(this AuditLog audit, string email, SignInResult result, CancellationToken ct)
    {
        var normalized = email.Trim().ToUpperInvariant();
        var accountId = await audit.Db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => (long?)u.BillingAccountId).FirstOrDefaultAsync(ct);
        if (result.Succeeded)
        {
            audit.Origin.ActAs(AuditActor.Customer, accountId?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await audit.Record(AuditEventKind.SignedIn, accountId, "signed in with the password", ct);
            return;
        }
        if (result.IsLockedOut)
        {
            var lockout = audit.Identity.Lockout;
            var since = audit.Clock.GetUtcNow() - lockout.DefaultLockoutTimeSpan;
            if (!await audit.Db.AuditEvents.AnyAsync(a => a.AccountId == accountId && a.Kind == AuditEventKind.LockedOut && a.At > since, ct))
                await audit.Record(AuditEventKind.LockedOut, accountId, $"locked for {lockout.DefaultLockoutTimeSpan.TotalMinutes:0} minutes after {lockout.MaxFailedAccessAttempts} failed sign-ins", ct);
            return;
        }
        await audit.Record(AuditEventKind.SignInFailed, accountId, accountId is null ? "no account has this email" : "wrong password", ct);
    }

    /// <summary>A refused API signature: counted, and written when <see cref="RepeatedFailures"/> says so, with the key's account when the key exists.</summary>
    public static async Task SignatureRejected(this AuditLog audit, string? accessKeyId, string code, CancellationToken ct)
    {
        accessKeyId = AuditOrigin.Clip(accessKeyId, AuditEvent.ActorIdMaxLength);
        if (audit.Failures.Count(audit.Origin.SourceAddress, "signature:" + code, accessKeyId) is not { } counts)
            return;
        var accountId = accessKeyId is null ? null
            : await audit.Db.AccessKeys.Where(k => k.Id == accessKeyId).Select(k => (long?)k.BillingAccountId).FirstOrDefaultAsync(ct);
        var key = accessKeyId is null ? "no AccessKey" : accountId is null ? $"unknown AccessKey {accessKeyId}" : $"AccessKey {accessKeyId}";
        await audit.Record(AuditEventKind.SignatureRejected, accountId,
            $"{code}, {key}; failure {counts.OfThisKind} of this kind and {counts.FromAddress} from this address within {RepeatedFailures.Window.TotalMinutes:0} minutes", ct);
    }
}
