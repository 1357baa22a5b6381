using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Accounts;

/// <summary>The table of <see cref="BillingAccount"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> e)
    {
        e.Property(a => a.Email).HasMaxLength(256);
        e.HasIndex(a => a.Email).IsUnique();
        e.Property(a => a.ExternalId).HasMaxLength(64);
        e.Property(a => a.Name).HasMaxLength(128);
        // An import finds a customer by the provider's id, and creates it once (docs/decisions/0032).
        e.HasIndex(a => a.ExternalId).IsUnique().HasFilter("\"ExternalId\" IS NOT NULL");
        e.Property(a => a.Version).IsConcurrencyToken();
        // An account is never deleted; if one ever were, its audit history must stop it, not vanish with it.
        e.HasMany<Audit.AuditEvent>().WithOne().HasForeignKey(a => a.AccountId).OnDelete(DeleteBehavior.Restrict);
    }
}
