using System.Net;
using System.Text.Json;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>A real server on a fresh SQLite database with the demo customer, shared by the endpoint tests.</summary>
public sealed class BssServerFixture : IAsyncLifetime
{
    private TestDatabase? database;

    public RunningServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        Server = await RunningServer.Start(database, new Dictionary<string, string>
        {
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            ["Cloudbill__Api__Quotas__QueryProductList__Requests"] = "3",
            ["Cloudbill__Api__Quotas__QueryProductList__PeriodSeconds"] = "60",
            // The paging test walks every page of the demo customer's list within a second.
            ["Cloudbill__Api__Quotas__QueryAvailableInstances__Requests"] = "100",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (database is not null)
            await database.DisposeAsync();
    }
}

/// <summary>The endpoint's answers to good and bad requests: the BSS JSON shapes, the codes, the 4xx statuses.</summary>
public class BssEndpointTests(BssServerFixture fixture) : IClassFixture<BssServerFixture>
{
    private BssTestClient Demo() => new(fixture.Server.Address, BssTestClient.DemoAccessKeyId, BssTestClient.DemoSecret);

    private static void AssertError(int status, JsonElement body, int expectedStatus, string code)
    {
        Assert.Equal(expectedStatus, status);
        Assert.Equal(code, body.GetProperty("Code").GetString());
        Assert.Equal(["Code", "HostId", "Message", "Recommend", "RequestId"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("Message").GetString()));
    }

