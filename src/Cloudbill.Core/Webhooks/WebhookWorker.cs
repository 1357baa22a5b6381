using Cloudbill.Core.Time;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Webhooks;

/// <summary>Runs the webhook dispatcher on every node every Cloudbill:Webhooks:PollSeconds, on the injected clock.</summary>
public sealed class WebhookWorker(WebhookDispatcher dispatcher, WebhookOptions options, TimeProvider clock, ILogger<WebhookWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.PollSeconds <= 0)
            return;
        var interval = TimeSpan.FromSeconds(options.PollSeconds);
        await PeriodicLoop.Run(interval, clock, ct => dispatcher.RunOnce(ct),
            e => logger.LogError(e, "A webhook dispatch pass failed; it runs again in {Seconds} s", interval.TotalSeconds), stoppingToken);
    }
}
