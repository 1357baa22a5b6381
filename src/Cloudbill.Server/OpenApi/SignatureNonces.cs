using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cloudbill.Server.OpenApi;

/// <summary>What the key-and-nonce step found: the key's account if it is enabled, and whether the nonce was new.</summary>
public readonly record struct NonceUse(long? AccountId, bool FirstUse);

/// <summary>
/// Uses up a signature nonce under its unique key (a replay is refused whichever node it
/// reaches) and names the enabled key's account, in the way each database does it best.
/// </summary>
public abstract class SignatureNonces
{
    /// <summary>
    /// True when <see cref="Use"/> runs on a connection of its own, so a read may run on the
    /// request's DbContext meanwhile (docs/decisions/0023).
    /// </summary>
    public abstract bool ConfirmsBesideReads { get; }

    public abstract Task<NonceUse> Use(string accessKeyId, string nonce, DateTimeOffset now, CancellationToken ct);

    public static SignatureNonces For(DatabaseSettings database, CloudbillDbContext db) =>
        database.Provider == DatabaseProvider.Postgres ? new PostgresSignatureNonces(database) : new SqliteSignatureNonces(db);
}

/// <summary>SQLite is in the process: the key and the nonce are two statements on the request's DbContext, without a round trip to pay.</summary>
public sealed class SqliteSignatureNonces(CloudbillDbContext db) : SignatureNonces
{
    public override bool ConfirmsBesideReads => false;

    public override async Task<NonceUse> Use(string accessKeyId, string nonce, DateTimeOffset now, CancellationToken ct)
    {
        var accountId = await db.AccessKeys.AsNoTracking().Where(k => k.Id == accessKeyId && k.Enabled && k.DeletedAt == null).Select(k => (long?)k.BillingAccountId).FirstOrDefaultAsync(ct);
        if (accountId is null)
            return new NonceUse(null, false);
        db.SignatureNonces.Add(new SignatureNonce { AccessKeyId = accessKeyId, Nonce = nonce, SeenAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
            return new NonceUse(accountId, true);
        }
        catch (DbUpdateException)
        {
            // The unique key refused it: the nonce is in the table already.
            db.ChangeTracker.Clear();
            if (await db.SignatureNonces.AsNoTracking().AnyAsync(n => n.AccessKeyId == accessKeyId && n.Nonce == nonce, ct))
                return new NonceUse(accountId, false);
            throw;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>
/// PostgreSQL: one round trip, as every request pays it, on a pooled connection of its own (so
/// a read can run on the request's DbContext meanwhile): the key's account if it is enabled,
/// and the nonce inserted under its unique key if it is new. Only this transaction's wait for
/// the WAL flush is skipped (`set_config(..., true)` is local to it), so a crash can forget the
/// last instant's nonces (docs/decisions/0014).
/// </summary>
public sealed class PostgresSignatureNonces(DatabaseSettings database) : SignatureNonces
{
    public override bool ConfirmsBesideReads => true;

    public override async Task<NonceUse> Use(string accessKeyId, string nonce, DateTimeOffset now, CancellationToken ct)
    {
        // The configured string itself: one EF derived from a data source would have lost its password.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            WITH durability AS (SELECT set_config('synchronous_commit', 'off', true) AS setting),
                 enabled_key AS (SELECT "BillingAccountId" FROM "AccessKeys" WHERE "Id" = @key AND "Enabled" AND "DeletedAt" IS NULL),
                 used AS (
                     INSERT INTO "SignatureNonces" ("AccessKeyId", "Nonce", "SeenAt")
                     SELECT @key, @nonce, @seen FROM enabled_key
                     ON CONFLICT DO NOTHING
                     RETURNING 1)
            SELECT (SELECT "BillingAccountId" FROM enabled_key), EXISTS (SELECT 1 FROM used), (SELECT setting FROM durability)
            """;
        command.Parameters.AddWithValue("key", accessKeyId);
        command.Parameters.AddWithValue("nonce", nonce);
        command.Parameters.AddWithValue("seen", now);
        // A prepared statement: its text never varies, and every request runs it (docs/decisions/0022).
        await command.PrepareAsync(ct);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new NonceUse(reader.IsDBNull(0) ? null : reader.GetInt64(0), reader.GetBoolean(1));
    }
}
