using Cloudbill.Core;
using Cloudbill.Core.Coupons;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Renewals;
using Cloudbill.Core.Time;
using Cloudbill.Server.Tests.OpenApi;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.App;

/// <summary>
/// My's account pages at phone size: the Message Center with the unread count on the My tab,
/// Service Center > Suggestions with the operator's list, AccessKeys, Settings, and Costs >
/// Transactions and Spending. Each test works on its own new customer.
/// </summary>
public class AccountPagesTests(AppFixture app) : IClassFixture<AppFixture>
{
    private async Task<(long Account, string Email)> NewCustomer(string balance = "1000.00")
    {
        var account = await app.Services.Customer(balance);
        return (account, await app.Services.EmailOf(account));
    }

    [Fact]
    public async Task The_Message_Center_links_each_message_and_the_My_tab_counts_the_unread_ones()
    {
        var (account, email) = await NewCustomer();
        var instance = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(DateTimeOffset.UtcNow.AddDays(7)), region: "cn-hongkong", name: "msg-hk");
        var order = (await app.Services.Run<RenewalService, Result<Order>>((s, ct) =>
            s.Place(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;
        var now = DateTimeOffset.UtcNow;
        var reminder = await app.Services.Message(account, NotificationKind.ExpiryReminder, "msg-hk expires in 7 days", now.AddHours(-2), instanceId: instance.Id);
        var unpaid = await app.Services.Message(account, NotificationKind.LowBalance, $"Order {order.Id} waits for payment", now.AddHours(-1), orderId: order.Id);

        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        Assert.Equal("2", await phone.Text("unread-badge"));
        // The tab keeps its name; the count describes it.
        var myTab = page.Locator(".tabbar").GetByRole(AriaRole.Link, new() { Name = "My", Exact = true });
        Assert.Equal("2 unread messages", await page.Locator("#" + await myTab.GetAttributeAsync("aria-describedby")).TextContentAsync());
        await phone.Tap(page.Locator(".tabbar").GetByRole(AriaRole.Link, new() { Name = "My" }), path => path == "/my");
        Assert.Equal("2", await phone.Text("messages-unread"));
        await phone.Tap(phone.Link("Message Center"), path => path == "/messages");

        // Newest first, both unread, each with its link.
        var items = page.Locator("[data-testid=messages] > li");
        Assert.Equal([Inv(unpaid.Id), Inv(reminder.Id)], await items.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.messageId)"));
        Assert.Equal(["true", "true"], await items.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.unread)"));
        Assert.Equal("2 unread of 2", await phone.Text("unread-count"));
        var orderItem = page.Locator($"[data-message-id='{unpaid.Id}']");
        var instanceItem = page.Locator($"[data-message-id='{reminder.Id}']");
        Assert.Equal($"/orders/{order.Id}/pay", await orderItem.GetByTestId("message-link").GetAttributeAsync("href"));
        Assert.Equal("Pay Now", await orderItem.GetByTestId("message-link").InnerTextAsync());
        Assert.Equal("/instances/cn-hongkong", await instanceItem.GetByTestId("message-link").GetAttributeAsync("href"));
        Assert.Equal("Low balance", (await orderItem.Locator(".badge").InnerTextAsync()).Trim());
        await phone.Screenshot("en-messages");
        await phone.AssertAccessible();

        // Mark the reminder read: the count falls on the tab, on the list and on My.
        await phone.Tap(instanceItem.GetByTestId("mark-read"), path => path == "/messages");
        Assert.Equal("1", await phone.Text("unread-badge"));
        Assert.Equal("1 unread of 2", await phone.Text("unread-count"));
        Assert.Equal("false", await page.Locator($"[data-message-id='{reminder.Id}']").GetAttributeAsync("data-unread"));
        Assert.Equal(0, await page.Locator($"[data-message-id='{reminder.Id}'] [data-testid=mark-read]").CountAsync());
        await page.GotoAsync("/my");
        Assert.Equal("1", await phone.Text("messages-unread"));

        // The order link leads to its payment while it is unpaid; then Mark all as read.
        await page.GotoAsync("/messages");
        await phone.Tap(page.Locator($"[data-message-id='{unpaid.Id}']").GetByTestId("message-link"), path => path == $"/orders/{order.Id}/pay");
        await page.GotoAsync("/messages");
        await phone.Tap(page.GetByTestId("mark-all-read"), path => path == "/messages");
        Assert.Equal("0 unread of 2", await phone.Text("unread-count"));
        Assert.Equal(0, await page.GetByTestId("unread-badge").CountAsync());
        Assert.Equal(0, await page.GetByTestId("mark-all-read").CountAsync());
        var read = await app.Services.Query(db => db.Notifications.AsNoTracking().Where(n => n.AccountId == account).Select(n => n.ReadAt).ToListAsync());
        Assert.All(read, r => Assert.NotNull(r));

        // Once paid, the order's message leads to its result.
        await app.Services.Run<OrderPayments, Result<PaymentOutcome>>((s, ct) => s.PayFromBalance(account, order.Id, ct));
        await page.GotoAsync("/messages");
        Assert.Equal($"/orders/{order.Id}/result", await page.Locator($"[data-message-id='{unpaid.Id}']").GetByTestId("message-link").GetAttributeAsync("href"));
        phone.AssertClean();
    }

    [Fact]
    public async Task A_suggestion_is_thanked_for_and_listed_by_the_operator_verb_since_a_day()
    {
        var (account, email) = await NewCustomer();
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        await page.GotoAsync("/my");
        await phone.Tap(phone.Link("Service Center"), path => path == "/service-center");
        await phone.Tap(phone.Link("Suggestions"), path => path == "/service-center/suggestions");
        await page.GetByLabel("Product").FillAsync("Container Registry");
        await page.GetByLabel("Your suggestion").FillAsync("Let me renew ACR Enterprise instances from the phone.");
        await phone.Tap(page.GetByTestId("suggestion-submit"), path => path == "/service-center/suggestions/thanks");
        Assert.Equal("Thank you for your suggestion", (await page.Locator(".result-title").InnerTextAsync()).Trim());
        var stored = await app.Services.Query(db => db.Suggestions.AsNoTracking().SingleAsync(s => s.AccountId == account));
        Assert.Equal(("Container Registry", "Let me renew ACR Enterprise instances from the phone."), (stored.Product, stored.Text));
        phone.AssertClean();

        var env = CloudbillProcess.DatabaseSettings(app.Database);
        var today = BusinessCalendar.FormatDate(DateTimeOffset.UtcNow);
        var listed = await CloudbillProcess.Run(env, "suggestions", "list", "--since", today);
        Assert.True(listed.ExitCode == 0, listed.Output + listed.Error);
        Assert.Matches($@"{today} \d\d:\d\d\s+│\s+{System.Text.RegularExpressions.Regex.Escape(email)}\s+│\s+Container Registry\s+│\s+Let me renew ACR", listed.Output);
        var tomorrow = BusinessCalendar.FormatDate(DateTimeOffset.UtcNow.AddDays(1));
        var later = await CloudbillProcess.Run(env, "suggestions", "list", "--since", tomorrow);
        Assert.Equal((0, $"No suggestions since {tomorrow}."), (later.ExitCode, later.Output.Trim()));
        var bad = await CloudbillProcess.Run(env, "suggestions", "list", "--since", "2026-13-01");
        Assert.Equal((2, "cloudbill: --since: '2026-13-01' is not a date; give the day as yyyy-MM-dd, e.g. 2026-12-01."), (bad.ExitCode, bad.Error.Trim()));
    }

    [Fact]
    public async Task AccessKeys_are_created_with_the_secret_shown_once_at_most_two_disabled_enabled_and_deleted()
    {
        var (account, email) = await NewCustomer();
        var first = await app.Services.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == account).Select(k => k.Id).SingleAsync());
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        await page.GotoAsync("/my");
        await phone.Tap(phone.Link("AccessKeys"), path => path == "/accesskeys");
        Assert.Equal([first], await page.GetByTestId("key-id").AllInnerTextsAsync());

        // Create: the secret is shown once, with the warning.
        await phone.Tap(page.GetByTestId("create"), path => path == "/accesskeys");
        var id = (await phone.Text("created-id")).Trim();
        var secret = (await phone.Text("created-secret")).Trim();
        Assert.Matches("^LTAI[A-Za-z0-9]{20}$", id);
        Assert.Matches("^[A-Za-z0-9]{30}$", secret);
        Assert.Contains("it is shown only this once", await page.GetByTestId("created-key").InnerTextAsync(), StringComparison.Ordinal);
        await phone.Screenshot("en-accesskey-created");
        await phone.AssertAccessible();
        await phone.Tap(phone.Link("I have saved it"), path => path == "/accesskeys");
        Assert.Equal([first, id], await page.GetByTestId("key-id").AllInnerTextsAsync());
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        using var api = new BssTestClient(app.Server.Address, id, secret);
        Assert.Equal("Success", (await api.Call("QueryAccountBalance")).Body.GetProperty("Code").GetString());

        // A third pair is refused while two are held.
        await page.GetByTestId("create").ClickAsync();
        await page.GetByTestId("accesskey-error").WaitForAsync();
        Assert.Equal("You already hold 2 AccessKey pairs, the most allowed at once; delete one you no longer use, then create a new one.", (await phone.Text("accesskey-error")).Trim());
        Assert.Equal(2, await app.Services.Query(db => db.AccessKeys.CountAsync(k => k.BillingAccountId == account)));

        // Disable: the API refuses the key at once; enable: it works again.
        await page.GotoAsync("/accesskeys");
        var row = page.Locator($"[data-key-id='{id}']");
        await phone.Tap(row.GetByTestId("disable"), path => path == "/accesskeys");
        Assert.Equal("Disabled", await page.Locator($"[data-key-id='{id}']").GetByTestId("key-state").InnerTextAsync());
        var refused = await api.Call("QueryAccountBalance");
        Assert.Equal((404, "InvalidAccessKeyId.NotFound"), (refused.Status, refused.Body.GetProperty("Code").GetString()));
        await phone.Tap(page.Locator($"[data-key-id='{id}']").GetByTestId("enable"), path => path == "/accesskeys");
        Assert.Equal("Enabled", await page.Locator($"[data-key-id='{id}']").GetByTestId("key-state").InnerTextAsync());
        var again = await api.Call("QueryAccountBalance");
        Assert.Equal("1000.00", again.Body.GetProperty("Data").GetProperty("AvailableCashAmount").GetString());

        // Delete, after the confirmation step.
        await phone.Tap(page.Locator($"[data-key-id='{id}']").GetByTestId("delete"), path => path == $"/accesskeys/{id}/delete");
        Assert.Equal(id, (await phone.Text("key-id")).Trim());
        await phone.Screenshot("en-accesskey-delete");
        await phone.AssertAccessible();
        await phone.Tap(page.GetByTestId("confirm-delete"), path => path.StartsWith("/accesskeys?deleted=", StringComparison.Ordinal));
        Assert.Contains($"AccessKey {id} was deleted", await phone.Text("accesskey-notice"), StringComparison.Ordinal);
        Assert.Equal([first], await page.GetByTestId("key-id").AllInnerTextsAsync());
        var gone = await api.Call("QueryAccountBalance");
        Assert.Equal("InvalidAccessKeyId.NotFound", gone.Body.GetProperty("Code").GetString());
        // The third create was refused with its 409.
        phone.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task The_password_is_changed_in_Settings_and_the_new_one_signs_in()
    {
        var (account, email) = await NewCustomer();
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        await page.GotoAsync("/my");
        await phone.Tap(phone.Link("Settings"), path => path == "/settings");
        await page.GetByLabel("Current password").FillAsync(AccountTestData.Password);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("Changed-2027");
        await page.GetByLabel("Confirm new password").FillAsync("Changed-2027");
        await phone.Tap(page.GetByTestId("password-submit"), path => path == "/settings?password=changed");
        Assert.Contains("Your password was changed", await phone.Text("password-changed"), StringComparison.Ordinal);
        // Still signed in on this phone.
        Assert.Equal(200, (await page.GotoAsync("/accesskeys"))!.Status);
        await page.GotoAsync("/settings");
        await phone.Tap(page.GetByTestId("settings-sign-out"), path => path == "/signin");
        phone.AssertClean();

        var old = await app.Open();
        await old.Page.GotoAsync("/signin");
        await old.Page.Locator("#email").FillAsync(email);
        await old.Page.Locator("#password").FillAsync(AccountTestData.Password);
        await old.Page.GetByTestId("signin-submit").ClickAsync();
        Assert.Equal("The email or password is incorrect.", (await old.Text("signin-error")).Trim());
        var fresh = await app.SignedIn(email, "Changed-2027");
        Assert.Equal("/", new Uri(fresh.Page.Url).AbsolutePath);
        fresh.AssertClean();
    }

    [Fact]
    public async Task Settings_switch_the_language_for_the_customer()
    {
        var (_, email) = await NewCustomer();
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        await page.GotoAsync("/settings");
        Assert.Equal("true", await page.GetByTestId("language-en").GetAttributeAsync("aria-pressed"));
        await phone.Tap(page.GetByTestId("language-zh-CN"), path => path == "/settings");
        Assert.Equal("设置", (await page.Locator(".appbar-title").InnerTextAsync()).Trim());
        Assert.Equal("true", await page.GetByTestId("language-zh-CN").GetAttributeAsync("aria-pressed"));
        Assert.Equal("zh-CN", await app.Services.Query(db => db.Users.AsNoTracking().Where(u => u.Email == email).Select(u => u.PreferredCulture).SingleAsync()));
        await phone.Tap(page.GetByTestId("language-en"), path => path == "/settings");
        Assert.Equal("Settings", (await page.Locator(".appbar-title").InnerTextAsync()).Trim());
        phone.AssertClean();
    }

    [Fact]
    public async Task Transactions_show_the_opening_balance_a_top_up_and_a_renewal_with_the_running_balance()
    {
        var (account, email) = await NewCustomer("1000.00");
        var instance = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(DateTimeOffset.UtcNow.AddDays(9)), region: "cn-hangzhou", name: "stmt-hz");
        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;

        // A top-up of 250.00 by Alipay, paid on the sandbox's cashier.
        await page.GotoAsync("/topup");
        await page.GetByLabel("Or another amount").FillAsync("250.00");
        await page.GetByLabel("Alipay").CheckAsync();
        await page.GetByTestId("topup-submit").ClickAsync();
        await page.WaitForCashier("alipay");
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await Eventually.Until(async () => (await app.Services.Balance(account)).Cash == Core.Money.Parse("1250.00"), "the top-up credited", pause: TimeSpan.FromMilliseconds(250));
        Assert.Equal(Core.Money.Parse("1250.00"), (await app.Services.Balance(account)).Cash);

        // A renewal paid from the balance.
        var renewed = (await app.Services.Run<RenewalService, Result<PaymentOutcome>>((s, ct) =>
            s.RenewNow(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct))).Value;
        var price = renewed.Order.Payable;
        Assert.True(price.IsPositive);

        await page.GotoAsync("/costs/transactions");
        var lines = page.Locator("[data-testid=transactions] > li");
        Assert.Equal(3, await lines.CountAsync());
        Assert.Equal([$"Payment of order {renewed.Order.Id}", "Top-up by Alipay", "Opening balance"], await lines.GetByTestId("description").AllInnerTextsAsync());
        Assert.Equal([$"Out -{Display(price)}", "In +¥250.00", "In +¥1,000.00"], (await lines.GetByTestId("amount").AllTextContentsAsync()).Select(a => System.Text.RegularExpressions.Regex.Replace(a, @"\s+", " ").Trim()).ToList());
        Assert.Equal([Display(Core.Money.Parse("1250.00") - price), "¥1,250.00", "¥1,000.00"], await lines.GetByTestId("balance-after").AllInnerTextsAsync());
        await phone.Screenshot("en-transactions");
        await phone.AssertAccessible();
        phone.AssertClean();
    }

