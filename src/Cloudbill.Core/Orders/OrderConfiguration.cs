using Cloudbill.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Orders;

/// <summary>The table of <see cref="Order"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> e)
    {
        e.Property(o => o.ClientToken).HasMaxLength(ClientToken.MaxLength);
        e.Property(o => o.ProductCode).HasMaxLength(64);
        e.Property(o => o.Version).IsConcurrencyToken();
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(o => o.AccountId);
        // R5.4: one order per client token and account.
        e.HasIndex(o => new { o.AccountId, o.ClientToken }).IsUnique();
        e.HasIndex(o => new { o.AccountId, o.CreatedAt });
        // The time-out sweep: unpaid orders by pay-by time.
        e.HasIndex(o => new { o.Status, o.PayBy });
        // The finance overview's renewals and purchases of a day or a month.
        e.HasIndex(o => o.PaidAt);
        e.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId);
        e.Ignore(o => o.AmountBeforeCoupon);
        e.Ignore(o => o.Refundable);
    }
}
