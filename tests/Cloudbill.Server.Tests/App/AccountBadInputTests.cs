using Cloudbill.Core.Notifications;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// Bad input on every form of the account pages (empty, too long, mismatched, another
/// customer's ids in hidden fields and addresses, double taps): a clear message in the page, a
/// 4xx, and nothing changed (the money snapshot plus keys, read marks, suggestions and passwords).
/// </summary>
public class AccountBadInputTests(AppFixture app) : IClassFixture<AppFixture>
{
    private async Task<(long Account, string Email)> NewCustomer()
    {
        var account = await app.Services.Customer("100.00");
        return (account, await app.Services.EmailOf(account));
    }

    [Fact]
    public async Task The_Message_Center_refuses_another_customers_message_and_bad_pages()
    {
        var (mine, email) = await NewCustomer();
        var (other, _) = await NewCustomer();
        await app.Services.Message(mine, NotificationKind.TopUpCredited, "Top-up of 10.00 credited", DateTimeOffset.UtcNow.AddMinutes(-1));
        var foreign = await app.Services.Message(other, NotificationKind.TopUpCredited, "Not yours", DateTimeOffset.UtcNow.AddMinutes(-1));
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        var snapshot = await app.Services.AccountSnapshot();

        await page.GotoAsync("/messages");
        var button = page.GetByTestId("mark-read");
        await button.EvaluateAsync("(b, id) => b.value = id", foreign.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var answer = await page.RunAndWaitForResponseAsync(() => button.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, answer.Status);
        await page.GetByTestId("messages-error").WaitForAsync();
        Assert.Equal($"Message {foreign.Id} was not found in your Message Center.", (await phone.Text("messages-error")).Trim());
        await button.EvaluateAsync("b => b.value = 'x1'");
        await button.ClickAsync();
        await page.GetByText("'x1' is not a message").WaitForAsync();

        var bad = await page.GotoAsync("/messages?page=abc");
        Assert.Equal(400, bad!.Status);
        Assert.Equal("Page 'abc' is not a page number; pages start at 1.", (await phone.Text("messages-error")).Trim());
        var zero = await page.GotoAsync("/messages?page=0");
        Assert.Equal(400, zero!.Status);
        Assert.Equal("Page 0 does not exist; pages start at 1.", (await phone.Text("messages-error")).Trim());
        var statement = await page.GotoAsync("/costs/transactions?page=-1");
        Assert.Equal(400, statement!.Status);
        Assert.Equal("Page '-1' does not exist; pages start at 1.", (await phone.Text("transactions-error")).Trim());

        Assert.Equal(snapshot, await app.Services.AccountSnapshot());
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task The_suggestion_form_says_what_is_missing_or_too_long_and_a_double_tap_stores_one()
    {
        var (mine, email) = await NewCustomer();
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        var snapshot = await app.Services.AccountSnapshot();

        await page.GotoAsync("/service-center/suggestions");
        var answer = await page.RunAndWaitForResponseAsync(() => page.GetByTestId("suggestion-submit").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, answer.Status);
        await page.GetByText("Write your suggestion.").WaitForAsync();
        Assert.Equal(["Name the product you would like to renew or buy in the app.", "Write your suggestion."], await page.Locator(".field-error").AllInnerTextsAsync());

        await page.GotoAsync("/service-center/suggestions");
        await page.Locator("#product").EvaluateAsync("input => input.removeAttribute('maxlength')");
        await page.Locator("#suggestion-text").EvaluateAsync("input => input.removeAttribute('maxlength')");
        await page.Locator("#product").FillAsync(new string('p', 101));
        await page.Locator("#suggestion-text").FillAsync(new string('t', 1001));
        await page.GetByTestId("suggestion-submit").ClickAsync();
        await page.GetByText("The suggestion is 1001 characters long; keep it to 1000.").WaitForAsync();
        Assert.Equal(["The product name is 101 characters long; keep it to 100.", "The suggestion is 1001 characters long; keep it to 1000."], await page.Locator(".field-error").AllInnerTextsAsync());

        // A tampered client token.
        await page.GotoAsync("/service-center/suggestions");
        await page.Locator("input[name='Input.ClientToken']").EvaluateAsync("input => input.value = 'bad token!'");
        await page.Locator("#product").FillAsync("OSS");
        await page.Locator("#suggestion-text").FillAsync("Renew storage packages.");
        await page.GetByTestId("suggestion-submit").ClickAsync();
        await page.GetByTestId("suggestion-error").WaitForAsync();
        Assert.StartsWith("The client token must be", (await phone.Text("suggestion-error")).Trim(), StringComparison.Ordinal);
        Assert.Equal(snapshot, await app.Services.AccountSnapshot());

        // A double tap: one suggestion.
        await page.GotoAsync("/service-center/suggestions");
        await page.Locator("#product").FillAsync("OSS");
        await page.Locator("#suggestion-text").FillAsync("Renew storage packages.");
        await page.GetByTestId("suggestion-submit").DblClickAsync();
        await page.LandsOn(url => url.AbsolutePath == "/service-center/suggestions/thanks", "suggestion-thanks");
        Assert.Equal(1, await app.Services.Query(db => db.Suggestions.CountAsync(s => s.AccountId == mine)));
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task AccessKey_forms_refuse_another_customers_key_and_a_double_tap_creates_one_pair()
    {
        var (mine, email) = await NewCustomer();
        var (other, _) = await NewCustomer();
        var myKey = await app.Services.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == mine).Select(k => k.Id).SingleAsync());
        var foreignKey = await app.Services.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == other).Select(k => k.Id).SingleAsync());
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        var snapshot = await app.Services.AccountSnapshot();

