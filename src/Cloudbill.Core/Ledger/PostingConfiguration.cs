using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Ledger;

/// <summary>The table of <see cref="Posting"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class PostingConfiguration : IEntityTypeConfiguration<Posting>
{
    public void Configure(EntityTypeBuilder<Posting> e)
    {
        e.HasOne<LedgerAccount>().WithMany().HasForeignKey(p => p.LedgerAccountId);
        e.HasIndex(p => p.LedgerAccountId);
        e.Ignore(p => p.Amount);
    }
}
