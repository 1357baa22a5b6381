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
        e.Property(a => a.Version).IsConcurrencyToken();
    }
}
