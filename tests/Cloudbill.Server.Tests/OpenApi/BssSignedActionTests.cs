using System.Text.Json;
using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Purchase;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>
/// What a request does is what its signature covers: a V1 call runs its signed Action parameter,
/// never an unsigned x-acs-action header; a V3 call with a body has its content-type signed,
/// since that decides whether the body's parameters are read.
/// </summary>
public class BssSignedActionTests : IAsyncLifetime
{
    private TestDatabase database = null!;
    private RunningServer server = null!;
    private TestServices services = null!;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        server = await RunningServer.Start(database, new Dictionary<string, string> { ["Cloudbill__Engine__IntervalSeconds"] = "0" });
        services = await TestServices.Start(database, DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeServicesOnly();
        await server.DisposeAsync();
        await database.DisposeAsync();
    }

    private BssTestClient Demo() => new(server.Address, BssTestClient.DemoAccessKeyId, BssTestClient.DemoSecret);

    /// <summary>An unpaid order of the demo customer (placed, not paid).</summary>
    private async Task<long> UnpaidOrder()
    {
        var demo = await services.Query(db => db.BillingAccounts.Where(a => a.Email == "demo@cloudbill.local").Select(a => a.Id).SingleAsync());
        var order = await services.Run<PurchaseService, Result<Order>>((s, ct) =>
            s.Buy(demo, new PurchaseRequest("ecs", "cn-hongkong", "ecs.g7.large", 1), ClientToken.New(), CouponChoice.None, ct));
        return order.Value.Id;
    }

    private Task<OrderStatus> StatusOf(long orderId) =>
        services.Query(db => db.Orders.Where(o => o.Id == orderId).Select(o => o.Status).SingleAsync());

    private static string PaymentStatus(JsonElement body) =>
        body.GetProperty("Data").GetProperty("OrderList").GetProperty("Order")[0].GetProperty("PaymentStatus").GetString()!;

    [Fact]
    public async Task A_captured_V1_GetOrderDetail_replayed_with_a_CancelOrder_header_is_refused_and_the_order_stays()
    {
        var orderId = await UnpaidOrder();
        using var client = Demo();
        var captured = client.SignedV1("GetOrderDetail", new Dictionary<string, string> { ["OrderId"] = $"{orderId}" });

        // The attacker sends the capture first, its nonce still unused, with the header changed.
        using var swapped = await BssTestClient.Copy(captured);
        swapped.Headers.TryAddWithoutValidation("x-acs-action", "CancelOrder");
        var (status, body, _) = await client.Send(swapped);

        Assert.Equal(400, status);
        Assert.Equal("InvalidParameter.ActionMismatch", body.GetProperty("Code").GetString());
        Assert.Equal("The x-acs-action header 'CancelOrder' is not the signed Action parameter 'GetOrderDetail'; a V1 signature covers the parameters only, so send the same action in both or leave the header out.",
            body.GetProperty("Message").GetString());
        Assert.Equal(OrderStatus.Unpaid, await StatusOf(orderId));

        // The genuine call still runs what it signed, once.
        var (genuine, detail, _) = await client.Send(captured);
        Assert.True(genuine == 200, detail.ToString());
        Assert.Equal("Unpaid", PaymentStatus(detail));
        Assert.Equal(OrderStatus.Unpaid, await StatusOf(orderId));
    }

    [Fact]
    public async Task A_V1_call_with_the_same_action_in_the_header_runs_and_one_without_a_signed_Action_is_refused()
    {
        var orderId = await UnpaidOrder();
        using var client = Demo();
        using var same = client.SignedV1("GetOrderDetail", new Dictionary<string, string> { ["OrderId"] = $"{orderId}" });
        same.Headers.TryAddWithoutValidation("x-acs-action", "GetOrderDetail");
        var (status, body, _) = await client.Send(same);
        Assert.True(status == 200, body.ToString());
        Assert.Equal("Unpaid", PaymentStatus(body));

        // A V1 signature without the Action parameter: the header alone is not signed, so it names nothing.
        using var headerOnly = client.SignedV1("GetOrderDetail", new Dictionary<string, string> { ["OrderId"] = $"{orderId}" });
        var query = headerOnly.RequestUri!.OriginalString.Replace("?Action=GetOrderDetail&", "?", StringComparison.Ordinal);
        using var unsigned = new HttpRequestMessage(HttpMethod.Post, query);
        unsigned.Headers.TryAddWithoutValidation("x-acs-action", "CancelOrder");
        (status, body, _) = await client.Send(unsigned);
        Assert.Equal(400, status);
        Assert.Equal("MissingParameter", body.GetProperty("Code").GetString());
        Assert.Equal(OrderStatus.Unpaid, await StatusOf(orderId));
    }

    [Fact]
    public async Task A_V3_body_read_as_a_form_needs_a_signed_content_type()
    {
        var orderId = await UnpaidOrder();
        using var client = Demo();
        var form = System.Text.Encoding.UTF8.GetBytes($"OrderId={orderId}");

        var (status, body, _) = await client.Send(client.SignedV3("CancelOrder", body: form, contentType: "application/x-www-form-urlencoded", signContentType: false));
        Assert.Equal(400, status);
        Assert.Equal("IncompleteSignature", body.GetProperty("Code").GetString());
        Assert.Equal("The header content-type must be signed (listed in SignedHeaders) when the request has a body.", body.GetProperty("Message").GetString());
        Assert.Equal(OrderStatus.Unpaid, await StatusOf(orderId));

        // Signed, as the SDK does, the form's parameters are read.
        (status, body, _) = await client.Send(client.SignedV3("GetOrderDetail", body: form, contentType: "application/x-www-form-urlencoded"));
        Assert.True(status == 200, body.ToString());
        Assert.Equal("Unpaid", PaymentStatus(body));
    }
}
