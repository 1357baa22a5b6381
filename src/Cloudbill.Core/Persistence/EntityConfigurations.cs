using Cloudbill.Core.Accounts;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Persistence;

internal sealed class BillingAccountConfiguration : IEntityTypeConfiguration<BillingAccount>
{
    public void Configure(EntityTypeBuilder<BillingAccount> e)
    {
        e.Property(a => a.Email).HasMaxLength(256);
        e.HasIndex(a => a.Email).IsUnique();
        e.Property(a => a.Version).IsConcurrencyToken();
    }
}

internal sealed class AccessKeyConfiguration : IEntityTypeConfiguration<AccessKey>
{
    public void Configure(EntityTypeBuilder<AccessKey> e)
    {
        e.Property(k => k.Id).HasMaxLength(64);
        e.HasIndex(k => k.BillingAccountId);
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(k => k.BillingAccountId);
    }
}

internal sealed class InstanceConfiguration : IEntityTypeConfiguration<Instance>
{
    public void Configure(EntityTypeBuilder<Instance> e)
    {
        e.Property(i => i.Id).HasMaxLength(64);
        e.Property(i => i.ProductCode).HasMaxLength(64);
        e.Property(i => i.SpecCode).HasMaxLength(64);
        e.Property(i => i.RegionId).HasMaxLength(64);
        e.Property(i => i.Name).HasMaxLength(128);
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
    }
}

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

internal sealed class JournalTransactionConfiguration : IEntityTypeConfiguration<JournalTransaction>
{
    public void Configure(EntityTypeBuilder<JournalTransaction> e)
    {
        e.Property(t => t.BusinessKey).HasMaxLength(200);
        e.Property(t => t.Description).HasMaxLength(500);
        // R10.3: a retry can never post twice.
        e.HasIndex(t => t.BusinessKey).IsUnique();
        e.HasMany(t => t.Postings).WithOne().HasForeignKey(p => p.TransactionId);
    }
}

internal sealed class PostingConfiguration : IEntityTypeConfiguration<Posting>
{
    public void Configure(EntityTypeBuilder<Posting> e)
    {
        e.HasOne<LedgerAccount>().WithMany().HasForeignKey(p => p.LedgerAccountId);
        e.HasIndex(p => p.LedgerAccountId);
        e.Ignore(p => p.Amount);
    }
}

internal sealed class CouponConfiguration : IEntityTypeConfiguration<Coupon>
{
    public void Configure(EntityTypeBuilder<Coupon> e)
    {
        e.Property(c => c.Name).HasMaxLength(128);
        e.Property(c => c.ProductCodes).HasMaxLength(1000);
        // A flags value is stored as its number, not as enum text.
        e.Property(c => c.OrderTypes).HasConversion<int>();
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(c => c.AccountId);
        e.HasIndex(c => new { c.AccountId, c.ValidTo });
        e.HasIndex(c => c.FrozenByOrderId);
        e.Ignore(c => c.Products);
    }
}

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
        e.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId);
        e.Ignore(o => o.AmountBeforeCoupon);
    }
}

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

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> e)
    {
        e.Property(n => n.CauseKey).HasMaxLength(200);
        e.Property(n => n.InstanceId).HasMaxLength(64);
        e.Property(n => n.Title).HasMaxLength(200);
        e.Property(n => n.Body).HasMaxLength(2000);
        // R9.3: once per cause.
        e.HasIndex(n => n.CauseKey).IsUnique();
        e.HasIndex(n => new { n.AccountId, n.CreatedAt });
        e.HasIndex(n => n.Email);
        e.HasOne<BillingAccount>().WithMany().HasForeignKey(n => n.AccountId);
    }
}

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
    }
}

internal sealed class GatewayPaymentConfiguration : IEntityTypeConfiguration<Payments.GatewayPayment>
{
    public void Configure(EntityTypeBuilder<Payments.GatewayPayment> e)
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
    }
}
