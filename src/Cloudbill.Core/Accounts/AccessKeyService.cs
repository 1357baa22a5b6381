using System.Security.Cryptography;
using Cloudbill.Core.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Accounts;

/// <summary>Creates AccessKey pairs and reads their secrets back for signature checks.</summary>
public sealed class AccessKeyService(CloudbillDbContext db, IDataProtectionProvider protection, TimeProvider clock)
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly IDataProtector protector = protection.CreateProtector("Cloudbill.AccessKeys.v1");

    /// <summary>A new pair shaped like the provider's: "LTAI" + 20 characters, a 30-character secret.</summary>
    public Task<AccessKeyPair> Create(long billingAccountId, CancellationToken ct) =>
        Add(billingAccountId, new AccessKeyPair("LTAI" + RandomNumberGenerator.GetString(Alphanumeric, 20), RandomNumberGenerator.GetString(Alphanumeric, 30)), ct);

    /// <summary>Stores a given pair (the demo customer's documented keys); the secret is encrypted before it is written.</summary>
    public async Task<AccessKeyPair> Add(long billingAccountId, AccessKeyPair pair, CancellationToken ct)
    {
        db.AccessKeys.Add(new AccessKey
        {
            Id = pair.AccessKeyId,
            BillingAccountId = billingAccountId,
            ProtectedSecret = protector.Protect(pair.AccessKeySecret),
            CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        return pair;
    }

    /// <summary>The account and clear secret of an enabled key, or null when there is no such key.</summary>
    public async Task<(long BillingAccountId, string Secret)?> Resolve(string accessKeyId, CancellationToken ct)
    {
        var key = await db.AccessKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == accessKeyId && k.Enabled, ct);
        return key is null ? null : (key.BillingAccountId, protector.Unprotect(key.ProtectedSecret));
    }
}
