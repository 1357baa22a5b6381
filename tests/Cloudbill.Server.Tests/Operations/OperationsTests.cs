using System.Net;
using System.Text.RegularExpressions;
using Cloudbill.Core;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Webhooks;
using Cloudbill.Server.Operations;
using Cloudbill.Server.Tests.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>What an operator watches (docs/operations.md): the Prometheus endpoint on its own port, /healthz and /readyz.</summary>
public class OperationsTests
{
    private static async Task AddDueWork(WebHost host, long account, DateTimeOffset now)
    {
        await host.Query(async db =>
        {
            // Expired two days ago, due since then: the engine has an expiry (and more) to do.
            db.Instances.Add(new Instance
            {
                Id = "i-operationsdue000001",
                AccountId = account,
                ProductCode = "ecs",
                SpecCode = "ecs.g7.large",
                RegionId = "cn-hangzhou",
                Name = "late",
                ChargeType = ChargeType.Subscription,
                Provisioning = ProvisioningState.Ready,
                CreatedAt = now.AddDays(-40),
                ExpiresAt = now.AddDays(-2),
                NextDueAt = now.AddDays(-2),
            });
            db.GatewayPayments.Add(new GatewayPayment
            {
                AccountId = account,
                Gateway = PaymentGateway.Alipay,
                Purpose = GatewayPaymentPurpose.TopUp,
                OutTradeNo = "CB20261207000000000001",
                ClientToken = "operations",
                Amount = Money.Parse("50.00"),
                State = GatewayPaymentState.Pending,
                CreatedAt = now.AddMinutes(-11),
                TxnTime = now.AddMinutes(-11),
                PayBy = now.AddMinutes(19),
            });
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
    }

    [Fact]
    public async Task A_scrape_shows_every_metric_named_in_the_operations_guide_with_its_labels()
    {
        var port = CloudbillProcess.FreePort();
        await using var host = await WebHost.Start(new Dictionary<string, string?> { ["Cloudbill:Metrics:Listen"] = $"http://127.0.0.1:{port}/" });
        var (account, keyId, secret) = await host.Customer("metrics@example.com");
        var now = DateTimeOffset.UtcNow;
        await AddDueWork(host, account, now);
        var ct = TestContext.Current.CancellationToken;

        using (var api = new BssTestClient(host.Address, keyId, secret))
            Assert.Equal(200, (await api.Call("QueryAccountBalance")).Status);
        using (var browser = host.Client())
            Assert.Equal(HttpStatusCode.OK, (await browser.Send(HttpMethod.Get, "/signin")).StatusCode);
        await using (var scope = host.App.Services.CreateAsyncScope())
        {
            // A receiver that is not listening: the deliveries stay pending, to be retried.
            var added = await scope.ServiceProvider.GetRequiredService<WebhookEndpoints>().Add($"http://127.0.0.1:{CloudbillProcess.FreePort()}/hook", null, "not listening", ct);
            Assert.True(added.Succeeded, added.Problem?.Message);
        }
        await host.App.Services.GetRequiredService<LifecycleEngine>().RunUntil(now, ct);
        await host.App.Services.GetRequiredService<WebhookDispatcher>().RunOnce(ct);
        await host.App.Services.GetRequiredService<OperationsGauges>().Sample(ct);

        using var prometheus = new HttpClient();
        var text = await prometheus.GetStringAsync($"http://127.0.0.1:{port}/metrics", ct);

        Assert.Matches(@"(?m)^cloudbill_engine_actions_total\{[^}]*kind=""expiry"",[^}]*outcome=""done""[^}]*\} [1-9]", text);
        var lag = double.Parse(Regex.Match(text, @"(?m)^cloudbill_engine_lag_seconds(\{[^}]*\})? (\S+)").Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(lag, 0, 60);
        // Every kind the engine counts is there from the first scrape, at 0 until it happens: an
        // alert on the increase of failed auto-renewals has its series before the first failure.
        // (The counts are the process's: other tests in this process may have run engines, so no
        // value is asserted here.)
        foreach (var (kind, outcome) in EngineMetrics.ReportedActions.Select(EngineMetrics.KindAndOutcome))
            Assert.Matches($@"(?m)^cloudbill_engine_actions_total\{{[^}}]*kind=""{kind}"",[^}}]*outcome=""{outcome}""[^}}]*\}} \d+", text);
        Assert.Matches(@"(?m)^cloudbill_payments\{[^}]*gateway=""alipay"",[^}]*state=""pending""[^}]*\} 1", text);
        Assert.Matches(@"(?m)^cloudbill_payments\{[^}]*gateway=""union_pay"",[^}]*state=""credited""[^}]*\} 0", text);
        Assert.Matches(@"(?m)^cloudbill_payments_unconfirmed\{[^}]*gateway=""alipay""[^}]*\} 1", text);
        Assert.Matches(@"(?m)^cloudbill_payments_unconfirmed\{[^}]*gateway=""union_pay""[^}]*\} 0", text);
        Assert.Matches(@"(?m)^cloudbill_outbox_depth\{[^}]*outbox=""email""[^}]*\} \d", text);
        // The webhook delivery waiting for a receiver that is not there yet: the renewal's events, pending.
        var pending = await host.Query(db => db.WebhookDeliveries.LongCountAsync(d => d.State == WebhookDeliveryState.Pending, ct));
        Assert.True(pending > 0, "the test's endpoint should have deliveries pending");
        Assert.Matches($@"(?m)^cloudbill_outbox_depth\{{[^}}]*outbox=""webhooks""[^}}]*\}} {pending}$", text);
        Assert.Matches(@"(?m)^cloudbill_notifications_email_failures(\{[^}]*\})? 0", text);
        // Requests by route and, for the API (one route), by action; with status codes for the error rate.
        Assert.Matches(@"(?m)^http_server_request_duration_seconds_count\{[^}]*http_response_status_code=""200""[^}]*http_route=""/signin""[^}]*\} 1", text);
        Assert.Matches(@"(?m)^http_server_request_duration_seconds_count\{[^}]*cloudbill_api_action=""QueryAccountBalance""[^}]*\} 1", text);
        // The database's failovers seen by this node (none here; Failover/FailoverStormTests makes them).
        Assert.Matches(@"(?m)^cloudbill_database_failovers_total(\{[^}]*\})? 0", text);
        // The .NET runtime.
        Assert.Matches(@"(?m)^dotnet_gc_collections_total\{", text);
    }

    [Fact]
    public async Task On_PostgreSQL_a_scrape_shows_the_connection_pool_in_use_and_its_limit()
    {
        var port = CloudbillProcess.FreePort();
        await using var host = await WebHost.Start(DatabaseProvider.Postgres, new Dictionary<string, string?> { ["Cloudbill:Metrics:Listen"] = $"http://127.0.0.1:{port}/" });
        var (_, keyId, secret) = await host.Customer("pool@example.com");
        using (var api = new BssTestClient(host.Address, keyId, secret))
            Assert.Equal(200, (await api.Call("QueryAccountBalance")).Status);

        using var prometheus = new HttpClient();
        var text = await prometheus.GetStringAsync($"http://127.0.0.1:{port}/metrics", TestContext.Current.CancellationToken);

        // Npgsql's pool: connections by state (idle, used) and the pool's maximum, per pool (the connection string's name).
        Assert.Matches(@"(?m)^db_client_connection_count\{[^}]*db_client_connection_pool_name=""[^""]+"",db_client_connection_state=""idle""\} [1-9]", text);
        Assert.Matches(@"(?m)^db_client_connection_count\{[^}]*db_client_connection_pool_name=""[^""]+"",db_client_connection_state=""used""\} \d+", text);
        Assert.Matches(@"(?m)^db_client_connection_max\{[^}]*db_client_connection_pool_name=""[^""]+""\} [1-9]", text);
        // And the engine's series, at 0 on a node whose engine has not run yet.
        Assert.Matches(@"(?m)^cloudbill_engine_actions_total\{[^}]*kind=""auto-renewal"",[^}]*outcome=""charged""[^}]*\} \d+", text);
    }

    [Fact]
    public async Task By_default_there_is_no_metrics_endpoint_and_a_bad_address_stops_the_start_with_one_line()
    {
        await using var host = await WebHost.Start();
        using var browser = host.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Send(HttpMethod.Get, "/metrics", accept: "text/plain")).StatusCode);
        Assert.Null(host.App.Services.GetRequiredService<MetricsOptions>().ListenUri);

        var refused = Assert.Throws<ConfigurationProblemException>(() => new MetricsOptions { Listen = "https://0.0.0.0/metrics" }.Validate());
        Assert.Equal("Cloudbill:Metrics:Listen must be an http address with its own port, such as http://127.0.0.1:9464/; it is 'https://0.0.0.0/metrics'.", refused.Message);
    }

    [Fact]
    public async Task Readyz_says_not_ready_while_the_engine_lags_and_ready_once_it_caught_up_while_healthz_stays_alive()
    {
        await using var host = await WebHost.Start(new Dictionary<string, string?> { ["Cloudbill:Metrics:ReadyMaxEngineLagSeconds"] = "60" });
        var (account, _, _) = await host.Customer("ready@example.com");
        using var browser = host.Client();
        var ct = TestContext.Current.CancellationToken;
        var gauges = host.App.Services.GetRequiredService<OperationsGauges>();
        await gauges.Sample(ct);
        Assert.Equal(HttpStatusCode.OK, (await browser.Send(HttpMethod.Get, "/readyz", accept: "text/plain")).StatusCode);

        var now = DateTimeOffset.UtcNow;
        await AddDueWork(host, account, now);
        await gauges.Sample(ct);
        var lagging = await browser.Send(HttpMethod.Get, "/readyz", accept: "text/plain");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lagging.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Send(HttpMethod.Get, "/healthz", accept: "text/plain")).StatusCode);

        await host.App.Services.GetRequiredService<LifecycleEngine>().RunUntil(DateTimeOffset.UtcNow, ct);
        await gauges.Sample(ct);
        Assert.Equal(HttpStatusCode.OK, (await browser.Send(HttpMethod.Get, "/readyz", accept: "text/plain")).StatusCode);
    }
}
