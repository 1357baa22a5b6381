using Cloudbill.Core.Instances;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Orders;

/// <summary>The table of <see cref="OrderLine"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> e)
    {
        e.Property(l => l.InstanceId).HasMaxLength(64);
        e.Property(l => l.SpecCode).HasMaxLength(64);
        e.Property(l => l.RegionId).HasMaxLength(64);
        e.Property(l => l.InstanceName).HasMaxLength(InstanceNames.MaxLength);
        e.HasIndex(l => l.InstanceId);
        e.Ignore(l => l.Amount);
    }
}
