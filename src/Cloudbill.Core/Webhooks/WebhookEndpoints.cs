using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Webhooks;

/// <summary>An endpoint as the operator sees it: its state, filter and what waits for it.</summary>
public sealed record WebhookEndpointView(long Id, string Url, string Description, IReadOnlyList<string> EventTypes, DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt, string? DisabledReason, int Pending, int Failed, int SigningSecrets);

/// <summary>A new endpoint: its id and the secret, shown once.</summary>
public sealed record AddedWebhookEndpoint(long Id, string Secret);

/// <summary>A rotation's new secret and until when the old one still signs.</summary>
public sealed record RotatedWebhookSecret(string Secret, DateTimeOffset? OldSignsUntil);

/// <summary>One attempt in the delivery log.</summary>
public sealed record WebhookAttemptView(long EndpointId, DateTimeOffset At, string EventId, string EventType, int AttemptNumber, int? StatusCode, string? Error, int LatencyMs);

/// <summary>
/// The operator's endpoints (the `cloudbill webhooks` verbs) and the public way for a host (the
/// sandbox) to add one. Every change is audited with the endpoint's id and address, never its secret.
/// </summary>
public sealed class WebhookEndpoints(CloudbillDbContext db, AuditLog audit, WebhookOptions options, TimeProvider clock)
{
    public const int MaxKeepOldHours = 720;

    public async Task<Result<AddedWebhookEndpoint>> Add(string url, IEnumerable<string>? eventTypes, string? description, CancellationToken ct)
    {
        if (CheckUrl(url, options.AllowHttp) is { } urlProblem)
            return urlProblem;
        var types = (eventTypes ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (types.FirstOrDefault(t => !LifecycleEventTypes.All.Contains(t)) is { } unknown)
            return WebhookErrors.UnknownEventType(unknown);
        description = (description ?? "").Trim();
        if (description.Length > WebhookEndpoint.DescriptionMaxLength)
            return WebhookErrors.DescriptionTooLong();

        var now = clock.GetUtcNow();
        // It hears the events committed from now on; older ones are a replay (--since).
        var latest = await db.LifecycleEvents.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        var secret = WebhookSecret.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Url = url,
            Description = description,
            EventTypes = string.Join(',', types),
            CreatedAt = now,
            FannedThroughEventId = latest,
            HorizonEventId = latest,
            HorizonAt = now,
            Secrets = [new WebhookSecret { Secret = secret, CreatedAt = now }],
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        await audit.Record(AuditEventKind.WebhookEndpointAdded, null,
            $"webhook endpoint {endpoint.Id} {url}, events {(types.Count == 0 ? "all" : string.Join(",", types))}", ct);
        return new AddedWebhookEndpoint(endpoint.Id, secret);
    }

    /// <summary>An absolute http(s) address; plain http only to this machine unless Cloudbill:Webhooks:AllowHttp.</summary>
    public static Problem? CheckUrl(string url, bool allowHttp)
    {
        if (url.Length > WebhookEndpoint.UrlMaxLength)
            return WebhookErrors.UrlTooLong();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
            return WebhookErrors.UrlInvalid(url);
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowHttp)
            return WebhookErrors.HttpNotAllowed(url);
        return null;
    }

