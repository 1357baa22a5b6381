namespace Cloudbill.Core.Accounts;

/// <summary>
/// An API AccessKey pair. The secret is needed to check HMAC signatures, so it cannot be only
/// hashed: it is encrypted at rest with Data Protection and shown in clear once, when created.
/// </summary>
public sealed class AccessKey
{
    public required string Id { get; set; }
    public long BillingAccountId { get; set; }
    public required string ProtectedSecret { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A newly created pair: the only moment the secret leaves the server in clear.</summary>
public sealed record AccessKeyPair(string AccessKeyId, string AccessKeySecret);