    [Fact]
    public async Task The_demo_key_reads_the_demo_balance_in_the_success_shape()
    {
        using var client = Demo();
        var (status, body, type) = await client.Call("QueryAccountBalance");
        Assert.Equal(200, status);
        Assert.Equal("application/json", type);
        Assert.Equal("Success", body.GetProperty("Code").GetString());
        Assert.True(body.GetProperty("Success").GetBoolean());
        Assert.Equal("5000.00", body.GetProperty("Data").GetProperty("AvailableCashAmount").GetString());
        Assert.Equal("CNY", body.GetProperty("Data").GetProperty("Currency").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch()
    {
        using var client = new BssTestClient(fixture.Server.Address, BssTestClient.DemoAccessKeyId, "not-the-secret");
        var (status, body, _) = await client.Call("QueryAccountBalance");
        AssertError(status, body, 400, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task An_unknown_AccessKey_is_InvalidAccessKeyId_NotFound()
    {
        using var client = new BssTestClient(fixture.Server.Address, "LTAInobody", "x");
        var (status, body, _) = await client.Call("QueryAccountBalance");
        AssertError(status, body, 404, "InvalidAccessKeyId.NotFound");
    }

    [Fact]
    public async Task A_request_changed_after_signing_is_SignatureDoesNotMatch()
    {
        using var client = Demo();
        var request = client.SignedV3("QueryAvailableInstances", new Dictionary<string, string> { ["PageSize"] = "5" });
        request.RequestUri = new Uri("/?PageSize=6", UriKind.Relative);
        var (status, body, _) = await client.Send(request);
        AssertError(status, body, 400, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task A_replayed_nonce_is_SignatureNonceUsed()
    {
        using var client = Demo();
        var nonce = Guid.NewGuid().ToString("N");
        var date = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await client.Send(client.SignedV3("QueryAccountBalance", date: date, nonce: nonce))).Status);
        var (status, body, _) = await client.Send(client.SignedV3("QueryAccountBalance", date: date, nonce: nonce));
        AssertError(status, body, 400, "SignatureNonceUsed");
    }

    [Fact]
    public async Task A_timestamp_more_than_15_minutes_away_is_InvalidTimeStamp_Expired()
    {
        using var client = Demo();
        var (status, body, _) = await client.Send(client.SignedV3("QueryAccountBalance", date: DateTimeOffset.UtcNow.AddMinutes(-16)));
        AssertError(status, body, 400, "InvalidTimeStamp.Expired");
        (status, body, _) = await client.Send(client.SignedV3("QueryAccountBalance", date: DateTimeOffset.UtcNow.AddMinutes(16)));
        AssertError(status, body, 400, "InvalidTimeStamp.Expired");
    }

    [Fact]
    public async Task An_unsigned_request_is_IncompleteSignature()
    {
        using var client = Demo();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/?Action=QueryAccountBalance&Version=2017-12-14");
        var (status, body, _) = await client.Send(request);
        AssertError(status, body, 400, "IncompleteSignature");
    }

    [Fact]
    public async Task An_unknown_action_is_InvalidAction_NotFound()
    {
        using var client = Demo();
        var (status, body, _) = await client.Call("DescribeEverything");
        AssertError(status, body, 404, "InvalidAction.NotFound");
    }

    [Fact]
    public async Task A_missing_required_parameter_is_MissingParameter_and_a_bad_value_InvalidParameter()
    {
        using var client = Demo();
        var (status, body, _) = await client.Call("RenewInstance", new Dictionary<string, string> { ["ProductCode"] = "ecs", ["RenewPeriod"] = "1" });
        AssertError(status, body, 400, "MissingParameter");
        Assert.Contains("InstanceId", body.GetProperty("Message").GetString(), StringComparison.Ordinal);

        (status, body, _) = await client.Call("QueryAvailableInstances", new Dictionary<string, string> { ["PageSize"] = "twenty" });
        AssertError(status, body, 400, "InvalidParameter");
        (status, body, _) = await client.Call("SetRenewal", new Dictionary<string, string> { ["InstanceIDs"] = "i-x", ["ProductCode"] = "ecs", ["RenewalStatus"] = "Sometimes" });
        AssertError(status, body, 400, "InvalidParameter");
    }

    [Fact]
    public async Task Every_page_of_the_instance_list_carries_the_same_total_even_past_the_last()
    {
        using var client = Demo();
        async Task<(int Total, List<string> Ids)> Page(int number)
        {
            var (status, body, _) = await client.Call("QueryAvailableInstances", new Dictionary<string, string> { ["PageNum"] = $"{number}", ["PageSize"] = "3" });
            Assert.True(status == 200, $"page {number}: {status} {body}");
            var data = body.GetProperty("Data");
            Assert.Equal(number, data.GetProperty("PageNum").GetInt32());
            return (data.GetProperty("TotalCount").GetInt32(), data.GetProperty("InstanceList").EnumerateArray().Select(i => i.GetProperty("InstanceID").GetString()!).ToList());
        }

        var first = await Page(1);
        Assert.True(first.Total > 3, $"the demo customer has {first.Total} subscription instances");
        var pages = (first.Total + 2) / 3;
        var all = new List<string>(first.Ids);
        for (var n = 2; n <= pages; n++)
        {
            var page = await Page(n);
            Assert.Equal(first.Total, page.Total);
            all.AddRange(page.Ids);
        }
        var past = await Page(pages + 1);

        Assert.Equal(first.Total, all.Distinct().Count());
        Assert.Equal(first.Total, past.Total);
        Assert.Empty(past.Ids);
    }

    [Fact]
    public async Task Another_customers_instance_is_not_found()
    {
        using var client = Demo();
        var (status, body, _) = await client.Call("RenewInstance", new Dictionary<string, string> { ["InstanceId"] = "i-not-mine", ["ProductCode"] = "ecs", ["RenewPeriod"] = "1" });
        AssertError(status, body, 404, "Instance.NotFound");
    }

    [Fact]
    public async Task A_body_over_1_MB_is_refused_with_a_BSS_error()
    {
        using var client = Demo();
        var (status, body, _) = await client.Send(client.SignedV3("QueryAccountBalance", body: new byte[1024 * 1024 + 1]));
        AssertError(status, body, 413, "InvalidParameter.BodyTooLarge");
    }

    [Fact]
    public async Task Calls_over_the_quota_are_Throttling_User()
    {
        using var client = Demo();
        var statuses = new List<string?>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await client.Call("QueryProductList", new Dictionary<string, string> { ["PageNum"] = "1" })).Body.GetProperty("Code").GetString());
        Assert.Equal(["Success", "Success", "Success", "Throttling.User", "Throttling.User"], statuses);
    }

    [Fact]
    public async Task GET_on_the_root_without_an_action_is_still_the_app()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Server.Address };
        using var response = await http.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
