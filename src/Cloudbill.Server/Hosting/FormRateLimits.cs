using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Cloudbill.Server.App;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// ASP.NET Core's rate limiter on the forms that cost the most or invite scripting: sign-in and
/// sign-up per client address (and sign-up from all addresses together), top-ups and AccessKey
/// creation per account. A form is known by its Blazor form name, so a page's other forms and
/// its GET are never counted. Fixed windows, counted on each node (docs/decisions/0025).
/// </summary>
internal static class FormRateLimits
{
    public const string SignInForm = "signin";
    /// <summary>The operator console's sign-in: the same limit, counted apart from the customers' (an office behind one address).</summary>
    public const string StaffSignInForm = "staff-signin";
    public const string SignUpForm = "signup";
    public const string TopUpForm = "topup";
    public const string AccessKeyCreateForm = "accesskey-create";

    private const string FormNameItem = "cloudbill:form-name";

    public static IServiceCollection AddFormRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Rule(SignInForm, limits.SignIn, ClientAddress),
                Rule(StaffSignInForm, limits.SignIn, ClientAddress),
                Rule(SignUpForm, limits.SignUp, ClientAddress),
                Rule(SignUpForm, limits.SignUpTotal, _ => "all"),
                Rule(TopUpForm, limits.TopUp, AccountOrAddress),
                Rule(AccessKeyCreateForm, limits.AccessKeyCreation, AccountOrAddress),
                PathRule(ProviderEndpoints.Prefix, limits.ProviderApi, ClientAddress));
            o.OnRejected = (context, _) => Refuse(context);
        });
        return services;
    }

    /// <summary>After authentication (the account) and localization (the refusal's language), before the pages.</summary>
    public static WebApplication UseFormRateLimits(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType
                && http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
            {
                try
                {
                    // The page reads the same buffered form later.
                    var form = await http.Request.ReadFormAsync(http.RequestAborted);
                    http.Items[FormNameItem] = form["_handler"].ToString();
                }
                catch (InvalidDataException)
                {
                    // Too large or malformed: the antiforgery check refuses it.
                }
            }
            await next(http);
        });
        app.UseRateLimiter();
        return app;
    }

    private static PartitionedRateLimiter<HttpContext> Rule(string form, RateLimit limit, Func<HttpContext, string> partition) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            http.Items.TryGetValue(FormNameItem, out var name) && form.Equals(name as string, StringComparison.Ordinal)
                ? RateLimitPartition.GetFixedWindowLimiter("limited:" + partition(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.Requests,
                    Window = limit.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter("unlimited"));

    /// <summary>Every request under a path (the provider API), whatever its method or body.</summary>
    private static PartitionedRateLimiter<HttpContext> PathRule(string prefix, RateLimit limit, Func<HttpContext, string> partition) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            http.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)
                ? RateLimitPartition.GetFixedWindowLimiter("path:" + prefix + ":" + partition(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.Requests,
                    Window = limit.Window,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter("unlimited"));

    /// <summary>The client's address (after a known proxy's X-Forwarded-For); an IPv6 client by its /64, which one customer usually holds whole.</summary>
    public static string ClientAddress(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static string AccountOrAddress(HttpContext http) =>
        http.User.FindFirst(CustomerClaimsFactory.AccountClaim)?.Value is { } account ? "account:" + account : "address:" + ClientAddress(http);

    /// <summary>429 with Retry-After: a short page for a browser, a problem for anything else; nothing of the form was done.</summary>
    private static async ValueTask Refuse(OnRejectedContext context)
    {
        var http = context.HttpContext;
        if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var text = http.RequestServices.GetRequiredService<IStringLocalizer<Text>>();
        var message = text["Too many attempts from this address or account. Wait a few minutes, then try again."].Value;
        if (!http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            await ProblemResults.TooManyRequests(message).ExecuteAsync(http);
            return;
        }
        var title = WebUtility.HtmlEncode(text["Too many attempts"].Value);
        var back = WebUtility.HtmlEncode(AppLanguages.LocalPath(http.Request.Path.Value));
        response.ContentType = "text/html; charset=utf-8";
        await response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="{CultureInfo.CurrentUICulture.Name}"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <title>{title}</title><link rel="stylesheet" href="/app.css" /></head>
            <body><main class="screen" id="main"><section class="card"><h1 class="card-title">{title}</h1>
            <p class="alert" role="alert" data-testid="rate-limited">{WebUtility.HtmlEncode(message)}</p>
            <p><a class="link" href="{back}">{WebUtility.HtmlEncode(text["Back"].Value)}</a></p></section></main></body></html>
            """, http.RequestAborted);
    }
}
