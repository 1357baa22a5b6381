using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Ledger;

/// <summary>The table of <see cref="LedgerAccount"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class LedgerAccountConfiguration : IEntityTypeConfiguration<LedgerAccount>
{
    public void Configure(EntityTypeBuilder<LedgerAccount> e)
    {
        e.Property(a => a.Code).HasMaxLength(128);
        e.HasIndex(a => a.Code).IsUnique();
        e.HasIndex(a => a.BillingAccountId);
        e.Ignore(a => a.Balance);
    }
}
