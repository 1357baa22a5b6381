using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Accounts;

/// <summary>
/// A signature nonce an API caller has used, kept while a replay of its request could still pass
/// the timestamp check. The key (AccessKey, nonce) is unique in the database, so a replay is
/// refused whichever node it reaches (docs/decisions/0014).
/// </summary>
public sealed class SignatureNonce
{
    public const int MaxLength = 128;

    public required string AccessKeyId { get; set; }
    public required string Nonce { get; set; }

    /// <summary>When the server first saw it; rows older than the replay window are deleted.</summary>
    public DateTimeOffset SeenAt { get; set; }
}

internal sealed class SignatureNonceConfiguration : IEntityTypeConfiguration<SignatureNonce>
{
    public void Configure(EntityTypeBuilder<SignatureNonce> e)
    {
        e.HasKey(n => new { n.AccessKeyId, n.Nonce });
        e.Property(n => n.AccessKeyId).HasMaxLength(64);
        e.Property(n => n.Nonce).HasMaxLength(SignatureNonce.MaxLength);
        e.HasIndex(n => n.SeenAt);
    }
}
