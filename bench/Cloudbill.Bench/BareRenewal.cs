using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using static System.FormattableString;

namespace Cloudbill.Bench;

/// <summary>
/// The baseline of the write-path benchmarks: the bare renewal transaction, what one paid renewal
/// must do at the least, without Cloudbill: lock the account row, insert the order and its two
/// postings, update the balance and the instance's expiry, insert the notice. On PostgreSQL it is
/// a pgbench custom script; on SQLite a tight loop on one connection (WAL, synchronous as
/// Cloudbill leaves it: FULL, the library's default), one writer.
/// </summary>
public static class BareRenewal
{
    /// <summary>Tables beside pgbench's own (prefix r_), sized like the benchmark's data: instances and one account per hundred.</summary>
    public static string Schema(int instances) => Invariant($"""
        DROP TABLE IF EXISTS r_accounts, r_instances, r_orders, r_postings, r_notices;
        CREATE TABLE r_accounts (id bigint PRIMARY KEY, balance bigint NOT NULL, version bigint NOT NULL DEFAULT 0);
        INSERT INTO r_accounts SELECT g, 100000000000 FROM generate_series(0, {Accounts(instances) - 1}) g;
        CREATE TABLE r_instances (id varchar(40) PRIMARY KEY, account_id bigint NOT NULL, expires_at timestamptz NOT NULL, next_due_at timestamptz);
        INSERT INTO r_instances SELECT 'i-' || g, g % {Accounts(instances)}, now() + interval '30 days', now() + interval '20 days' FROM generate_series(1, {instances}) g;
        CREATE INDEX ON r_instances (account_id);
        CREATE INDEX ON r_instances (next_due_at);
        CREATE TABLE r_orders (id bigserial PRIMARY KEY, account_id bigint NOT NULL, instance_id varchar(40) NOT NULL, amount bigint NOT NULL, created_at timestamptz NOT NULL);
        CREATE TABLE r_postings (id bigserial PRIMARY KEY, order_id bigint NOT NULL, ledger_account bigint NOT NULL, amount bigint NOT NULL);
        CREATE TABLE r_notices (id bigserial PRIMARY KEY, account_id bigint NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);
        """);

    private static int Accounts(int instances) => Math.Max(1, instances / 100);

    /// <summary>The pgbench script: one renewal of a random instance, charged to its account.</summary>
    public static string Script(int instances) => Invariant($"""
        \set iid random(1, {instances})
        \set aid :iid % {Accounts(instances)}
        BEGIN;
        SELECT balance FROM r_accounts WHERE id = :aid FOR UPDATE;
        INSERT INTO r_orders (account_id, instance_id, amount, created_at) VALUES (:aid, 'i-' || :iid, 1000, now());
        INSERT INTO r_postings (order_id, ledger_account, amount) VALUES (currval('r_orders_id_seq'), :aid, -1000), (currval('r_orders_id_seq'), 0, 1000);
        UPDATE r_accounts SET balance = balance - 1000, version = version + 1 WHERE id = :aid;
        UPDATE r_instances SET expires_at = expires_at + interval '1 month', next_due_at = next_due_at + interval '1 month' WHERE id = 'i-' || :iid;
        INSERT INTO r_notices (account_id, body, created_at) VALUES (:aid, 'Your instance was renewed for one month.', now());
        END;

        """);

