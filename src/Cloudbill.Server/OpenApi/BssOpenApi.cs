using Cloudbill.Core.Persistence;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cloudbill.Server.OpenApi;

/// <summary>
/// The BSS-compatible RPC endpoint (docs/api.md): `POST /` and `GET /` with an action, routed by
/// the `x-acs-action` header or the `Action` parameter, version 2017-12-14. A request goes
/// through the authentication step (<see cref="BssAuthentication"/>), the quota (ASP.NET Core's
/// rate limiter, <see cref="BssQuotaPolicy"/>) and the endpoint, which runs the action's handler
/// (<see cref="BssActions"/>). Everything a request can get wrong is answered as BSS error JSON
/// with a 4xx status; a 5xx is a bug.
/// </summary>
public static class BssOpenApi
{
    public const string Version = "2017-12-14";

    public static IServiceCollection AddBssOpenApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(BssApiOptions.Section).Get<BssApiOptions>() ?? new BssApiOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(Hosting.RateLimitOptions.Read(configuration));
        services.AddSingleton<BssSignatureFailures>();
        services.AddSingleton<AccessKeySecrets>();
        services.AddScoped<BssAuthenticator>();
        services.AddBssActions();
        services.AddSingleton<BssQuotaPolicy>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>()
            .Configure<BssQuotaPolicy>((limiter, quota) => limiter.AddPolicy(BssQuotaPolicy.Name, quota));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ApiRequestsOnly>());
        services.AddSingleton<SignatureNonceCleanup>();
        services.AddHostedService(sp => sp.GetRequiredService<SignatureNonceCleanup>());
        return services;
    }

    /// <summary>
    /// Maps the endpoint and puts the authentication step in front of the app's middleware, as
    /// the API answers its own errors and never redirects to sign-in. `POST /` is the API's
    /// alone; `GET /` is the API's only when it names an action, so the app's home page stays.
    /// </summary>
    public static WebApplication MapBssOpenApi(this WebApplication app)
    {
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Post], Answer)
            .WithMetadata(Endpoint)
            // Before the app's page at the same address.
            .WithOrder(-1)
            .RequireRateLimiting(BssQuotaPolicy.Name)
            .DisableAntiforgery()
            .AllowAnonymous();
        app.UseWhen(IsApi, api => api.UseMiddleware<BssAuthentication>());
        return app;
    }

    /// <summary>Marks the API's endpoint.</summary>
    public sealed class EndpointMarker;

    private static readonly EndpointMarker Endpoint = new();

    private static bool IsApi(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<EndpointMarker>() is not null;

    /// <summary>The endpoint, once authenticated and within the quota: the answer of a read that ran beside the nonce, or the action run now.</summary>
    private static async Task Answer(HttpContext http)
    {
        var feature = http.Features.Get<BssRequestFeature>()!;
        var call = feature.Call!;
        Operations.OperationsSetup.TagApiAction(http, call.Action);
        try
        {
            feature.ReadFailure?.Throw();
            var outcome = feature.ReadAnswer ?? await RunRetryingWhereSafe(http.RequestServices, call, http.RequestAborted);
            await BssAnswers.Write(http, outcome);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nobody reads an answer.
        }
        catch (Exception e) when (DatabaseOutage.IsTransient(e))
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BssOpenApi))
                .LogWarning("BSS action {Action} failed on the database connection ({Reason}); answered 503 to retry; request {RequestId}", call.Action, e.GetBaseException().Message, feature.RequestId);
            if (!http.Response.HasStarted)
                await BssAnswers.Error(http, BssErrors.ServiceUnavailable());
        }
        catch (Exception e)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BssOpenApi))
                .LogError(e, "BSS action {Action} failed with an unexpected error; request {RequestId}", call.Action, feature.RequestId);
            if (!http.Response.HasStarted)
                await BssAnswers.Error(http, BssErrors.InternalError());
        }
    }

    /// <summary>
    /// Runs the action, and again on the new primary if it failed on the database connection, where
    /// sending it twice cannot do it twice (docs/decisions/0034): a read, or a renewal or purchase
    /// with the caller's own ClientToken (an attempt that committed is found by its token and
    /// answered again). Without a ClientToken each attempt would place a new order: the caller gets
    /// the 503 and decides.
    /// </summary>
    private static Task<BssOutcome> RunRetryingWhereSafe(IServiceProvider services, BssCall call, CancellationToken ct)
    {
        var safe = BssActions.Reads.Contains(call.Action)
            || (BssActions.KeyedByClientToken.Contains(call.Action) && call.Parameters.Text("ClientToken") is not null);
        if (!safe)
            return BssActions.Run(services, call, ct);
        return DatabaseOutage.Retry(services.GetRequiredService<CloudbillDbContext>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BssOpenApi)), call.Action, token => BssActions.Run(services, call, token), ct);
    }

    /// <summary>Leaves `GET /` to the app's home page unless it names an action (the x-acs-action header or an Action parameter).</summary>
    private sealed class ApiRequestsOnly : MatcherPolicy, IEndpointSelectorPolicy
    {
        public override int Order => 0;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
            endpoints.Any(e => e.Metadata.GetMetadata<EndpointMarker>() is not null);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            var request = httpContext.Request;
            if (HttpMethods.IsPost(request.Method) || request.Headers.ContainsKey("x-acs-action") || request.Query.ContainsKey("Action"))
                return Task.CompletedTask;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates[i].Endpoint.Metadata.GetMetadata<EndpointMarker>() is not null)
                    candidates.SetValidity(i, false);
            }
            return Task.CompletedTask;
        }
    }
}
