using System.Collections.Concurrent;
using Cloudbill.Core.Accounts;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.Tests.OpenApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests;

/// <summary>
/// `cloudbill backup --to FILE` (docs/operations-backup.md): a consistent copy of the embedded database
/// taken while the server writes, restored as the page says into a fresh data folder.
/// </summary>
public class BackupTests
{
    private const int Workers = 4;
    private const int InstancesPerWorker = 3;

    /// <summary>The 15th exists in every month: adding months never clamps the day.</summary>
    private static readonly DateTimeOffset FirstExpiry = new(2027, 1, 15, 0, 0, 0, TimeSpan.FromHours(8));

    private static string Temporary(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "cloudbill-tests", name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public async Task A_backup_taken_during_a_renewal_storm_restores_into_a_fresh_data_folder_that_reconciles()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        AccessKeyPair key;
        var instances = new List<string>();
        var arrange = await TestServices.Start(database);
        try
        {
            var account = await arrange.Customer("1000000.00");
            key = await arrange.Run<AccessKeyService, AccessKeyPair>((s, c) => s.Create(account, c));
            for (var i = 0; i < Workers * InstancesPerWorker; i++)
                instances.Add((await arrange.Instance(account, FirstExpiry.ToUniversalTime())).Id);
        }
        finally
        {
            // The database stays for the server.
            await arrange.DisposeServicesOnly();
        }

        var serverSettings = new Dictionary<string, string>
        {
            ["Cloudbill__Api__Quotas__RenewInstance__Requests"] = "100000",
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            ["Cloudbill__Payments__PollerIntervalSeconds"] = "0",
        };
        var target = Path.Combine(Temporary("backup"), "cloudbill-backup.db");
        ProcessResult backup;
        int renewedBeforeBackup, renewed, renewedAfterBackup;
        await using (var server = await RunningServer.Start(database, serverSettings))
        {
            // The storm: each worker renews its own instances one month at a time, retrying with its
            // ClientToken, until the backup has finished and a dozen more renewals have come after it.
            var done = 0;
            var after = 0;
            var backupEnded = 0;
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var refused = new ConcurrentQueue<string>();
            async Task Renew(int worker)
            {
                using var client = new BssTestClient(server.Address, key.AccessKeyId, key.AccessKeySecret);
                for (var n = 0; ; n++)
                {
                    var ended = Volatile.Read(ref backupEnded) == 1;
                    if (ended && Volatile.Read(ref after) >= 12)
                        return;
                    var instance = instances[worker + Workers * (n % InstancesPerWorker)];
                    var parameters = new Dictionary<string, string>
                    {
                        ["InstanceId"] = instance,
                        ["ProductCode"] = "ecs",
                        ["RenewPeriod"] = "1",
                        ["ClientToken"] = Guid.NewGuid().ToString(),
                    };
                    for (var attempt = 1; ; attempt++)
                    {
                        var (status, body, _) = await client.Call("RenewInstance", parameters);
                        if (status == 200)
                            break;
                        if (status is not (429 or >= 500) || attempt == 20)
                        {
                            refused.Enqueue($"{instance}: {status} {body.GetProperty("Code").GetString()}: {body.GetProperty("Message").GetString()}");
                            enough.TrySetResult();
                            return;
                        }
                    }
                    if (Interlocked.Increment(ref done) == 10)
                        enough.TrySetResult();
                    if (ended)
                        Interlocked.Increment(ref after);
                }
            }

            var storm = Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(() => Renew(w), ct)));
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(120), ct);
            Assert.Empty(refused);
            renewedBeforeBackup = Volatile.Read(ref done);
            backup = await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(database), "backup", "--to", target);
            Volatile.Write(ref backupEnded, 1);
            await storm.WaitAsync(TimeSpan.FromSeconds(120), ct);
            Assert.Empty(refused);
            renewed = done;
            renewedAfterBackup = after;
        }

        Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
        Assert.Contains($"Backed up {new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.ConnectionString).DataSource} to {target} (", backup.Output, StringComparison.Ordinal);
        Assert.Contains($"Keep a copy of the key ring certificate {CloudbillProcess.KeyRingCertificatePath} apart from it", backup.Output, StringComparison.Ordinal);

        // Restore as docs/operations-backup.md says: the file as cloudbill.db in a fresh data folder,
        // and the key ring certificate as keys/data-protection.pfx beside it.
        var data = Path.Combine(Temporary("restore"), "data");
        Directory.CreateDirectory(Path.Combine(data, "keys"));
        File.Copy(target, Path.Combine(data, "cloudbill.db"));
        File.Copy(CloudbillProcess.KeyRingCertificatePath, KeyRingCertificate.GeneratedPath(data));
        var restored = new Dictionary<string, string> { ["Cloudbill__DataDirectory"] = data };
        var reconcile = await CloudbillProcess.Run(restored, "reconcile");
        Assert.True(reconcile.ExitCode == 0, reconcile.Output + reconcile.Error);
        Assert.Contains("every balance equals its postings.", reconcile.Output, StringComparison.Ordinal);

        // A consistent prefix: every renewal committed before the backup began is in it, none begun
        // after it ended is; the orders in it are exactly the first ones of the live database, each
        // paid with its postings, and every instance is renewed by exactly the months of its orders.
        var live = await Orders(database.ConnectionString);
        var copy = await Orders($"Data Source={Path.Combine(data, "cloudbill.db")};Pooling=False");
        Assert.Equal(renewed, live.Count);
        Assert.InRange(copy.Count, renewedBeforeBackup, renewed - renewedAfterBackup);
        Assert.Equal(live.Take(copy.Count).Select(o => o.Id), copy.Select(o => o.Id));
        await using (var db = Open($"Data Source={Path.Combine(data, "cloudbill.db")};Pooling=False"))
        {
            foreach (var order in copy)
            {
                Assert.Equal((OrderType.Renew, OrderStatus.Paid), (order.Type, order.Status));
                var payment = await db.JournalTransactions.AsNoTracking().Include(t => t.Postings).SingleAsync(t => t.BusinessKey == OrderPayments.PaymentKey(order.Id), ct);
                Assert.NotEmpty(payment.Postings);
                Assert.Equal(0, payment.Postings.Sum(p => p.AmountFen));
                Assert.Contains(payment.Postings, p => p.AmountFen == -order.Payable.Fen);
            }
            var months = await db.OrderLines.AsNoTracking().GroupBy(l => l.InstanceId!).Select(g => new { Instance = g.Key, Months = g.Sum(l => l.Months) }).ToListAsync(ct);
            foreach (var instance in await db.Instances.AsNoTracking().ToListAsync(ct))
            {
                var renewedMonths = months.SingleOrDefault(m => m.Instance == instance.Id)?.Months ?? 0;
                Assert.Equal(FirstExpiry.AddMonths(renewedMonths).ToUniversalTime(), instance.ExpiresAt?.ToUniversalTime());
            }
        }

        // The restored node reads the AccessKey secrets: the certificate came back with the database.
        await using var restoredDatabase = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var node = await RunningServer.Start(restoredDatabase, new Dictionary<string, string>
        {
            ["ConnectionStrings__Cloudbill"] = $"Data Source={Path.Combine(data, "cloudbill.db")}",
            ["Cloudbill__DataDirectory"] = data,
            ["Cloudbill__DataProtection__CertificatePath"] = KeyRingCertificate.GeneratedPath(data),
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
        });
        using var restoredClient = new BssTestClient(node.Address, key.AccessKeyId, key.AccessKeySecret);
        var (balanceStatus, balance, _) = await restoredClient.Call("QueryAccountBalance");
        Assert.Equal((200, "Success"), (balanceStatus, balance.GetProperty("Code").GetString()));
    }

    [Fact]
    public async Task Backup_never_overwrites_a_file_and_sends_PostgreSQL_to_its_own_tools()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        var environment = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(environment, "migrate")).ExitCode);

        var existing = Path.Combine(Temporary("backup-exists"), "yesterday.db");
        await File.WriteAllTextAsync(existing, "yesterday's backup", TestContext.Current.CancellationToken);
        var refused = await CloudbillProcess.Run(environment, "backup", "--to", existing);
        Assert.Equal((1, $"cloudbill: backup failed: {existing} already exists; a backup never overwrites a file. Choose a new name, or move the old file away first."),
            (refused.ExitCode, refused.Error.Trim()));
        Assert.Equal("yesterday's backup", await File.ReadAllTextAsync(existing, TestContext.Current.CancellationToken));
        Assert.Equal([existing], Directory.GetFiles(Path.GetDirectoryName(existing)!));

        var missing = await CloudbillProcess.Run(environment, "backup");
        Assert.Equal((2, "cloudbill: --to is required: the file to write the backup to, e.g. --to /backups/cloudbill-2026-12-01.db."), (missing.ExitCode, missing.Error.Trim()));

        var postgres = await CloudbillProcess.Run(new Dictionary<string, string>
        {
            ["Cloudbill__Database__Provider"] = "Postgres",
            ["ConnectionStrings__Cloudbill"] = "Host=127.0.0.1;Database=cloudbill_not_used;Username=cloudbill;Password=cloudbill",
            ["Cloudbill__DataProtection__CertificatePath"] = CloudbillProcess.KeyRingCertificatePath,
        }, "backup", "--to", Path.Combine(Temporary("backup-pg"), "pg.db"));
        Assert.Equal((2, "cloudbill: backup copies the embedded SQLite database; PostgreSQL cloudbill@127.0.0.1:5432/cloudbill_not_used is backed up with pg_dump or a base backup with WAL archiving, as docs/operations-backup.md shows (keep the key ring certificate with it)."),
            (postgres.ExitCode, postgres.Error.Trim()));

        var help = await CloudbillProcess.Run(new Dictionary<string, string>(), "backup", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--to <FILE>", help.Output, StringComparison.Ordinal);
    }

    private static CloudbillDbContext Open(string connectionString)
    {
        var options = new DbContextOptionsBuilder<CloudbillDbContext>();
        new DatabaseSettings(DatabaseProvider.Sqlite, connectionString).Configure(options);
        return new CloudbillDbContext(options.Options);
    }

    private static async Task<List<Order>> Orders(string connectionString)
    {
        await using var db = Open(connectionString);
        return await db.Orders.AsNoTracking().OrderBy(o => o.Id).ToListAsync();
    }
}
