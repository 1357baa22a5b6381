using System.Net;
using System.Text.RegularExpressions;
using Cloudbill.Core;
using Cloudbill.Core.Audit;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Operators;
using Cloudbill.Core.Orders;
using Cloudbill.Core.Payments;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Cloudbill.Core.Suggestions;
using Cloudbill.Server.Tests.App;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.Operator;

/// <summary>
/// The operator console as the provider's staff use it (issue 22, first part): their own
/// accounts and sign-in with an authenticator code, finding a customer by anything a customer or
/// a gateway quotes, and the customer's page with the lifecycle history that says why an
/// auto-renewal failed. A customer's cookie opens nothing of it, and every look is audited.
/// </summary>
public sealed partial class OperatorConsoleTests(OperatorFixture app) : IClassFixture<OperatorFixture>
{
    [Fact]
    public async Task Staff_sign_in_with_the_password_and_the_authenticator_code_and_find_a_customer_by_every_key_they_quote()
    {
        var (accountId, email) = await NewCustomerWithEverything();
        var keys = await app.Services.Query(async db => new
        {
            AccessKey = await db.AccessKeys.Where(k => k.BillingAccountId == accountId).Select(k => k.Id).SingleAsync(),
            Instance = await db.Instances.Where(i => i.AccountId == accountId).Select(i => i.Id).SingleAsync(),
            Order = await db.Orders.Where(o => o.AccountId == accountId).Select(o => o.Id).SingleAsync(),
            Payment = await db.GatewayPayments.Where(p => p.AccountId == accountId).SingleAsync(),
        });

        var console = await app.SignedInStaff(app.Viewer);
        Assert.Equal($"{app.Viewer.Email} · Viewer", await console.Page.GetByTestId("staff-who").InnerTextAsync());

        var quoted = new Dictionary<string, string>
        {
            ["Email"] = email.ToUpperInvariant()[..12],
            ["Account ID"] = accountId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AccessKey ID"] = keys.AccessKey,
            ["Instance ID"] = keys.Instance,
            ["Instance Name"] = InstanceName(accountId),
            ["Order ID"] = keys.Order.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway trade number"] = keys.Payment.GatewayTradeNo!,
        };
        foreach (var (field, text) in quoted)
        {
            await console.Find(text);
            var rows = console.Page.Locator("[data-testid=matches] tbody tr").Filter(new() { HasText = field });
            Assert.True(await rows.Filter(new() { HasText = email }).CountAsync() == 1, $"{field} '{text}' did not find {email}:\n{await console.Page.Locator("main").InnerTextAsync()}");
        }
        await console.Find(keys.Payment.OutTradeNo);
        Assert.Contains(email, await console.Matches());

        // Each search is in the audit log with who searched and what.
        var searched = await app.Services.Query(db => db.AuditEvents.Where(a => a.Kind == AuditEventKind.CustomersSearched && a.Detail.StartsWith($"searched '{keys.AccessKey}'")).ToListAsync());
        Assert.Equal(app.Viewer.Email, Assert.Single(searched).ActorId);

        await console.Find("nobody-" + Guid.NewGuid().ToString("N"));
        Assert.StartsWith("No customer matches nobody-", await console.Page.GetByTestId("no-match").InnerTextAsync(), StringComparison.Ordinal);

        // Too long a search is refused with a reason, as any form would be.
        var tooLong = await console.Page.GotoAsync("/operator?q=" + new string('x', 257));
        Assert.Equal(400, tooLong!.Status);
        Assert.Equal("A search is at most 256 characters.", await console.Page.GetByTestId("find-error").InnerTextAsync());
        var control = await console.Page.GotoAsync("/operator?q=a%00b");
        Assert.Equal(400, control!.Status);
        Assert.Equal("A search has no control characters.", await console.Page.GetByTestId("find-error").InnerTextAsync());

        await console.Find(keys.AccessKey);
        await console.Page.GetByTestId("match").ClickAsync();
        await console.Page.WaitForURLAsync($"**/operator/customers/{accountId}", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal(email, await console.Page.GetByTestId("customer-email").InnerTextAsync());
        console.Checks.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task The_customer_page_shows_the_credit_and_why_an_auto_renewal_failed_and_every_look_is_audited_with_the_staff_member_and_request()
    {
        var accountId = await app.Services.Customer("0.00", creditLine: "50.00");
        var instance = await app.Services.Instance(accountId, app.Services.Clock.GetUtcNow().AddDays(2), RenewalMethod.AutoRenewal, 1, name: "web-renewal-fails");
        app.Services.Clock.Advance(TimeSpan.FromDays(2));
        await app.Services.Services.GetRequiredService<LifecycleEngine>().RunUntil(app.Services.Clock.GetUtcNow(), CancellationToken.None);
        // The engine tries on each day before the expiry (R4.3): each attempt is an order, cancelled at once.
        var orders = await app.Services.Query(db => db.Orders.Where(o => o.AccountId == accountId).OrderBy(o => o.Id).ToListAsync());
        Assert.NotEmpty(orders);
        Assert.All(orders, o => Assert.Equal(OrderStatus.Cancelled, o.Status));

        var console = await app.SignedInStaff(app.Support);
        var answer = await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal(200, answer!.Status);

        Assert.Equal("¥50.00", await console.Page.GetByTestId("available-credit").InnerTextAsync());
        Assert.Equal("¥0.00", await console.Page.GetByTestId("cash").InnerTextAsync());
        Assert.Equal("¥50.00", await console.Page.GetByTestId("credit-line").InnerTextAsync());
        var row = console.Page.Locator($"[data-testid=instance-row][data-instance='{instance.Id}']");
        Assert.Contains("web-renewal-fails", await row.InnerTextAsync(), StringComparison.Ordinal);

        await console.Page.GetByText("Lifecycle history").First.ClickAsync();
        var history = await console.Page.GetByTestId("history-entry").AllInnerTextsAsync();
        var failures = history.Where(h => h.Contains("Auto-Renewal", StringComparison.Ordinal)).ToList();
        Assert.Equal(orders.Count, failures.Count);
        Assert.All(failures, failure => Assert.EndsWith($"Auto-Renewal: failed: InsufficientCredit: Available Credit ¥50.00 short of ¥{orders[0].Payable.ToDisplayString()}", failure, StringComparison.Ordinal));
        Assert.Contains("Cancelled", await console.Page.GetByTestId("order-status").First.InnerTextAsync(), StringComparison.Ordinal);
        var notice = await app.Services.Query(db => db.Notifications.Where(n => n.AccountId == accountId && n.Kind == NotificationKind.AutoRenewalFailed).OrderBy(n => n.Id).FirstAsync());
        var title = app.Services.Services.GetRequiredService<NoticeRenderer>().Render(notice, System.Globalization.CultureInfo.GetCultureInfo("en")).Title;
        Assert.Contains(title, await console.Page.GetByTestId("messages").InnerTextAsync(), StringComparison.Ordinal);

        var viewed = await app.Services.Query(db => db.AuditEvents.Where(a => a.AccountId == accountId && a.Kind == AuditEventKind.CustomerViewed).ToListAsync());
        var look = Assert.Single(viewed);
        Assert.Equal(AuditActor.Staff, look.Actor);
        Assert.Equal(app.Support.Email, look.ActorId);
        Assert.False(string.IsNullOrEmpty(look.RequestId));
        Assert.Equal("127.0.0.1", look.SourceAddress);
        // The page shows the row it wrote, with the request id the answer carried.
        await console.Page.ReloadAsync();
        var auditText = await console.Page.GetByTestId("audit").InnerTextAsync();
        Assert.Contains($"Staff {app.Support.Email}", auditText, StringComparison.Ordinal);
        Assert.Contains(look.RequestId!, auditText, StringComparison.Ordinal);

        // As the app's pages answer a missing order: 400, since .NET sends a routed page's 404 without its body.
        var missing = await console.Page.GotoAsync("/operator/customers/999999999");
        Assert.Equal(400, missing!.Status);
        Assert.Equal("No customer has the account ID 999999999.", await console.Page.GetByTestId("customer-missing").InnerTextAsync());
        console.Checks.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_wrong_password_a_wrong_code_and_an_unknown_email_are_refused_alike_and_five_lock_the_account()
    {
        var staff = await app.AddStaff($"locked-{Guid.NewGuid():N}@provider.example", StaffRole.Finance);
        var console = await app.OpenConsole();
        var rightCode = Totp.Code(staff.AuthenticatorKey, DateTimeOffset.UtcNow);
        var wrongCode = rightCode == "000000" ? "111111" : "000000";

        foreach (var (email, password, code) in new[]
        {
            (staff.Email, OperatorFixture.StaffPassword, wrongCode),
            (staff.Email, "Not-the-password-1", rightCode),
            ("nobody@provider.example", OperatorFixture.StaffPassword, rightCode),
        })
        {
            var refused = console.Page.WaitForResponseAsync(r => r.Url.EndsWith("/operator/signin", StringComparison.Ordinal) && r.Request.Method == "POST");
            await console.SignIn(email, password, code);
            Assert.Equal(403, (await refused).Status);
            Assert.Equal("The email, password or code is incorrect.", await console.Page.GetByTestId("signin-error").InnerTextAsync());
        }
        var failures = await app.Services.Query(db => db.AuditEvents.Where(a => a.Kind == AuditEventKind.StaffSignInFailed && a.Detail.StartsWith("staff " + staff.Email)).Select(a => a.Detail).ToListAsync());
        Assert.Equal([$"staff {staff.Email}: wrong or reused code", $"staff {staff.Email}: wrong password"], failures.Order(StringComparer.Ordinal));

        // Three more wrong codes make five: the right password and code are then refused too.
        for (var i = 0; i < 3; i++)
            await console.SignIn(staff.Email, OperatorFixture.StaffPassword, wrongCode);
        await console.SignIn(staff.Email, OperatorFixture.StaffPassword, Totp.Code(staff.AuthenticatorKey, DateTimeOffset.UtcNow));
        Assert.Equal("This account is locked after too many failed sign-ins. Try again in a few minutes.", await console.Page.GetByTestId("signin-error").InnerTextAsync());
        // Only the right password and code learn of the lock: anyone else is refused as before.
        await console.SignIn(staff.Email, "Not-the-password-1", Totp.Code(staff.AuthenticatorKey, DateTimeOffset.UtcNow.AddSeconds(-30)));
        Assert.Equal("The email, password or code is incorrect.", await console.Page.GetByTestId("signin-error").InnerTextAsync());
        Assert.Equal(1, await app.Services.Query(db => db.AuditEvents.CountAsync(a => a.Kind == AuditEventKind.StaffLockedOut && a.Detail.StartsWith("staff " + staff.Email))));
        var after = await console.Page.GotoAsync("/operator");
        Assert.Equal("/operator/signin", new Uri(after!.Url).AbsolutePath);

        // Bad input: no code at all is a form error beside the field, and nothing is counted.
        await console.SignIn(app.Viewer.Email, OperatorFixture.StaffPassword, "12a");
        Assert.Equal("Enter the 6-digit code from your authenticator app.", await console.Page.Locator("#code ~ .field-error, .field-error").Last.InnerTextAsync());
        Assert.Equal(0, await app.Services.Query(db => db.Set<StaffUser>().Where(u => u.Email == app.Viewer.Email).Select(u => u.AccessFailedCount).SingleAsync()));
        console.Checks.AssertClean(refusalsExpected: true);
    }

    [Fact]
    public async Task A_customer_cookie_opens_no_console_page_a_staff_cookie_no_app_page_and_sign_out_ends_a_copied_cookie()
    {
        var demoId = await app.Services.Query(db => db.BillingAccounts.Where(a => a.Email == AppFixture.DemoEmail).Select(a => a.Id).SingleAsync());
        var customer = await app.SignedIn();
        var customerCookie = (await customer.Page.Context.CookiesAsync()).Single(c => c.Name == "cloudbill.auth");

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Server.Address };
        foreach (var path in new[] { "/operator", $"/operator/customers/{demoId}", $"/operator?q={Uri.EscapeDataString(AppFixture.DemoEmail)}" })
        {
            foreach (var cookie in new[] { $"cloudbill.auth={customerCookie.Value}", null })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (cookie is not null)
                    request.Headers.Add("Cookie", cookie);
                using var answer = await http.SendAsync(request, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
                Assert.Equal("/operator/signin", answer.Headers.Location!.AbsolutePath(app.Server.Address));
                Assert.DoesNotContain(AppFixture.DemoEmail, await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            }
        }

        var console = await app.SignedInStaff(app.Finance);
        var staffCookie = (await console.Page.Context.CookiesAsync()).Single(c => c.Name == "cloudbill.operator");
        Assert.Equal("/operator", staffCookie.Path);
        Assert.True(staffCookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, staffCookie.SameSite);
        // Sent to the app on purpose, the staff cookie is nobody there.
        using (var toApp = new HttpRequestMessage(HttpMethod.Get, "/my"))
        {
            toApp.Headers.Add("Cookie", $"cloudbill.operator={staffCookie.Value}");
            using var answer = await http.SendAsync(toApp, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.Equal("/signin", answer.Headers.Location!.AbsolutePath(app.Server.Address));
        }
        // The copied cookie works until the staff member signs out, then never again.
        async Task<HttpStatusCode> WithCopiedCookie()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/operator/customers/{demoId}");
            request.Headers.Add("Cookie", $"cloudbill.operator={staffCookie.Value}");
            using var answer = await http.SendAsync(request, TestContext.Current.CancellationToken);
            return answer.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await WithCopiedCookie());
        // Signing out without the form's token signs nobody out: the cookie still opens the console.
        var forged = await console.Page.APIRequest.PostAsync("/operator/signout", new() { MaxRedirects = 0 });
        Assert.Equal(302, forged.Status);
        Assert.Equal("/operator", forged.Headers["location"]);
        Assert.Equal(HttpStatusCode.OK, await WithCopiedCookie());
        await console.Page.GotoAsync("/operator");
        await console.Page.GetByTestId("operator-signout").ClickAsync();
        await console.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator/signin", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal(HttpStatusCode.Redirect, await WithCopiedCookie());
        Assert.Equal(1, await app.Services.Query(db => db.AuditEvents.CountAsync(a => a.Kind == AuditEventKind.StaffSignedOut && a.ActorId == app.Finance.Email)));
        customer.AssertClean();
    }

    [Theory]
    [InlineData("en-US", "Find a customer", "Staff sign-in")]
    [InlineData("zh-CN", "查找客户", "员工登录")]
    public async Task Every_console_page_reads_in_both_languages_passes_axe_and_is_photographed(string locale, string findTitle, string signInTitle)
    {
        var (accountId, email) = await NewCustomerWithEverything();
        var suffix = locale == "zh-CN" ? "zh" : "en";
        var anonymous = await app.OpenConsole(locale);
        await anonymous.Page.GotoAsync("/operator/signin");
        Assert.Equal(signInTitle, await anonymous.Page.Locator("h1").InnerTextAsync());
        await anonymous.Checks.AssertAccessible();
        await anonymous.Checks.Screenshot($"operator-signin-{suffix}");

        var console = await app.SignedInStaff(app.Viewer, locale);
        await console.Find(email);
        Assert.Equal(findTitle, await console.Page.Locator("h1").InnerTextAsync());
        await console.Checks.AssertAccessible();
        await console.Checks.Screenshot($"operator-find-{suffix}");

        await console.Page.GotoAsync($"/operator/customers/{accountId}");
        Assert.Equal(email, await console.Page.GetByTestId("customer-email").InnerTextAsync());
        await console.Checks.AssertAccessible();
        await console.Checks.Screenshot($"operator-customer-{suffix}");

        await console.Page.GotoAsync("/operator/denied");
        await console.Checks.AssertAccessible();
        await console.Checks.Screenshot($"operator-denied-{suffix}");
        console.Checks.AssertClean(refusalsExpected: true);
        anonymous.Checks.AssertClean();

        // Finance sees every action's form; axe checks them too.
        var finance = await app.SignedInStaff(app.Finance, locale);
        await finance.Page.GotoAsync($"/operator/customers/{accountId}");
        foreach (var form in new[] { "lock-submit", "method-submit", "extend-submit", "key-submit", "resend-submit", "answer-submit", "credit-submit", "revoke-submit", "adjust-submit", "refund-order-submit", "refund-payment-submit" })
            Assert.True(await finance.Page.GetByTestId(form).CountAsync() == 1, $"The {form} form is not on the page.");
        await finance.Checks.AssertAccessible();
        await finance.Checks.Screenshot($"operator-customer-finance-{suffix}");
        await finance.Page.GotoAsync($"/operator/coupons?to={accountId}");
        await finance.Checks.AssertAccessible();
        await finance.Checks.Screenshot($"operator-coupons-{suffix}");
        finance.Checks.AssertClean();
    }

    [Fact]
    public async Task The_first_operator_is_made_with_the_cli_and_signs_in_with_what_it_printed()
    {
        var env = CloudbillProcess.DatabaseSettings(app.Database);
        var email = $"first-{Guid.NewGuid():N}@provider.example";
        var added = await CloudbillProcess.Run(env, "operators", "add", "--email", email, "--role", "finance");
        Assert.True(added.ExitCode == 0, added.Output + added.Error);
        var password = PrintedLine().Match(added.Output) is { Success: true } p ? p.Groups["value"].Value : throw new Xunit.Sdk.XunitException(added.Output);
        var key = Regex.Match(added.Output, "Authenticator key: (?<key>[A-Z2-7]+)").Groups["key"].Value;
        Assert.Contains($"otpauth://totp/Cloudbill:{Uri.EscapeDataString(email)}?secret={key}&issuer=Cloudbill&digits=6", added.Output, StringComparison.Ordinal);

        var console = await app.OpenConsole();
        await console.SignIn(email, password, Totp.Code(key, DateTimeOffset.UtcNow));
        await console.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator", new() { WaitUntil = WaitUntilState.Commit });
        Assert.Equal($"{email} · Finance", await console.Page.GetByTestId("staff-who").InnerTextAsync());

        var list = await CloudbillProcess.Run(env, "operators", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches($@"{Regex.Escape(email)}\s*│\s*finance\s*│[^│]+│\s*open", list.Output);

        var again = await CloudbillProcess.Run(env, "operators", "add", "--email", email, "--role", "viewer");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"cloudbill: A staff account with the email {email} already exists.", again.Error, StringComparison.Ordinal);
        var badRole = await CloudbillProcess.Run(env, "operators", "add", "--email", "x@provider.example", "--role", "admin");
        Assert.NotEqual(0, badRole.ExitCode);
        Assert.Contains("--role is 'admin'; use viewer, support or finance.", badRole.Output + badRole.Error, StringComparison.Ordinal);
        Assert.Equal(1, await app.Services.Query(db => db.AuditEvents.CountAsync(a => a.Kind == AuditEventKind.StaffAdded && a.Detail == $"staff {email} added as Finance" && a.Actor == AuditActor.Operator)));

        // A lost phone: a new key; the old key's codes stop working.
        var reset = await CloudbillProcess.Run(env, "operators", "reset-authenticator", "--email", email);
        Assert.Equal(0, reset.ExitCode);
        var newKey = Regex.Match(reset.Output, "Authenticator key: (?<key>[A-Z2-7]+)").Groups["key"].Value;
        Assert.NotEqual(key, newKey);
        var fresh = await app.OpenConsole();
        await fresh.SignIn(email, password, Totp.Code(key, DateTimeOffset.UtcNow));
        Assert.Equal("The email, password or code is incorrect.", await fresh.Page.GetByTestId("signin-error").InnerTextAsync());
        await fresh.SignIn(email, password, Totp.Code(newKey, DateTimeOffset.UtcNow));
        await fresh.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator", new() { WaitUntil = WaitUntilState.Commit });
    }

    [Fact]
    public async Task An_authenticator_code_signs_in_once()
    {
        var staff = await app.AddStaff($"once-{Guid.NewGuid():N}@provider.example", StaffRole.Viewer);
        var code = Totp.Code(staff.AuthenticatorKey, DateTimeOffset.UtcNow);
        var first = await app.OpenConsole();
        await first.SignIn(staff.Email, OperatorFixture.StaffPassword, code);
        await first.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator", new() { WaitUntil = WaitUntilState.Commit });

        // The same code seen over a shoulder, with the password: refused.
        var replay = await app.OpenConsole();
        await replay.SignIn(staff.Email, OperatorFixture.StaffPassword, code);
        Assert.Equal("The email, password or code is incorrect.", await replay.Page.GetByTestId("signin-error").InnerTextAsync());
        Assert.Equal(1, await app.Services.Query(db => db.AuditEvents.CountAsync(a => a.Kind == AuditEventKind.StaffSignInFailed && a.Detail == $"staff {staff.Email}: wrong or reused code")));

        // Another code of the window still signs in.
        await replay.SignIn(staff.Email, OperatorFixture.StaffPassword, Totp.Code(staff.AuthenticatorKey, DateTimeOffset.UtcNow.AddSeconds(-30)) is var older && older != code ? older : Totp.Code(staff.AuthenticatorKey, DateTimeOffset.UtcNow.AddSeconds(30)));
        await replay.Page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/operator", new() { WaitUntil = WaitUntilState.Commit });
    }

    [GeneratedRegex(@"^Password:\s+(?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex PrintedLine();

    private static string InstanceName(long accountId) => $"shop-db-{accountId}";

    /// <summary>A customer with an AccessKey, an instance, an order and a credited Alipay payment: something to quote for each kind of search.</summary>
    private async Task<(long AccountId, string Email)> NewCustomerWithEverything()
    {
        var accountId = await app.Services.Customer("120.00");
        var email = await app.Services.EmailOf(accountId);
        var instance = await app.Services.Instance(accountId, app.Services.Clock.GetUtcNow().AddDays(20), name: InstanceName(accountId));
        await app.Services.Query(async db =>
        {
            var now = app.Services.Clock.GetUtcNow();
            var order = new Order
            {
                AccountId = accountId,
                ClientToken = Guid.NewGuid().ToString("N"),
                Type = OrderType.Renew,
                // Paid from the balance: the refund form shows.
                Status = OrderStatus.Paid,
                PaidAt = now,
                PaidWith = PaymentMethod.Balance,
                ProductCode = "ecs",
                ChargeType = ChargeType.Subscription,
                CreatedAt = now,
                PayBy = now.AddDays(1),
                OriginalPrice = Money.Parse("329.00"),
                Payable = Money.Parse("329.00"),
            };
            db.Orders.Add(order);
            db.GatewayPayments.Add(new GatewayPayment
            {
                AccountId = accountId,
                Gateway = PaymentGateway.Alipay,
                Purpose = GatewayPaymentPurpose.TopUp,
                OutTradeNo = "T" + Guid.NewGuid().ToString("N")[..20],
                ClientToken = Guid.NewGuid().ToString("N"),
                Amount = Money.Parse("120.00"),
                State = GatewayPaymentState.Credited,
                CreatedAt = now,
                TxnTime = now,
                PayBy = now.AddMinutes(30),
                GatewayTradeNo = "2026" + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ConfirmedAt = now,
            });
            return await db.SaveChangesAsync();
        });
        Assert.NotNull(instance);
        // A coupon, a suggestion and a message whose email failed: the revoke, answer and resend forms show.
        await app.Services.Coupon(accountId, "20.00");
        await app.Services.Run<SuggestionService, Result<Suggestion>>((s, ct) => s.Submit(accountId, "Container Registry", "Renew ACR in the app, please.", ClientToken.New(), ct));
        await using var scope = app.Services.Services.CreateAsyncScope();
        var message = scope.ServiceProvider.GetRequiredService<Notifier>()
            .Add(accountId, $"test:{Guid.NewGuid():N}", new TopUpCredited("T2026120700002", "Alipay", Money.Parse("120.00"), Money.Zero, Money.Zero, []));
        message.Email = EmailState.Failed;
        await scope.ServiceProvider.GetRequiredService<CloudbillDbContext>().SaveChangesAsync();
        return (accountId, email);
    }
}

internal static class LocationPaths
{
    /// <summary>A redirect's path, whether the server wrote it relative or absolute.</summary>
    public static string AbsolutePath(this Uri location, Uri server) => (location.IsAbsoluteUri ? location : new Uri(server, location)).AbsolutePath;
}
