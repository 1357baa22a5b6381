using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.Notifications;

/// <summary>
/// Writes Message Center entries into the caller's unit of work (R9.2): the notification is
/// saved, or rolled back, with its cause. Email goes out later from the outbox. A notice is one
/// of the <see cref="Notice"/> records, its parameters only: the words are the reader's,
/// written when it is read (<see cref="NoticeRenderer"/>, docs/decisions/0030).
/// </summary>
public sealed class Notifier(CloudbillDbContext db, TimeProvider clock)
{
    /// <param name="causeKey">R9.3: unique per cause, e.g. the engine action's key or "order:12:paid".</param>
    public Notification Add(long accountId, string causeKey, Notice notice)
    {
        var notification = Create(accountId, causeKey, notice);
        db.Notifications.Add(notification);
        return notification;
    }

    /// <summary>The notification, not yet in the unit of work: for a caller that writes many at once (the lifecycle engine).</summary>
    internal Notification Create(long accountId, string causeKey, Notice notice) => new()
    {
        AccountId = accountId,
        Kind = notice.Kind,
        CauseKey = causeKey,
        Content = Notice.Serialize(notice),
        InstanceId = notice.AboutInstance,
        OrderId = notice.AboutOrder,
        CreatedAt = clock.GetUtcNow(),
        Email = EmailState.Pending,
    };
}
