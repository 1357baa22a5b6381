using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// The few hot read queries that run as prepared statements on PostgreSQL (docs/decisions/0022):
/// the API's instance list, balance and authentication, whose parse and plan cost the database
/// more than their execution. A query opts in with <see cref="Prepared{T}"/>; its command is then
/// prepared on its physical connection before it runs. Npgsql keeps a prepared statement on the
/// connection when it returns to the pool and recognises the same SQL text the next time, so only
/// a connection's first use of a query pays the preparation. Everything else (the engine's bulk
/// writes above all) stays unprepared: preparing every statement slowed the engine by half.
/// </summary>
public static class PreparedQueries
{
    /// <summary>The tag's comment line; EF writes it as the first line of the SQL.</summary>
    internal const string Tag = "prepared";

    private const string TagLine = "-- " + Tag;

    /// <summary>
    /// Run this query as a prepared statement on PostgreSQL (no effect on SQLite, which is in the
    /// process). Only for a query with a bounded number of SQL texts: every value must reach SQL as
    /// a parameter, never as a constant, or each value would leave its own statement on every connection.
    /// </summary>
    public static IQueryable<T> Prepared<T>(this IQueryable<T> query) => query.TagWith(Tag);

    internal static bool IsTagged(DbCommand command) =>
        command is Npgsql.NpgsqlCommand && command.CommandText.StartsWith(TagLine, StringComparison.Ordinal);
}

/// <summary>Prepares the commands of <see cref="PreparedQueries.Prepared{T}"/> queries just before they run (the connection is open by then).</summary>
internal sealed class PreparingCommandInterceptor : DbCommandInterceptor
{
    public static PreparingCommandInterceptor Instance { get; } = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (PreparedQueries.IsTagged(command))
            command.Prepare();
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (PreparedQueries.IsTagged(command))
            await command.PrepareAsync(cancellationToken);
        return result;
    }
}
