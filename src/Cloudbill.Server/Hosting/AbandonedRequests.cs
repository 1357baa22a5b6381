namespace Cloudbill.Server.Hosting;

/// <summary>
/// A request whose body stops before its Content-Length (a phone that drops the connection, a
/// browser that abandons the first post when a second tap navigates) is the client's doing: it
/// is answered with its 400 and logged as information, not handed to the exception handler as a
/// server failure. Nothing ran: the body is read (antiforgery, the form) before any page code.
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
                Abandoned(logger, http.Request.Method, http.Request.Path, e.Message);
                if (!http.Response.HasStarted)
                {
                    http.Response.Clear();
                    http.Response.StatusCode = e.StatusCode;
                }
            }
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the client's request was incomplete ({Reason}); answered 400")]
    private static partial void Abandoned(ILogger logger, string method, string path, string reason);
}
