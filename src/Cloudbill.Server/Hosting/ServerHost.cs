using Cloudbill.Core;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Cloudbill.Sandbox;
using Cloudbill.Server.App;
using Cloudbill.Server.OpenApi;
using Cloudbill.Server.Operations;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace Cloudbill.Server.Hosting;

/// <summary>Builds and runs the web host: the app, /healthz, and the database brought up to date first.</summary>
public static class ServerHost
{
    public static async Task<int> Run(string[] args)
    {
        try
        {
            var app = Build(args);
            // Every setting's range, before the database is touched (the host would check only at RunAsync).
            app.Services.ValidateCloudbillOptions();
            await Prepare(app.Services, app.Logger, CancellationToken.None);
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (StartupFailure.IsConfigurationProblem(e))
        {
            return StartupFailure.Report(e);
        }
    }

    /// <summary>The web host; <paramref name="configure"/> lets tests replace settings and services (a fake clock, a test database).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // appsettings.json sits beside the executable, wherever the server is started from.
            ContentRootPath = AppContext.BaseDirectory,
            // The server's own static assets manifest, also when a test hosts it in its process.
            ApplicationName = typeof(ServerHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseStaticWebAssets();
        configure?.Invoke(builder);

        var sandbox = builder.Services.AddPaymentGateways(builder.Configuration, builder.Environment);
        var startup = CloudbillOptionsStartup.Read(builder.Configuration);
        if (sandbox is not null)
        {
            builder.Services.AddPaymentSandbox(sandbox.Options, sandbox.Credentials);
            if (startup.Provisioning.SandboxCloud)
                builder.Services.AddHostedService<SandboxCloudRegistration>();
        }
        KeyRingCertificate.RequireShared(startup.Database.Provider, startup.DataProtection, builder.Environment.IsDevelopment());
        builder.Services.AddCloudbillCore(builder.Configuration);
        builder.Services.AddCloudbillWeb(builder.Configuration);
        builder.Services.AddBssOpenApi(builder.Configuration);

        var app = builder.Build();
        // First: the API and the app both see the real client and answer with the security headers.
        app.UseForwardedClientAndSecurityHeaders();
        // Before the app's middleware: the API answers its own errors and never redirects to sign-in.
        app.MapBssOpenApi();
        app.UseCloudbillWeb();
        if (sandbox is not null)
            app.MapPaymentSandbox("/sandbox");
        return app;
    }

    /// <summary>
    /// Applies migrations (or, with Cloudbill:Database:MigrateOnStart=false, requires a current
    /// schema), creates the Data Protection key ring (retiring keys an older build stored in
    /// clear) and, on a first start of an empty embedded database in Development (or with
    /// Cloudbill:Demo:SeedOnFirstStart=true), seeds the demo customer. Outside Development it
    /// refuses to go on while an account still has the demo's published password or AccessKey
    /// secret (docs/decisions/0026).
    /// </summary>
    public static async Task Prepare(IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<CloudbillOptions>();
        var settings = scope.ServiceProvider.GetRequiredService<DatabaseSettings>();
        var migrator = scope.ServiceProvider.GetRequiredService<DatabaseMigrator>();
        if (options.Database.MigrateOnStart)
        {
            var applied = await migrator.Migrate(ct);
            logger.LogInformation("Database {Database}: {Applied} migration(s) applied", settings.Describe(), applied.Count);
        }
        else
        {
            await migrator.RequireCurrent(ct);
        }
        DatabaseMigrator.EnsureKeyRing(scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), settings);
        var retired = await PlaintextKeyRetirement.Run(services, ct);
        if (retired > 0)
            logger.LogWarning("Revoked {Count} Data Protection key(s) stored in clear by an older build; the AccessKey secrets are now under an encrypted key, and signed-in users sign in again once (docs/decisions/0004)", retired);

        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var development = scope.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment();
        if (settings.Provider == DatabaseProvider.Sqlite && (options.Demo.SeedOnFirstStart ?? development) && !db.BillingAccounts.Any())
        {
            var seeded = await scope.ServiceProvider.GetRequiredService<Core.Demo.DemoSeeder>().Seed(ct);
            if (!seeded.Succeeded)
                throw new ConfigurationProblemException(seeded.Problem!.Message);
            logger.LogInformation("Seeded the demo customer {Email} with {Instances} instances", seeded.Value.Email, seeded.Value.Instances);
        }
        if (!development && await scope.ServiceProvider.GetRequiredService<Core.Demo.PublishedDemoCredentials>().FindInUse(ct) is { } published)
            throw new ConfigurationProblemException(published);
    }
}