    [Fact]
    public async Task Spending_draws_a_bar_for_each_of_the_last_six_months_with_the_months_own_amounts()
    {
        var (account, email) = await NewCustomer("10000.00");
        var now = DateTimeOffset.UtcNow;
        var thisMonth = BusinessCalendar.LocalDate(now);
        var firstOfMonth = new NodaTime.LocalDate(thisMonth.Year, thisMonth.Month, 1);
        // Renewals paid in the past: services on the same database whose clock stands then.
        async Task<Core.Money> RenewAt(NodaTime.LocalDate day, string name)
        {
            var at = BusinessCalendar.At(day, 12);
            var past = await TestServices.Start(app.Database, at);
            try
            {
                var instance = await past.Instance(account, BusinessCalendar.RoundUpToMidnight(at.AddDays(20)), name: name);
                var paid = await past.Run<RenewalService, Result<PaymentOutcome>>((s, ct) =>
                    s.RenewNow(account, [instance.Id], RenewalTerm.ForMonths(name.EndsWith("3", StringComparison.Ordinal) ? 3 : 1), ClientToken.New(), CouponChoice.None, ct));
                return paid.Value.Order.Payable;
            }
            finally
            {
                await past.DisposeServicesOnly();
            }
        }
        var fourAgo = firstOfMonth.PlusMonths(-4).PlusDays(9);
        var twoAgo = firstOfMonth.PlusMonths(-2).PlusDays(14);
        var a = await RenewAt(fourAgo, "spend-1");
        var b = await RenewAt(twoAgo, "spend-3");
        var c = await RenewAt(twoAgo, "spend-1b");
        // Six months back is outside the chart.
        await RenewAt(firstOfMonth.PlusMonths(-6).PlusDays(3), "spend-old");

        var phone = await app.SignedIn(email, AccountTestData.Password);
        var page = phone.Page;
        await page.GotoAsync("/costs/spending");
        string Key(NodaTime.LocalDate d) => $"{d.Year:D4}-{d.Month:D2}";
        var bars = page.GetByTestId("bar");
        Assert.Equal(Enumerable.Range(0, 6).Select(i => Key(firstOfMonth.PlusMonths(i - 5))).ToList(), await bars.EvaluateAllAsync<string[]>("bars => bars.map(b => b.dataset.month)"));
        var amounts = await bars.EvaluateAllAsync<string[]>("bars => bars.map(b => b.dataset.amount)");
        Assert.Equal(["0.00", a.ToString(), "0.00", (b + c).ToString(), "0.00", "0.00"], amounts);
        Assert.Equal(Display(a + b + c), await phone.Text("spending-total"));
        // The bars are as tall as their amounts: the larger month fills the chart.
        var heights = await page.Locator("[data-testid=bar] rect").EvaluateAllAsync<double[]>("rects => rects.map(r => r.height.baseVal.value)");
        Assert.Equal(0, heights[0]);
        Assert.Equal((double)Math.Min(a.Fen, (b + c).Fen) / Math.Max(a.Fen, (b + c).Fen), Math.Min(heights[1], heights[3]) / Math.Max(heights[1], heights[3]), 2);
        // The table says the same for screen readers, newest month first.
        var row = page.Locator($"[data-testid=spending-table] tr[data-month='{Key(twoAgo)}']");
        Assert.Equal(Display(b + c), await row.GetByTestId("month-amount").InnerTextAsync());
        await phone.Screenshot("en-spending");
        await phone.AssertAccessible();
        phone.AssertClean();
    }

