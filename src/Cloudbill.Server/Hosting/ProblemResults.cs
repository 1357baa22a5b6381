using System.Diagnostics;
using Cloudbill.Core.Problems;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Diagnostics;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// The one place a <see cref="Problem"/> becomes HTTP: RFC 9457 problem details with a stable
/// <c>type</c> from the problem's code (<c>urn:cloudbill:problem:Ledger.KeyReused</c>), a
/// <c>title</c> that is the same for every occurrence of that type, the occurrence's message in
/// <c>detail</c>, the code again in <c>code</c> and the request id in <c>requestId</c>
/// (docs/decisions/0016).
/// </summary>
internal static class ProblemResults
{
    public const string TypePrefix = "urn:cloudbill:problem:";
    public const string UnexpectedCode = "Server.Unexpected";
    public const string TooManyRequestsCode = "Request.TooMany";
    public const string DatabaseUnavailableCode = "Database.Unavailable";
    public const string JsonContentType = "application/problem+json";

    public static int StatusOf(Problem problem) => problem.Kind switch
    {
        ProblemKind.Invalid => StatusCodes.Status400BadRequest,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
    };

    /// <summary>The constant title of a problem type: one per kind, so it never carries an occurrence's ids or amounts.</summary>
    public static string TitleOf(Problem problem) => problem.Kind switch
    {
        ProblemKind.Invalid => "The request is not valid.",
        ProblemKind.NotFound => "Not found.",
        ProblemKind.Conflict => "The request conflicts with the current state.",
        ProblemKind.Forbidden => "Not allowed.",
    };

    /// <summary>The id that the log and the answer share (the trace id when tracing, else the connection's request id).</summary>
    public static string RequestId(HttpContext http) => Activity.Current?.Id ?? http.TraceIdentifier;

    /// <summary>
    /// A page that shows a problem itself answers with its status; the status-code pages must not
    /// replace the page that already explains it.
    /// </summary>
    public static void SetStatus(HttpContext? http, Problem problem)
    {
        if (http is null || http.Response.HasStarted)
            return;
        if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        // .NET 10 sends a routed component's 404 without a body (the framework reserves it for
        // its Not Found page), so a page that explains a missing order or instance answers 400:
        // the request named something that is not the caller's.
        var status = StatusOf(problem);
        http.Response.StatusCode = status == StatusCodes.Status404NotFound ? StatusCodes.Status400BadRequest : status;
    }

    public static IResult From(Problem problem) =>
        new ProblemJson(StatusOf(problem), problem.Code, TitleOf(problem), problem.Message);

    /// <summary>A problem with its own status and more members beside the standard ones (the import's <c>errors</c>: 422).</summary>
    public static IResult From(int status, string code, string title, string detail, IReadOnlyDictionary<string, object?> extensions) =>
        new ProblemJson(status, code, title, detail, extensions);

    /// <summary>A rate limit's refusal (docs/decisions/0025): nothing of the request was done.</summary>
    public static IResult TooManyRequests(string detail) =>
        new ProblemJson(StatusCodes.Status429TooManyRequests, TooManyRequestsCode, "Too many requests.", detail);

    /// <summary>What an unexpected exception answers: nothing of the exception, only where to find it in the log.</summary>
    public static IResult Unexpected(string requestId) =>
        new ProblemJson(StatusCodes.Status500InternalServerError, UnexpectedCode, "Cloudbill could not complete the request.",
            $"Something unexpected went wrong; nothing is known to have changed. Try again, and if it happens again give the operator the request id {requestId}.");

    /// <summary>The database is failing over (docs/decisions/0034): nothing of the exception, a status a client retries on.</summary>
    public static IResult DatabaseUnavailable() =>
        new ProblemJson(StatusCodes.Status503ServiceUnavailable, DatabaseUnavailableCode, "The database is unavailable.",
            "The database is failing over to its standby; the request may not have been done. Send it again in a few seconds: a payment sent again with the same ClientToken is made once.");

    /// <summary>Written as JSON whatever the request accepts: a gateway or the app reads it, never an HTML page.</summary>
    private sealed class ProblemJson(int status, string code, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            http.Response.StatusCode = status;
            var body = new Dictionary<string, object?>
            {
                ["type"] = TypePrefix + code,
                ["title"] = title,
                ["status"] = status,
                ["detail"] = detail,
                ["code"] = code,
                ["requestId"] = RequestId(http),
            };
            foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
                body[name] = value;
            return http.Response.WriteAsJsonAsync(body, (System.Text.Json.JsonSerializerOptions?)null, JsonContentType, http.RequestAborted);
        }
    }
}

/// <summary>
/// An exception nobody expected, on an endpoint that answers JSON or takes a form (the payment
/// endpoints, /signout, the API): logged as an error with the request id, answered with a JSON
/// problem carrying the same id, never an HTML page or a stack trace. Blazor pages keep /error.
/// </summary>
internal sealed partial class UnexpectedExceptionHandler(ILogger<UnexpectedExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a double tap abandons the first post): nobody reads an error
            // page, and rendering one would fail on the aborted request's own token. Kept in the
            // log as a warning, with the exception, in case it was not the abort's doing.
            LogAbandoned(exception, http.Request.Method, http.Request.Path.Value ?? "", ProblemResults.RequestId(http));
            return true;
        }
        if (Core.Persistence.DatabaseOutage.IsTransient(exception) && !http.Response.HasStarted)
        {
            // A failover, not a bug: a 503 the client retries, on a page too (its form keeps its ClientToken).
            LogDatabaseUnavailable(http.Request.Method, http.Features.Get<IExceptionHandlerFeature>()?.Path ?? http.Request.Path.Value ?? "", exception.GetBaseException().Message, ProblemResults.RequestId(http));
            http.Response.Headers.RetryAfter = "2";
            await ProblemResults.DatabaseUnavailable().ExecuteAsync(http);
            return true;
        }
        var endpoint = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        var isPage = endpoint is null
            ? http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            : endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
        if (isPage || http.Response.HasStarted)
            return false;

        var requestId = ProblemResults.RequestId(http);
        LogUnexpected(exception, http.Request.Method, http.Features.Get<IExceptionHandlerFeature>()?.Path ?? http.Request.Path.Value ?? "", requestId);
        await ProblemResults.Unexpected(requestId).ExecuteAsync(http);
        return true;
    }

    [LoggerMessage(LogLevel.Error, "Unexpected failure of {Method} {Path} (request {RequestId})")]
    private partial void LogUnexpected(Exception exception, string method, string path, string requestId);

    [LoggerMessage(LogLevel.Warning, "{Method} {Path} failed on the database connection ({Reason}); answered 503 (request {RequestId})")]
    private partial void LogDatabaseUnavailable(string method, string path, string reason, string requestId);

    [LoggerMessage(LogLevel.Warning, "{Method} {Path} failed after the client abandoned it (request {RequestId}); no error page was sent")]
    private partial void LogAbandoned(Exception exception, string method, string path, string requestId);
}
