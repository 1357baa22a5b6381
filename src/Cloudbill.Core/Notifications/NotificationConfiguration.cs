using Cloudbill.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Notifications;

/// <summary>The table of <see cref="Notification"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> e)
    {
        e.Property(n => n.CauseKey).HasMaxLength(200);
        e.Property(n => n.InstanceId).HasMaxLength(64);
        e.Property(n => n.LegacyTitle).HasMaxLength(200);
        e.Property(n => n.LegacyBody).HasMaxLength(2000);
        // R9.3: once per cause.
        e.HasIndex(n => n.CauseKey).IsUnique();
        e.HasIndex(n => new { n.AccountId, n.CreatedAt });
        e.HasIndex(n => n.Email);
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(n => n.AccountId);
    }
}
