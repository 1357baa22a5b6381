using Cloudbill.Core.Audit;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>
/// Sign-ins, failed sign-ins and AccessKey changes are in the audit log with the address and
/// the request id, and the customer sees their own in Settings > Security activity, in English
/// and in Chinese.
/// </summary>
public class SecurityActivityTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string DemoEmail = "demo@cloudbill.local";
    private const string DemoPassword = "Demo-2026!";

    private static async Task SignIn(IPage page, string email, string password)
    {
        await page.GotoAsync("/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Sign_ins_and_AccessKey_changes_are_logged_and_shown_to_their_customer_only(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.Create(provider);
        // Disposed after the server (it drops the database).
        await using var test = await TestServices.Start(database);
        Assert.Equal(0, (await CloudbillProcess.Run(CloudbillProcess.DatabaseSettings(database), "seed-demo")).ExitCode);
        await using var server = await RunningServer.Start(database, new Dictionary<string, string> { ["Cloudbill__Engine__IntervalSeconds"] = "0" });
        var other = await test.Customer();
        var page = await browser.NewPhonePage(server.Address);

        await SignIn(page, "somebody-else@example.com", "typed-by-mistake");
        await page.GetByRole(AriaRole.Alert).WaitForAsync();
        await SignIn(page, DemoEmail, "not-the-password");
        await page.GetByRole(AriaRole.Alert).WaitForAsync();
        await SignIn(page, DemoEmail, DemoPassword);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await page.GotoAsync("/accesskeys");
        await page.GetByTestId("disable").First.ClickAsync();
        await page.GetByTestId("key-state").Filter(new() { HasText = "Disabled" }).WaitForAsync();

        await page.GotoAsync("/settings");
        var items = page.GetByTestId("security-activity").Locator("li");
        // Newest first; the key the operator's seed-demo created has no address.
        Assert.Equal(["AccessKey disabled LTAI5tCloudbillDemo00001", "Signed in", "Failed sign-in", "AccessKey created LTAI5tCloudbillDemo00001"],
            (await items.AllInnerTextsAsync()).Select(t => t.Split('\n')[0].Trim()));
        Assert.All((await items.AllInnerTextsAsync()).Take(3), t => Assert.Contains("from 127.0.0.1", t, StringComparison.Ordinal));

        await page.GetByTestId("language-zh-CN").ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "安全动态" }).WaitForAsync();
        Assert.Equal(["已禁用 AccessKey LTAI5tCloudbillDemo00001", "登录成功", "登录失败", "已创建 AccessKey LTAI5tCloudbillDemo00001"],
            (await page.GetByTestId("security-activity").Locator("li").AllInnerTextsAsync()).Select(t => t.Split('\n')[0].Trim()));

        var demo = await test.Query(db => db.BillingAccounts.Where(a => a.Email == DemoEmail).Select(a => a.Id).SingleAsync());
        var signIns = await test.Query(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Kind == AuditEventKind.SignedIn || e.Kind == AuditEventKind.SignInFailed).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([(AuditEventKind.SignInFailed, (long?)null, "no account has this email"), (AuditEventKind.SignInFailed, demo, "wrong password"), (AuditEventKind.SignedIn, demo, "signed in with the password")],
            signIns.Select(e => (e.Kind, e.AccountId, e.Detail)));
        Assert.All(signIns, e => Assert.Equal("127.0.0.1", e.SourceAddress));
        Assert.All(signIns, e => Assert.False(string.IsNullOrEmpty(e.RequestId)));
        Assert.Equal((AuditActor.Customer, $"{demo}"), (signIns[2].Actor, signIns[2].ActorId));
        Assert.DoesNotContain(await test.Query(db => db.AuditEvents.AsNoTracking().Select(e => e.Detail).ToListAsync()),
            d => d.Contains("somebody-else", StringComparison.Ordinal) || d.Contains("typed-by-mistake", StringComparison.Ordinal) || d.Contains("not-the-password", StringComparison.Ordinal));
        var disabled = await test.Query(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Kind == AuditEventKind.AccessKeyDisabled));
        Assert.Equal((demo, AuditActor.Customer, $"{demo}"), (disabled.AccountId, disabled.Actor, disabled.ActorId));

        // Another customer's Settings shows none of it.
        var otherPage = await browser.NewPhonePage(server.Address);
        await SignIn(otherPage, await test.EmailOf(other), "Secret-2026");
        await otherPage.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await otherPage.GotoAsync("/settings");
        var others = (await otherPage.GetByTestId("security-activity").Locator("li").AllInnerTextsAsync()).Select(t => t.Split('\n')[0].Trim()).ToList();
        Assert.Equal(2, others.Count);
        Assert.Equal("Signed in", others[0]);
        Assert.StartsWith("AccessKey created LTAI", others[1], StringComparison.Ordinal);
        Assert.DoesNotContain(others, t => t.Contains("LTAI5tCloudbillDemo00001", StringComparison.Ordinal));
    }
}
