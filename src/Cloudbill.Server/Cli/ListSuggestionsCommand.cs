using System.ComponentModel;
using System.Globalization;
using Cloudbill.Core.Suggestions;
using Cloudbill.Core.Time;
using NodaTime.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class ListSuggestionsCommand : CloudbillCommand<ListSuggestionsCommand.Settings>
{
    private static readonly LocalDatePattern DatePattern = LocalDatePattern.CreateWithInvariantCulture("uuuu-MM-dd");

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--since <DATE>")]
        [Description("Only suggestions made on or after this day (yyyy-MM-dd, Asia/Shanghai); default all.")]
        public string? Since { get; init; }

        public override ValidationResult Validate() =>
            Since is null || DatePattern.Parse(Since).Success
                ? ValidationResult.Success()
                : ValidationResult.Error($"--since: '{Since}' is not a date; give the day as yyyy-MM-dd, e.g. 2026-12-01.");
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        DateTimeOffset? since = settings.Since is null ? null : BusinessCalendar.StartOfDay(DatePattern.Parse(settings.Since).Value);
        var rows = await services.GetRequiredService<SuggestionService>().List(since, ct);
        if (rows.Count == 0)
        {
            Console.Out.WriteLine(since is null ? "No suggestions yet." : $"No suggestions since {settings.Since}.");
            return 0;
        }
        // Piped into a file or grep, a row stays on one line (Spectre would wrap it at 80 columns).
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 240);
        var table = new Table().AddColumns("Date (Asia/Shanghai)", "Account", "Product", "Suggestion");
        // Customers wrote these: plain Text (never markup), with control and bidi characters made visible.
        foreach (var r in rows)
            table.AddRow(new Text(BusinessCalendar.FormatDateTime(r.CreatedAt)), new Text(TerminalText.Safe(r.AccountEmail)), new Text(TerminalText.Safe(r.Product)), new Text(TerminalText.Safe(r.Text)));
        AnsiConsole.Write(table);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} suggestion(s)."));
        return 0;
    }
}
