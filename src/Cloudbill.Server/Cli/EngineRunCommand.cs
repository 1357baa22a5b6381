using System.ComponentModel;
using System.Globalization;
using Cloudbill.Core.Lifecycle;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class EngineRunCommand : CloudbillCommand<EngineRunCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--at <TIME>")]
        [Description("Do everything due up to this ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00 (default: now).")]
        public string? At { get; init; }

        public override ValidationResult Validate() =>
            At is null || TryParse(At, out _) ? ValidationResult.Success()
                : ValidationResult.Error($"--at: '{At}' is not an ISO-8601 time with an offset, e.g. 2026-12-01T08:00:00+08:00 or 2026-12-01T00:00:00Z.");
    }

    internal static bool TryParse(string text, out DateTimeOffset at)
    {
        at = default;
        // An offset is required: a bare local time would be read in the server's zone, not Asia/Shanghai.
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || System.Text.RegularExpressions.Regex.IsMatch(text, @"[+-]\d\d:?\d\d$");
        return hasOffset && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var at = settings.At is null ? services.GetRequiredService<TimeProvider>().GetUtcNow() : ParseAt(settings.At);
        var report = await services.GetRequiredService<LifecycleEngine>().RunUntil(at.ToUniversalTime(), ct);

        Console.Out.WriteLine($"Lifecycle engine: everything due up to {at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)} done, {report.Total} action(s).");
        var table = new Table().AddColumns("Action", "Count");
        foreach (var (what, count) in report.Counts)
            table.AddRow(Markup.Escape(what), count.ToString(CultureInfo.InvariantCulture));
        if (report.Total > 0)
            AnsiConsole.Write(table);
        return 0;
    }

    private static DateTimeOffset ParseAt(string text) => TryParse(text, out var at) ? at : throw new FormatException(text);
}
