using Cloudbill.Core.Accounts;
using Cloudbill.Core.Ledger;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.OpenApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>Nonces live in the database under a unique key, so a replay is refused on any node; old ones are deleted.</summary>
public class SignatureNonceTests
{
    private static async Task<TestServices> Start(DatabaseProvider provider) =>
        await TestServices.Start(provider, configure: services =>
        {
            services.AddSingleton(new BssApiOptions());
            services.AddSingleton<AccessKeySecrets>();
            services.AddScoped<BssAuthenticator>();
            services.AddSingleton<SignatureNonceCleanup>();
        });

    private static BssSignedRequest V1(string nonce, DateTimeOffset at, string secret)
    {
        var parameters = new List<BssParameter>
        {
            new("Action", "QueryAccountBalance"), new("Version", "2017-12-14"), new("Format", "json"),
            new("Timestamp", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            new("SignatureNonce", nonce), new("SignatureMethod", "HMAC-SHA1"), new("SignatureVersion", "1.0"), new("AccessKeyId", "LTAItest"),
        };
        parameters.Add(new("Signature", BssSignatures.V1Signature(secret, BssSignatures.V1StringToSign("POST", parameters))));
        return new BssSignedRequest("POST", null, parameters, [], _ => null, ReadOnlyMemory<byte>.Empty);
    }

    private static async Task<string> Arrange(TestServices test)
    {
        var account = await test.Query(async db =>
        {
            var a = new BillingAccount { Email = "nonce@example.com", CreatedAt = test.Clock.GetUtcNow() };
            db.BillingAccounts.Add(a);
            await db.SaveChangesAsync();
            return a.Id;
        });
        return (await test.Run<AccessKeyService, AccessKeyPair>((keys, ct) => keys.Add(account, new AccessKeyPair("LTAItest", "secret-1"), ct))).AccessKeySecret;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_nonce_is_accepted_once_then_refused_from_a_second_node_and_forgotten_after_twice_the_skew(DatabaseProvider provider)
    {
        await using var test = await Start(provider);
        var secret = await Arrange(test);
        var now = test.Clock.GetUtcNow();

        var first = await test.Run<BssAuthenticator, (BssCaller?, BssError?)>((auth, ct) => auth.Authenticate(V1("n-1", now, secret), ct));
        Assert.Null(first.Item2);
        Assert.Equal("LTAItest", first.Item1!.AccessKeyId);

        // A second node: its own services on the same database (disposing it leaves the database).
        var secondNode = await TestServices.Start(test.Database, now, configure: services =>
        {
            services.AddSingleton(new BssApiOptions());
            services.AddSingleton<AccessKeySecrets>();
            services.AddScoped<BssAuthenticator>();
        });
        var replay = await secondNode.Run<BssAuthenticator, (BssCaller?, BssError?)>((auth, ct) => auth.Authenticate(V1("n-1", now, secret), ct));
        await secondNode.DisposeServicesOnly();
        Assert.Equal("SignatureNonceUsed", replay.Item2!.Code);

        test.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await test.Services.GetRequiredService<SignatureNonceCleanup>().DeleteExpired(CancellationToken.None));
        test.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await test.Services.GetRequiredService<SignatureNonceCleanup>().DeleteExpired(CancellationToken.None));
        Assert.Equal(0, await test.Query(db => db.SignatureNonces.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_key_disabled_after_its_secret_is_cached_is_refused_at_once_and_a_changed_secret_is_read_again(DatabaseProvider provider)
    {
        await using var test = await Start(provider);
        var secret = await Arrange(test);
        var now = test.Clock.GetUtcNow();
        Task<(BssCaller?, BssError?)> Sign(string nonce, string with) =>
            test.Run<BssAuthenticator, (BssCaller?, BssError?)>((auth, ct) => auth.Authenticate(V1(nonce, now, with), ct));

        Assert.Null((await Sign("n-1", secret)).Item2);

        // This node holds the secret now; the database says the key is disabled.
        await test.Query(db => db.AccessKeys.Where(k => k.Id == "LTAItest").ExecuteUpdateAsync(k => k.SetProperty(x => x.Enabled, false)));
        var disabled = await Sign("n-2", secret);
        Assert.Null(disabled.Item1);
        Assert.Equal("InvalidAccessKeyId.NotFound", disabled.Item2!.Code);
        Assert.Equal(1, await test.Query(db => db.SignatureNonces.CountAsync()));

        // The key comes back under the same id with another secret: the old one no longer signs,
        // and the new one is read from the database although this node remembered the old one.
        await test.Query(async db =>
        {
            await db.AccessKeys.Where(k => k.Id == "LTAItest").ExecuteDeleteAsync();
            return 0;
        });
        var account = await test.Query(db => db.BillingAccounts.Select(a => a.Id).SingleAsync());
        await test.Run<AccessKeyService, AccessKeyPair>((keys, ct) => keys.Add(account, new AccessKeyPair("LTAItest", "secret-2"), ct));
        Assert.Equal("SignatureDoesNotMatch", (await Sign("n-3", secret)).Item2!.Code);
        var renewed = await Sign("n-4", "secret-2");
        Assert.Null(renewed.Item2);
        Assert.Equal(account, renewed.Item1!.AccountId);
        Assert.Equal(["n-1", "n-4"], await test.Query(db => db.SignatureNonces.OrderBy(n => n.Nonce).Select(n => n.Nonce).ToListAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_read_alongside_stands_only_once_the_database_has_named_the_account_and_taken_the_nonce(DatabaseProvider provider)
    {
        await using var test = await Start(provider);
        var secret = await Arrange(test);
        var account = await test.Query(db => db.BillingAccounts.Select(a => a.Id).SingleAsync());
        var now = test.Clock.GetUtcNow();
        var reads = new List<long>();
        // Each request in its own scope, and the read a real query on that scope's DbContext while
        // the nonce statement is on its way: the two must never share a connection.
        async Task<(BssCaller?, BssError?, bool)> Sign(string nonce, Func<BssCaller, LedgerService, Task> read)
        {
            await using var scope = test.Services.CreateAsyncScope();
            var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
            return await scope.ServiceProvider.GetRequiredService<BssAuthenticator>()
                .Authenticate(V1(nonce, now, secret), caller => read(caller, ledger), TestContext.Current.CancellationToken);
        }
        async Task Read(BssCaller caller, LedgerService ledger)
        {
            await ledger.Balance(caller.AccountId, TestContext.Current.CancellationToken);
            reads.Add(caller.AccountId);
        }

        // The first request teaches this node the key's account: nothing is read before that.
        var first = await Sign("n-1", Read);
        Assert.Equal((account, false), (first.Item1!.AccountId, first.Item3));
        Assert.Empty(reads);

        // Then the read runs alongside on PostgreSQL; SQLite has no round trip to overlap.
        var second = await Sign("n-2", Read);
        Assert.Null(second.Item2);
        Assert.Equal(provider == DatabaseProvider.Postgres, second.Item3);
        Assert.Equal(provider == DatabaseProvider.Postgres ? [account] : [], reads);

        // A replay, or a key disabled since, is refused whatever the read found, and a read that
        // failed is not what the caller hears: the refusal is.
        var replay = await Sign("n-2", Read);
        Assert.Equal(("SignatureNonceUsed", false), (replay.Item2!.Code, replay.Item3));
        async Task FailingRead(BssCaller caller, LedgerService ledger)
        {
            await ledger.Balance(caller.AccountId, TestContext.Current.CancellationToken);
            throw new InvalidOperationException("the read failed");
        }
        await test.Query(db => db.AccessKeys.Where(k => k.Id == "LTAItest").ExecuteUpdateAsync(k => k.SetProperty(x => x.Enabled, false)));
        var disabled = await Sign("n-3", FailingRead);
        Assert.Equal(("InvalidAccessKeyId.NotFound", false), (disabled.Item2!.Code, disabled.Item3));
        Assert.Null(disabled.Item1);

        // Allowed, a read's failure is the request's.
        await test.Query(db => db.AccessKeys.Where(k => k.Id == "LTAItest").ExecuteUpdateAsync(k => k.SetProperty(x => x.Enabled, true)));
        await Sign("n-4", Read);
        if (provider == DatabaseProvider.Postgres)
            await Assert.ThrowsAsync<InvalidOperationException>(() => Sign("n-5", FailingRead));
        Assert.Equal(["n-1", "n-2", "n-4", .. provider == DatabaseProvider.Postgres ? ["n-5"] : Array.Empty<string>()],
            await test.Query(db => db.SignatureNonces.OrderBy(n => n.Nonce).Select(n => n.Nonce).ToListAsync()));

        // The id comes back for another account with the same secret: the read this node started
        // for the account it remembered does not stand, and the next read is for the new one.
        await test.Query(db => db.AccessKeys.Where(k => k.Id == "LTAItest").ExecuteDeleteAsync());
        var other = await test.Query(async db =>
        {
            var a = new BillingAccount { Email = "other@example.com", CreatedAt = now };
            db.BillingAccounts.Add(a);
            await db.SaveChangesAsync();
            return a.Id;
        });
        await test.Run<AccessKeyService, AccessKeyPair>((keys, ct) => keys.Add(other, new AccessKeyPair("LTAItest", secret), ct));
        reads.Clear();
        var moved = await Sign("n-6", Read);
        Assert.Equal((other, false), (moved.Item1!.AccountId, moved.Item3));
        var movedAgain = await Sign("n-7", Read);
        Assert.Equal((other, provider == DatabaseProvider.Postgres), (movedAgain.Item1!.AccountId, movedAgain.Item3));
        Assert.Equal(provider == DatabaseProvider.Postgres ? [account, other] : [], reads);
    }

    [Fact]
    public async Task On_PostgreSQL_the_read_finishes_while_the_nonce_statement_still_waits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await Start(DatabaseProvider.Postgres);
        var secret = await Arrange(test);
        var now = test.Clock.GetUtcNow();
        await test.Run<BssAuthenticator, (BssCaller?, BssError?)>((auth, token) => auth.Authenticate(V1("n-1", now, secret), token));

        // Another transaction holds the same nonce, uncommitted: the nonce's INSERT waits for it.
        await using var holder = new NpgsqlConnection(test.Database.ConnectionString);
        await holder.OpenAsync(ct);
        await using var transaction = await holder.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlCommand("""INSERT INTO "SignatureNonces" ("AccessKeyId", "Nonce", "SeenAt") VALUES ('LTAItest', 'n-2', @at)""", holder, transaction))
        {
            insert.Parameters.AddWithValue("at", now);
            await insert.ExecuteNonQueryAsync(ct);
        }

        var readFinished = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scope = test.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerService>();
        var signing = scope.ServiceProvider.GetRequiredService<BssAuthenticator>().Authenticate(V1("n-2", now, secret), async caller =>
        {
            // A real query on the request's context, while the nonce's INSERT is still blocked.
            readFinished.SetResult((await ledger.Balance(caller.AccountId, ct)).Cash.ToString());
        }, ct);
        // Had the read queued behind the nonce, it could not finish before the holder lets go.
        Assert.Equal("0.00", await readFinished.Task.WaitAsync(TimeSpan.FromSeconds(20), ct));
        Assert.False(signing.IsCompleted);

        await transaction.RollbackAsync(ct);
        var signed = await signing.WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.Null(signed.Item2);
        Assert.True(signed.Item3);
    }
}
