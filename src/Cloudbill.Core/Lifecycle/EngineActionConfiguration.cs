using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Lifecycle;

/// <summary>The table of <see cref="EngineAction"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class EngineActionConfiguration : IEntityTypeConfiguration<EngineAction>
{
    public void Configure(EntityTypeBuilder<EngineAction> e)
    {
        e.Property(a => a.Key).HasMaxLength(200);
        e.Property(a => a.InstanceId).HasMaxLength(64);
        e.Property(a => a.Outcome).HasMaxLength(500);
        // R4.7: each action once per instance and due time.
        e.HasIndex(a => a.Key).IsUnique();
        e.HasIndex(a => new { a.InstanceId, a.DueAt });
        // The finance overview's failed auto-renewals of a day or a month.
        e.HasIndex(a => new { a.Kind, a.DoneAt });
    }
}
