using System.Globalization;
using System.Security.Cryptography;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Operators;

/// <summary>A new member of staff: the password and the authenticator key are shown once, by `cloudbill operators add`.</summary>
public sealed record NewStaff(string Email, StaffRole Role, string Password, string AuthenticatorKey, string AuthenticatorUri);

public sealed record StaffSummary(string Email, StaffRole Role, DateTimeOffset CreatedAt, DateTimeOffset? LockedUntil);

public enum StaffSignInOutcome
{
    SignedIn,
    /// <summary>The email, the password or the code is wrong; which one is not told.</summary>
    Refused,
    LockedOut,
}

public sealed record StaffSignIn(StaffSignInOutcome Outcome, StaffUser? User);

/// <summary>
/// Staff accounts of the operator console (docs/decisions/0038): created on the server by an
/// operator, signed in with a password and a time-based code from an authenticator app, both
/// checked before either is reported wrong, with the customers' lockout rules.
/// </summary>
public sealed class StaffAccounts(CloudbillDbContext db, UserManager<StaffUser> users, AuditLog audit, TimeProvider clock)
{
    public const string Issuer = "Cloudbill";

    /// <summary>No look-alike characters (0/O, 1/l/I): the password is read off a terminal and typed.</summary>
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

    public async Task<Result<NewStaff>> Add(string email, StaffRole role, string? password, CancellationToken ct)
    {
        email = email.Trim();
        if (!IsEmail(email))
            return Problem.Invalid("Staff.InvalidEmail", $"'{email}' is not an email address.");
        if (await users.FindByEmailAsync(email) is not null)
            return Problem.Conflict("Staff.Exists", $"A staff account with the email {email} already exists.");
        password ??= NewPassword();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = new StaffUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Role = role,
            CreatedAt = clock.GetUtcNow(),
            // Every staff sign-in asks for the authenticator's code; there is no way to turn it off.
            TwoFactorEnabled = true,
            LockoutEnabled = true,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return Problem.Invalid("Staff.Invalid", string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.ResetAuthenticatorKeyAsync(user);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        await audit.Record(AuditEventKind.StaffAdded, null, $"staff {email} added as {role}", ct);
        await transaction.CommitAsync(ct);
        return new NewStaff(email, role, password, key, AuthenticatorUri(email, key));
    }

    /// <summary>A new authenticator key for a member of staff who lost their phone; the old key's codes stop working and every session ends.</summary>
    public async Task<Result<NewStaff>> ResetAuthenticator(string email, CancellationToken ct)
    {
        if (await users.FindByEmailAsync(email.Trim()) is not { } user)
            return Problem.NotFound("Staff.NotFound", $"No staff account has the email {email.Trim()}.");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await users.ResetAuthenticatorKeyAsync(user);
        await users.UpdateSecurityStampAsync(user);
        var key = (await users.GetAuthenticatorKeyAsync(user))!;
        await audit.Record(AuditEventKind.StaffAuthenticatorReset, null, $"staff {user.Email}: new authenticator key", ct);
        await transaction.CommitAsync(ct);
        return new NewStaff(user.Email!, user.Role, "", key, AuthenticatorUri(user.Email!, key));
    }

    public async Task<IReadOnlyList<StaffSummary>> List(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await db.Set<StaffUser>().AsNoTracking().OrderBy(u => u.Email)
            .Select(u => new { u.Email, u.Role, u.CreatedAt, u.LockoutEnd }).ToListAsync(ct);
        return rows.Select(r => new StaffSummary(r.Email!, r.Role, r.CreatedAt, r.LockoutEnd > now ? r.LockoutEnd : null)).ToList();
    }

    /// <summary>
    /// Checks the password and the code together and answers "refused" for either, so a guess
    /// learns nothing about which was right; each refusal counts toward the lockout. An unknown
    /// email costs the same password hash as a known one, and "locked" is said only to whoever
    /// gives the right password and code, so neither the timing nor the answer tells which emails
    /// are staff. A code signs in once: the same code again within its window is refused.
    /// </summary>
    public async Task<StaffSignIn> SignIn(string email, string password, string code, CancellationToken ct)
    {
        email = email.Trim();
        code = DigitsOf(code);
        if (await users.FindByEmailAsync(email) is not { } user)
        {
            users.PasswordHasher.VerifyHashedPassword(new StaffUser(), UnknownEmailHash.Value, password);
            await audit.Record(AuditEventKind.StaffSignInFailed, null, "no staff account has this email", ct);
            return new StaffSignIn(StaffSignInOutcome.Refused, null);
        }
        var lockedBefore = await users.IsLockedOutAsync(user);
        var passwordRight = await users.CheckPasswordAsync(user, password);
        var usedCodes = await UsedCodes(user);
        var codeRight = passwordRight
            && await users.VerifyTwoFactorTokenAsync(user, TokenOptions.DefaultAuthenticatorProvider, code)
            && !usedCodes.Any(u => u.Code == code);
        if (lockedBefore)
            return new StaffSignIn(codeRight ? StaffSignInOutcome.LockedOut : StaffSignInOutcome.Refused, null);
        if (!codeRight)
        {
            await users.AccessFailedAsync(user);
            if (await users.IsLockedOutAsync(user))
                await audit.Record(AuditEventKind.StaffLockedOut, null, $"staff {user.Email} locked until {user.LockoutEnd:yyyy-MM-dd HH:mm}Z after failed sign-ins", ct);
            else
                await audit.Record(AuditEventKind.StaffSignInFailed, null, $"staff {user.Email}: {(passwordRight ? "wrong or reused code" : "wrong password")}", ct);
            return new StaffSignIn(StaffSignInOutcome.Refused, null);
        }
        await users.ResetAccessFailedCountAsync(user);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        await users.SetAuthenticationTokenAsync(user, Issuer, UsedCodesToken,
            string.Join(';', usedCodes.Append((Code: code, At: now)).TakeLast(MaxUsedCodes).Select(u => $"{u.Code}@{u.At}")));
        audit.Origin.ActAs(AuditActor.Staff, user.Email);
        await audit.Record(AuditEventKind.StaffSignedIn, null, $"staff {user.Email} signed in with the password and an authenticator code", ct);
        return new StaffSignIn(StaffSignInOutcome.SignedIn, user);
    }

    private const string UsedCodesToken = "UsedCodes";

    /// <summary>More sign-ins than this within the window are more than a person makes; the oldest is forgotten.</summary>
    private const int MaxUsedCodes = 10;

    /// <summary>Identity accepts a code for about two and a half minutes either side of its step; five minutes covers that window.</summary>
    private static readonly TimeSpan CodeWindow = TimeSpan.FromMinutes(5);

    /// <summary>A hash to check an unknown email's password against: the same work as a known one.</summary>
    private static readonly Lazy<string> UnknownEmailHash = new(() => new PasswordHasher<StaffUser>().HashPassword(new StaffUser(), NewPassword()));

    /// <summary>The codes that signed this member of staff in within the window: none of them signs in again.</summary>
    private async Task<List<(string Code, long At)>> UsedCodes(StaffUser user)
    {
        var since = (clock.GetUtcNow() - CodeWindow).ToUnixTimeSeconds();
        var stored = await users.GetAuthenticationTokenAsync(user, Issuer, UsedCodesToken) ?? "";
        return stored.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('@'))
            .Where(parts => parts.Length == 2 && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out _))
            .Select(parts => (Code: parts[0], At: long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)))
            .Where(u => u.At >= since)
            .ToList();
    }

    /// <summary>Ends every session of the member of staff (a copied cookie too): the console checks the stamp on each request.</summary>
    public async Task SignOut(string userId, CancellationToken ct)
    {
        if (await users.FindByIdAsync(userId) is not { } user)
            return;
        await users.UpdateSecurityStampAsync(user);
        await audit.Record(AuditEventKind.StaffSignedOut, null, $"staff {user.Email} signed out", ct);
    }

    /// <summary>Authenticator apps show "123 456"; the space is not part of the code.</summary>
    private static string DigitsOf(string code) => new(code.Where(c => c is not (' ' or '-')).ToArray());

    public static string AuthenticatorUri(string email, string key) =>
        string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(email)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6");

    private static string NewPassword()
    {
        while (true)
        {
            var candidate = RandomNumberGenerator.GetString(PasswordAlphabet, 20);
            if (candidate.Any(char.IsDigit) && candidate.Any(char.IsUpper) && candidate.Any(char.IsLower))
                return candidate;
        }
    }

    private static bool IsEmail(string email) =>
        email.Length is > 2 and <= 256 && email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < email.Length - 1 && !email.Any(char.IsWhiteSpace);
}
