using System.Globalization;
using System.Text;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Webhooks;

/// <summary>What one pass did: deliveries made, attempts that succeeded and failed.</summary>
public sealed record WebhookPass(int Queued, int Delivered, int Failed);

/// <summary>
/// Sends the lifecycle events to the endpoints (docs/webhooks.md, "Receiving webhooks"). A pass
/// first fans new events out into one delivery per (event, endpoint), then sends what is due, the
/// earliest event first, one event of an instance at a time per endpoint. Every node runs passes:
/// the unique (event, endpoint) row and the conditional claim of a delivery make two passes at
/// once send each delivery once; a node killed mid-send leaves a claim that runs out, and the
/// delivery is sent again (at least once; receivers deduplicate by webhook-id).
/// </summary>
public sealed class WebhookDispatcher(IServiceScopeFactory scopes, IHttpClientFactory http, WebhookOptions options, TimeProvider clock, ILogger<WebhookDispatcher> logger)
{
    public const string HttpClientName = "Cloudbill.Webhooks";

    /// <summary>
    /// How long an event Id may stay invisible after a higher one is seen. PostgreSQL hands out Ids
    /// when a transaction inserts and shows the row when it commits, so a lower Id can appear after a
    /// higher one; a pass finds events by "no delivery yet" above a cursor that moves only to Ids seen
    /// this long ago, so such an event is still found (a transaction open longer than this is not).
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(5);

    private const int FanOutBatch = 500;
    private const int SendBatch = 100;
    private const int MaxRounds = 50;

    /// <summary>
    /// How long a claimed delivery is left to the node that claimed it: the time-out and a margin for
    /// writing the attempt, so only a dead node's claim runs out, and the delivery is sent again.
    /// </summary>
    private TimeSpan Lease => TimeSpan.FromSeconds(options.TimeoutSeconds + 15);

    /// <summary>One pass, as the hosted service runs it every Cloudbill:Webhooks:PollSeconds; tests and verbs call it directly.</summary>
    public async Task<WebhookPass> RunOnce(CancellationToken ct)
    {
        var queued = await FanOut(ct);
        int delivered = 0, failed = 0;
        // A delivered event lets the next one of its instance go: rounds until nothing more is due.
        for (var round = 0; round < MaxRounds; round++)
        {
            var due = await Due(ct);
            if (due.Count == 0)
                break;
            var outcomes = await Task.WhenAll(due.GroupBy(d => d.EndpointId).Select(g => SendInOrder(g.ToList(), ct)));
            var sent = outcomes.SelectMany(o => o).ToList();
            delivered += sent.Count(s => s == true);
            failed += sent.Count(s => s == false);
            if (sent.Count == 0)
                break;
        }
        return new WebhookPass(queued, delivered, failed);
    }

    private async Task<int> FanOut(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var now = clock.GetUtcNow();
        var endpoints = await db.WebhookEndpoints.Where(e => e.DisabledAt == null).OrderBy(e => e.Id).ToListAsync(ct);
        if (endpoints.Count == 0)
            return 0;
        var latest = await db.LifecycleEvents.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        var queued = 0;
        foreach (var endpoint in endpoints)
        {
            var from = endpoint.FannedThroughEventId;
            var endpointId = endpoint.Id;
            var events = db.LifecycleEvents.AsNoTracking()
                .Where(e => e.Id > from && !db.WebhookDeliveries.Any(d => d.LifecycleEventId == e.Id && d.EndpointId == endpointId));
            if (endpoint.EventFilter is { Count: > 0 } types)
                events = events.Where(e => types.Contains(e.Type));
            var batch = await events.OrderBy(e => e.Id).Select(e => new { e.Id, e.InstanceId }).Take(FanOutBatch).ToListAsync(ct);
            foreach (var e in batch)
            {
                db.WebhookDeliveries.Add(new WebhookDelivery
                {
                    EndpointId = endpointId,
                    LifecycleEventId = e.Id,
                    InstanceId = e.InstanceId,
                    State = WebhookDeliveryState.Pending,
                    NextAttemptAt = now,
                    CreatedAt = now,
                });
            }
            queued += batch.Count;
            if (batch.Count < FanOutBatch && now - endpoint.HorizonAt >= SettleTime)
            {
                endpoint.FannedThroughEventId = Math.Max(endpoint.FannedThroughEventId, endpoint.HorizonEventId);
                endpoint.HorizonEventId = latest;
                endpoint.HorizonAt = now;
            }
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e)
        {
            // Another node's pass made some of the same rows first: the next pass queues the rest.
            logger.LogDebug(e, "Another node queued some of the same webhook deliveries; the next pass queues the rest");
            return 0;
        }
        return queued;
    }

    private sealed record DueDelivery(long Id, long EndpointId, DateTimeOffset NextAttemptAt);

    /// <summary>
    /// Pending deliveries whose time has come, on enabled endpoints, earliest event first, and of
    /// each instance only the earliest pending one: a later event of an instance waits for it.
    /// </summary>
    private async Task<List<DueDelivery>> Due(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var now = clock.GetUtcNow();
        return await (
                from d in db.WebhookDeliveries.AsNoTracking()
                join endpoint in db.WebhookEndpoints on d.EndpointId equals endpoint.Id
                where endpoint.DisabledAt == null && d.State == WebhookDeliveryState.Pending && d.NextAttemptAt <= now
                      && (d.InstanceId == null || !db.WebhookDeliveries.Any(p => p.EndpointId == d.EndpointId && p.InstanceId == d.InstanceId
                                                                              && p.State == WebhookDeliveryState.Pending && p.LifecycleEventId < d.LifecycleEventId))
                orderby d.LifecycleEventId
                select new DueDelivery(d.Id, d.EndpointId, d.NextAttemptAt))
            .Take(SendBatch)
            .ToListAsync(ct);
    }

