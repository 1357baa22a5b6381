using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// A failure of the database connection rather than of the statement: the server went away
/// (connection refused or reset, 57P01 admin shutdown, no host accepting writes) or was demoted
/// under the transaction (25006 read-only transaction). The same work may succeed on the new
/// primary; whether it may be sent again is the caller's to decide (docs/decisions/0034).
/// </summary>
public static class DatabaseOutage
{
    private static readonly HashSet<string> ConnectionStates =
    [
        PostgresErrorCodes.AdminShutdown, PostgresErrorCodes.CrashShutdown, PostgresErrorCodes.CannotConnectNow,
        PostgresErrorCodes.ReadOnlySqlTransaction, PostgresErrorCodes.ConnectionException, PostgresErrorCodes.ConnectionDoesNotExist,
        PostgresErrorCodes.ConnectionFailure, PostgresErrorCodes.SqlClientUnableToEstablishSqlConnection,
        PostgresErrorCodes.SqlServerRejectedEstablishmentOfSqlConnection, PostgresErrorCodes.TransactionResolutionUnknown,
        PostgresErrorCodes.ProtocolViolation,
    ];

    public static bool IsTransient(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    return ConnectionStates.Contains(postgres.SqlState);
                // Not an error PostgreSQL answered: the connection itself failed (refused, reset,
                // timed out, or no host of the multi-host string accepts writes yet).
                case NpgsqlException:
                    return true;
                case SocketException or EndOfStreamException:
                    return true;
                // Npgsql completes a transaction whose connection broke; the next statement of the
                // business step then meets it completed. Cloudbill's transactions are scoped by
                // `await using`, so a completed one in use is that broken connection, not a bug.
                case InvalidOperationException { Message: "Transaction is already completed" }:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Runs <paramref name="work"/>, and again while it fails on the connection, for about 13 s
    /// (a pg_auto_failover failover takes about 7 s). Only for work that is safe to send twice:
    /// keyed by a ClientToken or a business key, so an attempt that committed before its answer was
    /// lost is found by the next one instead of done again. The context's tracked entities are
    /// dropped between attempts: the next attempt reads everything again.
    /// </summary>
    public static async Task<T> Retry<T>(CloudbillDbContext db, TimeProvider clock, ILogger logger, string what, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work(ct);
            }
            catch (Exception e) when (IsTransient(e) && attempt <= RetryDelays.Length && !ct.IsCancellationRequested)
            {
                var delay = RetryDelays[attempt - 1];
                logger.LogWarning("{What} failed on the database connection ({Reason}); attempt {Attempt} again in {DelayMs} ms, as safe as the first (docs/decisions/0034)",
                    what, e.GetBaseException().Message, attempt + 1, (int)delay.TotalMilliseconds);
                await Reset(db);
                await Task.Delay(delay, clock, ct);
            }
        }
    }

    // Short steps: the new primary is writable about 7 s after the kill, and a longer step only adds to the time without writes.
    private static readonly TimeSpan[] RetryDelays =
        [.. new[] { 250, 500, 750, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 }.Select(ms => TimeSpan.FromMilliseconds(ms))];

    private static async Task Reset(CloudbillDbContext db)
    {
        db.ChangeTracker.Clear();
        if (db.Database.CurrentTransaction is { } transaction)
        {
            try
            {
                await transaction.DisposeAsync();
            }
            catch (Exception e) when (IsTransient(e))
            {
                // The connection is gone already; so is its transaction.
            }
        }
    }
}

/// <summary>
/// Notices when this node's connections reach another PostgreSQL server than before (the multi-host
/// string's primary changed: a failover or switchover) and reports it: a Warning in the log and
/// <see cref="Seen"/>, exported as the counter <c>cloudbill.database.failovers</c> (docs/operations.md).
/// </summary>
public sealed partial class DatabaseFailovers(ILogger<DatabaseFailovers> logger) : DbConnectionInterceptor
{
    private string? current;
    private long seen;

    /// <summary>The failovers this node noticed: the counter <c>cloudbill.database.failovers</c> (observed by the server's OperationsGauges).</summary>
    public long Seen => Interlocked.Read(ref seen);

    /// <summary>The server the last connection opened on ("127.0.0.1:6001"), null before the first.</summary>
    public string? Current => Volatile.Read(ref current);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Opened(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Opened(connection);
        return Task.CompletedTask;
    }

    private void Opened(DbConnection connection)
    {
        // An open connection names the host it reached, not the list of the connection string.
        if (connection is NpgsqlConnection { Host: { } host } npgsql)
            Reached($"{host}:{npgsql.Port}");
    }

    /// <summary>A connection reached <paramref name="server"/> ("host:port"; public for the tests that play a failover).</summary>
    public void Reached(string server)
    {
        var before = Interlocked.Exchange(ref current, server);
        if (before is null || before == server)
            return;
        Interlocked.Increment(ref seen);
        LogMoved(before, server);
    }

    [LoggerMessage(LogLevel.Warning, "The database connections moved from {From} to {To}: the primary changed (a failover or switchover)")]
    private partial void LogMoved(string from, string to);
}
