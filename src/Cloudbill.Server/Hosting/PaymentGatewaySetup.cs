using Cloudbill.Core;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Sandbox;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// Which Alipay and UnionPay Cloudbill talks to: the merchants configured under
/// Cloudbill:Payments, and the bundled sandbox for any that is not (on by default with the
/// embedded SQLite database). The sandbox is reached over HTTP like the real gateways, at the
/// server's own address.
/// </summary>
internal static class PaymentGatewaySetup
{
    public sealed record SandboxSetup(SandboxCredentials Credentials, SandboxOptions Options);

    /// <summary>
    /// Registers <see cref="PaymentGateways"/> and <see cref="SandboxMode"/>; returns the sandbox to host,
    /// or null when it is off. The sandbox pays without money: it is on by default only in the
    /// Development environment (what `dotnet run` uses, Properties/launchSettings.json) with the
    /// embedded database and no real merchant, or when Cloudbill:Payments:Sandbox is true there.
    /// Outside Development Cloudbill:Payments:Sandbox=true stops the start (docs/decisions/0026).
    /// </summary>
    public static SandboxSetup? AddPaymentGateways(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = CloudbillOptionsStartup.Read(configuration);
        var payments = options.Payments;
        var (alipay, unionPay) = PaymentGateways.ConfiguredMerchants(payments);
        var embedded = string.IsNullOrWhiteSpace(options.Database.Provider) || options.Database.Provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase);
        // A real merchant needs an address the gateway can reach: 127.0.0.1 would lose every notification.
        if ((alipay is not null || unionPay is not null) && string.IsNullOrWhiteSpace(payments.PublicBaseUrl))
            throw new ConfigurationProblemException("Cloudbill:Payments:PublicBaseUrl is required with a real Alipay or UnionPay merchant: the gateways send their notifications and the payers' browsers there (for example https://billing.example.com).");

        // Free top-ups on a server with real customers: never, whatever the setting says.
        if (payments.Sandbox == true && !environment.IsDevelopment())
            throw new ConfigurationProblemException($"Cloudbill:Payments:Sandbox is true in the {environment.EnvironmentName} environment, but the payment sandbox pays without money and runs only in Development: remove the setting and configure a real merchant under Cloudbill:Payments:Alipay or Cloudbill:Payments:UnionPay (docs/payments.md).");

        // The sandbox pays without money: by default it only stands in when no real merchant is
        // configured at all, so a real Alipay never sits beside a free UnionPay by accident.
        SandboxSetup? sandbox = null;
        if ((payments.Sandbox ?? (environment.IsDevelopment() && embedded && alipay is null && unionPay is null)) && (alipay is null || unionPay is null))
        {
            if (CloudbillOptionsValidator.SandboxRetryScaleProblem(payments.SandboxRetryScale) is { } scaleProblem)
                throw new ConfigurationProblemException(scaleProblem);
            var directory = payments.SandboxDirectory is { Length: > 0 } configured
                ? Path.GetFullPath(configured)
                : Path.Combine(CloudbillPaths.Resolve(options).DataDirectory, "sandbox");
            var credentials = SandboxCredentials.LoadOrCreate(directory, TimeProvider.System);
            sandbox = new SandboxSetup(credentials, new SandboxOptions
            {
                Directory = directory,
                RetryScale = payments.SandboxRetryScale,
                CloudReportDelay = TimeSpan.FromSeconds(Math.Clamp(options.Provisioning.SimulatedDelaySeconds, 0, 3600)),
            });
            alipay ??= new AlipayMerchant(credentials.AlipayAppId, credentials.AlipaySellerId, credentials.AppPrivateKeyPem, credentials.AlipayPublicKeyPem,
                new Uri("sandbox/alipay/gateway.do", UriKind.Relative));
            unionPay ??= new UnionPayMerchant(credentials.UnionPayMerId, credentials.MerchantPfx, credentials.MerchantPfxPassword,
                credentials.RootCertificate, credentials.MiddleCertificate, new Uri("sandbox/unionpay/", UriKind.Relative), ValidateCertificateName: true);
        }

        services.AddSingleton(new SandboxMode(sandbox is not null));

        // Verbs have no listening address: without PublicBaseUrl they reach the server at its configured Urls.
        var fallback = (configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0];
        services.AddSingleton(sp =>
        {
            var gateways = new PaymentGateways(alipay, unionPay, payments, sp.GetRequiredService<TimeProvider>());
            if (sp.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>() is null)
                gateways.UseBaseUrlIfUnset(new Uri(fallback));
            return gateways;
        });
        return sandbox;
    }
}

/// <summary>Whether this server plays the gateways itself: every page then says "Sandbox: no real money".</summary>
public sealed record SandboxMode(bool On);
