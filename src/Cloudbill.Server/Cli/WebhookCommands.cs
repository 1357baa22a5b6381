using System.ComponentModel;
using System.Globalization;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Webhooks;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>What the `webhooks` verbs share: one line for a refusal, exit code 2 for bad input.</summary>
internal static class WebhookVerbs
{
    public static int Refuse(Problem problem)
    {
        Console.Error.WriteLine($"cloudbill: {problem.Message}");
        // Bad input (an address, a type, an id that does not exist) is 2 like every refusal of input; a state conflict is 1.
        return problem.Kind == ProblemKind.Conflict ? 1 : 2;
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string[] List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public sealed class ListWebhooksCommand : CloudbillCommand<ListWebhooksCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var endpoints = await services.GetRequiredService<WebhookEndpoints>().List(ct);
        if (endpoints.Count == 0)
        {
            Console.Out.WriteLine("No webhook endpoints; add one with `cloudbill webhooks add --url https://...`.");
            return 0;
        }
        foreach (var e in endpoints)
        {
            var state = e.DisabledAt is { } at ? $"disabled {WebhookVerbs.Time(at)}: {TerminalText.Safe(e.DisabledReason)}" : "enabled";
            Console.Out.WriteLine($"{e.Id}  {TerminalText.Safe(e.Url)}  {state}");
            Console.Out.WriteLine($"    events: {(e.EventTypes.Count == 0 ? "all" : string.Join(",", e.EventTypes))}; pending: {e.Pending}; failed: {e.Failed}; signing secrets: {e.SigningSecrets}; added {WebhookVerbs.Time(e.CreatedAt)}"
                + (e.Description.Length > 0 ? $"; {TerminalText.Safe(e.Description)}" : ""));
        }
        return 0;
    }
}

public sealed class AddWebhookCommand : CloudbillCommand<AddWebhookCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--url <URL>")]
        [Description("The receiver's address: https, or http to this machine (or anywhere with Cloudbill:Webhooks:AllowHttp).")]
        public string Url { get; init; } = "";

        [CommandOption("--events <TYPES>")]
        [Description("Comma-separated event types (instance.released,order.paid); omit for every type.")]
        public string Events { get; init; } = "";

        [CommandOption("--description <TEXT>")]
        [Description("What the endpoint is, for the operator.")]
        public string Description { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Url) ? Spectre.Console.ValidationResult.Error("--url is required, e.g. --url https://cloud.example.com/cloudbill/events.") : Spectre.Console.ValidationResult.Success();
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var added = await services.GetRequiredService<WebhookEndpoints>().Add(settings.Url.Trim(), WebhookVerbs.List(settings.Events), settings.Description, ct);
        if (!added.Succeeded)
            return WebhookVerbs.Refuse(added.Problem!);
        Console.Out.WriteLine($"Webhook endpoint {added.Value.Id} added: {TerminalText.Safe(settings.Url.Trim())}");
        Console.Out.WriteLine($"Signing secret: {added.Value.Secret}");
        Console.Out.WriteLine("The secret is shown only now: give it to the receiver (docs/webhooks.md, Receiving webhooks).");
        return 0;
    }
}

/// <summary>The settings of the verbs that take an endpoint id.</summary>
public class WebhookIdSettings : CommandSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The endpoint's id, as `cloudbill webhooks list` shows it.")]
    public long Id { get; init; }
}

public sealed class DisableWebhookCommand : CloudbillCommand<DisableWebhookCommand.Settings>
{
    public sealed class Settings : WebhookIdSettings
    {
        [CommandOption("--reason <TEXT>")]
        [Description("Why, for the log and `webhooks list`; default \"disabled by the operator\".")]
        public string Reason { get; init; } = "disabled by the operator";
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var disabled = await services.GetRequiredService<WebhookEndpoints>().Disable(settings.Id, settings.Reason, ct);
        if (!disabled.Succeeded)
            return WebhookVerbs.Refuse(disabled.Problem!);
        Console.Out.WriteLine($"Webhook endpoint {settings.Id} disabled; {disabled.Value.Pending} deliveries wait until it is enabled.");
        return 0;
    }
}

