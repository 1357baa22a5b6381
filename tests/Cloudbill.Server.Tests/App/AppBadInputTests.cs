using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Time;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Cloudbill.Server.Tests.App.AppAssert;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// Bad input in every form of the renewal pages and the account pages: a clear message in the
/// page, and nothing changed in the database (every money, order, coupon and instance row compared).
/// </summary>
public class AppBadInputTests(AppFixture app) : IClassFixture<AppFixture>
{
    private async Task<(long Account, string Email, string InstanceId, long OrderId)> OtherCustomer()
    {
        var account = await app.Services.Customer("1000.00");
        var instance = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(DateTimeOffset.UtcNow.AddDays(9)), region: "cn-hongkong", name: "not-yours");
        var order = await app.Services.Run<RenewalService, Result<Order>>((s, ct) =>
            s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        return (account, await app.Services.EmailOf(account), instance.Id, order.Value.Id);
    }

    [Fact]
    public async Task The_renewal_pages_refuse_bad_addresses_and_tampered_forms_and_change_nothing()
    {
        var other = await OtherCustomer();
        var mine = await app.Services.InstanceNamed("blog-hk");
        var phone = await app.SignedIn();
        var page = phone.Page;
        var snapshot = await app.Services.Snapshot();

        // Renew Now with nothing selected.
        await page.GotoAsync("/renewals/manage/swas/cn-hongkong?tab=ManualRenewal&expiry=AllTimes");
        await phone.Tap(phone.Button("Renew Now"), path => path.StartsWith("/renew", StringComparison.Ordinal));
        Assert.Equal("Select at least one instance to renew.", (await phone.Text("renew-error")).Trim());

        // Wrong formats and values in the address.
        async Task<string> RenewError(string query)
        {
            var response = await page.GotoAsync("/renew?" + query);
            Assert.InRange(response!.Status, 400, 499);
            return (await phone.Text("renew-error")).Trim();
        }
        Assert.Equal("The renewal duration must be a number of months; 'abc' is not.", await RenewError($"ids={mine.Id}&months=abc"));
        Assert.Contains("14 months is not offered", await RenewError($"ids={mine.Id}&months=14"), StringComparison.Ordinal);
        Assert.Equal("The unified expiration day must be from 1 to 28; 31 is not.", await RenewError($"ids={mine.Id}&day=31"));
        Assert.Equal("The coupon choice 'free' is not a coupon; choose one from View Details.", await RenewError($"ids={mine.Id}&coupon=free"));
        Assert.Equal("An instance id is too long; choose the instances from the list.", await RenewError($"ids={new string('i', 200)}"));
        Assert.Equal($"Instance {other.InstanceId} was not found in your instances.", await RenewError($"ids={other.InstanceId}"));
        var search = await page.GotoAsync($"/renewals/manage/swas/cn-hongkong?tab=ManualRenewal&expiry=AllTimes&q={new string('x', 200)}");
        Assert.Equal(400, search!.Status);
        Assert.Contains("The search text is 200 characters long", await phone.Text("filter-error"), StringComparison.Ordinal);
        var tab = await page.GotoAsync("/renewals/manage/ecs?tab=Sometimes");
        Assert.Equal(400, tab!.Status);
        Assert.Contains("Renewal method 'Sometimes' is unknown", await phone.Text("filter-error"), StringComparison.Ordinal);

        // A tampered hidden field: the Pay Now form names another customer's instance.
        await page.GotoAsync($"/renew?ids={mine.Id}&months=1");
        await page.Locator("#renew-form input[name='Input.Ids']").EvaluateAsync("(input, id) => input.value = id", other.InstanceId);
        await phone.Tap(phone.Button("Pay Now"), path => path.StartsWith("/renew", StringComparison.Ordinal));
        Assert.Equal($"Instance {other.InstanceId} was not found in your instances.", (await phone.Text("renew-error")).Trim());
        await page.GotoAsync($"/renew?ids={mine.Id}&months=1");
        await page.Locator("#renew-form input[name='Input.ClientToken']").EvaluateAsync("input => input.value = 'bad token!'");
        await phone.Tap(phone.Button("Pay Now"), path => path.StartsWith("/renew", StringComparison.Ordinal));
        Assert.StartsWith("The client token must be", (await phone.Text("renew-error")).Trim(), StringComparison.Ordinal);

        // Another customer's order, by address and by a tampered form action.
        var foreign = await page.GotoAsync($"/orders/{other.OrderId}/pay");
        Assert.Equal(400, foreign!.Status);
        Assert.Equal($"Order {other.OrderId} was not found in your orders.", (await phone.Text("pay-error")).Trim());
        var result = await page.GotoAsync($"/orders/{other.OrderId}/result");
        Assert.Equal(400, result!.Status);
        Assert.Equal($"Order {other.OrderId} was not found in your orders.", (await page.Locator("main .alert").InnerTextAsync()).Trim());

        // The renewal method form naming another customer's instance.
        await page.GotoAsync($"/renewal-method?ids={mine.Id}");
        await page.Locator("#method-form input[name='Input.Ids']").EvaluateAsync("(input, id) => input.value = id", other.InstanceId);
        await page.GetByRole(AriaRole.Radio, new() { Name = "Expire Without Renewal" }).CheckAsync();
        await phone.Tap(page.GetByTestId("save-method"), path => path.StartsWith("/renewal-method", StringComparison.Ordinal));
        Assert.Equal($"Instance {other.InstanceId} was not found in your instances.", (await phone.Text("method-error")).Trim());
        await page.GotoAsync($"/renewal-method?ids={other.InstanceId}");
        Assert.Contains("was not found in your account", await phone.Text("method-error"), StringComparison.Ordinal);
        await page.GotoAsync($"/renewal-method?ids={mine.Id}");
        await page.Locator("#method-form input[name='Input.Method'][value=AutoRenewal]").EvaluateAsync("input => input.value = 'Forever'");
        await page.Locator("#method-form input[name='Input.Method'][value=Forever]").CheckAsync();
        await phone.Tap(page.GetByTestId("save-method"), path => path.StartsWith("/renewal-method", StringComparison.Ordinal));
        Assert.Contains("Renewal method 'Forever' is unknown", await phone.Text("method-error"), StringComparison.Ordinal);

        Assert.Equal(snapshot, await app.Services.Snapshot());
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_double_tap_on_Pay_Now_places_one_order_and_pays_it_once()
    {
        var instance = await app.Services.InstanceNamed("lb-hk");
        var account = instance.AccountId;
        var before = (await app.Services.Balance(account)).AvailableCredit;
        var phone = await app.SignedIn();
        var page = phone.Page;
        await page.GotoAsync($"/renew?ids={instance.Id}&months=1");
        var payable = Yuan(await phone.Text("payable"));
        // Pay Now places and pays from the balance in one step: both taps carry the page's one client token (R5.4).
        await page.GetByTestId("pay-now").DblClickAsync();
        await page.LandsOn(url => url.AbsolutePath.EndsWith("/result", StringComparison.Ordinal), "paid-amount");

        var orders = await app.Services.Query(db => db.Orders.AsNoTracking().Where(o => o.Lines.Any(l => l.InstanceId == instance.Id)).ToListAsync());
        Assert.Equal(OrderStatus.Paid, Assert.Single(orders).Status);
        Assert.Equal(BusinessCalendar.AddMonths(instance.ExpiresAt!.Value, 1), (await app.Services.Reload(instance.Id)).ExpiresAt);
        Assert.Equal(before - payable, (await app.Services.Balance(account)).AvailableCredit);
        phone.AssertClean();
    }

    [Fact]
    public async Task Sign_up_and_sign_in_forms_say_what_is_wrong_beside_each_field()
    {
        var users = await app.Services.Query(db => db.Users.CountAsync());
        var phone = await app.Open();
        var page = phone.Page;
        await page.GotoAsync("/signup");
        await page.GetByTestId("signup-submit").ClickAsync();
        await page.GetByText("Enter your email.").WaitForAsync();
        Assert.Equal(["Enter your email.", "Choose a password.", "Enter the password again."], await page.Locator(".field-error").AllInnerTextsAsync());

        await page.GotoAsync("/signup");
        await page.Locator("#email").FillAsync("not an email");
        await page.Locator("#password").FillAsync("short");
        await page.Locator("#confirm").FillAsync("other");
        await page.GetByTestId("signup-submit").ClickAsync();
        await page.GetByText("Enter a valid email address.").WaitForAsync();
        Assert.Equal(["Enter a valid email address.", "A password is 8 to 128 characters.", "The two passwords differ."], await page.Locator(".field-error").AllInnerTextsAsync());

        await page.GotoAsync("/signup");
        await page.Locator("#email").EvaluateAsync("input => input.removeAttribute('maxlength')");
        await page.Locator("#email").FillAsync(new string('a', 250) + "@example.com");
        await page.Locator("#password").FillAsync("alllowercase1");
        await page.Locator("#confirm").FillAsync("alllowercase1");
        await page.GetByTestId("signup-submit").ClickAsync();
        await page.GetByText("An email address is at most 256 characters.").WaitForAsync();

        // Identity's password rules, and an email that is taken.
        await page.GotoAsync("/signup");
        await page.Locator("#email").FillAsync("weak@example.com");
        await page.Locator("#password").FillAsync("alllowercase1");
        await page.Locator("#confirm").FillAsync("alllowercase1");
        await page.GetByTestId("signup-submit").ClickAsync();
        Assert.StartsWith("The password was refused: Passwords must have at least one uppercase", (await phone.Text("signup-error")).Trim(), StringComparison.Ordinal);
        await page.GotoAsync("/signup");
        await page.Locator("#email").FillAsync(AppFixture.DemoEmail);
        await page.Locator("#password").FillAsync("Another-2026");
        await page.Locator("#confirm").FillAsync("Another-2026");
        await page.GetByTestId("signup-submit").ClickAsync();
        Assert.Equal($"An account with the email {AppFixture.DemoEmail} already exists; sign in or use another email.", (await phone.Text("signup-error")).Trim());
        Assert.Equal(users, await app.Services.Query(db => db.Users.CountAsync()));

        await page.GotoAsync("/signin");
        await page.GetByTestId("signin-submit").ClickAsync();
        await page.GetByText("Enter your email.").WaitForAsync();
        Assert.Equal(["Enter your email.", "Enter your password."], await page.Locator(".field-error").AllInnerTextsAsync());
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_new_customer_signs_up_with_a_zero_balance_and_lands_on_the_console()
    {
        var phone = await app.Open();
        var page = phone.Page;
        await page.GotoAsync("/signin");
        await phone.Tap(phone.Link("Sign up"), path => path == "/signup");
        await page.Locator("#email").FillAsync("new-customer@example.com");
        await page.Locator("#password").FillAsync("Welcome-2026");
        await page.Locator("#confirm").FillAsync("Welcome-2026");
        await page.GetByTestId("signup-submit").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Equal("0", await phone.Text("urgent-count"));
        Assert.Equal("¥0.00", await phone.AvailableCredit());
        var account = await app.Services.Query(db => db.BillingAccounts.AsNoTracking().SingleAsync(a => a.Email == "new-customer@example.com"));
        Assert.Equal(Core.Money.Zero, (await app.Services.Balance(account.Id)).Cash);
        phone.AssertClean();
    }

    [Fact]
    public async Task An_overdue_account_sees_the_banner_everywhere_and_every_paid_action_says_to_top_up_first()
    {
        var account = await app.Services.Customer("0.00");
        var instance = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(DateTimeOffset.UtcNow.AddDays(5)), region: "cn-hongkong", name: "owing-hk");
        await app.Services.MakeOverdue(account, "12.34");
        var phone = await app.SignedIn(await app.Services.EmailOf(account), "Secret-2026");
        var page = phone.Page;
        foreach (var path in new[] { "/", "/renewals/urgent", "/instances", "/my", "/discover", $"/renew?ids={instance.Id}" })
        {
            await page.GotoAsync(path);
            Assert.Contains("overdue payment of ¥12.34", await phone.Text("overdue-banner"), StringComparison.Ordinal);
        }
        var snapshot = await app.Services.Snapshot();
        await page.GotoAsync($"/renew?ids={instance.Id}&months=1");
        await phone.Tap(phone.Button("Pay Now"), path => path.StartsWith("/renew", StringComparison.Ordinal));
        Assert.Contains("Top up first", await phone.Text("renew-error"), StringComparison.Ordinal);
        await page.GotoAsync($"/renewal-method?ids={instance.Id}");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Auto-Renewal" }).CheckAsync();
        await phone.Tap(page.GetByTestId("save-method"), path => path.StartsWith("/renewal-method", StringComparison.Ordinal));
        Assert.Contains("Top up first", await phone.Text("method-error"), StringComparison.Ordinal);
        Assert.Equal("/topup", await page.GetByTestId("method-error").GetByRole(AriaRole.Link, new() { Name = "Top-up" }).GetAttributeAsync("href"));
        Assert.Equal(snapshot, await app.Services.Snapshot());
        phone.AssertClean(refusalsExpected: true);
    }
}