    public async Task<IReadOnlyList<WebhookEndpointView>> List(CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Include(e => e.Secrets).OrderBy(e => e.Id).ToListAsync(ct);
        var counts = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State != WebhookDeliveryState.Delivered)
            .GroupBy(d => new { d.EndpointId, d.State })
            .Select(g => new { g.Key.EndpointId, g.Key.State, Count = g.Count() })
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        return endpoints.Select(e => new WebhookEndpointView(e.Id, e.Url, e.Description, e.EventFilter, e.CreatedAt, e.DisabledAt, e.DisabledReason,
            counts.Where(c => c.EndpointId == e.Id && c.State == WebhookDeliveryState.Pending).Sum(c => c.Count),
            counts.Where(c => c.EndpointId == e.Id && c.State == WebhookDeliveryState.Failed).Sum(c => c.Count),
            e.Secrets.Count(s => s.SignsAt(now)))).ToList();
    }

    public async Task<Result<WebhookEndpointView>> Disable(long id, string reason, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return WebhookErrors.NotFound(id);
        if (!endpoint.Enabled)
            return WebhookErrors.AlreadyDisabled(id);
        endpoint.DisabledAt = clock.GetUtcNow();
        endpoint.DisabledReason = reason;
        audit.Add(AuditEventKind.WebhookEndpointDisabled, null, $"webhook endpoint {id} {endpoint.Url} disabled: {reason}");
        await db.SaveChangesAsync(ct);
        return (await List(ct)).Single(e => e.Id == id);
    }

    /// <summary>
    /// Enables an endpoint again. The events committed while it was disabled are delivered now
    /// (the fan-out resumes where it stopped); a delivery that had failed stays failed until a replay.
    /// </summary>
    public async Task<Result<WebhookEndpointView>> Enable(long id, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return WebhookErrors.NotFound(id);
        if (endpoint.Enabled)
            return WebhookErrors.AlreadyEnabled(id);
        endpoint.DisabledAt = null;
        endpoint.DisabledReason = null;
        audit.Add(AuditEventKind.WebhookEndpointEnabled, null, $"webhook endpoint {id} {endpoint.Url} enabled");
        await db.SaveChangesAsync(ct);
        return (await List(ct)).Single(e => e.Id == id);
    }

    /// <summary>
    /// A new secret signs from now on; the ones signing now keep signing beside it for
    /// <paramref name="keepOldHours"/> (0: they stop now), so a receiver can switch without a gap.
    /// </summary>
    public async Task<Result<RotatedWebhookSecret>> RotateSecret(long id, int keepOldHours, CancellationToken ct)
    {
        if (keepOldHours is < 0 or > MaxKeepOldHours)
            return WebhookErrors.KeepOldHoursInvalid(keepOldHours);
        var endpoint = await db.WebhookEndpoints.Include(e => e.Secrets).FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return WebhookErrors.NotFound(id);
        var now = clock.GetUtcNow();
        var until = now.AddHours(keepOldHours);
        foreach (var old in endpoint.Secrets.Where(s => s.SignsAt(now)))
            old.ExpiresAt = old.ExpiresAt is { } expires && expires < until ? expires : until;
        var secret = WebhookSecret.NewSecret();
        endpoint.Secrets.Add(new WebhookSecret { Secret = secret, CreatedAt = now });
        audit.Add(AuditEventKind.WebhookSecretRotated, null, $"webhook endpoint {id} {endpoint.Url} has a new secret; the old one signs until {until:O}");
        await db.SaveChangesAsync(ct);
        return new RotatedWebhookSecret(secret, keepOldHours == 0 ? null : until);
    }

    /// <summary>
    /// Sends the endpoint's events since <paramref name="since"/> (their time) again, whatever their
    /// deliveries' state: each is pending and due now, in the event order; those the endpoint never
    /// had (before it was added, or filtered differently) are not invented. Returns how many.
    /// </summary>
    public async Task<Result<int>> Replay(long id, DateTimeOffset since, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (since > now)
            return WebhookErrors.SinceInFuture(since);
        var endpoint = await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
            return WebhookErrors.NotFound(id);
        var deliveries = await db.WebhookDeliveries
            .Where(d => d.EndpointId == id && db.LifecycleEvents.Any(e => e.Id == d.LifecycleEventId && e.OccurredAt >= since))
            .ToListAsync(ct);
        foreach (var d in deliveries)
        {
            d.State = WebhookDeliveryState.Pending;
            d.NextAttemptAt = now;
            d.AttemptCount = 0;
            d.CompletedAt = null;
        }
        audit.Add(AuditEventKind.WebhookReplayed, null, $"webhook endpoint {id} {endpoint.Url}: {deliveries.Count} events since {since:O} queued again");
        await db.SaveChangesAsync(ct);
        return deliveries.Count;
    }

    /// <summary>The latest attempts, newest first, of one endpoint or of all.</summary>
    public async Task<Result<IReadOnlyList<WebhookAttemptView>>> Log(long? id, int limit, CancellationToken ct)
    {
        if (id is { } endpointId && !await db.WebhookEndpoints.AnyAsync(e => e.Id == endpointId, ct))
            return WebhookErrors.NotFound(endpointId);
        var rows = await (
                from a in db.WebhookAttempts.AsNoTracking()
                join d in db.WebhookDeliveries on a.DeliveryId equals d.Id
                join e in db.LifecycleEvents on d.LifecycleEventId equals e.Id
                where id == null || a.EndpointId == id
                orderby a.Id descending
                select new { a.EndpointId, a.At, e.EventId, e.Type, a.DeliveryId, a.Id, a.StatusCode, a.Error, a.LatencyMs })
            .Take(limit)
            .ToListAsync(ct);
        // The attempt's number within its delivery.
        var deliveryIds = rows.Select(r => r.DeliveryId).Distinct().ToList();
        var all = await db.WebhookAttempts.AsNoTracking().Where(a => deliveryIds.Contains(a.DeliveryId)).Select(a => new { a.DeliveryId, a.Id }).ToListAsync(ct);
        return rows.Select(r => new WebhookAttemptView(r.EndpointId, r.At, r.EventId, r.Type,
            all.Count(a => a.DeliveryId == r.DeliveryId && a.Id <= r.Id), r.StatusCode, r.Error, r.LatencyMs)).ToList();
    }
}
