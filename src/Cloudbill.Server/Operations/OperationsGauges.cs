using System.Diagnostics.Metrics;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Operations;

/// <summary>What the database says about the system's health at one instant (docs/operations.md).</summary>
public sealed record OperationsSample(
    DateTimeOffset At,
    TimeSpan EngineLag,
    IReadOnlyList<(string Gateway, string State, long Count)> Payments,
    IReadOnlyList<(string Gateway, long Count)> UnconfirmedOverTenMinutes,
    long EmailOutboxDepth,
    long WebhookOutboxDepth,
    long EmailFailures);

/// <summary>
/// The gauges read from the database, sampled every <see cref="MetricsOptions.SampleSeconds"/> by
/// one query each (indexed: the due-time columns, the pending e-mails) rather than on every
/// scrape, so a scrape never waits on the database. /readyz reads the engine lag from here too.
/// </summary>
public sealed class OperationsGauges : BackgroundService
{
    private readonly IServiceScopeFactory scopes;
    private readonly MetricsOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<OperationsGauges> logger;

    public OperationsGauges(IServiceScopeFactory scopes, MetricsOptions options, TimeProvider clock, IMeterFactory meters, DatabaseFailovers failovers, ILogger<OperationsGauges> logger)
    {
        (this.scopes, this.options, this.clock, this.logger) = (scopes, options, clock, logger);
        var meter = meters.Create(EngineMetrics.MeterName);
        meter.CreateObservableCounter("cloudbill.engine.actions", () => EngineMetrics.Totals().Select(t =>
            new Measurement<long>(t.Total, new KeyValuePair<string, object?>("kind", t.Kind), new KeyValuePair<string, object?>("outcome", t.Outcome))), "{action}",
            "Lifecycle engine actions done by this process, by kind (auto-renewal, reminder, expiry, suspension, release, pay-as-you-go hour, order time-out...) and outcome.");
        meter.CreateObservableGauge("cloudbill.engine.lag", () => Latest?.EngineLag.TotalSeconds ?? 0, "s",
            "How long the oldest due lifecycle action (subscription or pay-as-you-go) has waited to run.");
        meter.CreateObservableGauge("cloudbill.payments", () => (Latest?.Payments ?? []).Select(p =>
            new Measurement<long>(p.Count, new KeyValuePair<string, object?>("gateway", p.Gateway), new KeyValuePair<string, object?>("state", p.State))), "{payment}",
            "Gateway payments by gateway and state.");
        meter.CreateObservableGauge("cloudbill.payments.unconfirmed", () => (Latest?.UnconfirmedOverTenMinutes ?? []).Select(p =>
            new Measurement<long>(p.Count, new KeyValuePair<string, object?>("gateway", p.Gateway))), "{payment}",
            "Gateway payments still pending more than 10 minutes after they were created: the gateway's notification has not arrived.");
        meter.CreateObservableGauge("cloudbill.outbox.depth", () => new[]
            {
                new Measurement<long>(Latest?.EmailOutboxDepth ?? 0, new KeyValuePair<string, object?>("outbox", "email")),
                new Measurement<long>(Latest?.WebhookOutboxDepth ?? 0, new KeyValuePair<string, object?>("outbox", "webhooks")),
            }, "{message}",
            "Messages written but not yet sent, per outbox: e-mails, and webhook deliveries still pending (retries included).");
        // Observed, not added to: the series is there at 0 from the first scrape, so increase() sees the first failover.
        meter.CreateObservableCounter("cloudbill.database.failovers", () => failovers.Seen, "{failover}",
            "Times this node's database connections moved to another PostgreSQL server: the primary changed (docs/decisions/0034).");
        meter.CreateObservableGauge("cloudbill.notifications.email_failures", () => Latest?.EmailFailures ?? 0, "{message}",
            "Message Center entries whose e-mail copy failed for good.");
    }

    public OperationsSample? Latest { get; private set; }

    /// <summary>Reads every gauge now: the sampling loop, and a test or /readyz that needs a fresh value.</summary>
    public async Task<OperationsSample> Sample(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var now = clock.GetUtcNow();
        var subscription = await db.Instances.Where(i => i.NextDueAt <= now).MinAsync(i => i.NextDueAt, ct);
        var hours = await db.Instances.Where(i => i.PayAsYouGoDueAt <= now).MinAsync(i => i.PayAsYouGoDueAt, ct);
        var oldest = new[] { subscription, hours }.OfType<DateTimeOffset>().DefaultIfEmpty(now).Min();
        // Every gateway and state, 0 where there is none: an alert's series exists before its first payment.
        var counted = await db.GatewayPayments.GroupBy(p => new { p.Gateway, p.State }).Select(g => new { g.Key.Gateway, g.Key.State, Count = g.LongCount() }).ToListAsync(ct);
        var payments = (from gateway in Enum.GetValues<PaymentGateway>()
                        from state in Enum.GetValues<GatewayPaymentState>()
                        select (Code(gateway), Code(state), counted.Where(c => c.Gateway == gateway && c.State == state).Sum(c => c.Count))).ToList();
        var tenMinutesAgo = now.AddMinutes(-10);
        var late = await db.GatewayPayments.Where(p => p.State == GatewayPaymentState.Pending && p.CreatedAt <= tenMinutesAgo)
            .GroupBy(p => p.Gateway).Select(g => new { Gateway = g.Key, Count = g.LongCount() }).ToListAsync(ct);
        var unconfirmed = Enum.GetValues<PaymentGateway>().Select(gateway => (Code(gateway), late.Where(l => l.Gateway == gateway).Sum(l => l.Count))).ToList();
        // Per endpoint, so each count is a range of the (endpoint, state) index, not a scan of every delivery ever made.
        var webhooks = 0L;
        foreach (var endpointId in await db.WebhookEndpoints.Select(e => e.Id).ToListAsync(ct))
            webhooks += await db.WebhookDeliveries.LongCountAsync(d => d.EndpointId == endpointId && d.State == WebhookDeliveryState.Pending, ct);
        var sample = new OperationsSample(now, now - oldest, payments, unconfirmed,
            await db.Notifications.LongCountAsync(n => n.Email == EmailState.Pending, ct),
            webhooks,
            await db.Notifications.LongCountAsync(n => n.Email == EmailState.Failed, ct));
        Latest = sample;
        return sample;
    }

    private static string Code(Enum value) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.SampleSeconds), clock);
        do
        {
            try
            {
                await Sample(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database is away (a failover): the last sample stays; /readyz says so on its own.
                logger.LogWarning(e, "Sampling the operations gauges failed; the previous values stay");
            }
        }
        while (await WaitNext(timer, stoppingToken));
    }

    private static async Task<bool> WaitNext(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
