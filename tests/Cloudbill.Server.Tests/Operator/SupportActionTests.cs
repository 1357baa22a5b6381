using Cloudbill.Core;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Suggestions;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>
/// Support's actions on a customer's behalf (a renewal method, an AccessKey, a message's email, an
/// answer to a suggestion) and finance's credit line: each refused beside its field when the input
/// is not one, each done through the feature that owns it, each in the audit log with the member of
/// staff, the reason and the request id, and each seen by the customer where they would look.
/// Viewers see none of the forms; support does not see finance's.
/// </summary>
public sealed class SupportActionTests(OperatorFixture app) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task Support_changes_a_renewal_method_disables_an_accesskey_resends_an_email_and_answers_a_suggestion()
    {
        var (accountId, instance, message, suggestion) = await CustomerWithSomethingOfEach();
        var keyId = await app.Services.Query(db => db.AccessKeys.Where(k => k.BillingAccountId == accountId).Select(k => k.Id).SingleAsync());
        var console = await app.SignedInStaff(app.Support);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal(0, await console.Page.GetByTestId("credit-submit").CountAsync());

        // Auto-renewal without a period: refused beside the field, nothing changed.
        await console.Page.Locator("#method-method").SelectOptionAsync("auto");
        await console.Page.Locator("#method-reason").FillAsync("Customer asked by phone, ticket 6001");
        var refused = await console.Post("method-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal("Enter the auto-renewal period in months, e.g. 1.", await console.Page.Locator(".field-error").InnerTextAsync());
        // A period the product does not offer: the customer's own rule, refused above the form.
        await console.Page.Locator("#method-period").FillAsync("7");
        refused = await console.Post("method-submit");
        Assert.Equal(400, refused.Status);
        Assert.Contains("auto-renewal period", await console.Page.GetByTestId("action-error").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RenewalMethod.ManualRenewal, (await InstanceRow(instance)).RenewalMethod);

        await console.Page.Locator("#method-period").FillAsync("1");
        await console.Submit("method-submit", accountId, "method");
        Assert.Equal("The renewal method is changed.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        var changed = await InstanceRow(instance);
        Assert.Equal((RenewalMethod.AutoRenewal, (int?)1), (changed.RenewalMethod, changed.AutoRenewPeriodMonths));
        Assert.Contains("Auto-Renewal", await console.Page.Locator($"[data-instance='{instance}']").InnerTextAsync(), StringComparison.Ordinal);
        AssertByStaff(await Single(accountId, AuditEventKind.RenewalMethodChanged), "Customer asked by phone, ticket 6001");

        // The AccessKey: disabled, with a reason; the customer's Settings shows it.
        await console.Page.Locator("#key-id").SelectOptionAsync(keyId);
        await console.Page.Locator("#key-reason").FillAsync("Secret published on a public repository, ticket 6002");
        await console.Submit("key-submit", accountId, "key-disabled");
        Assert.Equal("The AccessKey is disabled: the API refuses it from its next request.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        Assert.False(await app.Services.Query(db => db.AccessKeys.Where(k => k.Id == keyId).Select(k => k.Enabled).SingleAsync()));
        AssertByStaff(await Single(accountId, AuditEventKind.AccessKeyDisabled), "Secret published on a public repository, ticket 6002");

        // The email that failed: queued again with a fresh count of attempts.
        await console.Page.Locator("#resend-reason").FillAsync("Customer's mailbox was full, ticket 6003");
        await console.Submit("resend-submit", accountId, "resent");
        // Queued with no attempts; this server has no email server, so its outbox may already have
        // passed and said so (NotConfigured): either way the failed email is no longer Failed.
        var resent = await app.Services.Query(db => db.Notifications.SingleAsync(n => n.Id == message));
        Assert.Contains(resent.Email, new[] { EmailState.Pending, EmailState.NotConfigured });
        Assert.Equal(0, resent.EmailAttempts);
        AssertByStaff(await Single(accountId, AuditEventKind.NotificationResent), "Customer's mailbox was full, ticket 6003");
        // Not offered again, and a second post of the same form is refused with a reason.
        Assert.Equal(0, await console.Page.GetByTestId("resend-submit").CountAsync());
        var again = await app.Services.Run<Core.Operators.SupportActions, Result<Notification>>((s, ct) => s.ResendEmail(accountId, message, "again", ct));
        Assert.Contains(again.Problem?.Code, new[] { "Notification.EmailPending", "Notification.NoEmailServer" });

        // The suggestion: an empty answer is refused beside the field; the answer reaches the customer's Message Center.
        refused = await console.Post("answer-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal("Write the answer the customer will read.", await console.Page.Locator(".field-error").InnerTextAsync());
        const string answer = "Thank you: Container Registry renewals come to the app in the next release.";
        await console.Page.Locator("#answer-text").FillAsync(answer);
        await console.Submit("answer-submit", accountId, "answered");
        Assert.Equal("Answered: " + answer, await console.Page.Locator($"[data-suggestion='{suggestion}'] [data-testid=suggestion-answer]").InnerTextAsync());
        Assert.Equal(0, await console.Page.GetByTestId("answer-submit").CountAsync());
        AssertByStaff(await Single(accountId, AuditEventKind.SuggestionAnswered), answer);
        var twice = await app.Services.Run<Core.Operators.SupportActions, Result<Notification>>((s, ct) => s.AnswerSuggestion(accountId, suggestion, "again", ct));
        Assert.Equal("Suggestion.AlreadyAnswered", twice.Problem?.Code);
        console.Checks.AssertClean(refusalsExpected: true);

        var phone = await app.SignedIn(await app.Services.EmailOf(accountId), AccountTestData.Password);
        await phone.Page.GotoAsync("/messages");
        var reply = phone.Page.Locator("[data-message-id]").Filter(new() { HasText = "Reply to your suggestion about Container Registry" });
        Assert.Contains("Our reply: " + answer, await reply.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Reply from the provider", await reply.InnerTextAsync(), StringComparison.Ordinal);
        await phone.Page.GotoAsync("/accesskeys");
        Assert.Contains("Disabled", await phone.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        phone.AssertClean();
    }

    [Fact]
    public async Task Support_extends_an_instance_after_an_outage_by_a_free_renewal_the_customer_is_told_of()
    {
        var accountId = await app.Services.Customer("30.00");
        var expires = app.Services.Clock.GetUtcNow().AddDays(10);
        var instance = await app.Services.Instance(accountId, expires);
        var console = await app.SignedInStaff(app.Support);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");

        await console.Page.Locator("#extend-days").FillAsync("0");
        var refused = await console.Post("extend-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal(["Enter whole days from 1 to 366.", "Say why: the reason goes into the audit log."], await console.Page.Locator(".field-error").AllInnerTextsAsync());
        Assert.Equal(expires, (await InstanceRow(instance.Id)).ExpiresAt);

        await console.Page.Locator("#extend-days").FillAsync("3");
        await console.Page.Locator("#extend-reason").FillAsync("Outage in cn-hangzhou on 2026-11-25, ticket 7001");
        await console.Submit("extend-submit", accountId, "extended");
        Assert.Equal("The instance is extended: a ¥0.00 renewal order is paid and the customer is told.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        Assert.Equal(expires.AddDays(3), (await InstanceRow(instance.Id)).ExpiresAt);
        var order = console.Page.GetByTestId("order-row").First;
        Assert.Contains("Paid · extension at no charge", await order.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("¥0.00", await order.InnerTextAsync(), StringComparison.Ordinal);
        AssertByStaff(await Single(accountId, AuditEventKind.InstanceExtended), "Outage in cn-hangzhou on 2026-11-25, ticket 7001");
        Assert.Equal("¥30.00", await console.Page.GetByTestId("cash").InnerTextAsync());
        console.Checks.AssertClean(refusalsExpected: true);

        var phone = await app.SignedIn(await app.Services.EmailOf(accountId), AccountTestData.Password);
        await phone.Page.GotoAsync("/messages");
        Assert.Contains(instance.Id, await phone.Page.Locator("[data-message-id]").First.InnerTextAsync(), StringComparison.Ordinal);
        phone.AssertClean();
    }

    [Fact]
    public async Task Finance_sets_a_credit_line_that_the_customer_can_spend_and_bad_amounts_change_nothing()
    {
        var accountId = await app.Services.Customer("30.00");
        var console = await app.SignedInStaff(app.Finance);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal("0.00", await console.Page.Locator("#credit-amount").InputValueAsync());

        await console.Page.Locator("#credit-amount").FillAsync("-5.00");
        var refused = await console.Post("credit-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal(
            ["Enter an amount in CNY from 0.00 to 10000000.00, with at most two decimals.", "Say why: the reason goes into the audit log."],
            await console.Page.Locator(".field-error").AllInnerTextsAsync());

        await console.Page.Locator("#credit-amount").FillAsync("500.00");
        await console.Page.Locator("#credit-reason").FillAsync("Enterprise contract 2027-001 signed");
        await console.Submit("credit-submit", accountId, "credit-line");
        Assert.Equal("The credit line is set.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        Assert.Equal("¥500.00", await console.Page.GetByTestId("credit-line").InnerTextAsync());
        Assert.Equal("¥530.00", await console.Page.GetByTestId("available-credit").InnerTextAsync());
        var set = await Single(accountId, AuditEventKind.CreditLineSet);
        AssertByStaff(set, "Enterprise contract 2027-001 signed", app.Finance.Email);
        Assert.Equal("credit line 0.00 CNY -> 500.00 CNY", set.Detail);

        // The same value again: a conflict with the reason, no second audit row.
        await console.Page.Locator("#credit-reason").FillAsync("again");
        refused = await console.Post("credit-submit");
        Assert.Equal(409, refused.Status);
        Assert.Equal("The credit line is 500.00 CNY already.", await console.Page.GetByTestId("action-error").InnerTextAsync());
        Assert.Single(await Audit(accountId, AuditEventKind.CreditLineSet));
        console.Checks.AssertClean(refusalsExpected: true);

        // The customer reads it as Available Credit.
        var phone = await app.SignedIn(await app.Services.EmailOf(accountId), AccountTestData.Password);
        Assert.Equal("¥530.00", await phone.AvailableCredit());
    }

    [Fact]
    public async Task Finance_issues_a_coupon_to_a_list_all_or_none_and_revokes_one_the_customers_see_both()
    {
        var first = await app.Services.Customer("0.00");
        var second = await app.Services.Customer("0.00");
        var secondEmail = await app.Services.EmailOf(second);
        var console = await app.SignedInStaff(app.Finance);
        await console.Page.GotoAsync($"/operator/customers/{first}");
        await console.Page.GetByTestId("issue-coupon").ClickAsync();
        await console.Page.WaitForURLAsync($"**/operator/coupons?to={first}", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal(first.ToString(System.Globalization.CultureInfo.InvariantCulture), await console.Page.Locator("#grant-customers").InputValueAsync());

        // One line names nobody: nothing is issued, and the line is named.
        await console.Page.Locator("#grant-customers").FillAsync($"{first}\nnobody@example.com\n{secondEmail}");
        await console.Page.Locator("#grant-name").FillAsync("Outage apology");
        await console.Page.Locator("#grant-amount").FillAsync("20.00");
        await console.Page.Locator("#grant-reason").FillAsync("Apology for the 2026-11-25 outage, ticket 7002");
        var refused = await console.Page.RunAndWaitForResponseAsync(() => console.Page.GetByTestId("grant-submit").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        Assert.Equal(["Line 2 (nobody@example.com): no customer has this email."], await console.Page.Locator("[data-testid=line-errors] li").AllInnerTextsAsync());
        Assert.Equal(0, await app.Services.Query(db => db.Coupons.CountAsync(c => c.AccountId == first || c.AccountId == second)));

        await console.Page.Locator("#grant-customers").FillAsync($"{first}\n{secondEmail}");
        await console.Page.GetByTestId("grant-submit").ClickAsync();
        await console.Page.WaitForURLAsync("**/operator/coupons?issued=2", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal("2 coupon(s) issued.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        var issued = await app.Services.Query(db => db.AuditEvents.Where(a => (a.AccountId == first || a.AccountId == second) && a.Kind == AuditEventKind.CouponIssued).ToListAsync());
        Assert.Equal(2, issued.Count);
        Assert.All(issued, a => AssertByStaff(a, "Apology for the 2026-11-25 outage, ticket 7002", app.Finance.Email));

        var phone = await app.SignedIn(secondEmail, AccountTestData.Password);
        await phone.Page.GotoAsync("/costs/vouchers");
        Assert.Contains("Outage apology", await phone.Page.GetByTestId("vouchers").InnerTextAsync(), StringComparison.Ordinal);

        // Revoked on the customer's page: expired for the customer at once.
        await console.Page.GotoAsync($"/operator/customers/{second}");
        await console.Page.Locator("#revoke-reason").FillAsync("Customer closed the ticket");
        await console.Submit("revoke-submit", second, "revoked");
        Assert.Equal("Revoked", await console.Page.GetByTestId("coupon-state").InnerTextAsync());
        AssertByStaff(await Single(second, AuditEventKind.CouponRevoked), "Customer closed the ticket", app.Finance.Email);
        await phone.Page.GotoAsync("/costs/vouchers?state=Expired");
        Assert.Contains("Outage apology", await phone.Page.GetByTestId("vouchers").InnerTextAsync(), StringComparison.Ordinal);
        console.Checks.AssertClean(refusalsExpected: true);
        phone.AssertClean();

        // Support is not offered coupons, and the page itself sends them to "denied".
        var support = await app.SignedInStaff(app.Support);
        await support.Page.GotoAsync("/operator/coupons");
        Assert.EndsWith("/operator/denied", new Uri(support.Page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_asks_the_gateway_about_a_payment_and_reads_its_own_signed_answer()
    {
        var accountId = await app.Services.Customer("0.00");
        var phone = await app.SignedIn(await app.Services.EmailOf(accountId), AccountTestData.Password);
        await phone.Page.GotoAsync("/topup");
        await phone.Page.GetByLabel("Or another amount").FillAsync("88.00");
        await phone.Page.GetByRole(AriaRole.Radio, new() { Name = "Alipay" }).CheckAsync();
        await phone.Page.GetByRole(AriaRole.Button, new() { Name = "Confirm Top-up" }).ClickAsync();
        await phone.Page.WaitForCashier("alipay");
        await phone.Page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await phone.Page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await phone.Page.WaitForPaymentPage();
        var paid = await app.Services.Query(db => db.GatewayPayments.AsNoTracking().SingleAsync(p => p.AccountId == accountId));
        // A payment the gateway never saw (a record that went wrong): the gateway says so.
        var unknown = await app.Services.Query(async db =>
        {
            var payment = new GatewayPayment
            {
                AccountId = accountId,
                Gateway = PaymentGateway.UnionPay,
                Purpose = GatewayPaymentPurpose.TopUp,
                OutTradeNo = "T" + Guid.NewGuid().ToString("N")[..20],
                ClientToken = Guid.NewGuid().ToString("N"),
                Amount = Money.Parse("10.00"),
                State = GatewayPaymentState.Pending,
                CreatedAt = app.Services.Clock.GetUtcNow(),
                TxnTime = app.Services.Clock.GetUtcNow(),
                PayBy = app.Services.Clock.GetUtcNow().AddMinutes(30),
            };
            db.GatewayPayments.Add(payment);
            await db.SaveChangesAsync();
            return payment;
        });

        var console = await app.SignedInStaff(app.Viewer);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        await console.Page.Locator("[data-testid=payment-row]").Filter(new() { HasText = paid.OutTradeNo }).GetByTestId("ask-gateway").ClickAsync();
        await console.Page.WaitForURLAsync(url => url.Contains("query=" + paid.OutTradeNo, StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        var answer = await console.Page.GetByTestId("gateway-answer").InnerTextAsync();
        Assert.Contains($"Alipay says about {paid.OutTradeNo}:", answer, StringComparison.Ordinal);
        Assert.Contains($"Paid at the gateway · ¥88.00 · {paid.GatewayTradeNo}", answer, StringComparison.Ordinal);
        Assert.Contains("Ours now: Credited", answer, StringComparison.Ordinal);

        await console.Page.GotoAsync($"/operator/customers/{accountId}?query={unknown.OutTradeNo}");
        answer = await console.Page.GetByTestId("gateway-answer").InnerTextAsync();
        Assert.Contains("Not paid at the gateway", answer, StringComparison.Ordinal);
        Assert.Contains("no such transaction at UnionPay yet", answer, StringComparison.Ordinal);
        Assert.Contains("Ours now: Pending", answer, StringComparison.Ordinal);

        var looks = await app.Services.Query(db => db.AuditEvents.Where(a => a.AccountId == accountId && a.Kind == AuditEventKind.GatewayQueried).OrderBy(a => a.Id).ToListAsync());
        Assert.Equal([$"Alipay {paid.OutTradeNo}: Paid, TradeSuccess, 88.00 CNY", $"UnionPay {unknown.OutTradeNo}: NotPaid, no such transaction at UnionPay yet"], looks.Select(a => a.Detail));
        Assert.All(looks, a => Assert.Equal(app.Viewer.Email, a.ActorId));

        // Another customer's trade number through this customer's page: not found, nothing asked.
        var other = await console.Page.GotoAsync($"/operator/customers/{accountId + 100000}?query={paid.OutTradeNo}");
        Assert.Equal(400, other!.Status);
        console.Checks.AssertClean(refusalsExpected: true);
        phone.AssertClean();
    }

    [Fact]
    public async Task A_viewer_sees_no_action_and_support_sees_none_of_finances()
    {
        var (accountId, _, _, _) = await CustomerWithSomethingOfEach();
        string[] support = ["lock-submit", "method-submit", "extend-submit", "key-submit", "resend-submit", "answer-submit"];
        string[] finance = ["adjust-submit", "credit-submit", "issue-coupon"];

        var viewer = await app.SignedInStaff(app.Viewer);
        await viewer.Page.GotoAsync($"/operator/customers/{accountId}");
        foreach (var form in support.Concat(finance))
            Assert.True(await viewer.Page.GetByTestId(form).CountAsync() == 0, $"A viewer sees {form}.");

        var supportConsole = await app.SignedInStaff(app.Support);
        await supportConsole.Page.GotoAsync($"/operator/customers/{accountId}");
        foreach (var form in support)
            Assert.True(await supportConsole.Page.GetByTestId(form).CountAsync() == 1, $"Support does not see {form}.");
        foreach (var form in finance)
            Assert.True(await supportConsole.Page.GetByTestId(form).CountAsync() == 0, $"Support sees {form}.");
    }

    /// <summary>A customer with a subscription instance, an AccessKey, a message whose email failed and a suggestion.</summary>
    private async Task<(long AccountId, string Instance, long Message, long Suggestion)> CustomerWithSomethingOfEach()
    {
        var accountId = await app.Services.Customer("30.00");
        var instance = await app.Services.Instance(accountId, app.Services.Clock.GetUtcNow().AddDays(40));
        var suggestion = await app.Services.Run<SuggestionService, Result<Suggestion>>((s, ct) =>
            s.Submit(accountId, "Container Registry", "Please let me renew ACR instances in the app.", ClientToken.New(), ct));
        await using var scope = app.Services.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Core.Persistence.CloudbillDbContext>();
        var message = scope.ServiceProvider.GetRequiredService<Notifier>()
            .Add(accountId, $"test:{Guid.NewGuid():N}", new TopUpCredited("T2026120700001", "Alipay", Money.Parse("30.00"), Money.Zero, Money.Zero, []));
        message.Email = EmailState.Failed;
        message.EmailAttempts = 5;
        await db.SaveChangesAsync();
        return (accountId, instance.Id, message.Id, suggestion.Value.Id);
    }

    private void AssertByStaff(AuditEvent row, string reason, string? staff = null)
    {
        Assert.Equal(AuditActor.Staff, row.Actor);
        Assert.Equal(staff ?? app.Support.Email, row.ActorId);
        Assert.Equal(reason, row.Reason);
        Assert.False(string.IsNullOrEmpty(row.RequestId));
    }

    private Task<Instance> InstanceRow(string id) => app.Services.Query(db => db.Instances.AsNoTracking().SingleAsync(i => i.Id == id));

    private async Task<AuditEvent> Single(long accountId, AuditEventKind kind) => Assert.Single(await Audit(accountId, kind));

    private Task<List<AuditEvent>> Audit(long accountId, AuditEventKind kind) =>
        app.Services.Query(db => db.AuditEvents.Where(a => a.AccountId == accountId && a.Kind == kind).ToListAsync());
}
