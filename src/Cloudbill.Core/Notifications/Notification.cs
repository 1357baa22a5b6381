namespace Cloudbill.Core.Notifications;

/// <summary>R9.1.</summary>
public enum NotificationKind
{
    ExpiryReminder,
    AutoRenewalSucceeded,
    AutoRenewalFailed,
    PaymentSucceeded,
    OrderCancelled,
    InstanceSuspended,
    InstanceReleased,
    TopUpCredited,
    Overdue,
    LowBalance,

    /// <summary>R8.2: a pay-as-you-go instance stopped for an overdue account runs again after the overdue amount was settled.</summary>
    InstanceRestarted,

    /// <summary>The provider's staff answered a suggestion the customer made.</summary>
    SuggestionAnswered,
}

/// <summary>Whether the email copy has left (R9.2); the in-app copy is the row itself.</summary>
public enum EmailState
{
    /// <summary>Waiting for the outbox worker.</summary>
    Pending,
    Sent,

    /// <summary>No SMTP server is configured: the message is only in the Message Center.</summary>
    NotConfigured,

    /// <summary>Sending failed too many times; the message stays in the Message Center.</summary>
    Failed,
}

/// <summary>
/// A Message Center entry (R9.2), written in the same transaction as its cause, once per cause
/// (R9.3: the unique <see cref="CauseKey"/>, e.g. "reminder:i-…:20261210:7"). Email is sent
/// later from it by the outbox worker. What it says is its <see cref="Content"/>, a
/// <see cref="Notice"/> rendered in the reader's language when it is shown or sent
/// (docs/decisions/0030).
/// </summary>
public sealed class Notification
{
    public long Id { get; set; }
    public long AccountId { get; set; }
    public NotificationKind Kind { get; set; }
    public required string CauseKey { get; set; }
    public string? InstanceId { get; set; }
    public long? OrderId { get; set; }

    /// <summary>The <see cref="Notice"/> as JSON (its kind and parameters); null only on a row written before notices had content.</summary>
    public string? Content { get; set; }

    /// <summary>The English title a row written before decision 0030 was stored with; null on every newer row.</summary>
    public string? LegacyTitle { get; set; }

    /// <summary>The English body a row written before decision 0030 was stored with; null on every newer row.</summary>
    public string? LegacyBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public EmailState Email { get; set; }
    public int EmailAttempts { get; set; }
    public DateTimeOffset? EmailSentAt { get; set; }
}
