using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// The schema: applied by the `migrate` verb and at server start (Cloudbill:Database:MigrateOnStart),
/// and required current by everything else. It changes nothing but the schema; the data every
/// database needs (the shared ledger accounts) comes with the baseline migration of both providers.
/// </summary>
public sealed class DatabaseMigrator(DatabaseSettings settings)
{
    /// <returns>The migrations that were applied now (empty when the schema was current).</returns>
    public async Task<IReadOnlyList<string>> Migrate(CancellationToken ct)
    {
        try
        {
            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                var file = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (file != ":memory:" && !string.IsNullOrEmpty(folder))
                    Directory.CreateDirectory(folder);
            }

            await using var db = QuietContext();
            await RefuseUnknownHistory(db, ct);
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await db.Database.MigrateAsync(ct);
            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                // WAL lets readers work while the engine writes; the mode is stored in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
            return pending;
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw CannotOpen(e);
        }
    }

    /// <summary>
    /// Refuses a database without Cloudbill's schema or with an older one: one line that says to
    /// run `migrate`. Nothing is created or changed (not even an empty SQLite file).
    /// </summary>
    public async Task RequireCurrent(CancellationToken ct)
    {
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
            if (file != ":memory:" && !File.Exists(file))
                throw NotMigrated("it does not exist yet");
        }

        IReadOnlyList<string> pending;
        int all;
        try
        {
            await using var db = QuietContext();
            await RefuseUnknownHistory(db, ct);
            pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            all = db.Database.GetMigrations().Count();
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw CannotOpen(e);
        }
        if (pending.Count > 0)
        {
            var applied = pending.Count == all ? "it has no Cloudbill schema" : $"its schema is older: {pending.Count} migration(s) to apply";
            throw NotMigrated(applied);
        }
    }

    /// <summary>
    /// The Data Protection key ring (docs/decisions/0004), created on its first use by a host (the
    /// server's start, a verb) on its own connection: created lazily inside a business
    /// transaction, it would wait on that transaction's SQLite write lock.
    /// </summary>
    public static void EnsureKeyRing(IDataProtectionProvider protection, DatabaseSettings settings)
    {
        try
        {
            protection.CreateProtector("Cloudbill.Startup").Protect([1]);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            throw new ConfigurationProblemException($"Cannot open the database ({settings.Describe()}): {FirstLine(e)}", e);
        }
    }

    /// <summary>
    /// A database that has migrations this build does not know was made by a pre-release build (whose
    /// migrations were squashed into the baseline, docs/decisions/0031) or by a newer version: migrating
    /// it would recreate tables it already has, so it is refused with one line and left as it is.
    /// </summary>
    private async Task RefuseUnknownHistory(CloudbillDbContext db, CancellationToken ct)
    {
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = (await db.Database.GetAppliedMigrationsAsync(ct)).Where(m => !known.Contains(m)).ToList();
        if (unknown.Count > 0)
        {
            throw new ConfigurationProblemException(
                $"The database ({settings.Describe()}) has {unknown.Count} migration(s) this version does not know (the last: {unknown.Max(StringComparer.Ordinal)}): " +
                "it was made by a pre-release build or a newer version, and is left unchanged. Start this version on a new database, or run the version that made it.");
        }
    }

    private ConfigurationProblemException NotMigrated(string why) =>
        new($"The database ({settings.Describe()}) is not migrated: {why}. Run `cloudbill migrate` first.");

    private ConfigurationProblemException CannotOpen(Exception e) =>
        new($"Cannot open the database ({settings.Describe()}): {FirstLine(e)}", e);

    // A context without logging: EF probes the migrations history table by querying it,
    // and that expected failure on a new database would be logged as an error.
    private CloudbillDbContext QuietContext()
    {
        var options = new DbContextOptionsBuilder<CloudbillDbContext>().UseLoggerFactory(NullLoggerFactory.Instance);
        settings.Configure(options);
        return new CloudbillDbContext(options.Options);
    }

    private static bool IsDatabaseFailure(Exception e) =>
        e is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException or System.Security.Cryptography.CryptographicException;

    private static string FirstLine(Exception e)
    {
        var root = e;
        while (root.InnerException is not null && root is InvalidOperationException)
            root = root.InnerException;
        return root.Message.Split('\n')[0].Trim();
    }
}
