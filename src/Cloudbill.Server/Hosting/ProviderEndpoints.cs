using System.Text.Json;
using System.Text.Json.Serialization;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Problems;
using Cloudbill.Core.ProviderApi;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// The provider API (docs/webhooks.md, "Provider API"; docs/decisions/0032): the provider's cloud
/// reports instances created, failed, deleted or changed, and imports customers. JSON in and out,
/// every refusal a problem+json with a stable code; authenticated by a provider key in
/// <c>Authorization: Bearer pk_….pks_…</c> (never a customer's AccessKey, never a cookie); rate
/// limited per client address (Cloudbill:RateLimits:ProviderApi); every call audited.
/// </summary>
internal static class ProviderEndpoints
{
    public const string Prefix = "/provider/v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record FailedBody(string? Reason);

    public static WebApplication MapProviderApi(this WebApplication app)
    {
        var api = app.MapGroup(Prefix).DisableAntiforgery().AllowAnonymous();

        api.MapGet("/instances/{id}", (string id, HttpContext http, CancellationToken ct) =>
            Call(http, ct, async (services, _) => Answer(await services.GetRequiredService<ProviderInstances>().Get(id, ct))));

        api.MapPost("/instances/{id}/created", (string id, HttpContext http, CancellationToken ct) =>
            Call(http, ct, async (services, _) => Answer(await services.GetRequiredService<ProviderInstances>().Created(id, ct))));

        api.MapPost("/instances/{id}/failed", (string id, HttpContext http, CancellationToken ct) =>
            Call(http, ct, async (services, _) =>
            {
                var body = await Body<FailedBody>(http, ct);
                if (!body.Succeeded)
                    return Answer(body.Problem!);
                return Answer(await services.GetRequiredService<ProviderInstances>().Failed(id, body.Value.Reason, ct));
            }));

        api.MapPost("/instances/{id}/deleted", (string id, HttpContext http, CancellationToken ct) =>
            Call(http, ct, async (services, _) => Answer(await services.GetRequiredService<ProviderInstances>().Deleted(id, ct))));

        api.MapMethods("/instances/{id}", [HttpMethods.Patch], (string id, HttpContext http, CancellationToken ct) =>
            Call(http, ct, async (services, _) =>
            {
                var body = await Body<InstanceChange>(http, ct);
                if (!body.Succeeded)
                    return Answer(body.Problem!);
                return Answer(await services.GetRequiredService<ProviderInstances>().Changed(id, body.Value, ct));
            }));

        api.MapPost("/import", (HttpContext http, CancellationToken ct) =>
            Call(http, ct, async (services, _) =>
            {
                var dryRun = http.Request.Query["dryRun"].ToString();
                if (dryRun is not ("" or "true" or "false"))
                    return Answer(Problem.Invalid("Import.DryRun", $"dryRun is '{dryRun}'; give true or false."));
                var body = await Body<ImportFile>(http, ct);
                if (!body.Succeeded)
                    return Answer(body.Problem!);
                var report = await services.GetRequiredService<CustomerImport>().Run(body.Value, dryRun == "true", ct);
                if (report.Errors.Count > 0)
                {
                    return (StatusCodes.Status422UnprocessableEntity, "Import.Invalid", ProblemResults.From(StatusCodes.Status422UnprocessableEntity, "Import.Invalid",
                        "The import has invalid rows.", $"{report.Errors.Count} row(s) are invalid; nothing was imported. Correct every row listed in errors and send the whole import again.",
                        new Dictionary<string, object?> { ["errors"] = report.Errors }));
                }
                return (StatusCodes.Status200OK, "", Results.Json(report, Json));
            }));

        // Anything else under the prefix answers as the API does, never with the app's HTML pages.
        app.Map(Prefix + "/{**rest}", (HttpContext http, CancellationToken ct) =>
            Call(http, ct, (_, _) => Task.FromResult(Answer(Problem.NotFound("Provider.NoSuchEndpoint",
                $"There is no {http.Request.Method} {http.Request.Path}; see docs/webhooks.md, \"Provider API\".")))))
            .DisableAntiforgery().AllowAnonymous();
        return app;
    }

    /// <summary>Authenticates the provider key, runs the call as the provider and audits what it answered.</summary>
    private static async Task<IResult> Call(HttpContext http, CancellationToken ct, Func<IServiceProvider, CancellationToken, Task<(int Status, string Code, IResult Result)>> handle)
    {
        var services = http.RequestServices;
        var audit = services.GetRequiredService<AuditLog>();
        var what = $"{http.Request.Method} {Clip(http.Request.Path.Value)}";
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var keyId = await services.GetRequiredService<ProviderKeyService>().Authenticate(token, ct);
        if (keyId is null)
        {
            await audit.Record(AuditEventKind.ProviderKeyRejected, null, $"{what}: {(token is null ? "no bearer token" : "unknown or revoked provider key")}", ct);
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"cloudbill-provider\"";
            return ProviderUnauthorized(token is null);
        }
        services.GetRequiredService<AuditOrigin>().ActAs(AuditActor.Provider, keyId);
        var (status, code, result) = await handle(services, ct);
        await audit.Record(AuditEventKind.ProviderCall, null, $"{what}: {status}{(code.Length > 0 ? " " + code : "")}", ct);
        return result;
    }

    private static IResult ProviderUnauthorized(bool missing) =>
        ProblemResults.From(StatusCodes.Status401Unauthorized, "Provider.Unauthorized", "Not authenticated.",
            missing
                ? "Send a provider key as Authorization: Bearer <key id>.<secret>; `cloudbill provider-keys add` makes one."
                : "The provider key is unknown, revoked or its secret is wrong. A customer's AccessKey is not a provider key.",
            new Dictionary<string, object?>());

    private static (int, string, IResult) Answer<T>(Result<T> result) =>
        result.Succeeded ? (StatusCodes.Status200OK, "", Results.Json(result.Value, Json)) : Answer(result.Problem!);

    private static (int, string, IResult) Answer(Problem problem) => (ProblemResults.StatusOf(problem), problem.Code, ProblemResults.From(problem));

    /// <summary>The JSON body, or a 400 naming what is wrong with it; unknown members are refused, so a typo is not silently ignored.</summary>
    private static async Task<Result<T>> Body<T>(HttpContext http, CancellationToken ct)
    {
        if (!(http.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return Problem.Invalid("Request.NotJson", $"The body must be JSON (Content-Type: application/json); it is '{http.Request.ContentType}'.");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, Json, ct) is { } value
                ? value
                : Problem.Invalid("Request.InvalidJson", "The body is null; send a JSON object.");
        }
        catch (JsonException e)
        {
            return Problem.Invalid("Request.InvalidJson", $"The body is not the JSON expected: {e.Message.Split('.')[0]} (at {e.Path ?? "$"}).");
        }
    }

    private static string Clip(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200];
}
