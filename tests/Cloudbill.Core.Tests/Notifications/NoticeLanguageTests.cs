using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using static Cloudbill.Core.Tests.EmailOutboxTests;

namespace Cloudbill.Core.Tests;

/// <summary>R9.2 and docs/decisions/0030: a notice reaches each customer in the language they chose for the app.</summary>
public class NoticeLanguageTests
{
    private static Task Choose(TestServices test, long account, string? culture) =>
        test.Query(db => db.Users.Where(u => u.BillingAccountId == account).ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, culture)));

    private static Task<Notification> Notify(TestServices test, long account, string cause, Notice notice) =>
        test.Run<CloudbillDbContext, Notification>(async (db, ct) =>
        {
            var notification = new Notifier(db, test.Clock).Add(account, cause, notice);
            await db.SaveChangesAsync(ct);
            return notification;
        });

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_email_of_a_notice_is_in_the_language_each_customer_chose(DatabaseProvider provider)
    {
        await using var smtp = new TestSmtpServer();
        await using var test = await TestServices.Start(provider);
        var chinese = await test.Customer();
        var english = await test.Customer();
        var undecided = await test.Customer();
        await Choose(test, chinese, "zh-CN");
        await Choose(test, english, "en");
        var topUp = new TopUpCredited("CB20261207002", "Alipay", Money.Parse("100.00"), Money.Zero, Money.Zero, []);
        foreach (var account in new[] { chinese, english, undecided })
            await Notify(test, account, $"payment:{account}:credited", topUp);

        Assert.Equal(new EmailPassResult(3, 0, 0, 0), await Outbox(test, Smtp(smtp.Port)).RunPass(CancellationToken.None));

        async Task<(string Subject, string Body)> To(long account)
        {
            var address = await test.EmailOf(account);
            var email = smtp.Received.Single(r => r.To.Contains(address));
            return (email.Message.Subject ?? "", email.Message.TextBody?.TrimEnd() ?? "");
        }
        Assert.Equal(("充值已到账", "通过支付宝充值的 ¥100.00（交易号 CB20261207002）已到账。"), await To(chinese));
        Assert.Equal(("Top-up credited", "100.00 CNY from Alipay (trade CB20261207002) is on your account. Top-up of 100.00 CNY by Alipay credited."), await To(english));
        Assert.Equal(await To(english), await To(undecided));

        // The Message Center copy is the same notice, stored once: its kind and parameters, no words.
        var stored = await test.Query(db => db.Notifications.AsNoTracking().Where(n => n.AccountId == chinese).SingleAsync());
        Assert.Equal((NotificationKind.TopUpCredited, (string?)null, (string?)null), (stored.Kind, stored.LegacyTitle, stored.LegacyBody));
        Assert.Equal(("充值已到账", "Top-up credited"), (stored.Rendered("zh-CN").Title, stored.Title()));
    }
}
