using System.ComponentModel;
using System.Globalization;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Time;
using NodaTime.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>`cloudbill audit`: the audit log as a table, for one account or all, from a day on.</summary>
public sealed class AuditCommand : CloudbillCommand<AuditCommand.Settings>
{
    private static readonly LocalDatePattern DatePattern = LocalDatePattern.CreateWithInvariantCulture("uuuu-MM-dd");

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--account <EMAIL>")]
        [Description("Only the events of the customer with this email; default every account's and nobody's.")]
        public string? Account { get; init; }

        [CommandOption("--since <DATE>")]
        [Description("Only events on or after this day (yyyy-MM-dd, Asia/Shanghai); default all.")]
        public string? Since { get; init; }

        public override ValidationResult Validate() =>
            Since is null || DatePattern.Parse(Since).Success
                ? ValidationResult.Success()
                : ValidationResult.Error($"--since: '{Since}' is not a date; give the day as yyyy-MM-dd, e.g. 2026-12-01.");
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        DateTimeOffset? since = settings.Since is null ? null : BusinessCalendar.StartOfDay(DatePattern.Parse(settings.Since).Value);
        var rows = await services.GetRequiredService<AuditQueries>().List(settings.Account, since, ct);
        if (rows is null)
        {
            await Console.Error.WriteLineAsync($"cloudbill: no account has the email '{Safe(settings.Account!)}'.");
            return 2;
        }
        if (rows.Count == 0)
        {
            Console.Out.WriteLine(since is null ? "No audit events." : $"No audit events since {settings.Since}.");
            return 0;
        }
        // Piped into a file or grep, a row stays on one line (Spectre would wrap it at 80 columns).
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 300);
        var table = new Table().AddColumns("Time (Asia/Shanghai)", "Account", "Actor", "Event", "Address", "Request id", "Detail", "Reason");
        foreach (var r in rows)
        {
            table.AddRow(BusinessCalendar.FormatDateTime(r.At), Text(r.AccountEmail ?? "-"), Text(r.ActorId is null ? r.Actor.ToString() : $"{r.Actor} {r.ActorId}"),
                r.Kind.ToString(), Text(r.SourceAddress ?? "-"), Text(r.RequestId ?? "-"), Text(r.Detail), Text(r.Reason ?? "-"));
        }
        AnsiConsole.Write(table);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} event(s)."));
        return 0;
    }

    /// <summary>
    /// Text that came from outside (an AccessKey id, a trade number a forged notification claimed):
    /// control characters shown as \u-escapes so no escape sequence reaches the terminal, then Spectre's markup escaped.
    /// </summary>
    private static string Text(string text) => Markup.Escape(Safe(text));

    private static string Safe(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
