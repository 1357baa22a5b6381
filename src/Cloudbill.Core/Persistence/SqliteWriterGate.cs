using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// SQLite has one writer, and a transaction takes the write lock at its start (BEGIN IMMEDIATE).
/// When two requests of this process start one at once, the second got SQLITE_BUSY and
/// Microsoft.Data.Sqlite retried it after a fixed 150 ms sleep, blocking its thread: with 8
/// clients renewing, p99 reached seconds. This gate queues this process's transactions on one
/// database file before they begin (asynchronously, in arrival order), so each starts as soon as
/// the previous one ends. Released when the transaction commits, rolls back or fails, or when its
/// connection closes (a transaction disposed without either). After 30 s (the command timeout) a
/// transaction goes on without the gate and SQLite's own locking decides, as before; another
/// process on the same file (a CLI verb) is still kept out by SQLite's lock.
/// </summary>
public sealed class SqliteWriterGate : IDbTransactionInterceptor, IDbConnectionInterceptor
{
    public static readonly SqliteWriterGate Instance = new();

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<DbConnection, SemaphoreSlim> Held = [];

    private SqliteWriterGate()
    {
    }

    private static SemaphoreSlim GateOf(DbConnection connection) =>
        Gates.GetOrAdd(connection.ConnectionString, _ => new SemaphoreSlim(1, 1));

    private static void Release(DbConnection connection)
    {
        if (Held.TryGetValue(connection, out var gate) && Held.Remove(connection))
            gate.Release();
    }

    // The transaction's connection: a committed SqliteTransaction no longer names it; its context does.
    private static void Release(TransactionEventData eventData)
    {
        if (eventData.Context is { } context)
            Release(context.Database.GetDbConnection());
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Release(connection);
        var gate = GateOf(connection);
        if (gate.Wait(Patience))
            Held.AddOrUpdate(connection, gate);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        Release(connection);
        var gate = GateOf(connection);
        if (await gate.WaitAsync(Patience, cancellationToken))
            Held.AddOrUpdate(connection, gate);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(eventData);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData);
        return Task.CompletedTask;
    }

    public InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return result;
    }

    public ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Release(connection);
        return ValueTask.FromResult(result);
    }
}
