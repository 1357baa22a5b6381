using Cloudbill.Core.Accounts;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests;

/// <summary>The customer's own AccessKey operations: at most two pairs, one per client token, scoped to the account, and what the API then accepts.</summary>
public class AccessKeyServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_customer_holds_at_most_two_pairs_and_a_repeated_token_returns_the_same_pair(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var token = ClientToken.New();
        var second = await test.Run<AccessKeyService, Result<AccessKeyPair>>((s, ct) => s.CreateForCustomer(account, token, ct));
        var again = await test.Run<AccessKeyService, Result<AccessKeyPair>>((s, ct) => s.CreateForCustomer(account, token, ct));
        Assert.Equal(second.Value, again.Value);

        var third = await test.Run<AccessKeyService, Result<AccessKeyPair>>((s, ct) => s.CreateForCustomer(account, ClientToken.New(), ct));
        Assert.Equal("AccessKey.LimitReached", third.Problem!.Code);
        Assert.Equal("You already hold 2 AccessKey pairs, the most allowed at once; delete one you no longer use, then create a new one.", third.Problem.Message);
        var listed = await test.Run<AccessKeyService, IReadOnlyList<AccessKeySummary>>((s, ct) => s.List(account, ct));
        Assert.Equal(2, listed.Count);
        Assert.Contains(second.Value.AccessKeyId, listed.Select(k => k.Id));

        // A deleted pair frees its place.
        await test.Run<AccessKeyService, Result<string>>((s, ct) => s.Delete(account, second.Value.AccessKeyId, ct));
        var replaced = await test.Run<AccessKeyService, Result<AccessKeyPair>>((s, ct) => s.CreateForCustomer(account, ClientToken.New(), ct));
        Assert.True(replaced.Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Disabled_and_deleted_pairs_are_not_resolved_and_another_customers_pair_is_not_found(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var mine = await test.Customer();
        var other = await test.Customer();
        var pair = (await test.Run<AccessKeyService, Result<AccessKeyPair>>((s, ct) => s.CreateForCustomer(mine, ClientToken.New(), ct))).Value;
        Task<(long, string)?> Resolve() => test.Run<AccessKeyService, (long, string)?>((s, ct) => s.Resolve(pair.AccessKeyId, ct));

        var foreign = await test.Run<AccessKeyService, Result<AccessKeySummary>>((s, ct) => s.SetEnabled(other, pair.AccessKeyId, false, ct));
        Assert.Equal($"AccessKey {pair.AccessKeyId} was not found in your AccessKeys.", foreign.Problem!.Message);
        var foreignDelete = await test.Run<AccessKeyService, Result<string>>((s, ct) => s.Delete(other, pair.AccessKeyId, ct));
        Assert.Equal("AccessKey.NotFound", foreignDelete.Problem!.Code);
        Assert.Equal((mine, pair.AccessKeySecret), await Resolve());

        var disabled = await test.Run<AccessKeyService, Result<AccessKeySummary>>((s, ct) => s.SetEnabled(mine, pair.AccessKeyId, false, ct));
        Assert.False(disabled.Value.Enabled);
        Assert.Null(await Resolve());
        await test.Run<AccessKeyService, Result<AccessKeySummary>>((s, ct) => s.SetEnabled(mine, pair.AccessKeyId, true, ct));
        Assert.Equal((mine, pair.AccessKeySecret), await Resolve());

        Assert.True((await test.Run<AccessKeyService, Result<string>>((s, ct) => s.Delete(mine, pair.AccessKeyId, ct))).Succeeded);
        // Deleting again (a double tap) is a success; enabling a deleted pair is not possible.
        Assert.True((await test.Run<AccessKeyService, Result<string>>((s, ct) => s.Delete(mine, pair.AccessKeyId, ct))).Succeeded);
        Assert.Equal("AccessKey.NotFound", (await test.Run<AccessKeyService, Result<AccessKeySummary>>((s, ct) => s.SetEnabled(mine, pair.AccessKeyId, true, ct))).Problem!.Code);
        Assert.Null(await Resolve());
        var bad = await test.Run<AccessKeyService, Result<string>>((s, ct) => s.Delete(mine, "LTAI'; DROP", ct));
        Assert.Equal("AccessKey.InvalidId", bad.Problem!.Code);
    }
}
