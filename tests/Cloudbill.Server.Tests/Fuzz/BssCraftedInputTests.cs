using System.Text.Json;
using Cloudbill.Server.Tests.OpenApi;

namespace Cloudbill.Server.Tests.Fuzz;

/// <summary>
/// Issue 19: crafted API input that used to answer 500: a page number whose offset overflows,
/// a setting named twice in CreateInstance, a time at the calendar's end (found by the fuzz: an
/// empty expiry range from 9999-12-31T23:59:59Z could not be shown in China time).
/// Each is a success (an empty page past the end) or a BSS InvalidParameter, and changes nothing.
/// </summary>
[Collection(BssFuzzCollection.Name)]
public class BssCraftedInputTests(BssFuzzFixture fixture)
{
    private BssTestClient Demo() => new(fixture.Server.Address, BssTestClient.DemoAccessKeyId, BssTestClient.DemoSecret);

    private static JsonElement Items(JsonElement data, string action) => action switch
    {
        "QueryAvailableInstances" => data.GetProperty("InstanceList"),
        "QueryOrders" => data.GetProperty("OrderList").GetProperty("Order"),
        "QueryAccountTransactions" => data.GetProperty("AccountTransactionsList").GetProperty("AccountTransactionsList"),
        _ => data.GetProperty("ProductList").GetProperty("Product"),
    };

    [Theory]
    [InlineData("QueryAvailableInstances", "100", null)]
    [InlineData("QueryAvailableInstances", "100", "PayAsYouGo")]
    [InlineData("QueryOrders", "100", null)]
    [InlineData("QueryAccountTransactions", "300", null)]
    [InlineData("QueryProductList", "300", null)]
    public async Task The_largest_PageNum_with_the_largest_PageSize_is_an_empty_page_with_the_total(string action, string size, string? subscription)
    {
        using var client = Demo();
        var query = new Dictionary<string, string> { ["PageSize"] = size };
        if (subscription is not null)
            query["SubscriptionType"] = subscription;
        var (firstStatus, first, _) = await client.Call(action, new Dictionary<string, string>(query) { ["PageNum"] = "1" });
        var (status, last, _) = await client.Call(action, new Dictionary<string, string>(query) { ["PageNum"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(200, firstStatus);
        Assert.Equal(200, status);
        var data = last.GetProperty("Data");
        Assert.Equal(int.MaxValue, data.GetProperty("PageNum").GetInt32());
        Assert.Equal(0, Items(data, action).GetArrayLength());
        Assert.Equal(first.GetProperty("Data").GetProperty("TotalCount").GetInt32(), data.GetProperty("TotalCount").GetInt32());
    }

    [Theory]
    [InlineData("QueryOrders", "PageNum", "0")]
    [InlineData("QueryOrders", "PageNum", "2147483648")]
    [InlineData("QueryOrders", "PageNum", "-2147483648")]
    [InlineData("QueryOrders", "PageSize", "0")]
    [InlineData("QueryOrders", "PageSize", "-1")]
    [InlineData("QueryOrders", "PageSize", "2147483647")]
    [InlineData("QueryAvailableInstances", "PageSize", "2147483647")]
    [InlineData("QueryAccountTransactions", "PageSize", "301")]
    [InlineData("QueryProductList", "PageSize", "-2147483648")]
    [InlineData("QueryProductList", "PageNum", "1e9")]
    [InlineData("QueryAvailableInstances", "EndTimeStart", "9999-12-31T23:59:59Z")]
    [InlineData("QueryOrders", "CreateTimeEnd", "9999-12-31T00:00:00Z")]
    public async Task A_page_number_or_size_out_of_range_is_InvalidParameter_naming_it(string action, string parameter, string value)
    {
        using var client = Demo();
        var query = new Dictionary<string, string> { ["PageNum"] = "1", [parameter] = value };
        var (status, body, _) = await client.Call(action, query);
        Assert.Equal(400, status);
        Assert.Equal("InvalidParameter", body.GetProperty("Code").GetString());
        Assert.StartsWith($"The parameter {parameter} is invalid", body.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateInstance_with_a_setting_named_twice_is_InvalidParameter_and_buys_nothing()
    {
        using var client = Demo();
        var before = await FuzzInputs.StateHash(fixture.Services);
        var (status, body, _) = await client.Call("CreateInstance", new Dictionary<string, string>
        {
            ["ProductCode"] = "ecs",
            ["SubscriptionType"] = "Subscription",
            ["Period"] = "1",
            ["Parameter.1.Code"] = "Region",
            ["Parameter.1.Value"] = "cn-hangzhou",
            ["Parameter.2.Code"] = "Region",
            ["Parameter.2.Value"] = "cn-hongkong",
            ["Parameter.3.Code"] = "InstanceType",
            ["Parameter.3.Value"] = "ecs.g7.large",
        });
        Assert.Equal(400, status);
        Assert.Equal("InvalidParameter", body.GetProperty("Code").GetString());
        Assert.Equal("The parameter Parameter.N.Code is invalid: 'Region' is given more than once; name each setting once.", body.GetProperty("Message").GetString());
        Assert.Equal(before, await FuzzInputs.StateHash(fixture.Services));
    }

    [Theory]
    [InlineData("QueryAvailableInstances", "EndTimeEnd")]
    [InlineData("QueryAvailableInstances", "CreateTimeEnd")]
    [InlineData("QueryOrders", "CreateTimeEnd")]
    [InlineData("QueryAccountTransactions", "CreateTimeEnd")]
    public async Task The_last_time_Cloudbill_can_show_as_an_inclusive_end_includes_everything(string action, string parameter)
    {
        using var client = Demo();
        var (allStatus, all, _) = await client.Call(action);
        var (status, body, _) = await client.Call(action, new Dictionary<string, string> { [parameter] = "9999-12-30T23:59:59Z" });
        Assert.Equal(200, allStatus);
        Assert.Equal(200, status);
        Assert.Equal(all.GetProperty("Data").GetProperty("TotalCount").GetInt32(), body.GetProperty("Data").GetProperty("TotalCount").GetInt32());
    }
}
