using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>
/// SQLite has one writer (docs/decisions/0036): the process's writers queue at one gate instead of
/// meeting SQLITE_BUSY and its sleeps. Each test gives the waiting write a command timeout of 1 s,
/// shorter than the writer ahead of it: SQLite's own waiting gives up after that time with
/// "database is locked"; a write queued at the gate waits its turn and lands.
/// </summary>
public class SqliteWriterGateTests
{
    private static readonly TimeSpan Held = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task A_transaction_started_while_another_writes_waits_its_turn_and_commits()
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        var account = await test.Customer("10.00");
        var ct = TestContext.Current.CancellationToken;
        var before = await test.Query(db => db.BillingAccounts.Where(a => a.Id == account).Select(a => a.Version).SingleAsync(ct));

        var second = await WhileAnotherWrites(test, account, async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.BillingAccounts.Where(a => a.Id == account).ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 10), ct);
            await transaction.CommitAsync(ct);
        });

        await second;
        Assert.Equal(before + 11, await test.Query(db => db.BillingAccounts.Where(a => a.Id == account).Select(a => a.Version).SingleAsync(ct)));
    }

    [Fact]
    public async Task A_lone_insert_beside_a_transaction_waits_its_turn_instead_of_failing_on_the_lock()
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        var account = await test.Customer("10.00");
        var key = await test.Run<AccessKeyService, AccessKeyPair>((keys, c) => keys.Create(account, c));
        var ct = TestContext.Current.CancellationToken;

        // The API's signature nonce: one row, a SaveChanges of one statement, so no transaction.
        var nonce = await WhileAnotherWrites(test, account, async db =>
        {
            db.SignatureNonces.Add(new SignatureNonce { AccessKeyId = key.AccessKeyId, Nonce = "gate-test-nonce", SeenAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(ct);
        });

        await nonce;
        Assert.Equal(1, await test.Query(db => db.SignatureNonces.CountAsync(n => n.Nonce == "gate-test-nonce", ct)));
    }

    [Fact]
    public async Task A_lone_update_beside_a_transaction_waits_its_turn_instead_of_failing_on_the_lock()
    {
        await using var test = await TestServices.Start(DatabaseProvider.Sqlite);
        var account = await test.Customer("10.00");
        var ct = TestContext.Current.CancellationToken;
        var before = await test.Query(db => db.BillingAccounts.Where(a => a.Id == account).Select(a => a.Version).SingleAsync(ct));

        var update = await WhileAnotherWrites(test, account, db =>
            db.BillingAccounts.Where(a => a.Id == account).ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 10), ct));

        await update;
        // The transaction's +1, then the lone update's +10: both, one after the other.
        Assert.Equal(before + 11, await test.Query(db => db.BillingAccounts.Where(a => a.Id == account).Select(a => a.Version).SingleAsync(ct)));
    }

    /// <summary>
    /// Starts a transaction that writes (+1 on the account's version) and holds SQLite's write lock
    /// for <see cref="Held"/>; meanwhile starts <paramref name="write"/> on another context with a
    /// command timeout of 1 s, and checks it has not finished while the first holds the lock.
    /// Returns the second write, to await.
    /// </summary>
    private static async Task<Task> WhileAnotherWrites(TestServices test, long account, Func<CloudbillDbContext, Task> write)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var firstScope = test.Services.CreateAsyncScope();
        var first = firstScope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        await using var transaction = await first.Database.BeginTransactionAsync(ct);
        await first.BillingAccounts.Where(a => a.Id == account).ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version + 1), ct);

        var second = Task.Run(async () =>
        {
            await using var scope = test.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
            db.Database.SetCommandTimeout(1);
            await write(db);
        }, ct);
        await Task.Delay(Held, ct);
        Assert.False(second.IsCompleted, second.Exception?.GetBaseException().Message ?? "the second write finished while the first held the lock");
        await transaction.CommitAsync(ct);
        return second;
    }
}
