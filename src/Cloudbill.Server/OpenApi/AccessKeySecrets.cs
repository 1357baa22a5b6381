using Microsoft.Extensions.Caching.Memory;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// The decrypted secrets of AccessKeys this node has seen sign a request, so that a request
/// does not pay a database read and a Data Protection decryption before its signature check.
/// A key's secret never changes for its id, so an entry can only be missing or belong to a key
/// that is gone: every request still asks the database, in the statement that writes its nonce,
/// whether the key is enabled (a disabled or deleted key is refused at once on every node), and a
/// signature that does not match the cached secret is checked once more against the stored one.
/// The key's account is kept beside its secret once the database has named it, so that a read can
/// start before that statement answers (docs/decisions/0023); the answer still waits for it.
/// </summary>
public sealed class AccessKeySecrets : IDisposable
{
    /// <summary>Enough for every active key of a large provider; the least recently used go first.</summary>
    private const int MaxKeys = 10_000;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = MaxKeys });

    private sealed record KnownKey(string Secret, long? AccountId);

    public string? Find(string accessKeyId) => cache.Get<KnownKey>(accessKeyId)?.Secret;

    /// <summary>The account the database last named for the key, if this node has seen one.</summary>
    public long? FindAccount(string accessKeyId) => cache.Get<KnownKey>(accessKeyId)?.AccountId;

    /// <summary>Writes of entries; one lock so a secret just replaced is never written back with an account.</summary>
    private readonly Lock writing = new();

    /// <summary>A secret read from the database; the account stays unknown until the nonce statement names it.</summary>
    public void Remember(string accessKeyId, string secret)
    {
        lock (writing)
            Set(accessKeyId, new KnownKey(secret, null));
    }

    public void RememberAccount(string accessKeyId, long accountId)
    {
        lock (writing)
        {
            if (cache.Get<KnownKey>(accessKeyId) is { } known && known.AccountId != accountId)
                Set(accessKeyId, known with { AccountId = accountId });
        }
    }

    private void Set(string accessKeyId, KnownKey known) =>
        cache.Set(accessKeyId, known, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) });

    public void Forget(string accessKeyId)
    {
        lock (writing)
            cache.Remove(accessKeyId);
    }

    public void Dispose() => cache.Dispose();
}
