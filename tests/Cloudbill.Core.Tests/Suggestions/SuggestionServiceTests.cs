using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Suggestions;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests;

public class SuggestionServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_suggestion_is_stored_once_per_token_and_listed_since_a_time(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var token = ClientToken.New();
        var stored = await test.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(account, " Cloud Firewall ", "Renew it on the phone.", token, ct));
        var twice = await test.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(account, " Cloud Firewall ", "Renew it on the phone.", token, ct));
        Assert.Equal(stored.Value.Id, twice.Value.Id);
        Assert.Equal("Cloud Firewall", stored.Value.Product);

        var empty = await test.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(account, "  ", "x", ClientToken.New(), ct));
        Assert.Equal("Suggestion.ProductMissing", empty.Problem!.Code);
        var tooLong = await test.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(account, "WAF", new string('x', 1001), ClientToken.New(), ct));
        Assert.Equal("The suggestion is 1001 characters long; keep it to 1000.", tooLong.Problem!.Message);

        var all = await test.Run<SuggestionService, IReadOnlyList<SuggestionRow>>((s, ct) => s.List(null, ct));
        Assert.Equal("Cloud Firewall", Assert.Single(all).Product);
        Assert.Equal(await test.EmailOf(account), all[0].AccountEmail);
        var later = await test.Run<SuggestionService, IReadOnlyList<SuggestionRow>>((s, ct) => s.List(test.Clock.GetUtcNow().AddSeconds(1), ct));
        Assert.Empty(later);
    }
}
