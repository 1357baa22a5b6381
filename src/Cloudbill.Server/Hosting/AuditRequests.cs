using Cloudbill.Core.Audit;

namespace Cloudbill.Server.Hosting;

/// <summary>Describes each app request to the audit log: who is signed in, from which address, under which request id.</summary>
internal static class AuditRequests
{
    /// <summary>After authentication, so a signed-in customer is known; the API describes its own requests (BssOpenApi).</summary>
    public static WebApplication UseAuditOrigin(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            if (http.Features.Get<OpenApi.BssRequestFeature>() is not null)
                return next(http);
            var origin = http.RequestServices.GetRequiredService<AuditOrigin>();
            origin.FromRequest(http.Connection.RemoteIpAddress?.ToString(), ProblemResults.RequestId(http));
            if (http.User.FindFirst(CustomerClaimsFactory.AccountClaim) is { } account)
                origin.ActAs(AuditActor.Customer, account.Value);
            else
                origin.ActAs(AuditActor.Anonymous, null);
            return next(http);
        });
        return app;
    }
}
