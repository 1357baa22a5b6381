using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// The BSS-compatible RPC endpoint (docs/api.md): `POST /` and `GET /` with an action, routed by
/// the `x-acs-action` header or the `Action` parameter, version 2017-12-14. Everything a
/// request can get wrong is answered as BSS error JSON with a 4xx status; a 5xx is a bug.
/// </summary>
public static class BssOpenApi
{
    public const string Version = "2017-12-14";

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IServiceCollection AddBssOpenApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(BssApiOptions.Section).Get<BssApiOptions>() ?? new BssApiOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton<BssThrottle>();
        services.AddSingleton(Hosting.RateLimitOptions.Read(configuration));
        services.AddSingleton<BssSignatureFailures>();
        services.AddSingleton<AccessKeySecrets>();
        services.AddScoped<BssAuthenticator>();
        services.AddScoped<BssTransactions>();
        services.AddSingleton<SignatureNonceCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<SignatureNonceCleanup>());
        return services;
    }

    /// <summary>
    /// `POST /` is the API's alone; `GET /` is the API's only when it names an action, so the
    /// app's home page stays where it is.
    /// </summary>
    public static WebApplication MapBssOpenApi(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            var request = http.Request;
            var isApi = request.Path == "/" && (HttpMethods.IsPost(request.Method)
                || (HttpMethods.IsGet(request.Method) && (request.Headers.ContainsKey("x-acs-action") || request.Query.ContainsKey("Action"))));
            if (isApi)
                await Handle(http);
            else
                await next(http);
        });
        return app;
    }

    private static async Task Handle(HttpContext http)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            pages.Enabled = false;
        var requestId = Guid.NewGuid().ToString("D").ToUpperInvariant();
        // The API's own request id is the one its answers carry; the caller is nobody until the signature says who.
        var origin = http.RequestServices.GetRequiredService<Core.Audit.AuditOrigin>();
        origin.FromRequest(http.Connection.RemoteIpAddress?.ToString(), requestId);
        origin.ActAs(Core.Audit.AuditActor.Anonymous, null);
        var options = http.RequestServices.GetRequiredService<BssApiOptions>();
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Cloudbill.OpenApi");
        string? action = null;
        try
        {
            var (status, body) = await Answer(http, options, requestId, a => action = a);
            await Write(http, status, body);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody reads an answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "BSS action {Action} failed with an unexpected error; request {RequestId}", action, requestId);
            if (!http.Response.HasStarted)
                await Write(http, 500, ErrorBody(BssErrors.InternalError(), requestId, options));
        }
    }

    private static async Task<(int Status, object Body)> Answer(HttpContext http, BssApiOptions options, string requestId, Action<string> named)
    {
        var request = http.Request;
        object Error(BssError e) => ErrorBody(e, requestId, options);

        if (request.ContentLength > options.MaxBodyBytes)
            return (413, Error(BssErrors.BodyTooLarge(options.MaxBodyBytes)));
        var body = await ReadBody(request, options.MaxBodyBytes, http.RequestAborted);
        if (body is null)
            return (413, Error(BssErrors.BodyTooLarge(options.MaxBodyBytes)));

        var query = BssSignatures.ParseQuery(request.QueryString.Value);
        var form = request.ContentType is { } type && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? BssSignatures.ParseQuery(System.Text.Encoding.UTF8.GetString(body))
            : [];

        string? FromQuery(string name) => query.FirstOrDefault(p => p.Key == name).Value;
        string? action;
        if (BssAuthenticator.IsV1(Header(request, "Authorization"), query))
        {
            // A V1 signature covers the parameters (query and form), not the headers: the signed
            // Action is what runs. An unsigned x-acs-action that names another would turn a
            // captured read into a change (GetOrderDetail replayed as CancelOrder), so it is refused.
            action = FromQuery("Action") ?? form.FirstOrDefault(p => p.Key == "Action").Value;
            if (string.IsNullOrEmpty(action))
                return (400, Error(BssErrors.MissingParameter("Action")));
            if (Header(request, "x-acs-action") is { } unsigned && unsigned != action)
                return (400, Error(BssErrors.ActionMismatch(unsigned, action)));
        }
        else
        {
            // V3 signs the x-acs-action header (a required signed header).
            action = Header(request, "x-acs-action") ?? FromQuery("Action");
        }
        if (string.IsNullOrEmpty(action))
            return (400, Error(BssErrors.MissingParameter("Action")));
        named(action);
        var version = Header(request, "x-acs-version") ?? FromQuery("Version");
        if (string.IsNullOrEmpty(version))
            return (400, Error(BssErrors.MissingParameter("Version")));
        if (version != Version)
            return (400, Error(BssErrors.InvalidVersion(version)));
        if (!BssActions.All.TryGetValue(action, out var handler))
            return (404, Error(BssErrors.ActionNotFound(action)));

        var signed = new BssSignedRequest(request.Method, request.QueryString.Value, query, form, name => Header(request, name), body)
        {
            SourceAddress = Hosting.FormRateLimits.ClientAddress(http),
        };
        async Task<BssOutcome> Run(BssCaller caller)
        {
            try
            {
                return await handler(new BssCall(caller, new BssParameters(query.Concat(form)), http.RequestServices, http.RequestAborted));
            }
            catch (BssParameterException e)
            {
                return BssOutcome.FromError(e.Error);
            }
        }

        // A read may run while the nonce is written (docs/decisions/0023), if the quota has room;
        // its answer, or its failure, waits for the authentication and then for the quota.
        var throttle = http.RequestServices.GetRequiredService<BssThrottle>();
        BssOutcome read = default;
        ExceptionDispatchInfo? readFailure = null;
        var readStarted = false;
        async Task ReadAlongside(BssCaller c)
        {
            if (!throttle.HasRoom(c.AccessKeyId, action))
                return;
            readStarted = true;
            try
            {
                read = await Run(c);
            }
#pragma warning disable CA1031 // Thrown below once the request is allowed; a refusal or the quota comes first.
            catch (Exception e)
#pragma warning restore CA1031
            {
                readFailure = ExceptionDispatchInfo.Capture(e);
            }
        }
        var (caller, denied, readDone) = await http.RequestServices.GetRequiredService<BssAuthenticator>()
            .Authenticate(signed, BssActions.Reads.Contains(action) ? ReadAlongside : null, http.RequestAborted);
        if (denied is not null)
            return (denied.Status, Error(denied));
        http.RequestServices.GetRequiredService<Core.Audit.AuditOrigin>().ActAs(Core.Audit.AuditActor.AccessKey, caller!.AccessKeyId);
        if (!throttle.TryAcquire(caller!.AccessKeyId, action))
            return (400, Error(BssErrors.Throttled(action)));

        var answered = readDone && readStarted;
        if (answered)
            readFailure?.Throw();
        var outcome = answered ? read : await Run(caller);
        if (outcome.Error is { } failed)
            return (failed.Status, Error(failed));
        return (200, new SuccessBody(requestId, "Success", "Successful!", true, outcome.Data));
    }

    /// <summary>The body, or null when it is larger than the limit (a chunked body has no Content-Length to check first).</summary>
    private static async Task<byte[]?> ReadBody(HttpRequest request, int limit, CancellationToken ct)
    {
        // The SDK sends most actions with an empty body: nothing to read or to allocate for.
        if (request.ContentLength == 0)
            return [];
        using var buffer = new MemoryStream();
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                    return null;
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    /// <summary>A header's value as signed: repeated values sorted and joined with ','.</summary>
    private static string? Header(HttpRequest request, string name)
    {
        if (!request.Headers.TryGetValue(name, out var values) || values.Count == 0)
            return null;
        if (values.Count == 1)
            return values[0];
        return string.Join(',', values.Order(StringComparer.Ordinal));
    }

    private static object ErrorBody(BssError error, string requestId, BssApiOptions options) =>
        new ErrorBodyJson(requestId, options.HostId, error.Code, error.Message, $"See docs/api.md, error code {error.Code}.");

    private static async Task Write(HttpContext http, int status, object body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(http.Response.Body, body, body.GetType(), Json, http.RequestAborted);
    }

    private sealed record SuccessBody(string RequestId, string Code, string Message, bool Success, object? Data);

    private sealed record ErrorBodyJson(string RequestId, string HostId, string Code, string Message, string Recommend);
}
