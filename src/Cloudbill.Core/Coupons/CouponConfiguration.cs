using Cloudbill.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Coupons;

/// <summary>The table of <see cref="Coupon"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class CouponConfiguration : IEntityTypeConfiguration<Coupon>
{
    public void Configure(EntityTypeBuilder<Coupon> e)
    {
        e.Property(c => c.Name).HasMaxLength(Coupon.NameMaxLength);
        e.Property(c => c.IssueKey).HasMaxLength(Coupon.IssueKeyMaxLength);
        e.HasIndex(c => c.IssueKey).IsUnique();
        e.Property(c => c.ProductCodes).HasMaxLength(1000);
        // A flags value is stored as its number, not as enum text.
        e.Property(c => c.OrderTypes).HasConversion<int>();
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(c => c.AccountId);
        e.HasIndex(c => new { c.AccountId, c.ValidTo });
        e.HasIndex(c => c.FrozenByOrderId);
        e.Ignore(c => c.Products);
    }
}