        // The disable button names another customer's key.
        await page.GotoAsync("/accesskeys");
        var disable = page.GetByTestId("disable");
        await disable.EvaluateAsync("(b, id) => b.value = 'disable:' + id", foreignKey);
        var answer = await page.RunAndWaitForResponseAsync(() => disable.ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, answer.Status);
        await page.GetByTestId("accesskey-error").WaitForAsync();
        Assert.Equal($"AccessKey {foreignKey} was not found in your AccessKeys.", (await phone.Text("accesskey-error")).Trim());
        await page.GotoAsync("/accesskeys");
        await page.GetByTestId("disable").EvaluateAsync("b => b.value = 'explode:'");
        await page.GetByTestId("disable").ClickAsync();
        await page.GetByTestId("accesskey-error").WaitForAsync();
        Assert.StartsWith("An AccessKey ID is at most 64 letters and digits", (await phone.Text("accesskey-error")).Trim(), StringComparison.Ordinal);

        // The delete confirmation by address, and its hidden field.
        var confirm = await page.GotoAsync($"/accesskeys/{foreignKey}/delete");
        Assert.Equal(400, confirm!.Status);
        Assert.Equal($"AccessKey {foreignKey} was not found in your AccessKeys.", (await phone.Text("accesskey-error")).Trim());
        Assert.Equal(0, await page.GetByTestId("confirm-delete").CountAsync());
        var tooLong = await page.GotoAsync($"/accesskeys/{new string('A', 65)}/delete");
        Assert.Equal(400, tooLong!.Status);
        await page.GotoAsync($"/accesskeys/{myKey}/delete");
        await page.Locator("#delete-form input[name='Input.Key']").EvaluateAsync("(input, id) => input.value = id", foreignKey);
        await page.GetByTestId("confirm-delete").ClickAsync();
        await page.GetByTestId("accesskey-error").WaitForAsync();
        Assert.Equal($"AccessKey {foreignKey} was not found in your AccessKeys.", (await phone.Text("accesskey-error")).Trim());
        Assert.Equal(snapshot, await app.Services.AccountSnapshot());

