using System.Diagnostics;
using System.Text.Json;
using Cloudbill.Core;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>
/// Finance's refunds in the console, through the sandbox's Alipay and UnionPay (docs/decisions/0040):
/// an order to the balance, an order paid at Alipay back to Alipay, top-ups back to Alipay and to
/// UnionPay. With the other money actions (adjustment, credit line, extension, coupon issued and
/// revoked) in the same test, `reconcile --gateways` is clean at the end, and Alipay's own Node SDK
/// verifies the refund on both sides. Support and viewers are offered no refund, and a forged post changes nothing.
/// </summary>
public sealed class RefundConsoleTests(OperatorFixture app) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task Finance_refunds_orders_and_payments_through_the_sandbox_and_every_money_action_reconciles()
    {
        var accountId = await app.Services.Customer("500.00");
        var email = await app.Services.EmailOf(accountId);
        var now = app.Services.Clock.GetUtcNow();
        var fromBalance = await app.Services.Instance(accountId, now.AddDays(10));
        var atAlipay = await app.Services.Instance(accountId, now.AddDays(12));
        var order = await PaidRenewal(accountId, fromBalance);
        Assert.Equal(Money.Parse("330.00"), order.Payable);

        // The customer pays a renewal and two top-ups at the sandbox's gateways, from the phone.
        var phone = await app.SignedIn(email, AccountTestData.Password);
        await phone.Page.GotoAsync($"/renew?ids={Uri.EscapeDataString(atAlipay.Id)}&months=1");
        await phone.Page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await phone.Page.GetByTestId("pay-now").ClickAsync();
        await PayAtCashier(phone.Page, "alipay");
        await TopUp(phone.Page, "88.00", "alipay");
        await TopUp(phone.Page, "66.00", "unionpay");
        var payments = await Credited(accountId, 3);
        var renewalPayment = payments.Single(p => p.Purpose == GatewayPaymentPurpose.Order);
        var alipayTopUp = payments.Single(p => p.Purpose == GatewayPaymentPurpose.TopUp && p.Gateway == PaymentGateway.Alipay);
        var unionPayTopUp = payments.Single(p => p.Gateway == PaymentGateway.UnionPay);
        Assert.Equal(Money.Parse("324.00"), (await app.Services.Balance(accountId)).Cash); // 500.00 − 330.00 + 88.00 + 66.00

        var console = await app.SignedInStaff(app.Finance);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");

        // More than is left: refused above the form, nothing posted.
        await console.Page.Locator("#refund-order").SelectOptionAsync(order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await console.Page.Locator("#refund-amount").FillAsync("400.00");
        await console.Page.Locator("#refund-order-reason").FillAsync("Charged twice for the same month, ticket 9001");
        var refused = await console.Post("refund-order-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal($"Order {order.Id} can give back 0.01 to 330.00 CNY (paid 330.00, refunded 0.00); 400.00 is not that.", await console.Page.GetByTestId("action-error").InnerTextAsync());
        Assert.Equal(Money.Parse("324.00"), (await app.Services.Balance(accountId)).Cash);

        // 30.00 of the balance-paid renewal, to the balance.
        await console.Page.Locator("#refund-amount").FillAsync("30.00");
        await console.Submit("refund-order-submit", accountId, "refunded");
        Assert.Equal("The refund is on the customer's balance: a new transaction is on the ledger statement.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        Assert.Equal("¥354.00", await console.Page.GetByTestId("cash").InnerTextAsync());
        Assert.Contains("¥30.00 refunded", await console.Page.Locator($"[data-order='{order.Id}']").InnerTextAsync(), StringComparison.Ordinal);

        // The renewal paid at Alipay, whole, back to Alipay: the balance does not move.
        await console.Page.Locator("#refund-order").SelectOptionAsync(renewalPayment.OrderId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await console.Page.Locator("#refund-amount").FillAsync("330.00");
        await console.Page.GetByLabel("Back through Alipay or UnionPay").CheckAsync();
        await console.Page.Locator("#refund-order-reason").FillAsync("Customer renewed the wrong instance, ticket 9002");
        await console.Submit("refund-order-submit", accountId, "sent-back");
        Assert.Equal("The money is going back to the payer: the payment shows Refunding until the gateway confirms the refund, then Refunded.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        Assert.Equal("¥354.00", await console.Page.GetByTestId("cash").InnerTextAsync());

        // The two top-ups, back to Alipay and to UnionPay.
        foreach (var (payment, ticket) in new[] { (alipayTopUp, "9003"), (unionPayTopUp, "9004") })
        {
            await console.Page.Locator("#refund-payment").SelectOptionAsync(payment.OutTradeNo);
            await console.Page.Locator("#refund-payment-reason").FillAsync($"Top-up made by mistake, ticket {ticket}");
            await console.Submit("refund-payment-submit", accountId, "sent-back");
        }
        Assert.Equal("¥200.00", await console.Page.GetByTestId("cash").InnerTextAsync());
        foreach (var payment in new[] { renewalPayment, alipayTopUp, unionPayTopUp })
            Assert.Equal("Refunded", await PaymentState(console, payment.OutTradeNo));
        Assert.Equal(0, await console.Page.GetByTestId("refund-payment-submit").CountAsync());

        // The other money actions of the console, so that reconcile sees every kind of transaction.
        await console.Page.Locator("#adjust-amount").FillAsync("12.34");
        await console.Page.Locator("#adjust-reason").FillAsync("Goodwill for the refunds' wait, ticket 9005");
        await console.Submit("adjust-submit", accountId, "adjusted");
        await console.Page.Locator("#credit-amount").FillAsync("200.00");
        await console.Page.Locator("#credit-reason").FillAsync("Contract 2027-002, ticket 9006");
        await console.Submit("credit-submit", accountId, "credit-line");
        await console.Page.Locator("#extend-instance").SelectOptionAsync(fromBalance.Id);
        await console.Page.Locator("#extend-days").FillAsync("2");
        await console.Page.Locator("#extend-reason").FillAsync("Outage, ticket 9007");
        await console.Submit("extend-submit", accountId, "extended");
        await console.Page.GotoAsync($"/operator/coupons?to={accountId}");
        await console.Page.Locator("#grant-name").FillAsync("Refund apology");
        await console.Page.Locator("#grant-amount").FillAsync("15.00");
        await console.Page.Locator("#grant-reason").FillAsync("Apology, ticket 9008");
        await console.Page.GetByTestId("grant-submit").ClickAsync();
        await console.Page.WaitForURLAsync("**/operator/coupons?issued=1", new() { WaitUntil = WaitUntilState.Commit });
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        await console.Page.Locator("#revoke-reason").FillAsync("Issued twice, ticket 9009");
        await console.Submit("revoke-submit", accountId, "revoked");
        Assert.Equal("¥212.34", await console.Page.GetByTestId("cash").InnerTextAsync());
        console.Checks.AssertClean(refusalsExpected: true);

        // Every action in the audit log with finance, its reason and the request.
        var audit = await app.Services.Query(db => db.AuditEvents.AsNoTracking().Where(a => a.AccountId == accountId && a.Actor == AuditActor.Staff && a.Reason != null).ToListAsync());
        foreach (var (kind, reason) in new[]
        {
            (AuditEventKind.OrderRefunded, "Charged twice for the same month, ticket 9001"),
            (AuditEventKind.OrderRefunded, "Customer renewed the wrong instance, ticket 9002"),
            (AuditEventKind.GatewayRefundRequested, "Customer renewed the wrong instance, ticket 9002"),
            (AuditEventKind.GatewayRefundRequested, "Top-up made by mistake, ticket 9003"),
            (AuditEventKind.GatewayRefundRequested, "Top-up made by mistake, ticket 9004"),
            (AuditEventKind.BalanceAdjusted, "Goodwill for the refunds' wait, ticket 9005"),
            (AuditEventKind.CreditLineSet, "Contract 2027-002, ticket 9006"),
            (AuditEventKind.InstanceExtended, "Outage, ticket 9007"),
            (AuditEventKind.CouponIssued, "Apology, ticket 9008"),
            (AuditEventKind.CouponRevoked, "Issued twice, ticket 9009"),
        })
        {
            var row = audit.FirstOrDefault(a => a.Kind == kind && a.Reason == reason);
            Assert.True(row is not null, $"No {kind} row with the reason \"{reason}\".");
            Assert.Equal(app.Finance.Email, row.ActorId);
            Assert.False(string.IsNullOrEmpty(row.RequestId), $"{kind} has no request id.");
        }

        // The customer reads each refund in the Message Center.
        await phone.Page.GotoAsync("/messages");
        var messages = await phone.Page.Locator("[data-message-id]").AllInnerTextsAsync();
        Assert.Contains(messages, m => m.Contains($"Refund of order {order.Id}", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains($"Refund of order {renewalPayment.OrderId}", StringComparison.Ordinal) && m.Contains("went back to the Alipay account you paid it with", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Refund to your Alipay account", StringComparison.Ordinal) && m.Contains(alipayTopUp.OutTradeNo, StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Refund to your UnionPay account", StringComparison.Ordinal) && m.Contains(unionPayTopUp.OutTradeNo, StringComparison.Ordinal));
        // The payment's own page says where the money went.
        await phone.Page.GotoAsync($"/payments/{alipayTopUp.OutTradeNo}");
        Assert.Equal("Payment refunded", (await phone.Text("payment-headline")).Trim());
        Assert.Equal("The provider sent this payment back: 88.00 CNY left your balance for the Alipay account you paid with.", await phone.Text("payment-returned"));
        phone.AssertClean();

        // Alipay's own SDK: Cloudbill's signed refund request, and the sandbox's signed answers.
        var sdk = await AlipaySdkCheck(alipayTopUp.OutTradeNo);
        Assert.Equal("alipay.trade.refund", sdk.GetProperty("method").GetString());
        Assert.Equal(alipayTopUp.OutTradeNo + "S1", sdk.GetProperty("outRequestNo").GetString());
        Assert.Equal("88.00", sdk.GetProperty("refundAmount").GetString());
        Assert.True(sdk.GetProperty("requestSignatureValid").GetBoolean());
        Assert.False(sdk.GetProperty("tamperedSignatureValid").GetBoolean());
        Assert.Equal("88.00", sdk.GetProperty("query").GetProperty("refundAmount").GetString());
        Assert.Equal("N", sdk.GetProperty("repeat").GetProperty("fundChange").GetString());

        var environment = CloudbillProcess.DatabaseSettings(app.Database);
        environment["Cloudbill__Payments__PublicBaseUrl"] = app.Server.Address.ToString();
        var reconcile = await CloudbillProcess.Run(environment, "reconcile", "--gateways");
        Assert.True(reconcile.ExitCode == 0, reconcile.Output + reconcile.Error);
        foreach (var payment in new[] { renewalPayment, alipayTopUp, unionPayTopUp })
        {
            var line = reconcile.Output.Split('\n').Single(l => l.StartsWith($"{payment.OutTradeNo} {payment.Gateway} ", StringComparison.Ordinal));
            Assert.Contains($"Cloudbill Refunded, credited 0.00;", line, StringComparison.Ordinal);
            Assert.Contains($", refund Refunded {payment.Amount}: ok", line, StringComparison.Ordinal);
        }
        Assert.Contains("payment(s) agree with Alipay and UnionPay.", reconcile.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Support_and_viewers_are_offered_no_refund_and_a_forged_post_changes_nothing()
    {
        var accountId = await app.Services.Customer("400.00");
        var instance = await app.Services.Instance(accountId, app.Services.Clock.GetUtcNow().AddDays(10));
        var order = await PaidRenewal(accountId, instance);
        foreach (var staff in new[] { app.Support, app.Viewer })
        {
            var console = await app.SignedInStaff(staff);
            await console.Page.GotoAsync($"/operator/customers/{accountId}");
            Assert.Equal(0, await console.Page.GetByTestId("refund-order-submit").CountAsync());
            var token = await console.Page.Locator(".console-signout input[name=__RequestVerificationToken]").InputValueAsync();
            var form = console.Page.APIRequest.CreateFormData();
            form.Set("__RequestVerificationToken", token);
            form.Set("_handler", "refund-order");
            form.Set("RefundOrderForm.Token", Guid.NewGuid().ToString("N"));
            form.Set("RefundOrderForm.OrderId", order.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            form.Set("RefundOrderForm.Amount", "330.00");
            form.Set("RefundOrderForm.Reason", "posted by hand");
            var answer = await console.Page.APIRequest.PostAsync($"/operator/customers/{accountId}", new() { Form = form, MaxRedirects = 0 });
            // The page shows them no refund form, so the framework refuses the post before any page code runs.
            Assert.Equal(303, answer.Status);
        }
        Assert.Equal(Money.Zero, (await app.Services.Query(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == order.Id))).Refunded);
        Assert.Equal(Money.Parse("70.00"), (await app.Services.Balance(accountId)).Cash);
    }

    private async Task<Order> PaidRenewal(long accountId, Instance instance)
    {
        var order = (await app.Services.Run<RenewalService, Result<Order>>((s, ct) => s.Place(accountId, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.Best, ct))).Value;
        var paid = await app.Services.Run<OrderPayments, Result<PaymentOutcome>>((s, ct) => s.PayFromBalance(accountId, order.Id, ct));
        Assert.True(paid.Succeeded, paid.Problem?.Message);
        return order;
    }

    private static async Task TopUp(IPage page, string amount, string gateway)
    {
        await page.GotoAsync("/topup");
        await page.GetByLabel("Or another amount").FillAsync(amount);
        await page.GetByRole(AriaRole.Radio, new() { Name = gateway == "alipay" ? "Alipay" : "UnionPay" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm Top-up" }).ClickAsync();
        await PayAtCashier(page, gateway);
    }

    private static async Task PayAtCashier(IPage page, string gateway)
    {
        await page.WaitForCashier(gateway);
        if (gateway == "alipay")
            await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        else
            await page.GetByLabel("SMS code", new() { Exact = false }).FillAsync("111111");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
    }

    private async Task<List<GatewayPayment>> Credited(long accountId, int count)
    {
        List<GatewayPayment> payments = [];
        await Eventually.Until(async () =>
        {
            payments = await app.Services.Query(db => db.GatewayPayments.AsNoTracking().Where(p => p.AccountId == accountId && p.State == GatewayPaymentState.Credited).ToListAsync());
            return payments.Count == count;
        }, $"{count} credited payments");
        return payments;
    }

    private static async Task<string> PaymentState(ConsolePage console, string outTradeNo) =>
        await console.Page.GetByTestId("payment-row").Filter(new() { HasText = outTradeNo }).GetByTestId("payment-state").InnerTextAsync();

    private async Task<JsonElement> AlipaySdkCheck(string outTradeNo)
    {
        var sdk = Path.Combine(RepositoryPaths.Root, "tests", "sdk");
        Assert.True(Directory.Exists(Path.Combine(sdk, "node_modules", "alipay-sdk")), "Alipay's SDK is not installed: run `npm ci` in tests/sdk (test.sh does).");
        var sandbox = CloudbillProcess.DatabaseSettings(app.Database)["Cloudbill__Payments__SandboxDirectory"];
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = sdk };
        // The SDK writes the request's timestamp in the machine's own time; Alipay (and the sandbox) expect China Standard Time.
        start.Environment["TZ"] = "Asia/Shanghai";
        foreach (var argument in new[] { Path.Combine(sdk, "alipay-refund.js"), sandbox, outTradeNo, new Uri(app.Server.Address, "sandbox/alipay/gateway.do").ToString() })
            start.ArgumentList.Add(argument);
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var error = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"alipay-refund.js exited {node.ExitCode}: {await output}{await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
