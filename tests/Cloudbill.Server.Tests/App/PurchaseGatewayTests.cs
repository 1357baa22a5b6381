using Cloudbill.Core;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// The purchase of docs/procedures.md paid at each sandbox gateway: the balance is untouched, the new instance
/// appears in its region. Auto-renewal chosen at purchase becomes the instance's renewal method.
/// </summary>
public class PurchaseGatewayTests(PurchaseAppFixture app) : IClassFixture<PurchaseAppFixture>
{
    [Fact]
    public async Task Purchase_with_auto_renewal_paid_at_the_sandbox_Alipay()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "20.00");
        var page = phone.Page;
        await PurchaseSteps.OpenEcs(phone);
        await PurchaseSteps.ConfigureEcs(phone, "alipay-hk", autoRenewal: true);
        Assert.Equal("Auto-Renewal · 3 Months", (await phone.Text("renewal")).Trim());
        Assert.Equal("No coupon applies", (await phone.Text("coupon")).Trim());
        var payable = Yuan(await phone.Text("details-payable"));
        Assert.Equal(Money.Parse("4375.80"), payable);
        await phone.Tap(page.GetByTestId("buy-now"), path => path.EndsWith("/pay", StringComparison.Ordinal));

        await page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await page.GetByTestId("confirm-pay").ClickAsync();
        await page.WaitForCashier("alipay");
        Assert.Contains(payable.ToString(), await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        Assert.Equal("Payment received", (await phone.Text("payment-headline")).Trim());
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hongkong");

        var instance = await PurchaseSteps.InstanceNamed(app, account, "alipay-hk");
        var card = page.Locator($"[data-testid=instances] li[data-instance-id='{instance.Id}']");
        Assert.Equal("Creating", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.Equal("Auto-Renewal · 3 Months", (await card.GetByTestId("method").InnerTextAsync()).Trim());
        Assert.Equal((RenewalMethod.AutoRenewal, (int?)3), (instance.RenewalMethod, instance.AutoRenewPeriodMonths));
        Assert.True(await app.Provisioned(instance.Id));
        await page.ReloadAsync();
        Assert.Equal("Normal", (await card.GetByTestId("status").InnerTextAsync()).Trim());

        // Paid at the gateway: the balance is untouched.
        Assert.Equal(Money.Parse("20.00"), Yuan(await phone.AvailableCredit()));
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == instance.CreatedByOrderId));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.Alipay, payable, RenewalMethod.AutoRenewal), (order.Status, order.PaidWith, order.Payable, order.Lines.Single().RenewalMethod));
        phone.AssertClean();
    }

    [Fact]
    public async Task Purchase_paid_at_the_sandbox_UnionPay()
    {
        var (account, phone) = await PurchaseSteps.Customer(app, "0.00");
        var page = phone.Page;
        await PurchaseSteps.OpenEcs(phone);
        await PurchaseSteps.ConfigureEcs(phone, "unionpay-hk");
        var payable = Yuan(await phone.Text("details-payable"));
        Assert.Equal(Money.Parse("4375.80"), payable);
        await phone.Tap(page.GetByTestId("buy-now"), path => path.EndsWith("/pay", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Radio, new() { Name = "UnionPay" }).CheckAsync();
        await page.GetByTestId("confirm-pay").ClickAsync();
        await page.WaitForCashier("unionpay");
        await page.GetByLabel("SMS code", new() { Exact = false }).FillAsync("111111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        Assert.Equal("Payment received", (await phone.Text("payment-headline")).Trim());
        await phone.Tap(phone.Link("View My Instances"), path => path == "/instances/cn-hongkong");

        var instance = await PurchaseSteps.InstanceNamed(app, account, "unionpay-hk");
        var card = page.Locator($"[data-testid=instances] li[data-instance-id='{instance.Id}']");
        Assert.Equal("Creating", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.Equal("Manual Renewal", (await card.GetByTestId("method").InnerTextAsync()).Trim());
        Assert.True(await app.Provisioned(instance.Id));
        await page.ReloadAsync();
        Assert.Equal("Normal", (await card.GetByTestId("status").InnerTextAsync()).Trim());
        Assert.Equal(Money.Zero, Yuan(await phone.AvailableCredit()));
        var order = await app.Services.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == instance.CreatedByOrderId));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.UnionPay, payable), (order.Status, order.PaidWith, order.Payable));
        phone.AssertClean();
    }
}
