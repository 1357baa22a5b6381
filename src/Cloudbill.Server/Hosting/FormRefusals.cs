using Microsoft.AspNetCore.Components.Endpoints;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// A form post that Blazor refuses before any page code runs (an antiforgery token that is
/// forged or from another session, a form the page no longer shows, such as Mark as read once
/// every message is read in another tab) is answered by the framework with an empty 400, which
/// the status-code pages skip: the customer would see a blank page. Nothing was done, so the
/// customer is sent back to the page as it is now (303 See Other), which shows the current state.
/// </summary>
internal static class FormRefusals
{
    public static WebApplication UseFormRefusals(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            await next(http);
            var request = http.Request;
            if (http.Response.HasStarted || http.Response.StatusCode != StatusCodes.Status400BadRequest
                // Not HasFormContentType: with a refused antiforgery token, even asking about the form throws.
                || !HttpMethods.IsPost(request.Method)
                || http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is null)
                return;
            var path = request.PathBase + request.Path;
            // Only this site's own pages: "//host" or "/\host" would leave it.
            var local = path.HasValue && !path.Value!.StartsWith("//", StringComparison.Ordinal) && !path.Value.StartsWith("/\\", StringComparison.Ordinal)
                ? path + request.QueryString
                : "/";
            http.Response.Clear();
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = local.ToString();
        });
        return app;
    }
}
