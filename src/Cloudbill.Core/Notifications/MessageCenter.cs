using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Core.Notifications;

/// <summary>The Message Center's filters: one kind or all, and unread only.</summary>
public sealed record MessageFilter(NotificationKind? Kind = null, bool UnreadOnly = false, int Page = 1, int PageSize = 20)
{
    public const int MaxPageSize = 100;
}

public sealed record MessagePage(IReadOnlyList<Notification> Messages, int Total, int Page, int PageSize);

/// <summary>
/// R9.2: the in-app Message Center. Every query is scoped to the caller's account: another
/// account's message is "not found", never shown or changed.
/// </summary>
public sealed class MessageCenter(CloudbillDbContext db, Audit.AuditLog audit, TimeProvider clock)
{
    /// <summary>
    /// Sends a message's email again (a customer who lost it, a mailbox that was full): the outbox
    /// picks it up as a new message, with a fresh count of attempts. Refused while it is still
    /// waiting to be sent, and when no email server is configured. The row is changed only if its
    /// email state is the one read, so two resends at once queue one email.
    /// </summary>
    public async Task<Result<Notification>> ResendEmail(long accountId, long id, CancellationToken ct)
    {
        if (await db.Notifications.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id && n.AccountId == accountId, ct) is not { } message)
            return NotificationErrors.NotFound(id);
        if (message.Email == EmailState.NotConfigured)
            return NotificationErrors.NoEmailServer(id);
        if (message.Email == EmailState.Pending)
            return NotificationErrors.EmailPending(id);

        await using var tx = await db.BeginOrJoinTransaction(ct);
        var queued = await db.Notifications.Where(n => n.Id == id && n.Email == message.Email && n.EmailAttempts == message.EmailAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Email, EmailState.Pending).SetProperty(n => n.EmailAttempts, 0).SetProperty(n => n.EmailSentAt, (DateTimeOffset?)null), ct);
        if (queued == 0)
            return NotificationErrors.EmailPending(id);
        await audit.Record(Audit.AuditEventKind.NotificationResent, accountId, $"message {id} ({message.Kind}), its email was {message.Email}", ct);
        await tx.Commit(ct);
        message.Email = EmailState.Pending;
        message.EmailAttempts = 0;
        return message;
    }

    /// <summary>The caller's messages, newest first.</summary>
    public async Task<Result<MessagePage>> List(long accountId, MessageFilter filter, CancellationToken ct)
    {
        if (filter.Page < 1)
            return NotificationErrors.InvalidFilter($"Page {filter.Page} does not exist; pages start at 1.");
        if (filter.PageSize is < 1 or > MessageFilter.MaxPageSize)
            return NotificationErrors.InvalidFilter($"Page size {filter.PageSize} is outside 1 to {MessageFilter.MaxPageSize}.");
        if (filter.Kind is { } k && !Enum.IsDefined(k))
            return NotificationErrors.InvalidFilter($"Message kind {(int)k} does not exist; use one of {string.Join(", ", Enum.GetNames<NotificationKind>())}.");

        var query = Mine(accountId);
        if (filter.Kind is { } kind)
            query = query.Where(n => n.Kind == kind);
        if (filter.UnreadOnly)
            query = query.Where(n => n.ReadAt == null);

        var total = await query.CountAsync(ct);
        var messages = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip(Paging.Skip(filter.Page, filter.PageSize)).Take(filter.PageSize)
            .ToListAsync(ct);
        return new MessagePage(messages, total, filter.Page, filter.PageSize);
    }

    /// <summary>The badge on the bell.</summary>
    public Task<int> UnreadCount(long accountId, CancellationToken ct) =>
        Mine(accountId).CountAsync(n => n.ReadAt == null, ct);

    /// <summary>Marks one of the caller's messages read; reading it again keeps the first time.</summary>
    public async Task<Result<Notification>> MarkRead(long accountId, long notificationId, CancellationToken ct)
    {
        await db.Notifications.Where(n => n.Id == notificationId && n.AccountId == accountId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, clock.GetUtcNow()), ct);
        var message = await Mine(accountId).FirstOrDefaultAsync(n => n.Id == notificationId, ct);
        return message is null ? NotificationErrors.NotFound(notificationId) : message;
    }

    /// <returns>How many messages were unread.</returns>
    public Task<int> MarkAllRead(long accountId, CancellationToken ct) =>
        db.Notifications.Where(n => n.AccountId == accountId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, clock.GetUtcNow()), ct);

    private IQueryable<Notification> Mine(long accountId) =>
        db.Notifications.AsNoTracking().Where(n => n.AccountId == accountId);
}
