using Cloudbill.Core;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>
/// A verb that runs against the same configuration and services as the server
/// (appsettings.json, environment variables such as Cloudbill__Database__Provider).
/// </summary>
public abstract class CloudbillCommand<TSettings> : AsyncCommand<TSettings> where TSettings : CommandSettings
{
    /// <summary>EX_TEMPFAIL: the database was unavailable (a failover); the same command may be run again.</summary>
    public const int DatabaseUnavailableExitCode = 75;

    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // The verbs need not repeat the key ring's informational warnings (a new key made, docs/decisions/0004).
            builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
            builder.Services.AddPaymentGateways(builder.Configuration, builder.Environment);
            var startup = CloudbillOptionsStartup.Read(builder.Configuration);
            KeyRingCertificate.RequireShared(startup.Database.Provider, startup.DataProtection, builder.Environment.IsDevelopment());
            builder.Services.AddCloudbillCore(builder.Configuration);
            using var host = builder.Build();
            host.Services.ValidateCloudbillOptions();
            await using var scope = host.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<Core.Audit.AuditOrigin>().ActAs(Core.Audit.AuditActor.Operator, Environment.UserName);
            if (NeedsCurrentSchema)
            {
                // Only `migrate` changes the schema: every other verb refuses an older one.
                await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().RequireCurrent(cancellationToken);
                DatabaseMigrator.EnsureKeyRing(scope.ServiceProvider.GetRequiredService<IDataProtectionProvider>(), scope.ServiceProvider.GetRequiredService<DatabaseSettings>());
            }
            return await Execute(scope.ServiceProvider, settings, cancellationToken);
        }
        catch (Exception e) when (StartupFailure.IsConfigurationProblem(e))
        {
            return StartupFailure.Report(e);
        }
        catch (Exception e) when (DatabaseOutage.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            // A failover under the verb: every verb's steps are each one transaction, keyed so that
            // running the verb again finishes the work once (docs/decisions/0034).
            Console.Error.WriteLine($"cloudbill: the database connection failed ({e.GetBaseException().Message}); run the command again in a few seconds.");
            return DatabaseUnavailableExitCode;
        }
    }

    /// <summary>False only for `migrate`, which makes the schema the others require.</summary>
    protected virtual bool NeedsCurrentSchema => true;

    protected abstract Task<int> Execute(IServiceProvider services, TSettings settings, CancellationToken ct);
}
