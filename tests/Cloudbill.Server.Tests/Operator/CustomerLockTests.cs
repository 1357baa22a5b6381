using Cloudbill.Core.Accounts;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Operators;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>
/// The first action of the console: support locks a customer out (a compromised account) with a
/// reason, the customer's open session ends and the sign-in says why, and unlocking lets them back
/// in. A viewer sees no such form and a post of it changes nothing.
/// </summary>
public sealed class CustomerLockTests(OperatorFixture app) : IClassFixture<OperatorFixture>
{
    private const string Reason = "Card fraud reported, ticket 4711";

    [Fact]
    public async Task Support_locks_a_customer_with_a_reason_the_session_ends_and_unlocking_lets_them_back_in()
    {
        var accountId = await app.Services.Customer("10.00");
        var email = await app.Services.EmailOf(accountId);
        var phone = await app.SignedIn(email, AccountTestData.Password);

        var console = await app.SignedInStaff(app.Support);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal("Open", await console.Page.GetByTestId("sign-in-state").InnerTextAsync());

        // No reason: refused beside the field, nothing changed.
        var refused = await console.Post("lock-submit");
        Assert.Equal(400, refused.Status);
        Assert.Equal("Say why: the reason goes into the audit log.", await console.Page.Locator(".field-error").InnerTextAsync());
        Assert.Null(await LockoutEnd(accountId));

        await console.Page.Locator("#lock-reason").FillAsync(Reason);
        await console.Page.GetByTestId("lock-submit").ClickAsync();
        await console.Page.WaitForURLAsync($"**/operator/customers/{accountId}?done=locked", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal("The customer is locked: they cannot sign in, and their sessions have ended.", await console.Page.GetByTestId("action-done").InnerTextAsync());
        Assert.Equal("Locked by staff", await console.Page.GetByTestId("sign-in-state").InnerTextAsync());
        Assert.True(CustomerLocks.IsLockedByStaff(await LockoutEnd(accountId)));

        var locked = Assert.Single(await Audit(accountId, AuditEventKind.CustomerLocked));
        Assert.Equal(AuditActor.Staff, locked.Actor);
        Assert.Equal(app.Support.Email, locked.ActorId);
        Assert.Equal(Reason, locked.Reason);
        Assert.False(string.IsNullOrEmpty(locked.RequestId));

        // The customer's open session ends at its next request, and the sign-in says why, to the owner only.
        await phone.Page.GotoAsync("/my");
        Assert.Equal("/signin", new Uri(phone.Page.Url).AbsolutePath);
        await phone.Page.Locator("#email").FillAsync(email);
        await phone.Page.Locator("#password").FillAsync("Wrong-password-1");
        await phone.Page.GetByTestId("signin-submit").ClickAsync();
        Assert.Equal("This account is locked after too many failed sign-ins. Try again in a few minutes.", await phone.Page.GetByTestId("signin-error").InnerTextAsync());
        await phone.Page.Locator("#email").FillAsync(email);
        await phone.Page.Locator("#password").FillAsync(AccountTestData.Password);
        await phone.Page.GetByTestId("signin-submit").ClickAsync();
        Assert.Equal("This account is locked by the provider. Contact the provider's support.", await phone.Page.GetByTestId("signin-error").InnerTextAsync());

        // A stale page that still offers Lock: the second lock is refused, nothing is written.
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        await console.Page.EvaluateAsync("() => document.querySelector('input[name=\"LockForm.Lock\"]').value = 'true'");
        await console.Page.Locator("#lock-reason").FillAsync("again");
        var twice = await console.Post("lock-submit");
        Assert.Equal(409, twice.Status);
        Assert.Equal("The customer is already locked.", await console.Page.GetByTestId("action-error").InnerTextAsync());
        Assert.Single(await Audit(accountId, AuditEventKind.CustomerLocked));

        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        await console.Page.Locator("#lock-reason").FillAsync("Customer verified by phone, ticket 4711");
        await console.Page.GetByTestId("lock-submit").ClickAsync();
        await console.Page.WaitForURLAsync($"**/operator/customers/{accountId}?done=unlocked", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal("Open", await console.Page.GetByTestId("sign-in-state").InnerTextAsync());
        Assert.Null(await LockoutEnd(accountId));
        Assert.Single(await Audit(accountId, AuditEventKind.CustomerUnlocked));

        await phone.SignIn(email, AccountTestData.Password);
        Assert.Equal("/", new Uri(phone.Page.Url).AbsolutePath);
        phone.AssertClean(refusalsExpected: true);
        console.Checks.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_viewer_sees_no_lock_and_a_forged_lock_post_changes_nothing()
    {
        var accountId = await app.Services.Customer("10.00");
        var console = await app.SignedInStaff(app.Viewer);
        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal(0, await console.Page.GetByTestId("lock-submit").CountAsync());

        // The form a support member would see, posted with the viewer's own antiforgery token (from the sign-out form).
        var answer = await console.Page.RunAndWaitForResponseAsync(() => console.Page.EvaluateAsync(@"() => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = location.pathname;
            const add = (name, value) => { const input = document.createElement('input'); input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input); };
            add('__RequestVerificationToken', document.querySelector('.console-signout input[name=__RequestVerificationToken]').value);
            add('_handler', 'lock');
            add('LockForm.Lock', 'true');
            add('LockForm.Reason', 'a viewer tries');
            document.body.appendChild(form);
            form.submit();
        }"), ConsolePage.IsCustomerPost);
        // The page shows a viewer no "lock" form, so the framework refuses the post before any page
        // code runs, and the viewer is sent back to the page as it is (FormRefusals: 303 See Other).
        Assert.Equal(303, answer.Status);
        await console.Page.WaitForURLAsync($"**/operator/customers/{accountId}", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal("Open", await console.Page.GetByTestId("sign-in-state").InnerTextAsync());
        Assert.Null(await LockoutEnd(accountId));
        Assert.Empty(await Audit(accountId, AuditEventKind.CustomerLocked));
        console.Checks.AssertClean(refusalsExpected: true);
    }

    private Task<DateTimeOffset?> LockoutEnd(long accountId) =>
        app.Services.Query(db => db.Set<CloudbillUser>().Where(u => u.BillingAccountId == accountId).Select(u => u.LockoutEnd).SingleAsync());

    private Task<List<AuditEvent>> Audit(long accountId, AuditEventKind kind) =>
        app.Services.Query(db => db.AuditEvents.Where(a => a.AccountId == accountId && a.Kind == kind).ToListAsync());
}
