using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Testing;

/// <summary>One POST a <see cref="WebhookReceiver"/> got: the Standard Webhooks headers and the body as sent.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, IHeaderDictionary Headers);

/// <summary>
/// A provider's receiver as a real HTTP server (Kestrel on 127.0.0.1, a port the system picks):
/// records every POST and answers what <see cref="Answer"/> says (200 unless told otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly List<(Func<IReadOnlyList<ReceivedWebhook>, bool> Condition, TaskCompletionSource<IReadOnlyList<ReceivedWebhook>> Done)> waits = [];

    private WebhookReceiver(WebApplication app) => this.app = app;

    /// <summary>The status code for a request; may wait (a slow receiver). Called after the request is recorded.</summary>
    public Func<ReceivedWebhook, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => received.ToList();

    public static async Task<WebhookReceiver> Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/events", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            var webhook = new ReceivedWebhook(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, headers);
            receiver.Record(webhook);
            context.Response.StatusCode = await receiver.Answer(webhook);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/events");
        return receiver;
    }

    /// <summary>Completes, with what was received, when that meets <paramref name="condition"/>: a signal, no polling.</summary>
    public Task<IReadOnlyList<ReceivedWebhook>> When(Func<IReadOnlyList<ReceivedWebhook>, bool> condition)
    {
        var done = new TaskCompletionSource<IReadOnlyList<ReceivedWebhook>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (waits)
        {
            var now = Received;
            if (condition(now))
                return Task.FromResult(now);
            waits.Add((condition, done));
        }
        return done.Task;
    }

    private void Record(ReceivedWebhook webhook)
    {
        lock (waits)
        {
            received.Enqueue(webhook);
            var all = Received;
            foreach (var wait in waits.Where(w => w.Condition(all)).ToList())
            {
                waits.Remove(wait);
                wait.Done.TrySetResult(all);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
