using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.OpenApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>Nonces live in the database under a unique key, so a replay is refused on any node; old ones are deleted.</summary>
public class SignatureNonceTests
{
    private static async Task<TestServices> Start(DatabaseProvider provider) =>
        await TestServices.Start(provider, configure: services =>
        {
            services.AddSingleton(new BssApiOptions());
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
}
