using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Accounts;

/// <summary>The table of <see cref="AccessKey"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class AccessKeyConfiguration : IEntityTypeConfiguration<AccessKey>
{
    public void Configure(EntityTypeBuilder<AccessKey> e)
    {
        e.Property(k => k.Id).HasMaxLength(64);
        e.Property(k => k.ClientToken).HasMaxLength(ClientToken.MaxLength);
        // One pair per create form: a double tap finds the first (see AccessKey.ClientToken).
        e.HasIndex(k => new { k.BillingAccountId, k.ClientToken }).IsUnique();
        e.HasIndex(k => k.BillingAccountId);
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(k => k.BillingAccountId);
    }
}