    /// <summary>Screenshots of every account page in both languages, axe-clean, no sideways scrolling at 360 px.</summary>
    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("zh-CN", "zh")]
    public async Task Every_account_page_renders_accessibly_in_both_languages(string locale, string prefix)
    {
        var (account, email) = await NewCustomer("500.00");
        var instance = await app.Services.Instance(account, BusinessCalendar.RoundUpToMidnight(DateTimeOffset.UtcNow.AddDays(9)), region: "cn-hongkong", name: "shots-hk");
        await app.Services.Message(account, NotificationKind.ExpiryReminder, "shots-hk expires in 9 days", DateTimeOffset.UtcNow.AddMinutes(-5), instanceId: instance.Id);
        await app.Services.Run<RenewalService, Result<PaymentOutcome>>((s, ct) =>
            s.RenewNow(account, [instance.Id], RenewalTerm.ForMonths(1), ClientToken.New(), CouponChoice.None, ct));
        var key = await app.Services.Query(db => db.AccessKeys.AsNoTracking().Where(k => k.BillingAccountId == account).Select(k => k.Id).SingleAsync());

        var phone = await app.Open(locale);
        await phone.SignIn(email, AccountTestData.Password);
        var page = phone.Page;
        foreach (var (name, path) in new[]
        {
            ("my-account", "/my"), ("messages", "/messages"), ("service-center", "/service-center"), ("suggestions", "/service-center/suggestions"),
            ("suggestion-thanks", "/service-center/suggestions/thanks"), ("accesskeys", "/accesskeys"), ("accesskey-delete-confirm", $"/accesskeys/{key}/delete"),
            ("settings", "/settings"), ("transactions", "/costs/transactions"), ("spending", "/costs/spending"),
        })
        {
            await page.SetViewportSizeAsync(390, 844);
            var response = await page.GotoAsync(path);
            Assert.True(response!.Ok, $"{path} answered {response.Status}");
            await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");
            await phone.Screenshot($"{prefix}-{name}");
            await phone.AssertAccessible();
            await page.SetViewportSizeAsync(360, 780);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), $"{path} scrolls sideways at 360 px");
        }
        if (prefix == "zh")
        {
            await page.GotoAsync("/messages");
            Assert.Contains("消息中心", await page.Locator(".appbar-title").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("到期提醒", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
            await page.GotoAsync("/costs/spending");
            Assert.Contains("月", await page.GetByTestId("spending-table").InnerTextAsync(), StringComparison.Ordinal);
        }
        phone.AssertClean();
    }

    private static string Display(Core.Money amount) => Cloudbill.Server.App.Shared.Display.Yuan(amount);

    private static string Inv(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
