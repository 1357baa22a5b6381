using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Tests;

public class MigrationTests
{
    /// <summary>Every migration, in order: the squashed baseline (docs/decisions/0031), then what came after it.</summary>
    private static readonly string[] Known = ["Baseline", "LifecycleEvents", "WebhooksAndProviderApi", "OperatorConsole", "StaffActions", "Refunds"];

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
        Assert.Equal(Known, all.Select(m => m[15..]));
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

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrating_changes_the_schema_and_the_data_of_its_migrations_only(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var settings = new DatabaseSettings(provider, database.ConnectionString);
        var applied = await new DatabaseMigrator(settings).Migrate(TestContext.Current.CancellationToken);
        Assert.Equal(Known, applied.Select(m => m[15..]));

        await using var db = Context(settings);
        // No Data Protection key (the host makes it on first use), no customer, no posting.
        Assert.Equal(0, await db.DataProtectionKeys.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.BillingAccounts.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.JournalTransactions.CountAsync(TestContext.Current.CancellationToken));
        var shared = await db.LedgerAccounts.Select(a => new { a.Code, a.Kind, a.BillingAccountId, a.BalanceFen }).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Ledger.LedgerService.SystemAccounts.OrderBy(a => a.Code, StringComparer.Ordinal).Select(a => (a.Code, a.Kind, (long?)null, 0L)),
            shared.OrderBy(a => a.Code, StringComparer.Ordinal).Select(a => (a.Code, a.Kind, a.BillingAccountId, a.BalanceFen)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_use_but_migrate_refuses_an_unmigrated_database(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var migrator = new DatabaseMigrator(new DatabaseSettings(provider, database.ConnectionString));

        var empty = await Assert.ThrowsAsync<ConfigurationProblemException>(() => migrator.RequireCurrent(TestContext.Current.CancellationToken));
        Assert.EndsWith("is not migrated: " + (provider == DatabaseProvider.Sqlite ? "it does not exist yet" : "it has no Cloudbill schema") + ". Run `cloudbill migrate` first.", empty.Message, StringComparison.Ordinal);

        await migrator.Migrate(TestContext.Current.CancellationToken);
        await migrator.RequireCurrent(TestContext.Current.CancellationToken);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_database_from_a_pre_release_build_is_refused_by_every_use_migrate_included_and_left_as_it_is(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var settings = new DatabaseSettings(provider, database.ConnectionString);
        var migrator = new DatabaseMigrator(settings);
        await migrator.Migrate(TestContext.Current.CancellationToken);
        // The history a build from before the squash left (its last migration), beside the baseline's.
        await using (var db = Context(settings))
            await db.Database.ExecuteSqlRawAsync("""INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion") VALUES ('20261207013658_NoticesRenderedForTheReader', '10.0.0')""", TestContext.Current.CancellationToken);

        foreach (var use in new Func<Task>[] { () => migrator.RequireCurrent(TestContext.Current.CancellationToken), () => migrator.Migrate(TestContext.Current.CancellationToken) })
        {
            var refused = await Assert.ThrowsAsync<ConfigurationProblemException>(use);
            Assert.Equal(
                $"The database ({settings.Describe()}) has 1 migration(s) this version does not know (the last: 20261207013658_NoticesRenderedForTheReader): " +
                "it was made by a pre-release build or a newer version, and is left unchanged. Start this version on a new database, or run the version that made it.",
                refused.Message);
        }
        await using var after = Context(settings);
        Assert.Equal(Known.Length + 1, await after.Database.SqlQueryRaw<string>("""SELECT "MigrationId" AS "Value" FROM "__EFMigrationsHistory" """).CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(5, await after.LedgerAccounts.CountAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_database_of_the_previous_version_is_refused_until_migrate_brings_it_up_to_date(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        var settings = new DatabaseSettings(provider, database.ConnectionString);
        string baseline;
        await using (var db = Context(settings))
        {
            // The schema the release before the lifecycle events made: the baseline alone.
            baseline = db.Database.GetMigrations().First();
            await db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>().MigrateAsync(baseline, cancellationToken: TestContext.Current.CancellationToken);
        }
        var migrator = new DatabaseMigrator(settings);

        var refused = await Assert.ThrowsAsync<ConfigurationProblemException>(() => migrator.RequireCurrent(TestContext.Current.CancellationToken));
        Assert.EndsWith($"is not migrated: its schema is older: {Known.Length - 1} migration(s) to apply. Run `cloudbill migrate` first.", refused.Message, StringComparison.Ordinal);
        var applied = await migrator.Migrate(TestContext.Current.CancellationToken);
        Assert.Equal(Known[1..], applied.Select(m => m[15..]));
        await migrator.RequireCurrent(TestContext.Current.CancellationToken);
        await using var after = Context(settings);
        Assert.Equal(0, await after.LifecycleEvents.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(5, await after.LedgerAccounts.CountAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrating_to_Refunds_records_what_orders_gave_back_already(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer("1000.00");
        // A New order of one instance the cloud could not create: its 330.00 went back before this release.
        var order = (await test.Run<Purchase.PurchaseService, Problems.Result<Orders.Order>>((s, ct) =>
            s.Buy(account, new Purchase.PurchaseRequest("ecs", "cn-hangzhou", "ecs.g7.large", 1, 1), ClientToken.New(), Coupons.CouponChoice.Best, ct))).Value;
        var paid = await test.Run<Orders.OrderPayments, Problems.Result<Orders.PaymentOutcome>>((p, ct) => p.PayFromBalance(account, order.Id, ct));
        await test.Run<ProviderApi.ProviderInstances, Problems.Result<ProviderApi.ProviderInstanceState>>((s, ct) => s.Failed(paid.Value.CreatedInstanceIds[0], "no capacity", ct));
        await test.Query(db => db.Orders.ExecuteUpdateAsync(s => s.SetProperty(o => o.Refunded, Money.Zero)));

        // Back to the release before, and up again.
        await test.Query(async db =>
        {
            var migrator = db.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            await migrator.MigrateAsync(db.Database.GetMigrations().Single(m => m.EndsWith("_StaffActions", StringComparison.Ordinal)));
            await migrator.MigrateAsync();
            return 0;
        });

        var after = await test.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id));
        Assert.Equal((Money.Parse("330.00"), Money.Zero), (after.Refunded, after.Refundable));
    }

    private static CloudbillDbContext Context(DatabaseSettings settings)
    {
        var options = new DbContextOptionsBuilder<CloudbillDbContext>();
        settings.Configure(options);
        return new CloudbillDbContext(options.Options);
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

    [Fact]
    public void A_multi_host_string_rechecks_its_hosts_every_second_and_gives_up_on_one_after_five_unless_it_says_otherwise()
    {
        var cluster = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseSettings.Parse("Postgres",
            "Host=db1:5432,db2:5432;Database=cloudbill;Username=cloudbill;Target Session Attributes=read-write", "/tmp").ConnectionString);
        Assert.Equal((1, 5), (cluster.HostRecheckSeconds, cluster.Timeout));

        var chosen = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseSettings.Parse("Postgres",
            "Host=db1,db2;Database=cloudbill;Username=cloudbill;Host Recheck Seconds=3;Timeout=2", "/tmp").ConnectionString);
        Assert.Equal((3, 2), (chosen.HostRecheckSeconds, chosen.Timeout));

        // One host: Npgsql's defaults, the string as given.
        Assert.Equal("Host=db1;Database=cloudbill;Username=cloudbill", DatabaseSettings.Parse("Postgres", "Host=db1;Database=cloudbill;Username=cloudbill", "/tmp").ConnectionString);
        Assert.Equal("PostgreSQL cloudbill@db1:5432,db2:5432/cloudbill", DatabaseSettings.Parse("Postgres", "Host=db1:5432,db2:5432;Database=cloudbill;Username=cloudbill", "/tmp").Describe());
    }

    [Fact]
    public void Connections_that_reach_another_server_are_one_failover_logged_as_a_warning()
    {
        var logger = new CollectingLogger();
        var failovers = new DatabaseFailovers(logger);
        failovers.Reached("127.0.0.1:6001");
        failovers.Reached("127.0.0.1:6001");
        Assert.Equal(0, failovers.Seen);
        Assert.Empty(logger.Lines);

        failovers.Reached("127.0.0.1:6002");
        failovers.Reached("127.0.0.1:6002");
        Assert.Equal(1, failovers.Seen);
        var (level, message) = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Equal("The database connections moved from 127.0.0.1:6001 to 127.0.0.1:6002: the primary changed (a failover or switchover)", message);
    }

    [Fact]
    public void A_failure_of_the_connection_is_transient_and_an_error_PostgreSQL_answered_is_not()
    {
        Assert.True(DatabaseOutage.IsTransient(new Npgsql.NpgsqlException("Exception while reading from stream", new System.IO.EndOfStreamException())));
        Assert.True(DatabaseOutage.IsTransient(new DbUpdateException("wrapped", new Npgsql.PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"))));
        Assert.True(DatabaseOutage.IsTransient(new Npgsql.PostgresException("cannot execute INSERT in a read-only transaction", "ERROR", "ERROR", "25006")));
        Assert.False(DatabaseOutage.IsTransient(new DbUpdateException("wrapped", new Npgsql.PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505"))));
        Assert.True(DatabaseOutage.IsTransient(new InvalidOperationException("Transaction is already completed")));
        Assert.False(DatabaseOutage.IsTransient(new InvalidOperationException("a bug")));
    }

    private sealed class CollectingLogger : ILogger<DatabaseFailovers>
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
