using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.ProviderApi;

/// <summary>
/// An operator's key for the provider API (docs/decisions/0032): the provider's cloud calls
/// /provider/v1 with it. Never a customer's AccessKey: the two live in different tables and
/// neither is looked up by the other's surface. Only the SHA-256 of the secret is kept.
/// </summary>
public sealed class ProviderKey
{
    public const int IdMaxLength = 40;

    /// <summary>"pk_" and 24 lower-case hex digits; the public half of the key.</summary>
    public required string Id { get; set; }

    public required string Description { get; set; }

    /// <summary>SHA-256 of the secret's UTF-8 text: a stolen database yields no usable key.</summary>
    public required byte[] SecretHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the operator revoked it; a revoked key authenticates nothing.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>The table of <see cref="ProviderKey"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class ProviderKeyConfiguration : IEntityTypeConfiguration<ProviderKey>
{
    public void Configure(EntityTypeBuilder<ProviderKey> e)
    {
        e.Property(k => k.Id).HasMaxLength(ProviderKey.IdMaxLength);
        e.Property(k => k.Description).HasMaxLength(200);
        e.Property(k => k.SecretHash).HasMaxLength(32);
    }
}
