using Cloudbill.Core.Persistence;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

public sealed class MigrateCommand : CloudbillCommand<MigrateCommand.Settings>
{
    public sealed class Settings : CommandSettings;

    protected override bool NeedsCurrentSchema => false;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var database = services.GetRequiredService<DatabaseSettings>();
        var applied = await services.GetRequiredService<DatabaseMigrator>().Migrate(ct);
        Console.Out.WriteLine($"{database.Describe()}: {applied.Count} migration(s) applied{(applied.Count > 0 ? ": " + string.Join(", ", applied) : "; the schema is up to date")}.");
        return 0;
    }
}
