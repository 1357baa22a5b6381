using Cloudbill.Core.Accounts;
using Cloudbill.Server.Tests.OpenApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// R8.4 on the customer's surfaces: below the minimum Available Credit, pay-as-you-go is refused
/// on the purchase page (English and Chinese) and by the API, and nothing is created.
/// </summary>
public class PayAsYouGoLimitTests(PurchaseAppFixture app) : IClassFixture<PurchaseAppFixture>
{
    private const string Refusal = "Pay-as-you-go needs an Available Credit of at least 100.00 CNY; yours is 50.00 CNY. Top up 50.00 CNY or more, then buy again.";
    private const string Details = "/purchase/ecs/details?region=cn-hangzhou&spec=ecs.g7.large&billing=PayAsYouGo&quantity=1";

    private async Task<string> RefusedOnThePage(string locale)
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "50.00", locale);
        var page = phone.Page;
        await page.GotoAsync(Details);
        await page.GetByTestId("buy-now").ClickAsync();
        var error = (await page.GetByTestId("purchase-error").InnerTextAsync()).Trim();
        // The way out is a top-up.
        Assert.Equal(1, await page.Locator(".alert a[href='/topup']").CountAsync());
        Assert.Equal(0, await app.Services.Query(db => db.Orders.CountAsync(o => o.AccountId == account)));
        Assert.Equal(0, await app.Services.Query(db => db.Instances.CountAsync(i => i.AccountId == account)));
        phone.AssertClean(refusalsExpected: true);
        return error;
    }

    [Fact]
    public async Task The_purchase_page_refuses_pay_as_you_go_below_the_minimum_credit_in_English() => // R8.4
        Assert.Equal(Refusal, await RefusedOnThePage("en-US"));

    [Fact]
    public async Task The_purchase_page_refuses_pay_as_you_go_below_the_minimum_credit_in_Chinese() => // R8.4
        Assert.Equal($"可用额度低于购买按量付费资源所需的最低额度，请先充值（{Refusal}）", await RefusedOnThePage("zh-CN"));

    [Fact]
    public async Task The_API_refuses_pay_as_you_go_below_the_minimum_credit_with_a_BSS_error() // R8.4
    {
        var account = await app.Services.Customer("50.00");
        var pair = await app.Services.Run<AccessKeyService, AccessKeyPair>((keys, ct) => keys.Create(account, ct));
        using var client = new BssTestClient(app.Server.Address, pair.AccessKeyId, pair.AccessKeySecret);

        var (status, body, _) = await client.Call("CreateInstance", new Dictionary<string, string>
        {
            ["ProductCode"] = "ecs",
            ["SubscriptionType"] = "PayAsYouGo",
            ["Parameter.1.Code"] = "Region",
            ["Parameter.1.Value"] = "cn-hangzhou",
            ["Parameter.2.Code"] = "InstanceType",
            ["Parameter.2.Value"] = "ecs.g7.large",
        });

        Assert.Equal(409, status);
        Assert.Equal("PayAsYouGo.CreditBelowMinimum", body.GetProperty("Code").GetString());
        Assert.Equal(Refusal, body.GetProperty("Message").GetString());
        Assert.Equal(0, await app.Services.Query(db => db.Orders.CountAsync(o => o.AccountId == account)));
        Assert.Equal(0, await app.Services.Query(db => db.Instances.CountAsync(i => i.AccountId == account)));
    }
}
