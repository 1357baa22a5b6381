using Cloudbill.Core.Accounts;
using Cloudbill.Core.Catalog;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Demo;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.PayAsYouGo;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Provisioning;
using Cloudbill.Core.Purchase;
using Cloudbill.Core.Renewals;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        var options = configuration.GetSection(CloudbillOptions.Section).Get<CloudbillOptions>() ?? new CloudbillOptions();
        options.PayAsYouGo.Validate();
        var paths = CloudbillPaths.Resolve(options);
        var database = DatabaseSettings.Parse(options.Database.Provider, configuration.GetConnectionString("Cloudbill"), paths.DataDirectory);
        var catalog = CatalogLoader.Load(paths.CatalogDirectory);

        services.AddSingleton(options);
        services.AddSingleton(paths);
        services.AddSingleton(database);
        services.AddSingleton(catalog);
        services.TryAddSingleton(TimeProvider.System);

        services.AddDbContext<CloudbillDbContext>(database.Configure);
        services.AddDataProtection()
            .SetApplicationName("Cloudbill")
            .PersistKeysToDbContext<CloudbillDbContext>();
        services.AddIdentityCore<CloudbillUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddEntityFrameworkStores<CloudbillDbContext>();

        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<LedgerService>();
        services.AddScoped<Reconciliation>();
        services.AddScoped<AccessKeyService>();
        services.AddScoped<AccountService>();
        services.AddScoped<InstanceQueries>();
        services.AddScoped<RenewalViews>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<CouponService>();
        services.AddScoped<OrderService>();
        services.AddScoped<OrderPayments>();
        services.AddScoped<OrderQueries>();
        services.AddScoped<PurchaseService>();
        services.AddScoped<ProvisioningService>();
        services.AddScoped<Notifier>();
        services.AddCloudbillNotifications(configuration);
        services.AddScoped<RenewalService>();
        services.AddScoped<EngineBatch>();
        services.AddSingleton<LifecycleEngine>();
        services.AddSingleton<EngineWorker>();
        services.AddScoped<PayAsYouGoBatch>();
        services.AddSingleton<PayAsYouGoBilling>();
        services.AddScoped<OverdueSettlement>();
        services.AddScoped<PayAsYouGoPurchase>();
        services.TryAddSingleton<SimulatedProvisioner>();
        services.TryAddSingleton<IInstanceProvisioner>(sp => sp.GetRequiredService<SimulatedProvisioner>());
        return services;
    }
}
