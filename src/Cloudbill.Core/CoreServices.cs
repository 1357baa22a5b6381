using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Customers;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Provisioning;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.TopUps;
using Cloudbill.Core.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cloudbill.Core;

public static class CoreServices
{
    /// <summary>
    /// Registers the domain services, the database and the catalog. Reads and checks the
    /// configuration now, so a bad setting or catalog stops the start with one clear line
    /// (<see cref="ConfigurationProblemException"/>, <see cref="CatalogException"/>).
    /// </summary>
    public static IServiceCollection AddCloudbillCore(this IServiceCollection services, IConfiguration configuration)
    {
        // Read now for what decides the registrations (folders, provider, catalog, merchants); every
        // range is checked at start by CloudbillOptionsValidator (ValidateOnStart).
        var options = CloudbillOptionsStartup.Read(configuration);
        var paths = CloudbillPaths.Resolve(options);
        var database = DatabaseSettings.Parse(options.Database.Provider, configuration.GetConnectionString("Cloudbill"), paths.DataDirectory);
        var catalog = CatalogLoader.Load(paths.CatalogDirectory);
        var keyRingCertificate = KeyRingCertificate.Load(options.DataProtection, paths.DataDirectory);

        services.AddOptions<CloudbillOptions>().Bind(configuration.GetSection(CloudbillOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CloudbillOptions>, CloudbillOptionsValidator>());
        // The services take the validated value itself.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CloudbillOptions>>().Value);
        // Each feature takes its own part of the section (docs/decisions/0020).
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().Orders);
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().Engine);
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().Provisioning);
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().Demo);
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().Payments);
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().PayAsYouGo);
        services.AddSingleton(sp => sp.GetRequiredService<CloudbillOptions>().Webhooks);
        services.AddSingleton(paths);
        services.AddSingleton(database);
        services.AddSingleton(catalog);
        services.TryAddSingleton(TimeProvider.System);

        // Pooled: a request or an engine batch rents a context instead of building one (its
        // services, change tracker and facade); EF resets a returned context's state
        // (docs/decisions/0021). The context takes nothing but its options, as pooling requires.
        services.AddDbContextPool<CloudbillDbContext>((sp, options) =>
        {
            database.Configure(options);
            if (database.Provider == DatabaseProvider.Postgres)
                options.AddInterceptors(sp.GetRequiredService<DatabaseFailovers>());
        });
        services.AddSingleton<DatabaseFailovers>();
        // The ring is in the database, the certificate that encrypts it is not (docs/decisions/0004):
        // a copy of the database alone opens no AccessKey secret and forges no cookie.
        services.AddDataProtection()
            .SetApplicationName("Cloudbill")
            .PersistKeysToDbContext<CloudbillDbContext>()
            .ProtectKeysWithCertificate(keyRingCertificate);
        services.AddIdentityCore<CloudbillUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddEntityFrameworkStores<CloudbillDbContext>();
        // Staff of the operator console: a second kind of user with its own tables, and the
        // authenticator app's codes as the second factor (docs/decisions/0038).
        services.AddIdentityCore<Operators.StaffUser>()
            .AddUserStore<Microsoft.AspNetCore.Identity.EntityFrameworkCore.UserOnlyStore<Operators.StaffUser, CloudbillDbContext, string,
                Operators.StaffUserClaim, Operators.StaffUserLogin, Operators.StaffUserToken>>()
            .AddTokenProvider<Microsoft.AspNetCore.Identity.AuthenticatorTokenProvider<Operators.StaffUser>>(Microsoft.AspNetCore.Identity.TokenOptions.DefaultAuthenticatorProvider);
        services.AddScoped<Operators.StaffAccounts>();
        services.AddScoped<Operators.CustomerDirectory>();
        services.AddScoped<EngineHistory>();
        services.AddScoped<Operators.CustomerLocks>();
        services.AddScoped<Operators.BalanceAdjustments>();
        services.AddScoped<Operators.Refunds>();
        services.AddScoped<Operators.CreditLines>();
        services.AddScoped<Operators.SupportActions>();
        services.AddScoped<Operators.CouponGrants>();
        services.AddScoped<Operators.GatewayLookups>();
        services.AddScoped<Operators.FinanceOverview>();
        services.AddScoped<Operators.InstanceList>();

        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<Audit.AuditOrigin>();
        services.AddScoped<Audit.AuditLog>();
        services.AddScoped<AuditQueries>();
        services.AddSingleton<Audit.RepeatedFailures>();
        services.AddScoped<LedgerService>();
        services.AddScoped<Reconciliation>();
        services.AddScoped<AccessKeyService>();
        services.AddScoped<AccountService>();
        services.AddScoped<Suggestions.SuggestionService>();
        services.AddScoped<AccountStatement>();
        services.AddScoped<InstanceQueries>();
        services.AddScoped<RenewalViews>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<PublishedDemoCredentials>();
        services.AddScoped<CouponService>();
        services.AddScoped<OrderService>();
        services.AddScoped<OrderPayments>();
        services.AddScoped<OrderQueries>();
        services.AddScoped<PurchaseService>();
        services.AddScoped<ProvisioningService>();
        services.AddScoped<ProviderApi.ProviderKeyService>();
        services.AddScoped<ProviderApi.ProviderInstances>();
        services.AddScoped<ProviderApi.CustomerImport>();
        services.AddScoped<Notifier>();
        services.AddCloudbillNotifications(configuration);
        services.AddScoped<RenewalService>();
        services.AddScoped<RenewalForecast>();
        services.AddScoped<SubscriptionBatch>();
        services.AddScoped<OrderTimeoutBatch>();
        services.AddSingleton<LifecycleEngine>();
        services.AddSingleton<EngineWorker>();
        services.AddCloudbillPayments(options.Payments);
        services.AddScoped<TopUpCheckouts>();
        services.AddScoped<IConfirmedTopUps, TopUpCredits>();
        services.AddScoped<PayAsYouGoBatch>();
        services.AddScoped<OverdueSettlement>();
        services.AddScoped<PayAsYouGoPurchase>();
        services.AddCloudbillWebhooks();
        return services;
    }

    /// <summary>
    /// The gateway payments. The merchants configured under Cloudbill:Payments are read here; a host
    /// that plays the gateways itself (the sandbox) registers its own <see cref="PaymentGateways"/> first.
    /// </summary>
    private static IServiceCollection AddCloudbillPayments(this IServiceCollection services, PaymentOptions options)
    {
        services.AddHttpClient(GatewayTransport.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        services.TryAddSingleton(sp =>
        {
            var (alipay, unionPay) = PaymentGateways.ConfiguredMerchants(options);
            return new PaymentGateways(alipay, unionPay, options, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddScoped<GatewayTransport>();
        services.AddScoped<GatewayCheckouts>();
        services.AddScoped<GatewayConfirmations>();
        services.AddScoped<GatewayNotifications>();
        services.AddSingleton<GatewayQueryThrottle>();
        services.AddScoped<GatewayPoller>();
        services.AddScoped<GatewayRefunds>();
        services.AddScoped<GatewayReconciliation>();
        services.AddSingleton<GatewayPollerWorker>();
        return services;
    }
}
