using System.Text.RegularExpressions;
using Cloudbill.Core.Instances;
using Cloudbill.Core.Lifecycle;
using Cloudbill.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Cloudbill.Server.Tests.App;

/// <summary>The app's server with its email sent to a test SMTP server.</summary>
public sealed class NoticeEmailFixture : AppFixture, IAsyncLifetime
{
    public TestSmtpServer Smtp { get; } = new();

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>
    {
        ["Cloudbill__Email__Host"] = "127.0.0.1",
        ["Cloudbill__Email__Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Cloudbill__Email__Security"] = "None",
        ["Cloudbill__Email__FromAddress"] = "billing@cloudbill.test",
        ["Cloudbill__Email__PollIntervalSeconds"] = "1",
    };

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// Notices in the reader's language (docs/decisions/0030): a customer who reads the app in
/// Chinese finds a top-up, a renewal and a failed auto-renewal reported in Chinese in the Message
/// Center, and gets the same notices by email in Chinese.
/// </summary>
public partial class NoticeLanguageTests(NoticeEmailFixture app) : IClassFixture<NoticeEmailFixture>
{
    [Fact]
    public async Task A_customer_reading_Chinese_finds_every_notice_in_Chinese_in_the_Message_Center_and_in_the_email()
    {
        var services = app.Services;
        var account = await services.Customer("0.00");
        var email = await services.EmailOf(account);
        var now = services.Clock.GetUtcNow();
        var renewed = await services.Instance(account, now.AddDays(20), name: "web-renewed");
        // Auto-renewal for a year, first tried at 08:00 on the ninth day before expiry: more than the balance will hold.
        var failing = await services.Instance(account, now.AddDays(10), RenewalMethod.AutoRenewal, autoRenewPeriodMonths: 12, name: "web-auto");

        var phone = await app.SignedIn(email, "Secret-2026");
        var page = phone.Page;
        // The language chosen in the header is stored for the customer: the email follows it.
        await phone.Tap(page.GetByRole(AriaRole.Button, new() { Name = "Language: 中文" }), path => path == "/");

        // A top-up of ¥500.00 by Alipay.
        await page.GotoAsync("/topup");
        await page.GetByLabel("或输入其他金额").FillAsync("500.00");
        await page.GetByRole(AriaRole.Radio, new() { Name = "支付宝" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "确认充值" }).ClickAsync();
        await page.WaitForCashier("alipay");
        await page.GetByLabel("Alipay balance (余额)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).ClickAsync();
        await page.WaitForPaymentPage();
        await page.WaitForFunctionAsync("() => !!document.documentElement.dataset.view");

        // A renewal for one month, paid from the balance.
        await page.GotoAsync($"/renew?ids={Uri.EscapeDataString(renewed.Id)}&months=1");
        await phone.Tap(page.GetByTestId("pay-now"), path => path.EndsWith("/result", StringComparison.Ordinal));
        Assert.Equal("支付成功", (await page.Locator(".result-title").InnerTextAsync()).Trim());

        // Two days on, the engine's run: the year's auto-renewal is refused.
        services.Clock.Advance(TimeSpan.FromDays(2));
        await services.Services.GetRequiredService<LifecycleEngine>().RunUntil(services.Clock.GetUtcNow(), CancellationToken.None);

        await page.GotoAsync("/messages");
        var cards = page.Locator("[data-testid=messages] li");
        var messages = new List<(string Title, string Body)>();
        for (var i = 0; i < await cards.CountAsync(); i++)
            messages.Add(((await cards.Nth(i).Locator(".message-title").InnerTextAsync()).Trim(), (await cards.Nth(i).Locator(".message-body").InnerTextAsync()).Trim()));

        var titles = messages.Select(m => m.Title).ToList();
        Assert.Contains("充值已到账", titles);
        Assert.Contains("支付成功", titles);
        Assert.Contains("web-auto 自动续费失败", titles);
        var failure = messages.First(m => m.Title == "web-auto 自动续费失败").Body;
        Assert.StartsWith($"实例 {failing.Id}（web-auto）自动续费失败：续费需 ¥", failure, StringComparison.Ordinal);
        Assert.Contains("而您的可用额度为 ¥", failure, StringComparison.Ordinal);
        var paid = messages.Single(m => m.Title == "支付成功").Body;
        Assert.Contains($"（续费 {renewed.Id}）已支付：¥", paid, StringComparison.Ordinal);
        Assert.StartsWith("通过支付宝充值的 ¥500.00（交易号 CB", messages.Single(m => m.Title == "充值已到账").Body, StringComparison.Ordinal);
        // Every title and body is Chinese: no English word left once the ids, names and trade numbers are taken out.
        Assert.All(messages, m =>
        {
            var text = Ids().Replace($"{m.Title} {m.Body}".Replace(renewed.Id, "", StringComparison.Ordinal).Replace(failing.Id, "", StringComparison.Ordinal), "");
            Assert.Matches(Cjk(), text);
            Assert.DoesNotMatch(EnglishWord(), text);
        });
        phone.AssertClean();

        // The email of each notice says the same, in Chinese.
        await Eventually.Until(() => Task.FromResult(Emails().Count >= messages.Count), $"{messages.Count} emails to {email}");
        Assert.Equal(messages.Order(), Emails().Order());

        List<(string Title, string Body)> Emails() => app.Smtp.Received.Where(r => r.To.Contains(email))
            .Select(r => ((r.Message.Subject ?? "").Trim(), (r.Message.TextBody ?? "").Trim())).ToList();
    }

    /// <summary>Instance names of this test and trade numbers ("CB2026…"), which are not words of a language.</summary>
    [GeneratedRegex(@"web-renewed|web-auto|CB[0-9A-Za-z]+|ECS")]
    private static partial Regex Ids();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

    [GeneratedRegex(@"[A-Za-z]{3,}")]
    private static partial Regex EnglishWord();
}
