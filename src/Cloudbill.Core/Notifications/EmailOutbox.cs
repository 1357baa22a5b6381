using Cloudbill.Core.Persistence;
using Cloudbill.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cloudbill.Core.Notifications;

/// <summary>What one outbox pass did.</summary>
public readonly record struct EmailPassResult(int Sent, int Retrying, int Failed, int NotConfigured);

/// <summary>
/// R9.2: emails the Message Center entries that <see cref="Notifier"/> wrote in their cause's
/// transaction (the outbox). Runs on every node; each message is claimed with a conditional
/// update before it is sent, so two nodes never send the same message.
/// </summary>
/// <remarks>
/// The claim uses the row's own columns (no schema change): it increments
/// <see cref="Notification.EmailAttempts"/> only if it is unchanged and the message is still
/// Pending, and stamps <see cref="Notification.EmailSentAt"/> with the attempt's start. While a
/// message is Pending that stamp is "last attempt started at": the message is picked again
/// only <see cref="EmailOptions.RetryDelaySeconds"/> later, which is both the retry delay and
/// how long a claim holds against other nodes. Once Sent it is the time the server accepted it.
/// A node that stops between the server's acceptance and the Sent mark leaves the message to be
/// sent again after the delay (at least once, as SMTP allows no better).
/// </remarks>
public sealed class EmailOutbox(IServiceScopeFactory scopes, EmailOptions options, SmtpEmailSender sender, NoticeRenderer renderer, TimeProvider clock, ILogger<EmailOutbox> logger)
    : BackgroundService
{
    /// <param name="Language">The customer's stored choice of the app's language (null: English).</param>
    private sealed record Candidate(long Id, long AccountId, NotificationKind Kind, int Attempts, string To, string? Language, Notification Notification);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.PollIntervalSeconds);
        logger.LogInformation("Email outbox started: {Smtp}", options.ToString());
        await PeriodicLoop.Run(interval, clock, RunPass,
            e => logger.LogError(e, "The email outbox pass failed; it runs again in {Seconds} s", interval.TotalSeconds), stoppingToken);
    }

    /// <summary>One pass in a fresh scope: sends (or, without SMTP, settles) what is due, batch after batch.</summary>
    public async Task<EmailPassResult> RunPass(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();

        if (!options.IsConfigured)
        {
            // R9.2: no SMTP, so the Message Center copy is the only one.
            var settled = await db.Notifications.Where(n => n.Email == EmailState.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.Email, EmailState.NotConfigured), ct);
            if (settled > 0)
                logger.LogInformation("SMTP is not configured: {Count} notification(s) stay in the Message Center only", settled);
            return new EmailPassResult(0, 0, 0, settled);
        }

        var result = new EmailPassResult(0, 0, 0, 0);
        SmtpSession? session = null;
        try
        {
            while (true)
            {
                var batch = await Due(db, ct);
                foreach (var candidate in batch)
                {
                    // Connect before claiming: an unreachable server costs no message an attempt.
                    session ??= await Connect(batch.Count, ct);
                    if (session is null || !await Reconnected(session, batch.Count, ct))
                        return result;
                    result = await Deliver(db, session, candidate, result, ct);
                }
                if (batch.Count < options.BatchSize)
                    return result;
            }
        }
        finally
        {
            if (session is not null)
                await session.DisposeAsync();
        }
    }

    private async Task<List<Candidate>> Due(CloudbillDbContext db, CancellationToken ct)
    {
        var retryBefore = clock.GetUtcNow().AddSeconds(-options.RetryDelaySeconds);
        return await (
                from n in db.Notifications
                where n.Email == EmailState.Pending && (n.EmailSentAt == null || n.EmailSentAt <= retryBefore)
                join a in db.BillingAccounts on n.AccountId equals a.Id
                orderby n.Id
                // The email is written in the language the customer chose for the app (docs/decisions/0030).
                select new Candidate(n.Id, n.AccountId, n.Kind, n.EmailAttempts, a.Email,
                    db.Users.Where(u => u.BillingAccountId == a.Id).Select(u => u.PreferredCulture).FirstOrDefault(), n))
            .AsNoTracking()
            .Take(options.BatchSize)
            .ToListAsync(ct);
    }

    private async Task<SmtpSession?> Connect(int waiting, CancellationToken ct)
    {
        try
        {
            return await sender.Connect(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Unreachable(e, waiting);
            return null;
        }
    }

    /// <summary>True when the session is (again) connected, after a send that dropped it.</summary>
    private async Task<bool> Reconnected(SmtpSession session, int waiting, CancellationToken ct)
    {
        if (session.IsConnected)
            return true;
        try
        {
            await session.Reopen(ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Unreachable(e, waiting);
            return false;
        }
    }

    private void Unreachable(Exception e, int waiting) =>
        logger.LogWarning(e, "Cannot reach SMTP server {Host}:{Port}; {Count} notification(s) wait for the next pass", options.Host, options.Port, waiting);

    private async Task<EmailPassResult> Deliver(CloudbillDbContext db, SmtpSession session, Candidate c, EmailPassResult result, CancellationToken ct)
    {
        var attempt = c.Attempts + 1;
        var claimed = await db.Notifications
            .Where(n => n.Id == c.Id && n.Email == EmailState.Pending && n.EmailAttempts == c.Attempts)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.EmailAttempts, attempt).SetProperty(n => n.EmailSentAt, clock.GetUtcNow()), ct);
        if (claimed == 0)
            return result; // Another node claimed it first.

        try
        {
            var text = renderer.Render(c.Notification, NoticeRenderer.LanguageOf(c.Language));
            await session.Send(new OutgoingEmail(c.Id, c.To, text.Title, text.Body), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (attempt >= options.MaxAttempts)
            {
                await Mine(db, c.Id, attempt).ExecuteUpdateAsync(s => s.SetProperty(n => n.Email, EmailState.Failed).SetProperty(n => n.EmailSentAt, (DateTimeOffset?)null), ct);
                logger.LogError(e, "Emailing notification {NotificationId} ({Kind}) to account {AccountId} failed {Attempts} times; it stays in the Message Center only",
                    c.Id, c.Kind, c.AccountId, attempt);
                return result with { Failed = result.Failed + 1 };
            }
            logger.LogWarning(e, "Emailing notification {NotificationId} ({Kind}) to account {AccountId} failed (attempt {Attempt} of {MaxAttempts}); retrying in {Seconds} s",
                c.Id, c.Kind, c.AccountId, attempt, options.MaxAttempts, options.RetryDelaySeconds);
            return result with { Retrying = result.Retrying + 1 };
        }

        // Recorded even when the node is stopping: the server has the message.
        var marked = await Mine(db, c.Id, attempt).ExecuteUpdateAsync(s => s.SetProperty(n => n.Email, EmailState.Sent).SetProperty(n => n.EmailSentAt, clock.GetUtcNow()), CancellationToken.None);
        if (marked == 0)
            logger.LogWarning("Notification {NotificationId} was claimed again while its email was being sent (sending took longer than {Seconds} s); it may arrive twice",
                c.Id, options.RetryDelaySeconds);
        logger.LogInformation("Emailed notification {NotificationId} ({Kind}) to account {AccountId}", c.Id, c.Kind, c.AccountId);
        return result with { Sent = result.Sent + 1 };
    }

    /// <summary>The message while this pass's claim on it holds.</summary>
    private static IQueryable<Notification> Mine(CloudbillDbContext db, long id, int attempt) =>
        db.Notifications.Where(n => n.Id == id && n.Email == EmailState.Pending && n.EmailAttempts == attempt);
}
