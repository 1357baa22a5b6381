namespace Cloudbill.Core.Accounts;

/// <summary>
/// An API AccessKey pair. The secret is needed to check HMAC signatures, so it cannot be only
/// hashed: it is encrypted at rest with Data Protection and shown in clear once, when created.
/// </summary>
public sealed class AccessKey
{
    /// <summary>As Alibaba Cloud allows: a customer holds at most this many pairs at once.</summary>
    public const int MaxPerCustomer = 2;

    public required string Id { get; set; }
    public long BillingAccountId { get; set; }
    public required string ProtectedSecret { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The app's create form sends one per page view: a double tap returns the pair it created
    /// (its secret again, to the same form), never a second pair. Null for keys made elsewhere.
    /// </summary>
    public string? ClientToken { get; set; }

    /// <summary>
    /// When the customer deleted it. The row stays, so a repeated delete of one's own key is a
    /// success (not "not found") and the id is never handed out again; the API refuses it.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }
}

/// <summary>A newly created pair: the only moment the secret leaves the server in clear.</summary>
public sealed record AccessKeyPair(string AccessKeyId, string AccessKeySecret);

/// <summary>What the AccessKeys page lists: never the secret.</summary>
public sealed record AccessKeySummary(string Id, DateTimeOffset CreatedAt, bool Enabled);
