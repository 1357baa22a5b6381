using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.HttpOverrides;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// The first middleware of every request, the API's included: the client's address and scheme
/// from a known proxy (X-Forwarded-For, X-Forwarded-Proto), then the security headers on every
/// answer, added as it starts so that an error page or a re-executed 404 has them too
/// (docs/decisions/0025).
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// The only inline scripts Cloudbill sends: the pages that post a signed form to a payment
    /// gateway (GatewayRequest.ToAutoSubmitHtml) and, with the sandbox on, its return page. They
    /// are allowed by their hash, never as 'unsafe-inline'.
    /// </summary>
    private static readonly string[] AutoSubmitScripts =
    [
        "document.getElementById('gateway').submit();",
        "document.getElementById('return').submit();",
    ];

    private static readonly string ScriptSources = string.Join(' ',
        AutoSubmitScripts.Select(s => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(s)))}'"));

    /// <summary>
    /// Blazor's script and app.js are served from the app itself; no page has an inline style.
    /// form-action is left open: a checkout posts to Alipay's or UnionPay's gateway.
    /// </summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'self'; script-src 'self' {ScriptSources}; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>The sandbox's cashier pages imitate the gateways with their own inline styles; they run only in development and tests.</summary>
    public static readonly string SandboxContentSecurityPolicy = ContentSecurityPolicy.Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);

    public static IServiceCollection AddForwardedClient(this IServiceCollection services, WebOptions options)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Only the client's address and the scheme: the Host header is part of every API
            // signature and stays what the client sent.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in options.ProxyAddresses())
                o.KnownProxies.Add(proxy);
            foreach (var network in options.ProxyNetworks())
                o.KnownIPNetworks.Add(network);
        });
        return services;
    }

    /// <summary>Before the API and the app: both see the real client and both answer with the headers.</summary>
    public static WebApplication UseForwardedClientAndSecurityHeaders(this WebApplication app)
    {
        app.UseForwardedHeaders();
        var hsts = app.Services.GetRequiredService<WebOptions>().HstsMaxAgeDays;
        var hstsValue = $"max-age={(long)TimeSpan.FromDays(hsts).TotalSeconds}";
        app.Use((http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/sandbox", StringComparison.OrdinalIgnoreCase)
                    ? SandboxContentSecurityPolicy
                    : ContentSecurityPolicy;
                headers.XFrameOptions = "DENY";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
                // Only over HTTPS (directly or through a known proxy): browsers ignore it on HTTP.
                if (http.Request.IsHttps && hsts > 0)
                    headers.StrictTransportSecurity = hstsValue;
                return Task.CompletedTask;
            });
            return next(http);
        });
        return app;
    }
}
