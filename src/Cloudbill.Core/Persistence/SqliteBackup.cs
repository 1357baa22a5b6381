using Microsoft.Data.Sqlite;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// The `backup` verb's copy of the embedded database: SQLite's online backup API, so the copy is
/// one consistent snapshot taken while the server goes on writing (in WAL mode the copy's read
/// transaction does not stop the writers, and nothing written after it began is in the copy).
/// </summary>
public static class SqliteBackup
{
    public sealed record Copied(string Source, string Target, long Bytes);

    /// <summary>The file already exists: a backup never overwrites one (it may be the last good copy).</summary>
    public sealed class TargetExistsException(string target) : IOException($"{target} already exists; a backup never overwrites a file. Choose a new name, or move the old file away first.");

    /// <summary>
    /// Copies the database of <paramref name="settings"/> to <paramref name="target"/>, which must not
    /// exist. The copy is written beside the target under a temporary name, checked with
    /// <c>PRAGMA integrity_check</c>, and only then moved to its name, so a failed or interrupted
    /// backup never leaves a file that looks complete.
    /// </summary>
    public static async Task<Copied> Copy(DatabaseSettings settings, string target, CancellationToken ct)
    {
        var source = new SqliteConnectionStringBuilder(settings.ConnectionString);
        var sourceFile = Path.GetFullPath(source.DataSource);
        if (!File.Exists(sourceFile))
            throw new ConfigurationProblemException($"The database ({settings.Describe()}) does not exist; there is nothing to back up. Check Cloudbill:DataDirectory or ConnectionStrings:Cloudbill.");
        var targetFile = Path.GetFullPath(target);
        if (File.Exists(targetFile) || Directory.Exists(targetFile))
            throw new TargetExistsException(targetFile);
        var folder = Path.GetDirectoryName(targetFile)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The folder {folder} does not exist; create it first.");

        var temporary = Path.Combine(folder, $".{Path.GetFileName(targetFile)}.{Guid.NewGuid():N}.partial");
        try
        {
            // ReadWrite, not ReadWriteCreate: a wrong path must not make an empty database to copy.
            source.Mode = SqliteOpenMode.ReadWrite;
            source.Pooling = false;
            await using (var from = new SqliteConnection(source.ToString()))
            await using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
            {
                await from.OpenAsync(ct);
                await to.OpenAsync(ct);
                await BackupWhenNotBusy(from, to, ct);
                await using var check = to.CreateCommand();
                check.CommandText = "PRAGMA integrity_check";
                var verdict = (string?)await check.ExecuteScalarAsync(ct);
                if (verdict != "ok")
                    throw new InvalidDataException($"The copy failed its integrity check ({verdict}); {targetFile} was not written.");
            }
            // Without overwrite: a file made meanwhile under the target's name is kept, and this copy is dropped.
            try
            {
                File.Move(temporary, targetFile, overwrite: false);
            }
            catch (IOException) when (File.Exists(targetFile))
            {
                throw new TargetExistsException(targetFile);
            }
            return new Copied(sourceFile, targetFile, new FileInfo(targetFile).Length);
        }
        finally
        {
            foreach (var leftover in new[] { temporary, temporary + "-journal", temporary + "-wal", temporary + "-shm" })
                File.Delete(leftover);
        }
    }

    /// <summary>
    /// One step copies every page under one read transaction (the snapshot). Starting that read can
    /// meet SQLITE_BUSY for a moment (a checkpoint or WAL recovery by the server): try again.
    /// </summary>
    private static async Task BackupWhenNotBusy(SqliteConnection from, SqliteConnection to, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                from.BackupDatabase(to);
                return;
            }
            catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED && attempt < 50)
            {
                // The server holds the lock for one short write.
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }
    }
}
