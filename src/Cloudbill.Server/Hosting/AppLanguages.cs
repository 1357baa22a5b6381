using System.Globalization;
using System.Security.Claims;
using Cloudbill.Core.Accounts;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// The app's two languages. The customer's choice is stored on their user and carried in the
/// sign-in cookie (a claim), so no request looks it up; before sign-in a cookie remembers it,
/// and a first visit follows the browser's Accept-Language.
/// </summary>
public static class AppLanguages
{
    public const string English = "en";
    public const string Chinese = "zh-CN";
    public const string CultureClaim = "cloudbill:culture";
    public const string CookieName = ".Cloudbill.Culture";

    public static readonly string[] Supported = [English, Chinese];

    public static bool IsSupported(string? culture) => culture is English or Chinese;

    public static bool IsChinese => CultureInfo.CurrentUICulture.Name.StartsWith("zh", StringComparison.Ordinal);

    public static IServiceCollection AddAppLanguages(this IServiceCollection services)
    {
        services.AddLocalization();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Supported.Select(c => new CultureInfo(c)).ToList();
            o.DefaultRequestCulture = new RequestCulture(English);
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders =
            [
                new CustomerCultureProvider(),
                new CookieRequestCultureProvider { CookieName = CookieName },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }

    /// <summary>POST /culture: switches the language, remembers it for the customer and in the cookie, and goes back.</summary>
    public static WebApplication MapLanguageSwitch(this WebApplication app)
    {
        app.MapPost("/culture", async (HttpContext http, IAntiforgery antiforgery, UserManager<CloudbillUser> users, SignInManager<CloudbillUser> signIn) =>
        {
            // Checked here, so a forged, stale or unreadable form changes nothing and still lands on a page.
            if (await FormRefusals.CheckForm(http, antiforgery) is not null)
                return Results.LocalRedirect("/");
            var form = await http.Request.ReadFormAsync();
            var culture = form["culture"].ToString();
            var back = LocalPath(form["returnUrl"].ToString());
            if (!IsSupported(culture))
                return Results.LocalRedirect(back);
            Remember(http, culture);
            if (http.User.Identity?.IsAuthenticated == true && await users.GetUserAsync(http.User) is { } user)
            {
                user.PreferredCulture = culture;
                await users.UpdateAsync(user);
                await signIn.RefreshSignInAsync(user);
            }
            return Results.LocalRedirect(back);
        }).DisableAntiforgery();
        return app;
    }

    public static void Remember(HttpContext http, string culture) =>
        http.Response.Cookies.Append(CookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Expires = DateTimeOffset.UnixEpoch.AddYears(100), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true, Secure = http.Request.IsHttps });

    /// <summary>Only local paths: a crafted return address must not send the customer elsewhere.</summary>
    public static string LocalPath(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : "/";

    private sealed class CustomerCultureProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var culture = httpContext.User.FindFirstValue(CultureClaim);
            return Task.FromResult(IsSupported(culture) ? new ProviderCultureResult(culture) : null);
        }
    }
}
