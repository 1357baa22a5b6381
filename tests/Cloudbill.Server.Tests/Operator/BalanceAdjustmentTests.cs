using Cloudbill.Core;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Ledger;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>
/// Finance's first money action: an adjustment of a customer's cash, a new ledger transaction with
/// the staff member and the reason in the audit log, once however often the form is sent, never
/// below zero cash, and reconcile clean after it. Support and viewers are not offered it.
/// </summary>
public sealed class BalanceAdjustmentTests(OperatorFixture app) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task Finance_adjusts_a_customers_cash_once_with_a_reason_and_the_customer_sees_it()
    {
        var accountId = await app.Services.Customer("30.00");
        var email = await app.Services.EmailOf(accountId);
        var console = await app.SignedInStaff(app.Finance);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");

        // Bad input: an amount that is not one, no reason; refused beside the fields, nothing posted.
        await console.Page.GetByLabel("Amount (CNY), e.g. 50.00 or -20.00").FillAsync("12.345");
        var refused = await console.Post("adjust-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal(
            ["Enter a non-zero amount in CNY with at most two decimals, e.g. 50.00 or -20.00.", "Say why: the reason goes into the audit log."],
            await console.Page.Locator(".field-error").AllInnerTextsAsync());
        Assert.Equal(0, await Adjustments(accountId));

        // More than the cash: refused with the reason, nothing posted.
        await console.Page.GetByLabel("Amount (CNY), e.g. 50.00 or -20.00").FillAsync("-30.01");
        await console.Page.Locator("#adjust-reason").FillAsync("Correction");
        var tooMuch = await console.Post("adjust-submit");
        Assert.Equal(409, tooMuch.Status);
        Assert.Equal("The cash balance is ¥30.00; a deduction takes at most that.", await console.Page.GetByTestId("action-error").InnerTextAsync());
        Assert.Equal(0, await Adjustments(accountId));

        // The form sent twice with its one token (a double click, a resend): one transaction.
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        await console.Page.GetByLabel("Amount (CNY), e.g. 50.00 or -20.00").FillAsync("50.00");
        await console.Page.Locator("#adjust-reason").FillAsync("Goodwill credit after the 2026-12-01 outage, ticket 5120");
        var form = await console.Page.EvaluateAsync<Dictionary<string, string>>(
            "() => Object.fromEntries(new FormData(document.querySelector('form:has([data-testid=adjust-submit])')))");
        await console.Page.GetByTestId("adjust-submit").ClickAsync();
        await console.Page.WaitForURLAsync($"**/operator/customers/{accountId}?done=adjusted", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal("The balance is adjusted: a new transaction is on the ledger statement.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        var again = await console.Page.APIRequest.PostAsync($"/operator/customers/{accountId}", new() { Form = FormOf(console.Page.APIRequest, form), MaxRedirects = 0 });
        Assert.Equal(302, again.Status);
        Assert.Equal(1, await Adjustments(accountId));

        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal("¥80.00", await console.Page.GetByTestId("cash").InnerTextAsync());
        var statement = await console.Page.GetByTestId("statement").InnerTextAsync();
        Assert.Contains("Balance adjustment by the provider", statement, StringComparison.Ordinal);
        // Staff's reason is for the audit log, not for the customer's statement.
        Assert.DoesNotContain("ticket 5120", statement, StringComparison.Ordinal);

        var adjusted = Assert.Single(await app.Services.Query(db => db.AuditEvents.Where(a => a.AccountId == accountId && a.Kind == AuditEventKind.BalanceAdjusted).ToListAsync()));
        Assert.Equal(AuditActor.Staff, adjusted.Actor);
        Assert.Equal(app.Finance.Email, adjusted.ActorId);
        Assert.StartsWith("+50.00 CNY (adjustment:", adjusted.Detail, StringComparison.Ordinal);
        Assert.Equal("Goodwill credit after the 2026-12-01 outage, ticket 5120", adjusted.Reason);
        Assert.False(string.IsNullOrEmpty(adjusted.RequestId));

        var report = await app.Services.Run<Reconciliation, ReconciliationReport>((r, ct) => r.Run(ct));
        Assert.True(report.IsClean, string.Join("; ", report.Mismatches));

        var phone = await app.SignedIn(email, AccountTestData.Password);
        Assert.Equal("¥80.00", await phone.AvailableCredit());
        await phone.Page.GotoAsync("/costs/transactions");
        Assert.Equal(["Balance adjustment", "Opening balance"], await phone.Page.GetByTestId("description").AllInnerTextsAsync());
        console.Checks.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task Support_and_viewers_are_not_offered_the_adjustment_and_a_forged_post_changes_nothing()
    {
        var accountId = await app.Services.Customer("30.00");
        async Task<int> Post(Core.Operators.NewStaff staff)
        {
            var console = await app.SignedInStaff(staff);
            await console.Page.GotoAsync($"/operator/customers/{accountId}");
            var token = await console.Page.Locator(".console-signout input[name=__RequestVerificationToken]").InputValueAsync();
            var answer = await console.Page.APIRequest.PostAsync($"/operator/customers/{accountId}", new()
            {
                Form = FormOf(console.Page.APIRequest, new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["_handler"] = "adjust",
                    ["AdjustForm.Token"] = Guid.NewGuid().ToString("N"),
                    ["AdjustForm.Amount"] = "1000.00",
                    ["AdjustForm.Reason"] = "posted by hand",
                }),
                MaxRedirects = 0,
            });
            return answer.Status;
        }
        foreach (var staff in new[] { app.Support, app.Viewer })
        {
            var console = await app.SignedInStaff(staff);
            await console.Page.GotoAsync($"/operator/customers/{accountId}");
            Assert.Equal(0, await console.Page.GetByTestId("adjust-submit").CountAsync());
            // The page shows them no "adjust" form, so the framework refuses the post before any page code runs.
            Assert.Equal(303, await Post(staff));
        }
        Assert.Equal(0, await Adjustments(accountId));
        Assert.Equal(Money.Parse("30.00"), (await app.Services.Balance(accountId)).Cash);

        // The same post by finance is a real adjustment: the refusals above were the role's.
        Assert.Equal(302, await Post(app.Finance));
        Assert.Equal(1, await Adjustments(accountId));
        Assert.Equal(Money.Parse("1030.00"), (await app.Services.Balance(accountId)).Cash);
    }

    private static IFormData FormOf(IAPIRequestContext api, IReadOnlyDictionary<string, string> fields)
    {
        var data = api.CreateFormData();
        foreach (var (name, value) in fields)
            data.Set(name, value);
        return data;
    }

    private Task<int> Adjustments(long accountId) =>
        app.Services.Query(db => db.JournalTransactions.CountAsync(t => t.BusinessKey.StartsWith($"adjustment:{accountId}:")));
}
