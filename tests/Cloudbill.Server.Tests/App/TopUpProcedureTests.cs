using Cloudbill.Core;
using Cloudbill.Core.Payments;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// The Top up procedure of docs/procedures.md, step by step at phone size: My, Costs, Top-up, an amount,
/// a payment method, Confirm Top-up, the sandbox gateway, Got It, and Costs with the new
/// Available Credit (R7.2, R7.3); through each gateway, in Chinese, and for an overdue account (R7.4).
/// </summary>
public class TopUpProcedureTests(AppFixture app) : IClassFixture<AppFixture>
{
    private static async Task<Money> CostsCredit(AppPage phone) => Yuan(await phone.Text("available-credit"));

    [Fact]
    public async Task My_Costs_Top_up_a_preset_amount_by_Alipay_and_Got_It_shows_the_credit_raised_by_exactly_the_amount()
    {
        var phone = await app.SignedIn();
        var page = phone.Page;

        // 1. The My tab, then Costs.
        await phone.Tap(phone.Page.GetByRole(AriaRole.Link, new() { Name = "My", Exact = true }), path => path == "/my");
        await phone.Tap(page.GetByTestId("costs-link"), path => path == "/costs");
        var before = await CostsCredit(phone);
        await phone.Screenshot("en-costs");
        await phone.AssertAccessible();
        // 2. In the Available Credit section, Top-up.
        await phone.Tap(page.GetByTestId("credit").GetByRole(AriaRole.Link, new() { Name = "Top-up" }), path => path == "/topup");
        Assert.Contains("Topping up with Huabei or credit cards bound to Alipay is not supported.", await phone.Text("topup-limits"), StringComparison.Ordinal);
        await phone.Screenshot("en-costs-topup");
        await phone.AssertAccessible();
        // 3. Select a Top-up Amount (CNY), a Payment Method, Confirm Top-up.
        await page.GetByRole(AriaRole.Group, new() { Name = "Top-up Amount (CNY)" }).GetByLabel("500.00").CheckAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm Top-up" }).ClickAsync();
        await page.WaitForCashier("alipay");
        Assert.Contains("500.00", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        Assert.Equal("Top-up credited", (await phone.Text("payment-headline")).Trim());
        Assert.Equal("500.00 CNY", await phone.Text("payment-amount"));
        await phone.Screenshot("en-costs-topup-result");
        await phone.AssertAccessible();
        // 4. Got It; 5. back on Costs, the updated Available Credit.
        await phone.Tap(phone.Link("Got It"), path => path == "/costs");
        Assert.Equal(before + Money.Parse("500.00"), await CostsCredit(phone));
        var demo = await app.Services.DemoAccount();
        var payment = await app.Services.Query(db => db.GatewayPayments.AsNoTracking().Where(p => p.AccountId == demo).OrderByDescending(p => p.Id).FirstAsync());
        Assert.Equal((PaymentGateway.Alipay, GatewayPaymentState.Credited, Money.Parse("500.00")), (payment.Gateway, payment.State, payment.Amount));
        phone.AssertClean();
    }

    [Fact]
    public async Task In_Chinese_an_entered_amount_by_UnionPay_raises_the_credit_by_exactly_the_amount()
    {
        var phone = await app.SignedIn(locale: "zh-CN");
        var page = phone.Page;

        await phone.Tap(phone.Page.GetByRole(AriaRole.Link, new() { Name = "我的", Exact = true }), path => path == "/my");
        await phone.Tap(page.GetByTestId("costs-link"), path => path == "/costs");
        var before = await CostsCredit(phone);
        await phone.Screenshot("zh-costs");
        await phone.AssertAccessible();
        await phone.Tap(page.GetByTestId("credit").GetByRole(AriaRole.Link, new() { Name = "充值" }), path => path == "/topup");
        Assert.Contains("不支持使用花呗或支付宝绑定的信用卡充值", await phone.Text("topup-limits"), StringComparison.Ordinal);
        await phone.Screenshot("zh-costs-topup");
        await phone.AssertAccessible();
        await page.GetByLabel("或输入其他金额").FillAsync("123.45");
        await page.GetByRole(AriaRole.Radio, new() { Name = "云闪付" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "确认充值" }).ClickAsync();
        await page.WaitForCashier("unionpay");
        await page.GetByLabel("SMS code", new() { Exact = false }).FillAsync("111111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        await phone.Screenshot("zh-costs-topup-result");
        await phone.AssertAccessible();
        await phone.Tap(phone.Link("我知道了"), path => path == "/costs");
        Assert.Equal(before + Money.Parse("123.45"), await CostsCredit(phone));
        phone.AssertClean();
    }

    [Fact]
    public async Task An_overdue_account_is_told_the_top_up_settles_the_overdue_amount_first_with_the_amounts()
    {
        var account = await app.Services.Customer("0.00");
        await app.Services.MakeOverdue(account, "12.34");
        var phone = await app.SignedIn(await app.Services.EmailOf(account), "Secret-2026");
        var page = phone.Page;

        await phone.Tap(phone.Page.GetByRole(AriaRole.Link, new() { Name = "My", Exact = true }), path => path == "/my");
        await phone.Tap(page.GetByTestId("costs-link"), path => path == "/costs");
        Assert.Equal(("-¥12.34", "¥12.34"), (await phone.Text("available-credit"), await phone.Text("overdue")));
        await phone.Tap(page.GetByTestId("credit").GetByRole(AriaRole.Link, new() { Name = "Top-up" }), path => path == "/topup");
        var notice = await phone.Text("overdue-notice");
        Assert.Contains("Your account has an overdue payment of ¥12.34. A top-up settles it first; the rest becomes your cash balance.", notice, StringComparison.Ordinal);
        Assert.Contains("Of a top-up of ¥100.00, ¥12.34 settles the overdue amount and ¥87.66 goes to your cash balance.", notice, StringComparison.Ordinal);
        Assert.Contains("Top up at least ¥12.34 to buy and renew again.", notice, StringComparison.Ordinal);
        await phone.Screenshot("en-costs-topup-overdue");
        await phone.AssertAccessible();

        await page.GetByRole(AriaRole.Group, new() { Name = "Top-up Amount (CNY)" }).GetByLabel("100.00").CheckAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm Top-up" }).ClickAsync();
        await page.WaitForCashier("alipay");
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
        await phone.Tap(phone.Link("Got It"), path => path == "/costs");

        // R7.4: 12.34 settled the debt, 87.66 is cash; the banner is gone.
        Assert.Equal(("¥87.66", "¥87.66", "¥0.00"), (await phone.Text("available-credit"), await phone.Text("cash"), await phone.Text("overdue")));
        Assert.Equal(0, await page.GetByTestId("overdue-banner").CountAsync());
        var balance = await app.Services.Balance(account);
        Assert.Equal((Money.Parse("87.66"), Money.Zero), (balance.Cash, balance.Overdue));
        phone.AssertClean();
    }
}
