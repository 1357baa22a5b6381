using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>Paying an unpaid order at a gateway from its page (R5.3): the cashier, the confirmation and the renewal it pays for.</summary>
public class OrderPaymentTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_renewal_order_paid_at_the_sandbox_UnionPay_extends_the_instance()
    {
        await using var database = await TestDatabase.Create(DatabaseProvider.Sqlite);
        await using var server = await RunningServer.Start(database);
        await using var services = await TestServices.Start(database, DateTimeOffset.UtcNow);
        var instance = await services.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.Name == "web-hk-01"));
        var order = (await services.Run<RenewalService, Result<Order>>((s, ct) =>
            s.Place(instance.AccountId, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;

        // An unpaid order (placed through the API or left from an earlier visit) is paid from its own page, as Messages' Pay Now leads there.
        var page = await browser.SignedInAsDemo(server.Address);
        await page.GotoAsync($"/orders/{order.Id}/pay");
        await page.Locator("input[name='Input.Method'][value=UnionPay]").CheckAsync();
        await page.GetByTestId("confirm-pay").ClickAsync();
        await page.WaitForCashier("unionpay");
        Assert.Contains(order.Payable.ToString(), await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("SMS code", new() { Exact = false }).FillAsync("111111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();

        Assert.Equal("Payment received", await page.GetByTestId("payment-headline").InnerTextAsync());
        Assert.Equal($"Order {order.Id} paid: {order.Payable} CNY by UnionPay.", await page.GetByTestId("payment-outcome").InnerTextAsync());
        var paid = await services.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id));
        Assert.Equal((OrderStatus.Paid, PaymentMethod.UnionPay), (paid.Status, paid.PaidWith));
        var renewed = await services.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.Id == instance.Id));
        Assert.Equal(Core.Time.BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 1), renewed.ExpiresAt);
        Assert.Equal("¥5,000.00", await page.GetByTestId("available-credit").InnerTextAsync()); // paid at the gateway, not from the balance
    }
}
