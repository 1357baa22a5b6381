using Cloudbill.Core.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;

namespace Cloudbill.Testing;

/// <summary>
/// An empty database of one provider for one test: a temporary SQLite file, or a new database
/// on the PostgreSQL server named by CLOUDBILL_TEST_POSTGRES. Without that variable PostgreSQL
/// tests are skipped, unless CLOUDBILL_REQUIRE_POSTGRES=1 (the test command sets both) makes
/// the missing server a failure.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "CLOUDBILL_TEST_POSTGRES";

    private TestDatabase(DatabaseProvider provider, string connectionString, Func<Task> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        this.drop = drop;
    }

    private readonly Func<Task> drop;

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>
    /// How long a test's command may wait for a lock (PostgreSQL's command timeout, SQLite's busy
    /// timeout) instead of the 30 s default: on a shared machine under a load of 50, fifty
    /// renewals queued on one account lock take longer than that, and the tests prove what the
    /// locks decide, not how fast a loaded machine grants them.
    /// </summary>
    private const int BusyMachineTimeoutSeconds = 300;

    /// <summary>Every persistence test runs once per provider.</summary>
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    public static async Task<TestDatabase> Create(DatabaseProvider provider)
    {
        var name = $"cloudbill_test_{Guid.NewGuid():N}";
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "cloudbill-tests");
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, name + ".db");
            return new TestDatabase(provider, $"Data Source={file};Pooling=False;Default Timeout={BusyMachineTimeoutSeconds}", () =>
            {
                foreach (var f in new[] { file, file + "-wal", file + "-shm" })
                    File.Delete(f);
                return Task.CompletedTask;
            });
        }

        return await OnPostgres(PostgresServer(), name);
    }

    /// <summary>A new database on the PostgreSQL server (or cluster: a multi-host string) that <paramref name="server"/> names.</summary>
    public static async Task<TestDatabase> OnPostgres(string server, string? name = null)
    {
        name ??= $"cloudbill_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = BusyMachineTimeoutSeconds }.ConnectionString;
        return new TestDatabase(DatabaseProvider.Postgres, connection, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var dropCommand = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            try
            {
                await dropCommand.ExecuteNonQueryAsync();
            }
            catch (PostgresException)
            {
                // Cleanup only: a database that cannot be dropped now is left behind, not a failed test.
            }
        });
    }

    /// <summary>The PostgreSQL server's admin connection string, or a skip (a failure when PostgreSQL is required).</summary>
    public static string PostgresServer()
    {
        var server = Environment.GetEnvironmentVariable(PostgresVariable);
        if (!string.IsNullOrWhiteSpace(server))
            return server;
        if (Environment.GetEnvironmentVariable("CLOUDBILL_REQUIRE_POSTGRES") == "1")
            Assert.Fail($"{PostgresVariable} is not set but CLOUDBILL_REQUIRE_POSTGRES=1: the test command must start PostgreSQL.");
        Assert.Skip($"PostgreSQL test: set {PostgresVariable} (./test.sh does) to run it.");
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await drop();
    }
}
