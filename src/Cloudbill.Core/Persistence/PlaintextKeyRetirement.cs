using System.Xml.Linq;
using Cloudbill.Core.Accounts;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// Keys written before the key ring was encrypted at rest (older databases, docs/decisions/0004)
/// hold their secret in clear in the database. On the first start with the certificate they are
/// retired: a new, encrypted key becomes the default now, every AccessKey secret is protected again
/// with it, and the clear keys are revoked, so a copy of the database opens nothing and forges no
/// cookie with them. The cost is one sign-in for every signed-in user.
/// </summary>
public static class PlaintextKeyRetirement
{
    /// <returns>How many clear keys were revoked now (0 when none was left).</returns>
    public static async Task<int> Run(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var keyManager = scope.ServiceProvider.GetRequiredService<IKeyManager>();
        var rings = scope.ServiceProvider.GetRequiredService<IKeyRingProvider>();
        var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();

        var stored = await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(ct);
        var clear = stored.OfType<string>().Select(XElement.Parse)
            .Where(e => e.Name.LocalName == "key" && e.Descendants().Any(d => d.Name.LocalName == "masterKey"))
            .Select(e => (Guid)e.Attribute("id")!)
            .ToHashSet();
        if (clear.Count == 0)
            return 0;

        // Revoked first: a key made moments ago becomes the default only when no older one is usable
        // (Data Protection lets a new key reach every node first). The new key is written encrypted.
        var live = clear.Except(keyManager.GetAllKeys().Where(k => k.IsRevoked).Select(k => k.KeyId)).ToList();
        if (live.Count > 0)
        {
            var now = clock.GetUtcNow();
            keyManager.CreateNewKey(now, now.AddDays(90));
            foreach (var id in live)
                keyManager.RevokeKey(id, "Stored in clear before the key ring was encrypted at rest (docs/decisions/0004).");
        }
        // This process's ring reloads in the background: wait for it, so nothing is protected again
        // with a clear key, and cookies of the clear keys are refused before the server serves.
        await Until(rings, ring => !clear.Contains(ring.DefaultKeyId) && clear.All(id => Revoked(ring, id)), ct);

        // Every secret still under a clear key, protected again under the default one. Also after a
        // crash half-way: the clear keys are revoked, but they still open what they protected here.
        var protector = (IPersistedDataProtector)scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>().CreateProtector(AccessKeyService.ProtectorPurpose);
        foreach (var key in await db.AccessKeys.ToListAsync(ct))
        {
            if (!clear.Contains(KeyIdOf(key.ProtectedSecret)))
                continue;
            var secret = protector.DangerousUnprotect(WebEncoders.Base64UrlDecode(key.ProtectedSecret), ignoreRevocationErrors: true, out _, out _);
            key.ProtectedSecret = WebEncoders.Base64UrlEncode(protector.Protect(secret));
        }
        await db.SaveChangesAsync(ct);
        return live.Count;
    }

    /// <summary>A protected payload starts with a 4-byte magic header, then the id of the key that protected it.</summary>
    private static Guid KeyIdOf(string protectedText)
    {
        var payload = WebEncoders.Base64UrlDecode(protectedText);
        return payload.Length >= 20 ? new Guid(payload.AsSpan(4, 16)) : Guid.Empty;
    }

    private static bool Revoked(IKeyRing ring, Guid id)
    {
        ring.GetAuthenticatedEncryptorByKeyId(id, out var revoked);
        return revoked;
    }

    /// <summary>Polls the ring this process uses (a reload takes a moment) for up to 30 seconds.</summary>
    private static async Task Until(IKeyRingProvider rings, Func<IKeyRing, bool> ready, CancellationToken ct)
    {
        for (var attempt = 0; !ready(rings.GetCurrentKeyRing()); attempt++)
        {
            if (attempt == 600)
                throw new InvalidOperationException("The Data Protection key ring did not reload within 30 seconds after retiring its clear keys.");
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }
}
