using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Tests;

public class MigrationTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_model_has_no_changes_without_a_migration(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var pending = await test.Query(db => Task.FromResult(db.Database.HasPendingModelChanges()));
        Assert.False(pending, $"The {provider} model differs from its last migration: run `dotnet ef migrations add <Name> --project src/Cloudbill.Migrations.{provider}`.");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrating_twice_applies_nothing_the_second_time(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var applied = await test.Run<DatabaseMigrator, IReadOnlyList<string>>((m, ct) => m.Migrate(ct));
        Assert.Empty(applied);
        var all = await test.Query(db => Task.FromResult(db.Database.GetAppliedMigrations().ToList()));
        Assert.Contains(all, m => m.EndsWith("_Initial", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrating_creates_the_shared_ledger_accounts_once(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        await test.Run<DatabaseMigrator, IReadOnlyList<string>>((m, ct) => m.Migrate(ct));
        var codes = await test.Query(db => db.LedgerAccounts.Where(a => a.BillingAccountId == null).Select(a => a.Code).OrderBy(c => c).ToListAsync());
        Assert.Equal(["clearing:alipay", "clearing:unionpay", "coupon-expense", "operator-adjustments", "revenue"], codes);
    }

    [Fact]
    public async Task Sqlite_runs_in_WAL_mode()
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        var mode = await test.Query(db => db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync());
        Assert.Equal("wal", Assert.Single(mode));
    }
}

public class DatabaseSettingsTests
{
    [Fact]
    public void An_unknown_provider_names_the_setting_and_the_choices()
    {
        var e = Assert.Throws<ConfigurationProblemException>(() => DatabaseSettings.Parse("Oracle", null, "/tmp"));
        Assert.Equal("Cloudbill:Database:Provider is 'Oracle'; use Sqlite (the embedded default) or Postgres.", e.Message);
    }

    [Theory]
    [InlineData("Postgres", "Host=127.0.0.1;Nonsense=1", "ConnectionStrings:Cloudbill is not a valid Postgres connection string")]
    [InlineData("Postgres", "Database=x", "it names no Host")]
    [InlineData("Sqlite", "Data Sorce=x.db", "ConnectionStrings:Cloudbill is not a valid Sqlite connection string")]
    [InlineData("Postgres", "", "ConnectionStrings:Cloudbill is required with Cloudbill:Database:Provider=Postgres")]
    public void A_bad_connection_string_names_the_setting(string provider, string connection, string expected)
    {
        var e = Assert.Throws<ConfigurationProblemException>(() => DatabaseSettings.Parse(provider, connection, "/tmp"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_a_SQLite_file_in_the_data_folder()
    {
        var settings = DatabaseSettings.Parse(null, null, "/srv/cloudbill/data");
        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        Assert.Equal("Data Source=/srv/cloudbill/data/cloudbill.db", settings.ConnectionString);
    }
}