    /// <summary>One endpoint's due deliveries, one after another; null for one another node claimed first.</summary>
    private async Task<List<bool?>> SendInOrder(List<DueDelivery> due, CancellationToken ct)
    {
        var outcomes = new List<bool?>();
        foreach (var delivery in due)
        {
            if (await Send(delivery, ct) is { } outcome)
                outcomes.Add(outcome);
        }
        return outcomes;
    }

    /// <summary>Claims the delivery, posts it and records the attempt; null when another pass claimed it first.</summary>
    private async Task<bool?> Send(DueDelivery due, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var now = clock.GetUtcNow();
        // The claim: only the pass that moves NextAttemptAt from the value it read sends.
        var claimed = await db.WebhookDeliveries
            .Where(d => d.Id == due.Id && d.State == WebhookDeliveryState.Pending && d.NextAttemptAt == due.NextAttemptAt)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, now + Lease), ct);
        if (claimed == 0)
            return null;

        var delivery = await db.WebhookDeliveries.FirstAsync(d => d.Id == due.Id, ct);
        var endpoint = await db.WebhookEndpoints.Include(e => e.Secrets).FirstAsync(e => e.Id == delivery.EndpointId, ct);
        var lifecycleEvent = await db.LifecycleEvents.AsNoTracking().FirstAsync(e => e.Id == delivery.LifecycleEventId, ct);
        var body = LifecycleEvents.Payload(lifecycleEvent);
        // The oldest first: a receiver that has not switched yet verifies even with a library that
        // checks only the first signature of the header (the StandardWebhooks NuGet package 1.1.2 does).
        var secrets = endpoint.Secrets.Where(s => s.SignsAt(now)).OrderBy(s => s.Id).Select(s => s.Secret).ToList();

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(WebhookSigner.IdHeader, lifecycleEvent.EventId);
        request.Headers.TryAddWithoutValidation(WebhookSigner.TimestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, WebhookSigner.Signatures(secrets, lifecycleEvent.EventId, now, body));

        int? status = null;
        string? error = null;
        var started = clock.GetTimestamp();
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                error = $"HTTP {status}";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the claim runs out and a pass sends it again.
            throw;
        }
        catch (TaskCanceledException)
        {
            error = $"no answer within {options.TimeoutSeconds} s";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        var latency = (int)Math.Min(int.MaxValue, clock.GetElapsedTime(started).TotalMilliseconds);

        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id,
            EndpointId = endpoint.Id,
            At = now,
            StatusCode = status,
            Error = AuditOrigin.Clip(error, WebhookAttempt.ErrorMaxLength),
            LatencyMs = latency,
        });
        delivery.AttemptCount++;
        var succeeded = error is null;
        if (succeeded)
        {
            delivery.State = WebhookDeliveryState.Delivered;
            delivery.CompletedAt = now;
        }
        else if (WebhookSchedule.AfterFailure(delivery.AttemptCount) is { } wait)
        {
            delivery.NextAttemptAt = now + wait;
            logger.LogWarning("Webhook {EventId} to endpoint {EndpointId} failed ({Error}), attempt {Attempt}; next at {NextAttemptAt:O}",
                lifecycleEvent.EventId, endpoint.Id, error, delivery.AttemptCount, delivery.NextAttemptAt);
        }
        else
        {
            delivery.State = WebhookDeliveryState.Failed;
            delivery.CompletedAt = now;
            if (endpoint.Enabled)
                Disable(scope.ServiceProvider.GetRequiredService<AuditLog>(), endpoint, lifecycleEvent, delivery, error!, now);
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return succeeded;
    }

    /// <summary>The operator is told twice: an error in the log and a row in the audit log.</summary>
    private void Disable(AuditLog audit, WebhookEndpoint endpoint, LifecycleEvent lifecycleEvent, WebhookDelivery delivery, string error, DateTimeOffset now)
    {
        var attempts = delivery.AttemptCount;
        var reason = $"{lifecycleEvent.EventId} failed {attempts} times over {Describe(now - delivery.CreatedAt)} (last: {error})";
        endpoint.DisabledAt = now;
        endpoint.DisabledReason = AuditOrigin.Clip(reason, 300);
        audit.Add(AuditEventKind.WebhookEndpointDisabled, null, $"webhook endpoint {endpoint.Id} {endpoint.Url} disabled: {reason}");
        logger.LogError("Webhook endpoint {EndpointId} {Url} is disabled: {EventId} failed {Attempts} times (last: {Error}); fix the receiver, then `cloudbill webhooks enable {EndpointId}` and `cloudbill webhooks replay {EndpointId} --since ...`",
            endpoint.Id, endpoint.Url, lifecycleEvent.EventId, attempts, error, endpoint.Id, endpoint.Id);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h {span.Minutes} min" : $"{(int)span.TotalHours} h {span.Minutes} min";
}
