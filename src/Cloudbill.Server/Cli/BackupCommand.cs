using System.ComponentModel;
using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Persistence;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cloudbill.Server.Cli;

/// <summary>
/// `backup --to FILE`: a consistent copy of the embedded SQLite database while the server runs
/// (docs/operations-backup.md). PostgreSQL is backed up with its own tools, as that page shows.
/// </summary>
public sealed class BackupCommand : CloudbillCommand<BackupCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--to <FILE>")]
        [Description("The backup file to write: a new SQLite database file. An existing file is never overwritten (exit 1).")]
        public string To { get; init; } = "";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(To) ? ValidationResult.Error("--to is required: the file to write the backup to, e.g. --to /backups/cloudbill-2026-12-01.db.") : ValidationResult.Success();
    }

    /// <summary>An older schema can be backed up too: the time for a backup is before `migrate`.</summary>
    protected override bool NeedsCurrentSchema => false;

    protected override async Task<int> Execute(IServiceProvider services, Settings settings, CancellationToken ct)
    {
        var database = services.GetRequiredService<DatabaseSettings>();
        if (database.Provider != DatabaseProvider.Sqlite)
        {
            Console.Error.WriteLine($"cloudbill: backup copies the embedded SQLite database; {database.Describe()} is backed up with pg_dump or a base backup with WAL archiving, as docs/operations-backup.md shows (keep the key ring certificate with it).");
            return 2;
        }

        SqliteBackup.Copied copied;
        try
        {
            copied = await SqliteBackup.Copy(database, settings.To, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
        {
            Console.Error.WriteLine($"cloudbill: backup failed: {e.Message.Split('\n')[0].Trim()}");
            return 1;
        }

        var options = services.GetRequiredService<CloudbillOptions>();
        var certificate = string.IsNullOrWhiteSpace(options.DataProtection.CertificatePath)
            ? KeyRingCertificate.GeneratedPath(services.GetRequiredService<CloudbillPaths>().DataDirectory)
            : Path.GetFullPath(options.DataProtection.CertificatePath);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Backed up {copied.Source} to {copied.Target} ({copied.Bytes} bytes, integrity checked)."));
        Console.Out.WriteLine($"Keep a copy of the key ring certificate {certificate} apart from it: the backup's AccessKey secrets and sign-in keys cannot be read without it.");
        return 0;
    }
}
