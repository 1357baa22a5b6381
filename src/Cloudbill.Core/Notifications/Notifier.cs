using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.Notifications;

/// <summary>
/// Writes Message Center entries into the caller's unit of work (R9.2): the notification is
/// saved, or rolled back, with its cause. Email goes out later from the outbox.
/// </summary>
public sealed class Notifier(CloudbillDbContext db, TimeProvider clock)
{
    /// <param name="causeKey">R9.3: unique per cause, e.g. the engine action's key or "order:12:paid".</param>
    public Notification Add(long accountId, NotificationKind kind, string causeKey, string title, string body, string? instanceId = null, long? orderId = null)
    {
        var notification = Create(accountId, kind, causeKey, title, body, instanceId, orderId);
        db.Notifications.Add(notification);
        return notification;
    }

    /// <summary>The notification, not yet in the unit of work: for a caller that writes many at once (the lifecycle engine).</summary>
    internal Notification Create(long accountId, NotificationKind kind, string causeKey, string title, string body, string? instanceId = null, long? orderId = null) => new()
    {
        AccountId = accountId,
        Kind = kind,
        CauseKey = causeKey,
        Title = title,
        Body = body,
        InstanceId = instanceId,
        OrderId = orderId,
        CreatedAt = clock.GetUtcNow(),
        Email = EmailState.Pending,
    };
}
