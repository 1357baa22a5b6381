using Cloudbill.Core.Accounts;
using Cloudbill.Core.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Payments;

/// <summary>The table of <see cref="GatewayPayment"/>; found by <c>ApplyConfigurationsFromAssembly</c> (Persistence/CloudbillDbContext).</summary>
internal sealed class GatewayPaymentConfiguration : IEntityTypeConfiguration<GatewayPayment>
{
    public void Configure(EntityTypeBuilder<GatewayPayment> e)
    {
        e.Property(p => p.OutTradeNo).HasMaxLength(40);
        e.Property(p => p.ClientToken).HasMaxLength(ClientToken.MaxLength);
        e.Property(p => p.GatewayTradeNo).HasMaxLength(64);
        e.Property(p => p.ConfirmedBy).HasMaxLength(32);
        e.Property(p => p.Outcome).HasMaxLength(500);
        e.Property(p => p.Flag).HasMaxLength(500);
        e.Property(p => p.RefundRequestNo).HasMaxLength(64);
        e.Property(p => p.Version).IsConcurrencyToken();
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(p => p.AccountId);
        e.HasOne<Order>().WithMany().HasForeignKey(p => p.OrderId);
        // Every notification and query finds its payment by our trade number.
        e.HasIndex(p => p.OutTradeNo).IsUnique();
        e.HasIndex(p => new { p.AccountId, p.ClientToken }).IsUnique();
        e.HasIndex(p => new { p.AccountId, p.CreatedAt });
        // The poller's sweep.
        e.HasIndex(p => p.NextQueryAt);
        // The finance overview: top-ups confirmed in a day or a month, payments not confirmed yet.
        e.HasIndex(p => p.ConfirmedAt);
        e.HasIndex(p => new { p.State, p.CreatedAt });
        // The operator console finds a payment by the gateway's own trade number, as the customer's receipt shows it.
        e.HasIndex(p => p.GatewayTradeNo).HasFilter("\"GatewayTradeNo\" IS NOT NULL");
    }
}
