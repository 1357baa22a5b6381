using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Cloudbill.Bench;

/// <summary>A command EF sent, with copies of its parameters, to run again under EXPLAIN.</summary>
public sealed record RecordedCommand(string Sql, IReadOnlyList<NpgsqlParameter> Parameters);

/// <summary>
/// Counts the commands EF sends (a command is one round trip: Npgsql sends BEGIN with the first
/// one) and, while <see cref="Capturing"/>, records them with their parameters.
/// </summary>
public sealed class CommandRecorder : DbCommandInterceptor
{
    private long commands;
    private readonly List<RecordedCommand> captured = [];

    public long Commands => Interlocked.Read(ref commands);

    /// <summary>While set, the time the database took per kind of command (its first line), for the profile.</summary>
    public bool Profiling { get; set; }

    private readonly Dictionary<string, (int Count, TimeSpan Time)> profile = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Command, int Count, TimeSpan Time)> TakeProfile()
    {
        lock (profile)
        {
            var copy = profile.Select(p => (p.Key, p.Value.Count, p.Value.Time)).OrderByDescending(p => p.Time).ToList();
            profile.Clear();
            return copy;
        }
    }

    private void Executed(DbCommand command, CommandExecutedEventData eventData)
    {
        if (!Profiling)
            return;
        var text = command.CommandText.Trim();
        var shape = string.Join(" ", text.Split('\n', 4).Take(3).Select(l => l.Trim()));
        shape = shape.Length > 140 ? shape[..140] : shape;
        lock (profile)
        {
            var (count, time) = profile.GetValueOrDefault(shape);
            profile[shape] = (count + 1, time + eventData.Duration);
        }
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Executed(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Executed(command, eventData);
        return ValueTask.FromResult(result);
    }

    public bool Capturing { get; set; }

    public IReadOnlyList<RecordedCommand> TakeCaptured()
    {
        lock (captured)
        {
            var copy = captured.ToList();
            captured.Clear();
            return copy;
        }
    }

    private void Seen(DbCommand command)
    {
        Interlocked.Increment(ref commands);
        if (!Capturing)
            return;
        var parameters = command.Parameters.Cast<NpgsqlParameter>().Select(p => p.Clone()).ToList();
        lock (captured)
            captured.Add(new RecordedCommand(command.CommandText, parameters));
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Seen(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Seen(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Seen(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Seen(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Seen(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Seen(command);
        return ValueTask.FromResult(result);
    }
}

