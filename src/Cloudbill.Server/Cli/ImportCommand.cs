using System.ComponentModel;
using System.Globalization;
using Cloudbill.Core.ProviderApi;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>
/// `cloudbill import FILE.csv [--dry-run]`: the provider API's import from a CSV file
/// (docs/webhooks.md, "Importing"), all or nothing; every invalid row is named by its line.
/// </summary>
public sealed class ImportCommand : CloudbillCommand<ImportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("The CSV file: a header, then one row per instance with the customer's columns repeated.")]
        public string File { get; init; } = "";

        [CommandOption("--dry-run")]
        [Description("Check every row and report what would change; change nothing.")]
        public bool DryRun { get; init; }
    }

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        CsvImport csv;
        try
        {
            using var reader = new StreamReader(settings.File, detectEncodingFromByteOrderMarks: true);
            csv = ImportCsv.Read(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"cloudbill: cannot read {settings.File}: {e.Message}");
            return 2;
        }
        var report = await services.GetRequiredService<CustomerImport>().Run(csv, settings.DryRun, ct);
        if (report.Errors.Count > 0)
        {
            foreach (var error in report.Errors)
                await Console.Error.WriteLineAsync($"{settings.File}:{error.Line?.ToString(CultureInfo.InvariantCulture) ?? "?"}: {error.Field}: {error.Message}");
            await Console.Error.WriteLineAsync($"cloudbill: {report.Errors.Count} invalid row(s); nothing was imported.");
            return 1;
        }
        var verb = settings.DryRun ? "would be" : "were";
        Console.Out.WriteLine($"{(settings.DryRun ? "Dry run: nothing changed. " : "")}Customers: {report.CustomersCreated} {verb} created, {report.CustomersMatched} already imported; "
            + $"opening balances: {report.OpeningBalancesPosted} {verb} posted; instances: {report.InstancesCreated} {verb} created, {report.InstancesMatched} already imported.");
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Changes} change(s)."));
        foreach (var instance in report.Instances.Where(i => i.InstanceId is not null))
            Console.Out.WriteLine($"  {instance.ExternalId} -> {instance.InstanceId}");
        return 0;
    }
}
