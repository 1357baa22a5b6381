using System.Security.Cryptography;
using System.Text;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.ProviderApi;

/// <summary>A new provider key: the secret is shown once, here, and never stored.</summary>
public sealed record NewProviderKey(string Id, string Secret, string Description)
{
    /// <summary>What the provider sends: <c>Authorization: Bearer {Token}</c>.</summary>
    public string Token => $"{Id}.{Secret}";
}

/// <summary>Adds, lists, revokes and checks the operator's provider keys (docs/decisions/0032).</summary>
public sealed class ProviderKeyService(CloudbillDbContext db, AuditLog audit, TimeProvider clock)
{
    public const string IdPrefix = "pk_";
    public const string SecretPrefix = "pks_";

    public async Task<Result<NewProviderKey>> Add(string description, CancellationToken ct)
    {
        description = description.Trim();
        if (description.Length is < 1 or > 200)
            return ProviderErrors.KeyDescription(description.Length);
        var id = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        db.ProviderKeys.Add(new ProviderKey { Id = id, Description = description, SecretHash = Hash(secret), CreatedAt = clock.GetUtcNow() });
        audit.Add(AuditEventKind.ProviderKeyCreated, null, $"provider key {id} ({description})");
        await db.SaveChangesAsync(ct);
        return new NewProviderKey(id, secret, description);
    }

    public Task<List<ProviderKey>> List(CancellationToken ct) =>
        db.ProviderKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ThenBy(k => k.Id).ToListAsync(ct);

    /// <summary>Revokes a key at once; revoking a revoked key changes nothing.</summary>
    public async Task<Result<ProviderKey>> Revoke(string id, CancellationToken ct)
    {
        var key = await db.ProviderKeys.FirstOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
            return ProviderErrors.KeyNotFound(id);
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetUtcNow();
            audit.Add(AuditEventKind.ProviderKeyRevoked, null, $"provider key {id}");
            await db.SaveChangesAsync(ct);
        }
        return key;
    }

    /// <summary>
    /// The key id a bearer token <c>pk_….pks_…</c> proves, or null: unknown, revoked or a wrong
    /// secret all answer the same, and the hashes are compared in constant time.
    /// </summary>
    public async Task<string?> Authenticate(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
            return null;
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !token.StartsWith(IdPrefix, StringComparison.Ordinal))
            return null;
        var (id, secret) = (token[..dot], token[(dot + 1)..]);
        var key = await db.ProviderKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, ct);
        var presented = Hash(secret);
        // Compare even when the key is unknown, so the answer takes as long either way.
        var matches = CryptographicOperations.FixedTimeEquals(presented, key?.SecretHash ?? new byte[presented.Length]);
        return key is { RevokedAt: null } && matches ? key.Id : null;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
