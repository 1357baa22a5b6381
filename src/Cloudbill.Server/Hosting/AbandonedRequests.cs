namespace Cloudbill.Server.Hosting;

/// <summary>
/// A request Kestrel finds malformed while it is read, such as a body that stops before its
/// Content-Length (a phone that drops the connection, a browser that abandons the first post when
/// a second tap navigates), is the client's doing: it is answered with the status Kestrel gives
/// it (400, or 413 for a body over the limit) and logged as information, not handed to the
/// exception handler as a server failure. Forms are read (antiforgery) before any page code runs.
/// </summary>
internal static partial class AbandonedRequests
{
    public static WebApplication UseAbandonedRequests(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AbandonedRequests).FullName!);
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (BadHttpRequestException e)
            {
                Abandoned(logger, http.Request.Method, http.Request.Path, e.Message, e.StatusCode);
                if (!http.Response.HasStarted)
                {
                    http.Response.Clear();
                    http.Response.StatusCode = e.StatusCode;
                }
            }
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the client's request could not be read ({Reason}); answered {Status}")]
    private static partial void Abandoned(ILogger logger, string method, string path, string reason, int status);
}
