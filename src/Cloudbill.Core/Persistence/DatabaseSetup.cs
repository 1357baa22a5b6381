using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Cloudbill.Core.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>A setting that stops Cloudbill from starting, with the key that is wrong and how to fix it.</summary>
public sealed class ConfigurationProblemException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>`Cloudbill:Database:Provider` and `ConnectionStrings:Cloudbill`, checked before anything connects.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string SqliteMigrationsAssembly = "Cloudbill.Migrations.Sqlite";
    public const string PostgresMigrationsAssembly = "Cloudbill.Migrations.Postgres";

    public static DatabaseSettings Parse(string? provider, string? connectionString, string dataDirectory)
    {
        DatabaseProvider parsed;
        if (string.IsNullOrWhiteSpace(provider))
            parsed = DatabaseProvider.Sqlite;
        else if (!Enum.TryParse(provider, ignoreCase: true, out parsed) || !Enum.IsDefined(parsed))
            throw new ConfigurationProblemException($"Cloudbill:Database:Provider is '{provider}'; use Sqlite (the embedded default) or Postgres.");

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (parsed == DatabaseProvider.Postgres)
                throw new ConfigurationProblemException("ConnectionStrings:Cloudbill is required with Cloudbill:Database:Provider=Postgres, for example \"Host=127.0.0.1;Database=cloudbill;Username=cloudbill;Password=...\".");
            connectionString = $"Data Source={Path.Combine(dataDirectory, "cloudbill.db")}";
        }

        try
        {
            DbConnectionStringBuilder builder = parsed == DatabaseProvider.Sqlite
                ? new SqliteConnectionStringBuilder(connectionString)
                : new NpgsqlConnectionStringBuilder(connectionString);
            if (builder is NpgsqlConnectionStringBuilder { Host: null or "" })
                throw new ArgumentException("it names no Host");
            if (builder is SqliteConnectionStringBuilder { DataSource: null or "" })
                throw new ArgumentException("it names no Data Source");
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new ConfigurationProblemException($"ConnectionStrings:Cloudbill is not a valid {parsed} connection string: {e.Message}", e);
        }

        if (parsed == DatabaseProvider.Postgres)
            connectionString = WithFailoverDefaults(connectionString);
        return new DatabaseSettings(parsed, connectionString);
    }

    /// <summary>
    /// A multi-host string (a primary and its standbys, docs/operations.md "High availability") gets
    /// what a failover needs unless it says otherwise: Npgsql remembers for Host Recheck Seconds
    /// (10 by default) that a host was a standby or down, so the promoted standby would be refused
    /// for that long after a failover of about 7 s; 1 s instead. And a dead host that drops packets
    /// (rather than refusing) costs Timeout (15 s by default) per connection attempt; 5 s instead.
    /// </summary>
    private static string WithFailoverDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Host is not { } host || !host.Contains(',', StringComparison.Ordinal))
            return connectionString;
        if (!given.ContainsKey("Host Recheck Seconds") && !given.ContainsKey("HostRecheckSeconds"))
            builder.HostRecheckSeconds = 1;
        if (!given.ContainsKey("Timeout"))
            builder.Timeout = 5;
        return builder.ConnectionString;
    }

    public void Configure(DbContextOptionsBuilder options)
    {
        switch (Provider)
        {
            case DatabaseProvider.Sqlite:
                options.UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly));
                options.AddInterceptors(SqliteWriterGate.Instance);
                break;
            case DatabaseProvider.Postgres:
                options.UseNpgsql(ConnectionString, o => o.MigrationsAssembly(PostgresMigrationsAssembly));
                options.AddInterceptors(PreparingCommandInterceptor.Instance);
                break;
            default:
                throw new ConfigurationProblemException($"Unsupported provider {Provider}.");
        }
        options.ReplaceService<IModelCacheKeyFactory, ProviderModelCacheKeyFactory>();
    }

    /// <summary>The connection string without its password, for messages and logs.</summary>
    public string Describe() => Provider switch
    {
        DatabaseProvider.Sqlite => $"SQLite {new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
        DatabaseProvider.Postgres => Describe(new NpgsqlConnectionStringBuilder(ConnectionString)),
        _ => Provider.ToString(),
    };

    // A multi-host string names each host with its port.
    private static string Describe(NpgsqlConnectionStringBuilder b) =>
        b.Host!.Contains(',', StringComparison.Ordinal) ? $"PostgreSQL {b.Username}@{b.Host}/{b.Database}" : $"PostgreSQL {b.Username}@{b.Host}:{b.Port}/{b.Database}";
}

/// <summary>The model differs per provider (instants as ticks on SQLite), so it is cached per provider.</summary>
internal sealed class ProviderModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) => (context.GetType(), context.Database.ProviderName, designTime);
}