        // A double tap on Create: one new pair, and its secret is shown.
        await page.GotoAsync("/accesskeys");
        await page.GetByTestId("create").DblClickAsync();
        await page.GetByTestId("created-secret").WaitForAsync();
        var keys = await app.Services.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == mine).Select(k => k.Id).ToListAsync());
        Assert.Equal(2, keys.Count);
        Assert.Contains((await phone.Text("created-id")).Trim(), keys);
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task The_password_form_says_what_is_wrong_beside_each_field_and_changes_nothing()
    {
        var (_, email) = await NewCustomer();
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        var snapshot = await app.Services.AccountSnapshot();

        async Task Submit(string current, string next, string confirm)
        {
            await page.GotoAsync("/settings");
            await page.Locator("#current-password").EvaluateAsync("input => input.removeAttribute('maxlength')");
            await page.Locator("#new-password").EvaluateAsync("input => input.removeAttribute('maxlength')");
            await page.Locator("#confirm-password").EvaluateAsync("input => input.removeAttribute('maxlength')");
            await page.Locator("#current-password").FillAsync(current);
            await page.Locator("#new-password").FillAsync(next);
            await page.Locator("#confirm-password").FillAsync(confirm);
            var answer = await page.RunAndWaitForResponseAsync(() => page.GetByTestId("password-submit").ClickAsync(), r => r.Request.Method == "POST");
            Assert.Equal(400, answer.Status);
            await page.Locator(".field-error").First.WaitForAsync();
        }

        await Submit("", "", "");
        Assert.Equal(["Enter your current password.", "Choose a new password.", "Enter the new password again."], await page.Locator(".field-error").AllInnerTextsAsync());
        await Submit(AccountTestData.Password, "Changed-2027", "Changed-2028");
        Assert.Equal(["The two passwords differ."], await page.Locator(".field-error").AllInnerTextsAsync());
        await Submit("Wrong-2026", "Changed-2027", "Changed-2027");
        Assert.Equal(["The current password is incorrect."], await page.Locator(".field-error").AllInnerTextsAsync());
        await Submit(AccountTestData.Password, "alllowercase1", "alllowercase1");
        Assert.Equal(["Passwords must have at least one uppercase ('A'-'Z')."], await page.Locator(".field-error").AllInnerTextsAsync());
        await Submit(AccountTestData.Password, new string('A', 120) + "bcdefgh12", new string('A', 120) + "bcdefgh12");
        Assert.Equal(["A password is 8 to 128 characters."], await page.Locator(".field-error").AllInnerTextsAsync());
        Assert.Equal(snapshot, await app.Services.AccountSnapshot());

        // In Chinese, Identity's rule in Chinese.
        await page.Context.AddCookiesAsync([new() { Name = ".Cloudbill.Culture", Value = "c=zh-CN|uic=zh-CN", Url = app.Server.Address.ToString() }]);
        await app.Services.Query(db => db.Users.Where(u => u.Email == email).ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, (string?)null)));
        await Submit(AccountTestData.Password, "alllowercase1", "alllowercase1");
        Assert.Equal(["密码须包含至少一个大写字母（A-Z）。"], await page.Locator(".field-error").AllInnerTextsAsync());
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_double_tap_on_Change_password_changes_it_once_and_says_so()
    {
        var (_, email) = await NewCustomer();
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        await page.GotoAsync("/settings");
        await page.Locator("#current-password").FillAsync(AccountTestData.Password);
        await page.Locator("#new-password").FillAsync("Twice-2027x");
        await page.Locator("#confirm-password").FillAsync("Twice-2027x");
        await page.GetByTestId("password-submit").DblClickAsync();
        await page.LandsOn(url => url.Query == "?password=changed", "password-changed");
        Assert.Equal(0, await page.GetByTestId("password-error").CountAsync());
        var fresh = await app.SignedIn(email, "Twice-2027x");
        fresh.AssertClean();
        phone.AssertClean(refusalsExpected: true);
    }
}
