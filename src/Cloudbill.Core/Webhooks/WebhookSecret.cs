using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Webhooks;

/// <summary>
/// A signing secret of an endpoint: "whsec_" and the base64 of 32 random bytes, as Standard
/// Webhooks spells it. During a rotation two are valid: the old one keeps signing beside the new
/// one until <see cref="ExpiresAt"/>, so a receiver can switch without losing a delivery.
/// </summary>
public sealed class WebhookSecret
{
    public const string Prefix = "whsec_";

    public long Id { get; set; }
    public long EndpointId { get; set; }

    /// <summary>
    /// The secret itself: the receiver needs it in the clear to verify, so it is stored as it is
    /// shown once; a copy of the database can sign as Cloudbill (docs/webhooks.md says so).
    /// </summary>
    public required string Secret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the secret stops signing; null while it is the current one.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public bool SignsAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}

internal sealed class WebhookSecretConfiguration : IEntityTypeConfiguration<WebhookSecret>
{
    public void Configure(EntityTypeBuilder<WebhookSecret> e)
    {
        e.Property(x => x.Secret).HasMaxLength(100);
        e.HasIndex(x => x.EndpointId);
    }
}
