using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Webhooks;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>`cloudbill webhooks list|add|disable|enable|rotate-secret|replay|log`, run as the operator would.</summary>
public class WebhookVerbTests
{
    [Fact]
    public async Task The_webhooks_verbs_manage_an_endpoint_and_refuse_bad_input_with_one_line_and_exit_code_2()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);
        await using var receiver = await WebhookReceiver.Start();

        var none = await CloudbillProcess.Run(env, "webhooks", "list");
        Assert.Equal("No webhook endpoints; add one with `cloudbill webhooks add --url https://...`.", none.Output.Trim());
        var plain = await CloudbillProcess.Run(env, "webhooks", "add", "--url", "http://cloud.example.com/events");
        Assert.Equal((2, "cloudbill: 'http://cloud.example.com/events' is plain http to a host other than this machine; use https, or set Cloudbill:Webhooks:AllowHttp to true to allow it."),
            (plain.ExitCode, plain.Error.Trim()));
        var badType = await CloudbillProcess.Run(env, "webhooks", "add", "--url", receiver.Url.ToString(), "--events", "instance.suspended,instance.exploded");
        Assert.Equal(2, badType.ExitCode);
        Assert.StartsWith("cloudbill: 'instance.exploded' is not an event type; use some of instance.create_requested,", badType.Error.Trim(), StringComparison.Ordinal);
        var noUrl = await CloudbillProcess.Run(env, "webhooks", "add");
        Assert.Equal((2, "cloudbill: --url is required, e.g. --url https://cloud.example.com/cloudbill/events."), (noUrl.ExitCode, noUrl.Error.Trim()));
        Assert.Equal(none.Output, (await CloudbillProcess.Run(env, "webhooks", "list")).Output);

        var added = await CloudbillProcess.Run(env, "webhooks", "add", "--url", receiver.Url.ToString(), "--description", "the cloud");
        Assert.Equal(0, added.ExitCode);
        Assert.Contains($"Webhook endpoint 1 added: {receiver.Url}", added.Output, StringComparison.Ordinal);
        var secret = System.Text.RegularExpressions.Regex.Match(added.Output, @"Signing secret: (whsec_\S+)").Groups[1].Value;
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        var listed = await CloudbillProcess.Run(env, "webhooks", "list");
        Assert.Contains($"1  {receiver.Url}  enabled", listed.Output, StringComparison.Ordinal);
        Assert.Contains("events: all; pending: 0; failed: 0; signing secrets: 1;", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", listed.Output, StringComparison.Ordinal);

        // An event, delivered by a node's dispatcher pass.
        var node = await TestServices.Start(database);
        try
        {
            await node.Query(db =>
            {
                db.LifecycleEvents.Add(LifecycleEvents.Create("test:cli", 7, node.Clock.GetUtcNow(), new OrderCancelledEvent(12, "customer")));
                return db.SaveChangesAsync();
            });
            await node.Services.GetRequiredService<WebhookDispatcher>().RunOnce(CancellationToken.None);
        }
        finally
        {
            // The services only: the database stays for the verbs.
            await node.DisposeServicesOnly();
        }
        var delivered = Assert.Single(receiver.Received);
        Assert.Equal(delivered.Signature, new StandardWebhooks.StandardWebhook(secret).Sign(delivered.Id, DateTimeOffset.FromUnixTimeSeconds(long.Parse(delivered.Timestamp, System.Globalization.CultureInfo.InvariantCulture)), delivered.Body));
        var log = await CloudbillProcess.Run(env, "webhooks", "log", "1");
        Assert.Equal(0, log.ExitCode);
        Assert.Matches($@"2026-11-26 02:00:00Z\s+1 {delivered.Id}\s+order\.cancelled\s+1 200\s+\d+", log.Output);

        var disabled = await CloudbillProcess.Run(env, "webhooks", "disable", "1");
        Assert.Equal("Webhook endpoint 1 disabled; 0 deliveries wait until it is enabled.", disabled.Output.Trim());
        var twice = await CloudbillProcess.Run(env, "webhooks", "disable", "1");
        Assert.Equal((1, "cloudbill: Webhook endpoint 1 is already disabled."), (twice.ExitCode, twice.Error.Trim()));
        Assert.Contains("disabled 20", (await CloudbillProcess.Run(env, "webhooks", "list")).Output, StringComparison.Ordinal);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "webhooks", "enable", "1")).ExitCode);

        var rotated = await CloudbillProcess.Run(env, "webhooks", "rotate-secret", "1", "--keep-old-hours", "2");
        Assert.Matches(@"^New signing secret: whsec_[A-Za-z0-9+/]{43}=\nThe old secret signs beside it until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ: both verify until then\.$", rotated.Output.Trim().ReplaceLineEndings("\n"));
        Assert.Contains("signing secrets: 2;", (await CloudbillProcess.Run(env, "webhooks", "list")).Output, StringComparison.Ordinal);
        var tooLong = await CloudbillProcess.Run(env, "webhooks", "rotate-secret", "1", "--keep-old-hours", "9999");
        Assert.Equal((2, "cloudbill: --keep-old-hours is 9999; use 0 (the old secret stops now) to 720 hours."), (tooLong.ExitCode, tooLong.Error.Trim()));

        var replay = await CloudbillProcess.Run(env, "webhooks", "replay", "1", "--since", "2026-11-26T00:00:00Z");
        Assert.Equal("1 events since 2026-11-26 00:00:00Z queued again for webhook endpoint 1.", replay.Output.Trim());
        var badSince = await CloudbillProcess.Run(env, "webhooks", "replay", "1", "--since", "yesterday");
        Assert.Equal((2, "cloudbill: --since: 'yesterday' is not a time; give it as ISO 8601 with Z or an offset, e.g. 2026-12-01T00:00:00+08:00."), (badSince.ExitCode, badSince.Error.Trim()));
        var unknown = await CloudbillProcess.Run(env, "webhooks", "replay", "99", "--since", "2026-11-26T00:00:00Z");
        Assert.Equal((2, "cloudbill: There is no webhook endpoint 99; `cloudbill webhooks list` shows them."), (unknown.ExitCode, unknown.Error.Trim()));
        var notAnId = await CloudbillProcess.Run(env, "webhooks", "disable", "first");
        Assert.Equal(2, notAnId.ExitCode);
        Assert.StartsWith("cloudbill: ", notAnId.Error, StringComparison.Ordinal);
        Assert.Single(notAnId.Error.Trim().Split('\n'));
        var badLimit = await CloudbillProcess.Run(env, "webhooks", "log", "--limit", "0");
        Assert.Equal((2, "cloudbill: --limit: 0 is out of range; use 1 to 1000."), (badLimit.ExitCode, badLimit.Error.Trim()));

        // Every operator action is in the audit log, by the operator, without the secret.
        var check = await TestServices.Start(database);
        var audit = await check.Query(db => db.AuditEvents.AsNoTracking().OrderBy(a => a.Id).ToListAsync());
        await check.DisposeServicesOnly();
        audit = audit.Where(a => a.Kind.ToString().StartsWith("Webhook", StringComparison.Ordinal)).ToList();
        Assert.Equal([AuditEventKind.WebhookEndpointAdded, AuditEventKind.WebhookEndpointDisabled, AuditEventKind.WebhookEndpointEnabled, AuditEventKind.WebhookSecretRotated, AuditEventKind.WebhookReplayed],
            audit.Select(a => a.Kind));
        Assert.All(audit, a => Assert.Equal(AuditActor.Operator, a.Actor));
        Assert.All(audit, a => Assert.DoesNotContain("whsec_", a.Detail, StringComparison.Ordinal));
    }
}