    public static async Task<string> PreparePostgres(string connectionString, int instances, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            await DataGenerator.Execute(connection, Schema(instances), ct);
            await DataGenerator.Execute(connection, "VACUUM ANALYZE r_accounts, r_instances", ct);
        }
        var path = Path.Combine(Path.GetTempPath(), $"cloudbill-bare-renewal-{Environment.ProcessId}.sql");
        await File.WriteAllTextAsync(path, Script(instances), ct);
        return path;
    }

    /// <summary>
    /// SQLite's own rate for the same transaction in a tight loop: a file beside Cloudbill's, WAL,
    /// synchronous FULL, one connection, prepared statements, BEGIN IMMEDIATE (the writer lock).
    /// </summary>
    public static async Task<(double Tps, long Transactions)> Sqlite(string file, int instances, TimeSpan length, CancellationToken ct)
    {
        foreach (var f in new[] { file, file + "-wal", file + "-shm" })
            File.Delete(f);
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        async Task Exec(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(ct);
        }
        await Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        var accounts = Accounts(instances);
        await Exec("""
            CREATE TABLE r_accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE r_instances (id TEXT PRIMARY KEY, account_id INTEGER NOT NULL, expires_at TEXT NOT NULL, next_due_at TEXT);
            CREATE INDEX r_instances_account ON r_instances (account_id);
            CREATE INDEX r_instances_due ON r_instances (next_due_at);
            CREATE TABLE r_orders (id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, instance_id TEXT NOT NULL, amount INTEGER NOT NULL, created_at TEXT NOT NULL);
            CREATE TABLE r_postings (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id INTEGER NOT NULL, ledger_account INTEGER NOT NULL, amount INTEGER NOT NULL);
            CREATE TABLE r_notices (id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
            """);
        await Exec(Invariant($"""
            WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {accounts - 1}) INSERT INTO r_accounts (id, balance) SELECT n, 100000000000 FROM g;
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {instances}) INSERT INTO r_instances SELECT 'i-' || n, n % {accounts}, '2027-01-10 00:00:00+00:00', '2026-12-30 00:00:00+00:00' FROM g;
            """));

        SqliteCommand Prepare(string sql, params string[] names)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in names)
                command.Parameters.Add(new SqliteParameter(name, null));
            command.Prepare();
            return command;
        }
        await using var begin = Prepare("BEGIN IMMEDIATE");
        await using var commit = Prepare("COMMIT");
        await using var read = Prepare("SELECT balance FROM r_accounts WHERE id = $a", "$a");
        await using var order = Prepare("INSERT INTO r_orders (account_id, instance_id, amount, created_at) VALUES ($a, $i, 1000, $t) RETURNING id", "$a", "$i", "$t");
        await using var postings = Prepare("INSERT INTO r_postings (order_id, ledger_account, amount) VALUES ($o, $a, -1000), ($o, 0, 1000)", "$o", "$a");
        await using var balance = Prepare("UPDATE r_accounts SET balance = balance - 1000, version = version + 1 WHERE id = $a", "$a");
        await using var expiry = Prepare("UPDATE r_instances SET expires_at = $t, next_due_at = $t WHERE id = $i", "$t", "$i");
        await using var notice = Prepare("INSERT INTO r_notices (account_id, body, created_at) VALUES ($a, 'Your instance was renewed for one month.', $t)", "$a", "$t");

        var random = new Random(7);
        long done = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < length)
        {
            var iid = random.Next(1, instances + 1);
            var aid = (long)(iid % accounts);
            var id = "i-" + iid.ToString(CultureInfo.InvariantCulture);
            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            begin.ExecuteNonQuery();
            read.Parameters[0].Value = aid;
            read.ExecuteScalar();
            order.Parameters[0].Value = aid;
            order.Parameters[1].Value = id;
            order.Parameters[2].Value = now;
            var orderId = (long)order.ExecuteScalar()!;
            postings.Parameters[0].Value = orderId;
            postings.Parameters[1].Value = aid;
            postings.ExecuteNonQuery();
            balance.Parameters[0].Value = aid;
            balance.ExecuteNonQuery();
            expiry.Parameters[0].Value = now;
            expiry.Parameters[1].Value = id;
            expiry.ExecuteNonQuery();
            notice.Parameters[0].Value = aid;
            notice.Parameters[1].Value = now;
            notice.ExecuteNonQuery();
            commit.ExecuteNonQuery();
            done++;
        }
        var seconds = watch.Elapsed.TotalSeconds;
        return (done / seconds, done);
    }
}
