using System.Text.Json;
using Cloudbill.Core.Persistence;
using Cloudbill.Server.OpenApi;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>
/// The endpoint on PostgreSQL, where a read runs beside its nonce (docs/decisions/0023): the
/// answers, the refusals and the quota are those of the sequential path.
/// </summary>
public class BssPostgresEndpointTests
{
    [Fact]
    public async Task Reads_beside_the_nonce_answer_as_before_and_a_replay_the_quota_and_a_bad_value_are_refused()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Postgres);
        var env = CloudbillProcess.DatabaseSettings(database);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "migrate")).ExitCode);
        Assert.Equal(0, (await CloudbillProcess.Run(env, "seed-demo")).ExitCode);
        await using var server = await RunningServer.Start(database, new Dictionary<string, string>
        {
            ["Cloudbill__Engine__IntervalSeconds"] = "0",
            ["Cloudbill__Api__Quotas__QueryAccountBalance__Requests"] = "3",
            ["Cloudbill__Api__Quotas__QueryAccountBalance__PeriodSeconds"] = "600",
        });
        using var client = new BssTestClient(server.Address, BssTestClient.DemoAccessKeyId, BssTestClient.DemoSecret);
        static string? Code(JsonElement body) => body.GetProperty("Code").GetString();
        static string? Cash(JsonElement body) => body.GetProperty("Data").GetProperty("AvailableCashAmount").GetString();

        // The first call teaches the server the key's account; from the second on, reads run beside the nonce.
        var first = await client.Call("QueryAccountBalance");
        var date = DateTimeOffset.UtcNow;
        var nonce = Guid.NewGuid().ToString("N");
        var second = await client.Send(client.SignedV3("QueryAccountBalance", date: date, nonce: nonce));
        Assert.Equal((200, "5000.00"), (first.Status, Cash(first.Body)));
        Assert.Equal((200, "5000.00"), (second.Status, Cash(second.Body)));

        // A replay is refused, and does not use up the quota.
        var replay = await client.Send(client.SignedV3("QueryAccountBalance", date: date, nonce: nonce));
        Assert.Equal((400, "SignatureNonceUsed"), (replay.Status, Code(replay.Body)));
        Assert.False(replay.Body.TryGetProperty("Data", out _));
        var third = await client.Call("QueryAccountBalance");
        var fourth = await client.Call("QueryAccountBalance");
        Assert.Equal((200, "Success"), (third.Status, Code(third.Body)));
        Assert.Equal((400, "Throttling.User"), (fourth.Status, Code(fourth.Body)));

        // The instance list beside the nonce: every page carries the same total, and a bad value is refused.
        var pages = new List<(int Status, int Total, int Rows)>();
        for (var n = 1; n <= 2; n++)
        {
            var (status, body, _) = await client.Call("QueryAvailableInstances", new Dictionary<string, string> { ["PageNum"] = $"{n}", ["PageSize"] = "3" });
            var data = body.GetProperty("Data");
            pages.Add((status, data.GetProperty("TotalCount").GetInt32(), data.GetProperty("InstanceList").GetArrayLength()));
        }
        Assert.All(pages, p => Assert.Equal((200, 3), (p.Status, p.Rows)));
        Assert.Equal(pages[0].Total, pages[1].Total);
        Assert.True(pages[0].Total > 6, $"the demo customer has {pages[0].Total} subscription instances");
        var bad = await client.Call("QueryAvailableInstances", new Dictionary<string, string> { ["PageSize"] = "twenty" });
        Assert.Equal((400, "InvalidParameter"), (bad.Status, Code(bad.Body)));
    }

    [Fact]
    public void Only_actions_that_change_nothing_may_run_beside_the_nonce()
    {
        Assert.Equal(
            ["GetOrderDetail", "GetSubscriptionPrice", "QueryAccountBalance", "QueryAccountTransactions", "QueryAvailableInstances", "QueryCashCoupons", "QueryOrders", "QueryProductList"],
            BssActions.Reads.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["CancelOrder", "CreateInstance", "RenewInstance", "SetAllExpirationDay", "SetRenewal"],
            BssActions.All.Keys.Except(BssActions.Reads).Order(StringComparer.Ordinal));
    }
}
