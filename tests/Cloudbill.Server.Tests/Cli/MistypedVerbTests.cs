using Cloudbill.Core.Persistence;
using Cloudbill.Server.Cli;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests;

/// <summary>A first argument that is not a verb nor a setting must not start the server.</summary>
public class MistypedVerbTests
{
    [Fact]
    public async Task A_mistyped_verb_lists_the_verbs_and_exits_2_without_starting_the_server()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var env = CloudbillProcess.DatabaseSettings(database);

        var result = await CloudbillProcess.Run(env, "migrat", "--urls", $"http://127.0.0.1:{CloudbillProcess.FreePort()}");

        Assert.Equal(2, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("cloudbill: 'migrat' is not a verb; use one of the verbs below, or no verb (only settings such as --urls) to start the server.", lines[0]);
        foreach (var verb in new[] { "migrate", "seed-demo", "reconcile", "accounts create", "coupons issue", "engine run", "--help" })
            Assert.Contains(lines, l => l.StartsWith(verb, StringComparison.Ordinal));
        Assert.Equal("", result.Output);
        // The server would have migrated and seeded the database.
        Assert.False(File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource));
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5080" }, false)]
    [InlineData(new[] { "--Cloudbill:Database:Provider=Postgres" }, false)]
    [InlineData(new[] { "/Urls=http://127.0.0.1:5080" }, false)]
    [InlineData(new[] { "Urls=http://127.0.0.1:5080" }, false)]
    [InlineData(new[] { "migrate" }, false)]
    [InlineData(new[] { "--help" }, false)]
    [InlineData(new[] { "migrat" }, true)]
    [InlineData(new[] { "serve", "--urls", "http://127.0.0.1:5080" }, true)]
    [InlineData(new[] { "Accounts", "create" }, true)]
    public void Only_a_first_argument_that_is_neither_a_verb_nor_a_setting_is_a_mistyped_verb(string[] args, bool mistyped) =>
        Assert.Equal(mistyped, CliApp.IsMistypedVerb(args));
}
