using Cloudbill.Core.Accounts;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Cloudbill.Core.Persistence;

/// <summary>The one DbContext. Feature services use it directly (no repositories).</summary>
public sealed class CloudbillDbContext(DbContextOptions<CloudbillDbContext> options)
    : IdentityDbContext<CloudbillUser>(options), IDataProtectionKeyContext
{
    public DbSet<BillingAccount> BillingAccounts => Set<BillingAccount>();
    public DbSet<AccessKey> AccessKeys => Set<AccessKey>();
    public DbSet<SignatureNonce> SignatureNonces => Set<SignatureNonce>();
    public DbSet<Instance> Instances => Set<Instance>();
    public DbSet<Coupon> Coupons => Set<Coupon>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<EngineAction> EngineActions => Set<EngineAction>();
    public DbSet<LedgerAccount> LedgerAccounts => Set<LedgerAccount>();
    public DbSet<JournalTransaction> JournalTransactions => Set<JournalTransaction>();
    public DbSet<Posting> Postings => Set<Posting>();
    public DbSet<Payments.GatewayPayment> GatewayPayments => Set<Payments.GatewayPayment>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Suggestions.Suggestion> Suggestions => Set<Suggestions.Suggestion>();
    public DbSet<Audit.AuditEvent> AuditEvents => Set<Audit.AuditEvent>();
    public DbSet<Webhooks.LifecycleEvent> LifecycleEvents => Set<Webhooks.LifecycleEvent>();
    public DbSet<Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Webhooks.WebhookEndpoint>();
    public DbSet<Webhooks.WebhookSecret> WebhookSecrets => Set<Webhooks.WebhookSecret>();
    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();
    public DbSet<Webhooks.WebhookAttempt> WebhookAttempts => Set<Webhooks.WebhookAttempt>();
    public DbSet<ProviderApi.ProviderKey> ProviderKeys => Set<ProviderApi.ProviderKey>();

    private bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Money>().HaveConversion<MoneyConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        if (IsSqlite)
        {
            // SQLite has no instant type: UTC ticks sort and compare in the database, where
            // EF's text encoding of DateTimeOffset would be compared on the client.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(CloudbillDbContext).Assembly);

        // Money columns say their unit.
        foreach (var property in builder.Model.GetEntityTypes().SelectMany(t => t.GetProperties()).Where(p => p.ClrType == typeof(Money)))
            property.SetColumnName(property.Name + "Fen");
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        BumpVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        BumpVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void BumpVersions()
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>().Where(e => e.State == EntityState.Modified))
            entry.Entity.Version++;
    }

    private sealed class MoneyConverter() : ValueConverter<Money, long>(m => m.Fen, fen => new Money(fen));

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        d => d.UtcTicks, ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
}
