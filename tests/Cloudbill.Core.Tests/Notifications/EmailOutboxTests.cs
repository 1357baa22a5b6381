using System.Net;
using System.Net.Sockets;
using Cloudbill.Core.Notifications;
using Cloudbill.Core.Persistence;
using Cloudbill.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cloudbill.Core.Tests;

/// <summary>R9.2: the email outbox, through the real MailKit sender against a local SMTP server.</summary>
public class EmailOutboxTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal static EmailOptions Smtp(int port, int maxAttempts = 5) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        Security = SmtpSecurity.None,
        FromAddress = "billing@cloudbill.test",
        FromName = "Cloudbill Billing",
        MaxAttempts = maxAttempts,
        RetryDelaySeconds = 300,
        TimeoutSeconds = 20,
        BatchSize = 7,
    };

    internal static EmailOutbox Outbox(TestServices test, EmailOptions options) =>
        ActivatorUtilities.CreateInstance<EmailOutbox>(test.Services, options, new SmtpEmailSender(options, test.Clock));

    /// <summary>
    /// A pending Message Center entry with the given English text, as rows were stored before
    /// notices had content (docs/decisions/0030): the outbox sends it as written. Notices with
    /// content, in the reader's language, are <see cref="NoticeLanguageTests"/>.
    /// </summary>
    internal static Task<Notification> Notify(TestServices test, long account, string title, NotificationKind kind = NotificationKind.PaymentSucceeded, string body = "Order 1 is paid: 330.00 CNY.") =>
        test.Run<CloudbillDbContext, Notification>(async (db, ct) =>
        {
            var notification = new Notification
            {
                AccountId = account,
                Kind = kind,
                CauseKey = $"test:{Guid.NewGuid():N}",
                LegacyTitle = title,
                LegacyBody = body,
                CreatedAt = test.Clock.GetUtcNow(),
                Email = EmailState.Pending,
            };
            db.Notifications.Add(notification);
            await db.SaveChangesAsync(ct);
            return notification;
        });

    private static Task<Notification> Reload(TestServices test, long id) =>
        test.Query(db => db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pending_notification_is_emailed_once_to_the_account_with_its_title_as_subject(DatabaseProvider provider)
    {
        await using var smtp = new TestSmtpServer();
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var notification = await Notify(test, account, "Payment received for order 1", body: "Order 1 is paid: 330.00 CNY (支付成功).");
        var outbox = Outbox(test, Smtp(smtp.Port));

        Assert.Equal(new EmailPassResult(1, 0, 0, 0), await outbox.RunPass(None));
        test.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(new EmailPassResult(0, 0, 0, 0), await outbox.RunPass(None));

        var email = Assert.Single(smtp.Received);
        Assert.Equal([await test.EmailOf(account)], email.To);
        Assert.Equal("billing@cloudbill.test", email.From);
        Assert.Equal("Payment received for order 1", email.Message.Subject);
        Assert.Equal("Order 1 is paid: 330.00 CNY (支付成功).", email.Message.TextBody?.TrimEnd());
        Assert.Equal("Cloudbill Billing", email.Message.From.Mailboxes.Single().Name);
        Assert.Equal($"notification-{notification.Id}@cloudbill.test", email.Message.MessageId);
        Assert.Equal(TestServices.DefaultStart, email.Message.Date);

        var sent = await Reload(test, notification.Id);
        Assert.Equal((EmailState.Sent, 1, TestServices.DefaultStart), (sent.Email, sent.EmailAttempts, sent.EmailSentAt));
        Assert.Null(sent.ReadAt); // The email does not mark the Message Center copy read.
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_nodes_running_the_outbox_at_once_send_each_message_once(DatabaseProvider provider)
    {
        await using var smtp = new TestSmtpServer();
        await using var test = await TestServices.Start(provider);
        var second = await TestServices.Start(test.Database);
        try
        {
            var accounts = new[] { await test.Customer(), await test.Customer() };
            var ids = new List<long>();
            for (var i = 0; i < 30; i++)
                ids.Add((await Notify(test, accounts[i % 2], $"Message {i}")).Id);
            var options = Smtp(smtp.Port);
            var outboxes = new[] { Outbox(test, options), Outbox(second, options) };

            var passes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => outboxes[i % 2].RunPass(None))));

            Assert.Equal(30, passes.Sum(p => p.Sent));
            Assert.Equal(30, smtp.Received.Count);
            Assert.Equal(Enumerable.Range(0, 30).Select(i => $"Message {i}").Order(StringComparer.Ordinal),
                smtp.Received.Select(r => r.Message.Subject).Order(StringComparer.Ordinal));
            var rows = await test.Query(db => db.Notifications.AsNoTracking().Where(n => ids.Contains(n.Id)).ToListAsync());
            Assert.All(rows, n => Assert.Equal((EmailState.Sent, 1), (n.Email, n.EmailAttempts)));
        }
        finally
        {
            await second.DisposeServicesOnly();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_refused_message_is_retried_after_the_delay_and_ends_Failed_after_the_maximum(DatabaseProvider provider)
    {
        await using var smtp = new TestSmtpServer();
        await using var test = await TestServices.Start(provider);
        var refused = await test.Customer();
        var fine = await test.Customer();
        var refusedAddress = await test.EmailOf(refused);
        smtp.RefuseRecipient = to => to == refusedAddress;
        var bounced = await Notify(test, refused, "Your instance expires in 7 days", NotificationKind.ExpiryReminder);
        var delivered = await Notify(test, fine, "Payment received");
        var outbox = Outbox(test, Smtp(smtp.Port, maxAttempts: 3));

        // The refusal costs one attempt and does not hold up the next message on the connection.
        Assert.Equal(new EmailPassResult(1, 1, 0, 0), await outbox.RunPass(None));
        Assert.Equal("Payment received", Assert.Single(smtp.Received).Message.Subject);
        var first = await Reload(test, bounced.Id);
        Assert.Equal((EmailState.Pending, 1), (first.Email, first.EmailAttempts));

        // Not again before the retry delay.
        test.Clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(new EmailPassResult(0, 0, 0, 0), await outbox.RunPass(None));
        Assert.Equal(1, smtp.RefusedRecipients);

        test.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new EmailPassResult(0, 1, 0, 0), await outbox.RunPass(None));
        Assert.Equal(2, (await Reload(test, bounced.Id)).EmailAttempts);

        test.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(new EmailPassResult(0, 0, 1, 0), await outbox.RunPass(None));
        var failed = await Reload(test, bounced.Id);
        Assert.Equal((EmailState.Failed, 3, (DateTimeOffset?)null), (failed.Email, failed.EmailAttempts, failed.EmailSentAt));

        test.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(new EmailPassResult(0, 0, 0, 0), await outbox.RunPass(None));
        Assert.Equal(3, smtp.RefusedRecipients);
        Assert.Single(smtp.Received);
        Assert.Equal(EmailState.Sent, (await Reload(test, delivered.Id)).Email);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_unreachable_server_costs_no_attempt(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var notification = await Notify(test, account, "Payment received");
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        Assert.Equal(new EmailPassResult(0, 0, 0, 0), await Outbox(test, Smtp(port)).RunPass(None));

        var waiting = await Reload(test, notification.Id);
        Assert.Equal((EmailState.Pending, 0, (DateTimeOffset?)null), (waiting.Email, waiting.EmailAttempts, waiting.EmailSentAt));

        // Once the server is up, the next pass sends it.
        await using var smtp = new TestSmtpServer();
        Assert.Equal(new EmailPassResult(1, 0, 0, 0), await Outbox(test, Smtp(smtp.Port)).RunPass(None));
        Assert.Single(smtp.Received);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Without_SMTP_notifications_are_NotConfigured_and_stay_in_the_Message_Center(DatabaseProvider provider)
    {
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        var notification = await Notify(test, account, "Payment received");

        Assert.Equal(new EmailPassResult(0, 0, 0, 1), await Outbox(test, new EmailOptions()).RunPass(None));

        var row = await Reload(test, notification.Id);
        Assert.Equal((EmailState.NotConfigured, 0, (DateTimeOffset?)null), (row.Email, row.EmailAttempts, row.EmailSentAt));
        var inbox = await MessageCenterTests.Center(test, (c, ct) => c.List(account, new MessageFilter(), ct));
        Assert.Equal(notification.Id, inbox.Value.Messages.Single().Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_background_outbox_sends_on_its_clock_exactly_once(DatabaseProvider provider)
    {
        await using var smtp = new TestSmtpServer();
        await using var test = await TestServices.Start(provider);
        var account = await test.Customer();
        await Notify(test, account, "First");
        var options = Smtp(smtp.Port);
        using var worker = Outbox(test, options);
        await worker.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await SentEventually(test, smtp, options, 1);
            await Notify(test, account, "Second");
            await SentEventually(test, smtp, options, 2);

        }
        finally
        {
            await worker.StopAsync(TestContext.Current.CancellationToken);
        }

        // Many more passes later (each one run to its end, not hoped for), still one email each.
        for (var i = 0; i < 5; i++)
        {
            test.Clock.Advance(TimeSpan.FromSeconds(options.PollIntervalSeconds));
            Assert.Equal(new EmailPassResult(0, 0, 0, 0), await worker.RunPass(TestContext.Current.CancellationToken));
        }
        Assert.Equal(["First", "Second"], smtp.Received.Select(r => r.Message.Subject));
    }

    /// <summary>Moves the fake clock one poll interval at a time until the server has the messages (the worker runs on its own task).</summary>
    private static Task SentEventually(TestServices test, TestSmtpServer smtp, EmailOptions options, int count) =>
        Eventually.Until(
            async () => smtp.Received.Count >= count && await test.Query(db => db.Notifications.CountAsync(n => n.Email == EmailState.Sent)) >= count,
            $"the outbox sending {count} message(s) (the server has {smtp.Received.Count})",
            () => test.Clock.Advance(TimeSpan.FromSeconds(options.PollIntervalSeconds)));

    [Fact]
    public void AddCloudbillNotifications_binds_Cloudbill_Email_and_never_shows_the_password()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cloudbill:Email:Host"] = "smtp.example.com",
            ["Cloudbill:Email:Port"] = "465",
            ["Cloudbill:Email:Security"] = "SslOnConnect",
            ["Cloudbill:Email:Username"] = "billing",
            ["Cloudbill:Email:Password"] = "s3cret-smtp-password",
            ["Cloudbill:Email:FromAddress"] = "billing@example.com",
            ["Cloudbill:Email:FromName"] = "Example Cloud",
            ["Cloudbill:Email:MaxAttempts"] = "7",
            ["Cloudbill:Email:PollIntervalSeconds"] = "30",
        }).Build();
        // The catalog names a notice's products in the reader's language (docs/decisions/0030).
        var services = new ServiceCollection().AddLogging().AddSingleton(Catalog.CatalogLoader.Load(CloudbillPaths.ShippedCatalog))
            .AddCloudbillNotifications(configuration).BuildServiceProvider();

        var options = services.GetRequiredService<EmailOptions>();
        Assert.Equal(("smtp.example.com", 465, SmtpSecurity.SslOnConnect, "billing", "s3cret-smtp-password"), (options.Host, options.Port, options.Security, options.Username, options.Password));
        Assert.Equal(("billing@example.com", "Example Cloud", 7, 30), (options.FromAddress, options.FromName, options.MaxAttempts, options.PollIntervalSeconds));
        Assert.Equal("SMTP smtp.example.com:465 (SslOnConnect) as billing from billing@example.com", options.ToString());
        Assert.Same(services.GetRequiredService<EmailOutbox>(), services.GetRequiredService<EmailOutbox>());
    }

    [Theory]
    [InlineData("Security", "Tls", "Cloudbill:Email:Security")]
    [InlineData("MaxAttempts", "0", "Cloudbill:Email:MaxAttempts is 0; use 1 to 100 (default 5).")]
    [InlineData("FromAddress", "", "Cloudbill:Email:FromAddress is required when Cloudbill:Email:Host is set")]
    [InlineData("FromAddress", "not an address", "Cloudbill:Email:FromAddress 'not an address' is not an email address.")]
    [InlineData("Port", "70000", "Cloudbill:Email:Port is 70000; use 1 to 65535")]
    [InlineData("RetryDelaySeconds", "30", "Cloudbill:Email:RetryDelaySeconds is 30; it must be more than Cloudbill:Email:TimeoutSeconds (60)")]
    public void A_bad_email_setting_stops_the_start_naming_the_key(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cloudbill:Email:Host"] = "smtp.example.com",
            ["Cloudbill:Email:FromAddress"] = "billing@example.com",
            ["Cloudbill:Email:Password"] = "s3cret-smtp-password",
            [$"Cloudbill:Email:{key}"] = value,
        }).Build();

        var e = Assert.Throws<ConfigurationProblemException>(() => EmailOptions.Read(configuration));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_host_email_is_not_configured() =>
        Assert.Equal("SMTP not configured", EmailOptions.Read(new ConfigurationBuilder().Build()).ToString());
}