internal static class WebServices
{
    public static IServiceCollection AddCloudbillWeb(this IServiceCollection services, IConfiguration configuration)
    {
        var web = WebOptions.Read(configuration);
        services.AddSingleton(web);
        services.AddForwardedClient(web);
        services.AddFormRateLimits(RateLimitOptions.Read(configuration));
        services.AddRazorComponents();
        services.AddAppLanguages();
        services.AddResponseCompression(o =>
        {
            // Pages are small HTML; compressing them keeps a phone's first load light. Secrets never
            // share a response with attacker-controlled text here, so BREACH does not apply.
            o.EnableForHttps = true;
            o.MimeTypes = ["text/html", "application/json", "application/problem+json", "text/plain"];
        });
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/signin";
            o.LogoutPath = "/signout";
            o.Cookie.Name = "cloudbill.auth";
            // Secure whenever the request came over HTTPS (directly or through a known proxy).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            // Signed out or password changed: a copied cookie stops at its next request.
            o.Events.OnValidatePrincipal = SessionStamps.Validate;
        });
        services.Configure<IdentityOptions>(o =>
        {
            o.Lockout.MaxFailedAccessAttempts = web.LockoutAttempts;
            o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(web.LockoutMinutes);
        });
        new IdentityBuilder(typeof(CloudbillUser), services)
            .AddSignInManager()
            .AddClaimsPrincipalFactory<CustomerClaimsFactory>();
        services.AddAuthorization();
        services.AddOperatorConsole();
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddProblemDetails();
        services.AddExceptionHandler<UnexpectedExceptionHandler>();
        services.AddCloudbillOperations(configuration);
        services.AddHostedService(sp => sp.GetRequiredService<Core.Lifecycle.EngineWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<Core.Notifications.EmailOutbox>());
        services.AddHostedService(sp => sp.GetRequiredService<Core.Payments.GatewayPollerWorker>());
        services.AddHostedService(sp => sp.GetRequiredService<Core.Webhooks.WebhookWorker>());
        return services;
    }

    public static WebApplication UseCloudbillWeb(this WebApplication app)
    {
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseAbandonedRequests();
        app.UseStatusCodePagesWithReExecute("/not-found");
        app.UseResponseCompression();
        app.UseAuthentication();
        app.UseAuditOrigin();
        app.UseRequestLocalization();
        app.UseFormRateLimits();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseFormRefusals();

        app.MapStaticAssets();
        app.MapCloudbillHealth();
        app.MapPost("/signout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<CloudbillUser> signIn, UserManager<CloudbillUser> users) =>
        {
            // Checked here: a forged or unreadable form signs nobody out and lands on My, whose button has a fresh token.
            if (await FormRefusals.CheckForm(http, antiforgery) is not null)
                return Results.LocalRedirect("/my");
            // A new security stamp ends every cookie of the account, a copied one too (SessionStamps).
            if (http.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(http.User) is { } user)
                await users.UpdateSecurityStampAsync(user);
            await signIn.SignOutAsync();
            return Results.LocalRedirect("/signin");
        }).DisableAntiforgery();
        app.MapPaymentEndpoints();
        app.MapProviderApi();
        app.MapOperatorConsole();
        app.MapLanguageSwitch();
        app.MapRazorComponents<AppRoot>();
        return app;
    }
}
