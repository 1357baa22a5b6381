using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Ledger;

/// <summary>The table of <see cref="JournalTransaction"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class JournalTransactionConfiguration : IEntityTypeConfiguration<JournalTransaction>
{
    public void Configure(EntityTypeBuilder<JournalTransaction> e)
    {
        e.Property(t => t.BusinessKey).HasMaxLength(200);
        e.Property(t => t.Description).HasMaxLength(500);
        // R10.3: a retry can never post twice.
        e.HasIndex(t => t.BusinessKey).IsUnique();
        // The finance overview's refunds of a day or a month.
        e.HasIndex(t => t.PostedAt);
        e.HasMany(t => t.Postings).WithOne().HasForeignKey(p => p.TransactionId);
    }
}
