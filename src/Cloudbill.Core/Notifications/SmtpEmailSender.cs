using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Cloudbill.Core.Notifications;

/// <summary>One email the outbox sends for one notification.</summary>
public sealed record OutgoingEmail(long NotificationId, string To, string Subject, string Body);

/// <summary>
/// Sends notification email over SMTP with MailKit, using <see cref="EmailOptions"/>. The
/// outbox opens one <see cref="SmtpSession"/> per pass and sends its batch over it.
/// </summary>
public sealed class SmtpEmailSender(EmailOptions options, TimeProvider clock)
{
    /// <summary>Connects (and signs in when a username is set) within <see cref="EmailOptions.TimeoutSeconds"/>.</summary>
    /// <exception cref="InvalidOperationException">SMTP is not configured.</exception>
    public async Task<SmtpSession> Connect(CancellationToken ct)
    {
        if (!options.IsConfigured)
            throw new InvalidOperationException("SMTP is not configured (Cloudbill:Email:Host is empty).");
        var session = new SmtpSession(options, clock);
        try
        {
            await session.Open(ct);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }
}

/// <summary>An open SMTP connection for one outbox pass.</summary>
public sealed class SmtpSession : IAsyncDisposable
{
    private readonly EmailOptions options;
    private readonly TimeProvider clock;
    private readonly SmtpClient client;

    internal SmtpSession(EmailOptions options, TimeProvider clock)
    {
        this.options = options;
        this.clock = clock;
        client = new SmtpClient { Timeout = checked(options.TimeoutSeconds * 1000) };
    }

    /// <summary>False after the server or the network dropped the connection.</summary>
    public bool IsConnected => client.IsConnected;

    internal async Task Open(CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        var security = options.Security switch
        {
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
        };
        // Host and FromAddress are checked: SmtpEmailSender.Connect only opens a session when configured, and Validate requires FromAddress then.
        await client.ConnectAsync(options.Host!, options.Port, security, deadline.Token);
        if (!string.IsNullOrEmpty(options.Username))
            await client.AuthenticateAsync(options.Username, options.Password ?? "", deadline.Token);
    }

    /// <summary>Reconnects after a dropped connection.</summary>
    public async Task Reopen(CancellationToken ct)
    {
        if (client.IsConnected)
            return;
        await Open(ct);
    }

    /// <summary>Sends one message as plain text; throws when the server refuses it or the address is not valid.</summary>
    public async Task Send(OutgoingEmail email, CancellationToken ct)
    {
        var from = new MailboxAddress(options.FromName, options.FromAddress!);
        var message = new MimeMessage
        {
            // MimeKit would stamp the machine's local time; the injected clock keeps it testable.
            Date = clock.GetUtcNow(),
            Subject = email.Subject,
            Body = new TextPart("plain") { Text = email.Body },
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(email.To));
        // Stable per notification: a retry after a lost acknowledgement can be recognised downstream.
        message.MessageId = $"notification-{email.NotificationId}@{from.Domain}";
        message.Headers.Add("X-Cloudbill-Notification", email.NotificationId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var deadline = Deadline(ct);
        await client.SendAsync(message, deadline.Token);
    }

    private CancellationTokenSource Deadline(CancellationToken ct)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The claim on a message lasts RetryDelaySeconds (> TimeoutSeconds), so a send never outlives it.
        deadline.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        return deadline;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
                await client.DisconnectAsync(quit: true, deadline.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SmtpProtocolException or SmtpCommandException or System.Net.Sockets.SocketException)
        {
            // The messages are already accepted; a failed QUIT changes nothing.
        }
        finally
        {
            client.Dispose();
        }
    }
}
