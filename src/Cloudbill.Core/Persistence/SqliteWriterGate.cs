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
///
/// A write outside a transaction (a single-statement SaveChanges such as the API's signature
/// nonce, an ExecuteUpdate or ExecuteDelete on its own) takes the write lock too, for its
/// statement: it passes the same gate, from its execution until its statement is done (the
/// command executed, or its reader closed when it returns rows).
/// </summary>
public sealed class SqliteWriterGate : IDbTransactionInterceptor, IDbConnectionInterceptor, IDbCommandInterceptor
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

    // A statement on its own (no transaction) that writes: SQLite takes its write lock for it.
    private static bool IsLoneWrite(DbCommand command)
    {
        if (command.Transaction is not null || Held.TryGetValue(command.Connection!, out _))
            return false;
        var text = command.CommandText.AsSpan().TrimStart();
        return text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    private static void Enter(DbCommand command)
    {
        if (!IsLoneWrite(command))
            return;
        var gate = GateOf(command.Connection!);
        if (gate.Wait(Patience))
            Held.AddOrUpdate(command.Connection!, gate);
    }

    private static async ValueTask EnterAsync(DbCommand command, CancellationToken ct)
    {
        if (!IsLoneWrite(command))
            return;
        var gate = GateOf(command.Connection!);
        if (await gate.WaitAsync(Patience, ct))
            Held.AddOrUpdate(command.Connection!, gate);
    }

    // Released when the statement is done: after a command without rows, or when the reader of one
    // with rows (INSERT ... RETURNING) closes. Inside a transaction nothing is held by the command,
    // and the transaction's release comes first: these find nothing to release.
    private static void Done(DbCommand command)
    {
        if (command.Transaction is null && command.Connection is { } connection)
            Release(connection);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Enter(command);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Enter(command);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Enter(command);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(command, cancellationToken);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Done(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Done(command);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Done(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Done(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Done(command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Done(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Done(command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Done(command);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Done(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => Done(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Done(command);
        return Task.CompletedTask;
    }
}
