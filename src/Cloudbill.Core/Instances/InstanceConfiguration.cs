using Cloudbill.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Instances;

/// <summary>The table of <see cref="Instance"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class InstanceConfiguration : IEntityTypeConfiguration<Instance>
{
    public void Configure(EntityTypeBuilder<Instance> e)
    {
        e.Property(i => i.Id).HasMaxLength(64);
        e.Property(i => i.ProductCode).HasMaxLength(64);
        e.Property(i => i.SpecCode).HasMaxLength(64);
        e.Property(i => i.RegionId).HasMaxLength(64);
        e.Property(i => i.Name).HasMaxLength(128);
        e.Property(i => i.ExternalId).HasMaxLength(64);
        // An import finds an instance by the provider's id, and imports it once (docs/decisions/0032).
        e.HasIndex(i => i.ExternalId).IsUnique().HasFilter("\"ExternalId\" IS NOT NULL");
        e.Property(i => i.Version).IsConcurrencyToken();
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(i => i.AccountId);
        // The renewal views: one account's instances by product, ordered by expiry.
        e.HasIndex(i => new { i.AccountId, i.ProductCode, i.ExpiresAt });
        // The renewal views across products (RenewalViews): the account's live subscriptions in
        // page order, with the filtered and counted columns, so the counts read only the index;
        // on PostgreSQL the name too (INCLUDE), so the id or name search reads only the index.
        e.HasIndex(i => new { i.AccountId, i.ExpiresAt, i.Id, i.ProductCode, i.RegionId, i.RenewalMethod })
            .HasDatabaseName("IX_Instances_RenewalViews")
            .IncludeProperties(i => i.Name)
            .HasFilter("\"ReleasedAt\" IS NULL AND \"ChargeType\" = 'Subscription'");
        e.HasIndex(i => new { i.AccountId, i.RegionId, i.CreatedAt });
        e.HasIndex(i => i.UnpaidOrderId);
        // The engine claims instances by due time: work is proportional to what is due.
        e.HasIndex(i => i.NextDueAt);
        // The engine's pay-as-you-go pass claims by its own due time (docs/decisions/0010).
        e.HasIndex(i => i.PayAsYouGoDueAt);
        e.HasIndex(i => i.CreatedByOrderId);
        // The operator console finds a customer by an instance's name, as the customer quotes it.
        e.HasIndex(i => i.Name);
        // The operator console's list of every instance, newest first, a page at a time by keyset (Operators/InstanceList).
        e.HasIndex(i => new { i.CreatedAt, i.Id });
    }
}
