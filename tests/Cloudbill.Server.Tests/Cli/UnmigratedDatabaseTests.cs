using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Npgsql;

namespace Cloudbill.Server.Tests;

/// <summary>Only `migrate` (and the server's start, unless told not to) changes the schema; every other verb refuses an unmigrated database.</summary>
public class UnmigratedDatabaseTests
{
    public static TheoryData<DatabaseProvider, string> VerbsPerProvider()
    {
        var data = new TheoryData<DatabaseProvider, string>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.Postgres })
        {
            foreach (var verb in new[] { "seed-demo", "reconcile", "accounts create --email ivy@example.com --password Secret-2026", "coupons issue --account ivy@example.com --amount 5.00", "engine run" })
                data.Add(provider, verb);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(VerbsPerProvider))]
    public async Task A_verb_refuses_an_unmigrated_database_with_one_line_and_changes_nothing(DatabaseProvider provider, string verb)
    {
        await using var database = await TestDatabase.Create(provider);
        var env = CloudbillProcess.DatabaseSettings(database);

        var result = await CloudbillProcess.Run(env, verb.Split(' '));

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Matches(@"^cloudbill: The database \(.+\) is not migrated: .+\. Run `cloudbill migrate` first\.$", line);
        Assert.False(await HasSchema(database), "the verb created tables");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_server_refuses_an_unmigrated_database_when_told_not_to_migrate(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var env = CloudbillProcess.DatabaseSettings(database);
        env["Cloudbill__Database__MigrateOnStart"] = "false";

        var result = await CloudbillProcess.Run(env, "--urls", $"http://127.0.0.1:{CloudbillProcess.FreePort()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"^cloudbill: The database \(.+\) is not migrated: .+\. Run `cloudbill migrate` first\.$", result.Error.Trim());
        Assert.False(await HasSchema(database));
    }

    [Fact]
    public async Task A_verb_works_once_migrate_has_run()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);

        var reconcile = await CloudbillProcess.Run(env, "reconcile");
        Assert.Equal((0, ""), (reconcile.ExitCode, reconcile.Error.Trim()));
        Assert.Contains("Ledger reconciled: 5 accounts and 0 transactions", reconcile.Output, StringComparison.Ordinal);
    }

    private static async Task<bool> HasSchema(TestDatabase database)
    {
        if (database.Provider == DatabaseProvider.Postgres)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
        return File.Exists(file) && new FileInfo(file).Length > 0;
    }
}
