using System.Runtime.ExceptionServices;
using Cloudbill.Core.Audit;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// The API's one authentication step, in front of the quota and the endpoint: reads the body
/// (within its limit) and the parameters, names the action as the signature covers it, checks
/// the version and the signature (<see cref="BssAuthenticator"/>: V3 or V1, the timestamp, the
/// nonce), and hands the call on in a <see cref="BssRequestFeature"/>. A request it refuses
/// gets its BSS error here and goes no further. An action that only reads may run while the
/// nonce is written (docs/decisions/0023), if the quota has room; its answer waits for the
/// authentication and then for the quota.
/// </summary>
public sealed class BssAuthentication(RequestDelegate next, ILogger<BssAuthentication> logger)
{
    public async Task InvokeAsync(HttpContext http, BssAuthenticator authenticator, BssQuotaPolicy quotas, BssApiOptions options, AuditOrigin origin)
    {
        var feature = new BssRequestFeature(Guid.NewGuid().ToString("D").ToUpperInvariant());
        http.Features.Set(feature);
        // The log scope's RequestId (the host reads the trace identifier) is then the one the answer carries.
        http.TraceIdentifier = feature.RequestId;
        // The API's own request id is the one its answers carry; the caller is nobody until the signature says who.
        origin.FromRequest(http.Connection.RemoteIpAddress?.ToString(), feature.RequestId);
        origin.ActAs(AuditActor.Anonymous, null);
        string? action = null;
        try
        {
            var refused = await Authenticate(http, feature, authenticator, quotas, options, a => action = a);
            if (refused is not null)
            {
                await BssAnswers.Error(http, refused);
                return;
            }
            origin.ActAs(AuditActor.AccessKey, feature.Call!.Caller.AccessKeyId);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody reads an answer.
            return;
        }
        catch (Exception e) when (Core.Persistence.DatabaseOutage.IsTransient(e))
        {
            // The key or the nonce could not be read or written: nothing of the action ran.
            logger.LogWarning("BSS action {Action} could not be authenticated: the database connection failed ({Reason}); answered 503 to retry; request {RequestId}", action, e.GetBaseException().Message, feature.RequestId);
            if (!http.Response.HasStarted)
                await BssAnswers.Error(http, BssErrors.ServiceUnavailable());
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "BSS action {Action} failed with an unexpected error; request {RequestId}", action, feature.RequestId);
            if (!http.Response.HasStarted)
                await BssAnswers.Error(http, BssErrors.InternalError());
            return;
        }
        await next(http);
    }

    private static async Task<BssError?> Authenticate(HttpContext http, BssRequestFeature feature, BssAuthenticator authenticator, BssQuotaPolicy quotas, BssApiOptions options, Action<string> named)
    {
        var request = http.Request;
        if (request.ContentLength > options.MaxBodyBytes)
            return BssErrors.BodyTooLarge(options.MaxBodyBytes);
        var body = await ReadBody(request, options.MaxBodyBytes, http.RequestAborted);
        if (body is null)
            return BssErrors.BodyTooLarge(options.MaxBodyBytes);

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
                return BssErrors.MissingParameter("Action");
            if (Header(request, "x-acs-action") is { } unsigned && unsigned != action)
                return BssErrors.ActionMismatch(unsigned, action);
        }
        else
        {
            // V3 signs the x-acs-action header (a required signed header).
            action = Header(request, "x-acs-action") ?? FromQuery("Action");
        }
        if (string.IsNullOrEmpty(action))
            return BssErrors.MissingParameter("Action");
        named(action);
        var version = Header(request, "x-acs-version") ?? FromQuery("Version");
        if (string.IsNullOrEmpty(version))
            return BssErrors.MissingParameter("Version");
        if (version != BssOpenApi.Version)
            return BssErrors.InvalidVersion(version);
        if (!BssActions.All.ContainsKey(action))
            return BssErrors.ActionNotFound(action);

        var parameters = new BssParameters(query.Concat(form));
        var signed = new BssSignedRequest(request.Method, request.QueryString.Value, query, form, name => Header(request, name), body)
        {
            SourceAddress = Hosting.FormRateLimits.ClientAddress(http),
        };
        var readStarted = false;
        async Task ReadAlongside(BssCaller caller)
        {
            if (!quotas.HasRoom(caller.AccessKeyId, action))
                return;
            readStarted = true;
            try
            {
                feature.ReadAnswer = await BssActions.Run(http.RequestServices, new BssCall(caller, action, parameters), http.RequestAborted);
            }
#pragma warning disable CA1031 // Thrown by the endpoint once the request is allowed; a refusal or the quota comes first.
            catch (Exception e)
#pragma warning restore CA1031
            {
                feature.ReadFailure = ExceptionDispatchInfo.Capture(e);
            }
        }
        var (caller, denied, readDone) = await authenticator.Authenticate(signed, BssActions.Reads.Contains(action) ? ReadAlongside : null, http.RequestAborted);
        if (denied is not null)
            return denied;
        if (!(readDone && readStarted))
        {
            // The read did not run, or ran for an account the database did not confirm: the endpoint runs the action.
            feature.ReadAnswer = null;
            feature.ReadFailure = null;
        }
        feature.Call = new BssCall(caller!, action, parameters);
        return null;
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
}
