using System.Security.Claims;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Operators;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// The operator console's own sign-in (docs/decisions/0038): a cookie scheme of its own whose
/// cookie is sent only under /operator, and policies that name that scheme, so a customer's
/// cookie never opens an operator page and a staff cookie never reaches the app. The roles
/// include each other: viewer, then support, then finance.
/// </summary>
internal static class OperatorConsole
{
    public const string Scheme = "Operator";
    public const string Path = "/operator";
    public const string SignInPath = "/operator/signin";

    public const string ViewPolicy = "Staff";
    public const string SupportPolicy = "Staff.Support";
    public const string FinancePolicy = "Staff.Finance";

    private const string StampClaim = "cloudbill:staff-stamp";

    public static IServiceCollection AddOperatorConsole(this IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "cloudbill.operator";
            o.Cookie.Path = Path;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = SignInPath;
            o.AccessDeniedPath = "/operator/denied";
            // A working day; no sliding: a forgotten session on a shared desk ends by itself.
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = false;
            o.Events.OnValidatePrincipal = StillValid;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(ViewPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(ClaimTypes.Role, nameof(StaffRole.Viewer), nameof(StaffRole.Support), nameof(StaffRole.Finance)))
            .AddPolicy(SupportPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(ClaimTypes.Role, nameof(StaffRole.Support), nameof(StaffRole.Finance)))
            .AddPolicy(FinancePolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(ClaimTypes.Role, nameof(StaffRole.Finance)));
        return services;
    }

    public static ClaimsPrincipal Principal(StaffUser user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id),
            new Claim(ClaimTypes.Name, user.Email!),
            new Claim(ClaimTypes.Role, user.Role.ToString()),
            new Claim(StampClaim, user.SecurityStamp ?? ""),
        ], Scheme, ClaimTypes.Name, ClaimTypes.Role));

    public static bool Can(ClaimsPrincipal user, StaffRole role) =>
        Enum.TryParse<StaffRole>(user.FindFirstValue(ClaimTypes.Role), out var held) && user.Identity?.AuthenticationType == Scheme && held >= role;

    /// <summary>
    /// On every request: a staff cookie stands only while its account has the same security stamp
    /// (sign-out, a new authenticator key) and role. Staff requests are few; a read each is the
    /// price of a change stopping every session at once. A lockout after failed sign-ins does not
    /// end a session: anyone who knows a staff email could otherwise throw that person out.
    /// </summary>
    private static async Task StillValid(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserManager<StaffUser>>();
        var principal = context.Principal!;
        var user = await users.FindByIdAsync(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "");
        if (user is null
            || user.SecurityStamp != principal.FindFirstValue(StampClaim)
            || user.Role.ToString() != principal.FindFirstValue(ClaimTypes.Role))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    public static WebApplication MapOperatorConsole(this WebApplication app)
    {
        app.MapPost("/operator/signout", async (HttpContext http, IAntiforgery antiforgery, StaffAccounts staff) =>
        {
            // A forged or stale form signs nobody out and lands on the console, whose button has a fresh token.
            if (await FormRefusals.CheckForm(http, antiforgery) is not null)
                return Results.LocalRedirect(Path);
            await staff.SignOut(http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", http.RequestAborted);
            await http.SignOutAsync(Scheme);
            return Results.LocalRedirect(SignInPath);
        }).RequireAuthorization(ViewPolicy).DisableAntiforgery();

        // The finance overview's rows as a spreadsheet; each export is audited like a search.
        app.MapGet("/operator/overview.csv", async (string? period, string? figure, FinanceOverview overview, AuditLog audit, CancellationToken ct) =>
        {
            if (!Enum.TryParse<OverviewPeriod>(period, ignoreCase: true, out var p) || !Enum.IsDefined(p)
                || !Enum.TryParse<OverviewFigure>(figure, ignoreCase: true, out var f) || !Enum.IsDefined(f))
            {
                return Results.Problem(statusCode: 400, title: "Unknown period or figure",
                    detail: $"period is one of {string.Join(", ", Enum.GetNames<OverviewPeriod>())}; figure is one of {string.Join(", ", Enum.GetNames<OverviewFigure>())}.");
            }
            var rows = await overview.Rows(f, p, ct);
            await audit.Record(AuditEventKind.OverviewExported, null, $"exported {f} of {p}: {rows.Count} row(s)", ct);
            return Results.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(FinanceOverview.Csv(rows))).ToArray(),
                "text/csv; charset=utf-8", $"cloudbill-{f.ToString().ToLowerInvariant()}-{p.ToString().ToLowerInvariant()}.csv");
        }).RequireAuthorization(FinancePolicy);
        return app;
    }
}
