using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// A form post that Blazor refuses before any page code runs (an antiforgery token that is
/// forged or from another session, a form the page no longer shows, such as Mark as read once
/// every message is read in another tab) is answered by the framework with an empty 400 (in
/// Development a line of text), which the status-code pages skip: the customer would see a blank
/// page. Nothing was done, so the customer is sent back to the page as it is now (303 See Other), which shows the current state.
/// </summary>
internal static class FormRefusals
{
    public static WebApplication UseFormRefusals(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            var request = http.Request;
            if (!HttpMethods.IsPost(request.Method) || http.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is null)
                return next(http);
            if (http.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                BackToThePage(http);
                return Task.CompletedTask;
            }
            // When the answer starts, not after it: in Development the framework writes its reason as
            // text, which starts the answer before this middleware could change it. A page's own
            // refusal (a 400 page with its message) is text/html and stays.
            http.Response.OnStarting(() =>
            {
                if (http.Response.StatusCode == StatusCodes.Status400BadRequest
                    && http.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) != true)
                    BackToThePage(http);
                return Task.CompletedTask;
            });
            return next(http);
        });
        return app;
    }

    private static void BackToThePage(HttpContext http)
    {
        var request = http.Request;
        var path = request.PathBase + request.Path;
        // Only this site's own pages: "//host" or "/\host" would leave it.
        var local = path.HasValue && !path.Value!.StartsWith("//", StringComparison.Ordinal) && !path.Value.StartsWith("/\\", StringComparison.Ordinal)
            ? path + request.QueryString
            : "/";
        http.Response.StatusCode = StatusCodes.Status303SeeOther;
        http.Response.Headers.Location = local.ToString();
    }

    /// <summary>
    /// The antiforgery check of an endpoint that reads its own form: null when the form is
    /// readable and carries a valid token, else why not. A form the server cannot read (a NUL in
    /// a value, more fields than the limits allow) does not answer false but throws, and was a 500.
    /// </summary>
    public static async Task<Problem?> CheckForm(HttpContext http, IAntiforgery antiforgery)
    {
        if (!http.Request.HasFormContentType)
            return MissingToken;
        try
        {
            return await antiforgery.IsRequestValidAsync(http) ? null : MissingToken;
        }
        catch (AntiforgeryValidationException)
        {
            return Problem.Invalid("Request.UnreadableForm", "The form could not be read (a value has characters a form cannot carry, or there are too many fields); reload the page and try again.");
        }
    }

    private static Problem MissingToken =>
        Problem.Invalid("Request.Antiforgery", "The form is missing its antiforgery token or it is not valid; reload the page and try again.");
}
