using Cloudbill.Core.Instances;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Cloudbill.Core.Persistence;

/// <summary>
/// The set-based writes of the engine and the ledger's batch writer on PostgreSQL (docs/decisions/0013): rows whose generated ids
/// nobody reads are inserted with one statement per table, and the claimed instances are
/// updated with one statement per batch, instead of one statement per row. Columns, types and
/// value conversions come from the EF model, so the rows are stored exactly as EF stores them.
/// </summary>
internal static class PostgresBulkWrites
{
    /// <summary>
    /// INSERT … SELECT FROM unnest(one array per column), in the caller's transaction. The
    /// generated key is left to the database unless <paramref name="withKeys"/> (ids taken with <see cref="NextIds"/>).
    /// </summary>
    public static async Task Insert<T>(CloudbillDbContext db, IReadOnlyList<T> rows, CancellationToken ct, bool withKeys = false)
        where T : class
    {
        if (rows.Count == 0)
            return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties().Where(p => (withKeys || p.ValueGenerated != ValueGenerated.OnAdd) && p.PropertyInfo is not null).ToList();
        var parameters = new List<NpgsqlParameter>(columns.Count);
        var names = new List<string>(columns.Count);
        var arrays = new List<string>(columns.Count);
        for (var c = 0; c < columns.Count; c++)
        {
            var property = columns[c];
            var mapping = property.GetRelationalTypeMapping();
            var converter = mapping.Converter;
            var stored = converter?.ProviderClrType ?? property.ClrType;
            var element = Nullable.GetUnderlyingType(stored) ?? stored;
            var array = Array.CreateInstance(element.IsValueType && property.IsNullable ? typeof(Nullable<>).MakeGenericType(element) : element, rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                var value = property.PropertyInfo!.GetValue(rows[r]);
                if (value is not null && converter is not null)
                    value = converter.ConvertToProvider(value);
                if (value is DateTimeOffset instant)
                    value = instant.ToUniversalTime();
                array.SetValue(value, r);
            }
            parameters.Add(new NpgsqlParameter($"p{c}", array));
            names.Add($"\"{property.GetColumnName(table)}\"");
            arrays.Add($"@p{c}::{mapping.StoreType}[]");
        }
        var sql = $"""INSERT INTO "{table.Name}" ({string.Join(", ", names)}) SELECT * FROM unnest({string.Join(", ", arrays)})""";
        await db.Database.ExecuteSqlRawAsync(sql, parameters, ct);
    }

    /// <summary>
    /// Inserts rows that other rows name (orders and their lines, transactions and their postings):
    /// their ids are taken first (<see cref="NextIds"/>) and given by <paramref name="assignId"/> to
    /// each row and its children, then the rows and the children go in one statement per table.
    /// </summary>
    public static async Task InsertWithChildren<TParent, TChild>(CloudbillDbContext db, IReadOnlyList<TParent> parents, Action<TParent, long> assignId, Func<TParent, IEnumerable<TChild>> children, CancellationToken ct)
        where TParent : class
        where TChild : class
    {
        var ids = await NextIds<TParent>(db, parents.Count, ct);
        for (var n = 0; n < parents.Count; n++)
            assignId(parents[n], ids[n]);
        await Insert(db, parents, ct, withKeys: true);
        await Insert(db, parents.SelectMany(children).ToList(), ct);
    }

    /// <summary>Takes <paramref name="count"/> ids from the table's identity sequence, in order: rows that other rows name get their ids before they are written.</summary>
    public static async Task<List<long>> NextIds<T>(CloudbillDbContext db, int count, CancellationToken ct)
        where T : class
    {
        if (count == 0)
            return [];
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = $"\"{entity.GetTableName()}\"";
        return await db.Database.SqlQuery<long>($"""
            SELECT nextval(pg_get_serial_sequence({table}, 'Id')) AS "Value" FROM generate_series(1, {count}) AS n ORDER BY n
            """).ToListAsync(ct);
    }

    /// <summary>What the engine may change on a claimed instance, as it was when claimed.</summary>
    public readonly record struct InstanceBefore(Instance Instance, DateTimeOffset? ExpiresAt, DateTimeOffset? NextDueAt, DateTimeOffset? ReleasedAt);

    /// <summary>
    /// Writes the changed instances in one statement, bumping their versions as a tracked save
    /// would, and checking each version as EF's concurrency token does (the claim holds the rows
    /// locked, so a mismatch means a bug, not a race).
    /// </summary>
    public static async Task UpdateInstances(CloudbillDbContext db, IEnumerable<InstanceBefore> processed, CancellationToken ct)
    {
        var changed = processed.Where(p => p.Instance.ExpiresAt != p.ExpiresAt || p.Instance.NextDueAt != p.NextDueAt || p.Instance.ReleasedAt != p.ReleasedAt)
            .Select(p => p.Instance).ToList();
        if (changed.Count == 0)
            return;
        var ids = changed.Select(i => i.Id).ToArray();
        var versions = changed.Select(i => i.Version).ToArray();
        var expires = changed.Select(i => i.ExpiresAt?.ToUniversalTime()).ToArray();
        var next = changed.Select(i => i.NextDueAt?.ToUniversalTime()).ToArray();
        var released = changed.Select(i => i.ReleasedAt?.ToUniversalTime()).ToArray();
        var updated = await db.Database.ExecuteSqlAsync($"""
            UPDATE "Instances" AS i
            SET "ExpiresAt" = d."ExpiresAt", "NextDueAt" = d."NextDueAt", "ReleasedAt" = d."ReleasedAt", "Version" = i."Version" + 1
            FROM unnest({ids}::text[], {versions}::bigint[], {expires}::timestamptz[], {next}::timestamptz[], {released}::timestamptz[])
                AS d("Id", "Version", "ExpiresAt", "NextDueAt", "ReleasedAt")
            WHERE i."Id" = d."Id" AND i."Version" = d."Version"
            """, ct);
        if (updated != changed.Count)
            throw new DbUpdateConcurrencyException($"{changed.Count - updated} of {changed.Count} claimed instance(s) changed under the engine's lock.");
        foreach (var instance in changed)
            instance.Version++;
    }
}
