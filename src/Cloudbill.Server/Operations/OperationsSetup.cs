using Cloudbill.Core.Lifecycle;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;
using OpenTelemetry.Metrics;

namespace Cloudbill.Server.Operations;

/// <summary>
/// What an operator watches (docs/operations.md): OpenTelemetry metrics exported for Prometheus
/// on their own port (only when Cloudbill:Metrics:Listen is set), /healthz (alive) and /readyz
/// (can take traffic).
/// </summary>
public static class OperationsSetup
{
    public static IServiceCollection AddCloudbillOperations(this IServiceCollection services, IConfiguration configuration)
    {
        var options = MetricsOptions.Read(configuration);
        services.AddSingleton(options);
        services.AddSingleton<OperationsGauges>();
        services.AddHostedService(sp => sp.GetRequiredService<OperationsGauges>());
        services.AddHealthChecks().AddCheck<Readiness>("ready", tags: [Readiness.Tag]);
        if (options.ListenUri is { } listen)
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(EngineMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusHttpListener(o =>
                {
                    o.Host = listen.Host;
                    o.Port = listen.Port;
                }));
        }
        return services;
    }

    public static WebApplication MapCloudbillHealth(this WebApplication app)
    {
        // Alive: the process answers. No check runs, so a database failover does not restart every node.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Readiness.Tag) });
        return app;
    }

    /// <summary>The API's action on its request's metrics (http.server.request.duration), so latency and errors read per action: the API is one route.</summary>
    public static void TagApiAction(HttpContext http, string action) =>
        http.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new("cloudbill.api.action", action));
}
