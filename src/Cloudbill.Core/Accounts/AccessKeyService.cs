using System.Security.Cryptography;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Accounts;

/// <summary>
/// AccessKey pairs: created, listed, disabled, enabled and deleted by their customer, and read
/// back for signature checks. Every customer operation is scoped to the caller's account: a key
/// of another customer is "not found" and nothing changes.
/// </summary>
public sealed class AccessKeyService(CloudbillDbContext db, IDataProtectionProvider protection, Audit.AuditLog audit, TimeProvider clock)
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int MaxIdLength = 64;
    /// <summary>The Data Protection purpose of the secrets (tests read the raw column with it, as an attacker would).</summary>
    internal const string ProtectorPurpose = "Cloudbill.AccessKeys.v1";

    private readonly IDataProtector protector = protection.CreateProtector(ProtectorPurpose);

    /// <summary>A new pair shaped like the provider's: "LTAI" + 20 characters, a 30-character secret.</summary>
    public Task<AccessKeyPair> Create(long billingAccountId, CancellationToken ct) =>
        Add(billingAccountId, NewPair(), null, ct);

    /// <summary>Stores a given pair (the demo customer's documented keys); the secret is encrypted before it is written.</summary>
    public Task<AccessKeyPair> Add(long billingAccountId, AccessKeyPair pair, CancellationToken ct) =>
        Add(billingAccountId, pair, null, ct);

    /// <summary>
    /// The customer's own create: at most <see cref="AccessKey.MaxPerCustomer"/> pairs at once.
    /// The same client token returns the pair it created (a double tap shows the one secret).
    /// </summary>
    public async Task<Result<AccessKeyPair>> CreateForCustomer(long billingAccountId, ClientToken token, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Two creates at once (two phones) must not both pass the count below.
        await db.Acquire(billingAccountId, ct);
        var earlier = await db.AccessKeys.AsNoTracking()
            .FirstOrDefaultAsync(k => k.BillingAccountId == billingAccountId && k.ClientToken == token.Value, ct);
        if (earlier is not null)
            return earlier.DeletedAt is null ? new AccessKeyPair(earlier.Id, protector.Unprotect(earlier.ProtectedSecret)) : AccessKeyErrors.NotFound(earlier.Id);

        var held = await Live(billingAccountId).CountAsync(ct);
        if (held >= AccessKey.MaxPerCustomer)
            return AccessKeyErrors.LimitReached(held);
        var pair = await Add(billingAccountId, NewPair(), token.Value, ct);
        await tx.CommitAsync(ct);
        return pair;
    }

    /// <summary>The caller's pairs, oldest first (the order they were made in), without secrets.</summary>
    public async Task<IReadOnlyList<AccessKeySummary>> List(long billingAccountId, CancellationToken ct) =>
        await Live(billingAccountId).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Select(k => new AccessKeySummary(k.Id, k.CreatedAt, k.Enabled)).ToListAsync(ct);

    /// <summary>One of the caller's pairs, without its secret.</summary>
    public async Task<Result<AccessKeySummary>> Find(long billingAccountId, string? accessKeyId, CancellationToken ct)
    {
        if (CheckId(accessKeyId) is { } invalid)
            return invalid;
        var key = await Live(billingAccountId).Where(k => k.Id == accessKeyId)
            .Select(k => new AccessKeySummary(k.Id, k.CreatedAt, k.Enabled)).FirstOrDefaultAsync(ct);
        return key is null ? AccessKeyErrors.NotFound(accessKeyId!) : key;
    }

    /// <summary>Turns a pair off or on; the API refuses a disabled pair from its next request (nothing caches it). Setting the state it has is a success.</summary>
    public async Task<Result<AccessKeySummary>> SetEnabled(long billingAccountId, string? accessKeyId, bool enabled, CancellationToken ct)
    {
        if (CheckId(accessKeyId) is { } invalid)
            return invalid;
        await using var tx = await db.BeginOrJoinTransaction(ct);
        var changed = await Live(billingAccountId).Where(k => k.Id == accessKeyId && k.Enabled != enabled)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.Enabled, enabled), ct);
        if (changed > 0)
            await audit.Record(enabled ? Audit.AuditEventKind.AccessKeyEnabled : Audit.AuditEventKind.AccessKeyDisabled, billingAccountId, $"AccessKey {accessKeyId}", ct);
        await tx.Commit(ct);
        return changed == 0 && !await Live(billingAccountId).AnyAsync(k => k.Id == accessKeyId, ct) ? AccessKeyErrors.NotFound(accessKeyId!) : await Find(billingAccountId, accessKeyId, ct);
    }

    /// <summary>Deletes one of the caller's pairs for good; deleting it again (a double tap) is a success.</summary>
    public async Task<Result<string>> Delete(long billingAccountId, string? accessKeyId, CancellationToken ct)
    {
        if (CheckId(accessKeyId) is { } invalid)
            return invalid;
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginOrJoinTransaction(ct);
        var deleted = await db.AccessKeys.Where(k => k.BillingAccountId == billingAccountId && k.Id == accessKeyId && k.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.DeletedAt, now).SetProperty(k => k.Enabled, false), ct);
        if (deleted > 0)
            await audit.Record(Audit.AuditEventKind.AccessKeyDeleted, billingAccountId, $"AccessKey {accessKeyId}", ct);
        await tx.Commit(ct);
        var mine = await db.AccessKeys.AnyAsync(k => k.BillingAccountId == billingAccountId && k.Id == accessKeyId, ct);
        return mine ? accessKeyId! : AccessKeyErrors.NotFound(accessKeyId!);
    }

    /// <summary>
    /// Whether an undeleted key (enabled or not: a disabled one can be enabled again) has this
    /// secret; compared in constant time.
    /// </summary>
    public async Task<bool> HasSecret(string accessKeyId, string secret, CancellationToken ct)
    {
        var key = await db.AccessKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == accessKeyId && k.DeletedAt == null, ct);
        return key is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(protector.Unprotect(key.ProtectedSecret)), System.Text.Encoding.UTF8.GetBytes(secret));
    }

    /// <summary>The account and clear secret of an enabled, undeleted key, or null when there is no such key.</summary>
    public async Task<(long BillingAccountId, string Secret)?> Resolve(string accessKeyId, CancellationToken ct)
    {
        var key = await db.AccessKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == accessKeyId && k.Enabled && k.DeletedAt == null, ct);
        return key is null ? null : (key.BillingAccountId, protector.Unprotect(key.ProtectedSecret));
    }

    private async Task<AccessKeyPair> Add(long billingAccountId, AccessKeyPair pair, string? token, CancellationToken ct)
    {
        db.AccessKeys.Add(new AccessKey
        {
            Id = pair.AccessKeyId,
            BillingAccountId = billingAccountId,
            ProtectedSecret = protector.Protect(pair.AccessKeySecret),
            CreatedAt = clock.GetUtcNow(),
            ClientToken = token,
        });
        audit.Add(Audit.AuditEventKind.AccessKeyCreated, billingAccountId, $"AccessKey {pair.AccessKeyId}");
        await db.SaveChangesAsync(ct);
        return pair;
    }

    private static AccessKeyPair NewPair() =>
        new("LTAI" + RandomNumberGenerator.GetString(Alphanumeric, 20), RandomNumberGenerator.GetString(Alphanumeric, 30));

    private static Problem? CheckId(string? id) =>
        string.IsNullOrEmpty(id) || id.Length > MaxIdLength || !id.All(char.IsAsciiLetterOrDigit) ? AccessKeyErrors.InvalidId(id?.Length ?? 0) : null;

    private IQueryable<AccessKey> Live(long billingAccountId) =>
        db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == billingAccountId && k.DeletedAt == null);
}
