using Cloudbill.Core.Problems;

namespace Cloudbill.Server.Hosting;

/// <summary>The one place a <see cref="Problem"/> becomes an HTTP status: RFC 7807 JSON with the problem's code.</summary>
internal static class ProblemResults
{
    public static int StatusOf(Problem problem) => problem.Kind switch
    {
        ProblemKind.Invalid => StatusCodes.Status400BadRequest,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
    };

    /// <summary>
    /// A page that shows a problem itself answers with its status; the status-code pages must not
    /// replace the page that already explains it.
    /// </summary>
    public static void SetStatus(HttpContext? http, Problem problem)
    {
        if (http is null || http.Response.HasStarted)
            return;
        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        // .NET 10 sends a routed component's 404 without a body (the framework reserves it for
        // its Not Found page), so a page that explains a missing order or instance answers 400:
        // the request named something that is not the caller's.
        var status = StatusOf(problem);
        http.Response.StatusCode = status == StatusCodes.Status404NotFound ? StatusCodes.Status400BadRequest : status;
    }

    public static IResult From(Problem problem) =>
        Results.Problem(title: problem.Message, statusCode: StatusOf(problem), extensions: new Dictionary<string, object?> { ["code"] = problem.Code });
}
