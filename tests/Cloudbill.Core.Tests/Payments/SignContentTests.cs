using Cloudbill.Core.Payments;

namespace Cloudbill.Core.Tests;

public class SignContentTests
{
    [Fact]
    public void Sorts_keys_by_character_code_not_by_culture()   // payments.md §5.3
    {
        var fields = new Dictionary<string, string>
        {
            ["accessType"] = "0",
            ["accNo"] = "6216",
            ["sign_type"] = "RSA2",
            ["signMethod"] = "01",
            ["a_b"] = "x",
            ["a1b"] = "y",
        };

        var content = SignContent.Build(fields);

        Assert.Equal("a1b=y&a_b=x&accNo=6216&accessType=0&signMethod=01&sign_type=RSA2", content);
        // The pitfall: the culture-aware default comparer orders each pair the other way round.
        Assert.True(string.Compare("accessType", "accNo", StringComparison.InvariantCulture) < 0);
        Assert.True(string.Compare("sign_type", "signMethod", StringComparison.InvariantCulture) < 0);
        Assert.True(string.Compare("a_b", "a1b", StringComparison.InvariantCulture) < 0);
        Assert.NotEqual(content, string.Join('&', new SortedDictionary<string, string>(fields).Select(f => $"{f.Key}={f.Value}")));
    }

    [Fact]
    public void Drops_empty_values_and_the_excluded_keys_and_keeps_values_raw()
    {
        var fields = new Dictionary<string, string>
        {
            ["sign"] = "abc",
            ["body"] = "",
            ["return_url"] = "https://x.example/r?a=1&b=2",
            ["subject"] = "充值 1",
        };

        Assert.Equal("return_url=https://x.example/r?a=1&b=2&subject=充值 1", SignContent.Build(fields, "sign"));
    }
}
