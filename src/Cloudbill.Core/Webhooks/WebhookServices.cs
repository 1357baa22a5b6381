using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Webhooks;

public static class WebhookServices
{
    /// <summary>The endpoints (the caller registers <see cref="WebhookOptions"/>), the dispatcher and its HTTP client; the host adds <see cref="WebhookWorker"/> as a hosted service.</summary>
    public static IServiceCollection AddCloudbillWebhooks(this IServiceCollection services)
    {
        services.AddScoped<WebhookEndpoints>();
        // A redirect is not an answer: the endpoint's address is the one the operator gave.
        services.AddHttpClient(WebhookDispatcher.HttpClientName, (sp, client) => client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<WebhookOptions>().TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<WebhookWorker>();
        return services;
    }
}