public sealed class EnableWebhookCommand : CloudbillCommand<WebhookIdSettings>
{
    protected override async Task<int> Execute(IServiceProvider services, WebhookIdSettings settings, CancellationToken ct)
    {
        var enabled = await services.GetRequiredService<WebhookEndpoints>().Enable(settings.Id, ct);
        if (!enabled.Succeeded)
            return WebhookVerbs.Refuse(enabled.Problem!);
        Console.Out.WriteLine($"Webhook endpoint {settings.Id} enabled; the events since it was disabled are delivered now.");
        return 0;
    }
}

public sealed class RotateWebhookSecretCommand : CloudbillCommand<RotateWebhookSecretCommand.Settings>
{
    public sealed class Settings : WebhookIdSettings
    {
        [CommandOption("--keep-old-hours <HOURS>")]
        [Description("Hours the current secret keeps signing beside the new one (0 to 720); default 24.")]
        public int KeepOldHours { get; init; } = 24;
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var rotated = await services.GetRequiredService<WebhookEndpoints>().RotateSecret(settings.Id, settings.KeepOldHours, ct);
        if (!rotated.Succeeded)
            return WebhookVerbs.Refuse(rotated.Problem!);
        Console.Out.WriteLine($"New signing secret: {rotated.Value.Secret}");
        Console.Out.WriteLine(rotated.Value.OldSignsUntil is { } until
            ? $"The old secret signs beside it until {WebhookVerbs.Time(until)}: both verify until then."
            : "The old secret no longer signs.");
        return 0;
    }
}

public sealed class ReplayWebhooksCommand : CloudbillCommand<ReplayWebhooksCommand.Settings>
{
    public sealed class Settings : WebhookIdSettings
    {
        [CommandOption("--since <TIME>")]
        [Description("ISO 8601 time (2026-12-01T00:00:00Z, or with an offset): the events from then on are sent again.")]
        public string Since { get; init; } = "";

        public override Spectre.Console.ValidationResult Validate() =>
            ParseSince(Since) is null
                ? Spectre.Console.ValidationResult.Error($"--since: '{Since}' is not a time; give it as ISO 8601 with Z or an offset, e.g. 2026-12-01T00:00:00+08:00.")
                : Spectre.Console.ValidationResult.Success();
    }

    internal static DateTimeOffset? ParseSince(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) && text.Contains('T', StringComparison.Ordinal) ? since : null;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var replayed = await services.GetRequiredService<WebhookEndpoints>().Replay(settings.Id, ParseSince(settings.Since)!.Value, ct);
        if (!replayed.Succeeded)
            return WebhookVerbs.Refuse(replayed.Problem!);
        Console.Out.WriteLine($"{replayed.Value} events since {WebhookVerbs.Time(ParseSince(settings.Since)!.Value)} queued again for webhook endpoint {settings.Id}.");
        return 0;
    }
}

public sealed class WebhookLogCommand : CloudbillCommand<WebhookLogCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[ID]")]
        [Description("One endpoint's id; omit for every endpoint.")]
        public long? Id { get; init; }

        [CommandOption("--limit <N>")]
        [Description("The newest N attempts (1 to 1000); default 50.")]
        public int Limit { get; init; } = 50;

        public override Spectre.Console.ValidationResult Validate() =>
            Limit is < 1 or > 1000 ? Spectre.Console.ValidationResult.Error($"--limit: {Limit} is out of range; use 1 to 1000.") : Spectre.Console.ValidationResult.Success();
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var log = await services.GetRequiredService<WebhookEndpoints>().Log(settings.Id, settings.Limit, ct);
        if (!log.Succeeded)
            return WebhookVerbs.Refuse(log.Problem!);
        if (log.Value.Count == 0)
        {
            Console.Out.WriteLine("No delivery attempts yet.");
            return 0;
        }
        Console.Out.WriteLine($"{"Time",-21} {"Endpoint",8} {"Event",-28} {"Type",-32} {"Try",3} {"Result",-8} {"ms",6}");
        foreach (var a in log.Value)
        {
            var result = a.StatusCode is { } status && a.Error is null ? status.ToString(CultureInfo.InvariantCulture) : a.Error ?? "";
            Console.Out.WriteLine($"{WebhookVerbs.Time(a.At),-21} {a.EndpointId,8} {a.EventId,-28} {a.EventType,-32} {a.AttemptNumber,3} {TerminalText.Safe(result),-8} {a.LatencyMs,6}");
        }
        return 0;
    }
}
