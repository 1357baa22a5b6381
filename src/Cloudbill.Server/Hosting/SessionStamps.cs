using System.Security.Claims;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// A sign-in cookie is good only while its security stamp is the account's current one. Signing
/// out and changing the password renew the stamp, so a cookie copied before either stops working
/// on its next request, on every node (docs/decisions/0025). One indexed read of one column per
/// signed-in request; Identity's own validator would also rebuild and re-issue the cookie.
/// </summary>
internal static class SessionStamps
{
    public static async Task Validate(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal?.Identity?.IsAuthenticated != true)
            return;
        var claimTypes = context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = principal.FindFirstValue(claimTypes.UserIdClaimType);
        var stamp = principal.FindFirstValue(claimTypes.SecurityStampClaimType);
        var db = context.HttpContext.RequestServices.GetRequiredService<CloudbillDbContext>();
        var current = userId is null
            ? null
            : await db.Set<CloudbillUser>().AsNoTracking().Where(u => u.Id == userId).Select(u => u.SecurityStamp).FirstOrDefaultAsync(context.HttpContext.RequestAborted);
        if (current is not null && stamp is not null && string.Equals(current, stamp, StringComparison.Ordinal))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
