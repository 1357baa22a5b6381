using Cloudbill.Core.Audit;
using Microsoft.AspNetCore.Authentication;

namespace Cloudbill.Server.Hosting;

/// <summary>Describes each app request to the audit log: who is signed in, from which address, under which request id.</summary>
internal static class AuditRequests
{
    /// <summary>After authentication, so a signed-in customer is known; the API describes its own requests (BssOpenApi).</summary>
    public static WebApplication UseAuditOrigin(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Features.Get<OpenApi.BssRequestFeature>() is not null)
            {
                await next(http);
                return;
            }
            var origin = http.RequestServices.GetRequiredService<AuditOrigin>();
            origin.FromRequest(http.Connection.RemoteIpAddress?.ToString(), ProblemResults.RequestId(http));
            // The operator console: its own cookie names the member of staff; a customer's cookie there names nobody.
            if (http.Request.Path.StartsWithSegments(OperatorConsole.Path))
            {
                var staff = await http.AuthenticateAsync(OperatorConsole.Scheme);
                origin.ActAs(staff.Succeeded ? AuditActor.Staff : AuditActor.Anonymous, staff.Succeeded ? staff.Principal.Identity?.Name : null);
            }
            else if (http.User.FindFirst(CustomerClaimsFactory.AccountClaim) is { } account)
                origin.ActAs(AuditActor.Customer, account.Value);
            else
                origin.ActAs(AuditActor.Anonymous, null);
            await next(http);
        });
        return app;
    }
}
