using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cloudbill.Core.Audit;

/// <summary>Who caused an audited event.</summary>
public enum AuditActor
{
    /// <summary>A visitor who is not signed in (sign-in, sign-up, a caller the API could not authenticate).</summary>
    Anonymous,
    Customer,
    /// <summary>An API caller, named by its AccessKey id.</summary>
    AccessKey,
    /// <summary>Alipay or UnionPay, through a notification.</summary>
    Gateway,
    /// <summary>The lifecycle engine and the other background work (gateway polling).</summary>
    Engine,
    /// <summary>The operator, through a `cloudbill` verb.</summary>
    Operator,
    /// <summary>A member of the provider's staff in the operator console, named by their email.</summary>
    Staff,
    /// <summary>The provider's cloud, through the provider API, named by its provider key id.</summary>
    Provider,
}

/// <summary>What happened. Stored as text: names never change meaning, new ones are added at the end.</summary>
public enum AuditEventKind
{
    SignedIn,
    SignInFailed,
    LockedOut,
    AccountCreated,
    PasswordChanged,
    AccessKeyCreated,
    AccessKeyDisabled,
    AccessKeyEnabled,
    AccessKeyDeleted,
    RenewalMethodChanged,
    /// <summary>An order paid from the balance (after a gateway payment too).</summary>
    OrderPaid,
    AutoRenewalCharged,
    PayAsYouGoCharged,
    /// <summary>A gateway payment received into the customer's cash (a top-up, or the money for an order).</summary>
    GatewayPaymentReceived,
    OverdueSettled,
    OpeningBalance,
    /// <summary>Any other journal transaction that moves a customer's money.</summary>
    BalanceChanged,
    GatewayPaymentRefunded,
    NotificationRejected,
    SignatureRejected,
    WebhookEndpointAdded,
    WebhookEndpointDisabled,
    WebhookEndpointEnabled,
    WebhookSecretRotated,
    WebhookReplayed,
    /// <summary>A call of the provider API (/provider/v1), whatever its answer.</summary>
    ProviderCall,
    /// <summary>A provider API call with no, an unknown or a revoked provider key.</summary>
    ProviderKeyRejected,
    ProviderKeyCreated,
    ProviderKeyRevoked,
    /// <summary>Money of a paid order went back to the customer's cash (a resource the provider failed to create, or a staff refund).</summary>
    OrderRefunded,
    /// <summary>Customers and instances imported from the provider's system.</summary>
    Imported,
    StaffAdded,
    StaffAuthenticatorReset,
    StaffSignedIn,
    StaffSignInFailed,
    StaffLockedOut,
    StaffSignedOut,
    /// <summary>A member of staff opened a customer's page: who looked at whose data, and when.</summary>
    CustomerViewed,
    /// <summary>Staff locked a customer out of the app (the reason in the detail).</summary>
    CustomerLocked,
    CustomerUnlocked,
    /// <summary>Staff adjusted a customer's cash (the amount and the reason; the journal transaction has its own row).</summary>
    BalanceAdjusted,
    /// <summary>A search of the operator console (its text and how many customers it listed).</summary>
    CustomersSearched,

    /// <summary>Staff answered a customer's suggestion; the customer finds the answer in the Message Center.</summary>
    SuggestionAnswered,

    /// <summary>Staff sent a message's email again.</summary>
    NotificationResent,

    /// <summary>Finance staff set a customer's credit line (R7.1).</summary>
    CreditLineSet,

    /// <summary>Staff extended an instance at no charge (after an outage), by a ¥0.00 Renew order.</summary>
    InstanceExtended,

    /// <summary>A coupon was issued to the customer (by the CLI or staff's grant).</summary>
    CouponIssued,

    /// <summary>Staff withdrew a coupon the customer had not used up.</summary>
    CouponRevoked,

    /// <summary>Staff asked a gateway about a payment; the detail is the gateway's answer.</summary>
    GatewayQueried,

    /// <summary>Finance staff exported the rows behind a figure of the overview as CSV.</summary>
    OverviewExported,

    /// <summary>Staff sent a credited gateway payment back to the payer: its amount left the cash, and the gateway was asked to refund it.</summary>
    GatewayRefundRequested,
}

/// <summary>
/// One row of the audit log: money-moving and security events, append-only (the database
/// refuses UPDATE and DELETE on the table; docs/decisions/0027). The detail carries ids and
/// amounts as text, never a secret or a password.
/// </summary>
public sealed class AuditEvent
{
    public const int ActorIdMaxLength = 64;
    public const int AddressMaxLength = 64;
    public const int RequestIdMaxLength = 64;
    public const int DetailMaxLength = 400;
    public const int ReasonMaxLength = 300;

    public long Id { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>The billing account concerned; null when nobody's (an unknown email or AccessKey, a forged notification).</summary>
    public long? AccountId { get; set; }

    public AuditActor Actor { get; set; }

    /// <summary>The customer's account id, the AccessKey id, the gateway or the operator's user name.</summary>
    public string? ActorId { get; set; }

    public AuditEventKind Kind { get; set; }

    /// <summary>The client's IP address as the server saw it; null outside a request.</summary>
    public string? SourceAddress { get; set; }

    /// <summary>The request id the answer carried (problem details' <c>requestId</c>, the API's <c>RequestId</c>).</summary>
    public string? RequestId { get; set; }

    public required string Detail { get; set; }

    /// <summary>Why a member of staff did it, in their words (required of every staff action); null for everything else.</summary>
    public string? Reason { get; set; }
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> e)
    {
        e.Property(a => a.ActorId).HasMaxLength(AuditEvent.ActorIdMaxLength);
        e.Property(a => a.SourceAddress).HasMaxLength(AuditEvent.AddressMaxLength);
        e.Property(a => a.RequestId).HasMaxLength(AuditEvent.RequestIdMaxLength);
        e.Property(a => a.Detail).HasMaxLength(AuditEvent.DetailMaxLength);
        e.Property(a => a.Reason).HasMaxLength(AuditEvent.ReasonMaxLength);
        // The account key is configured by Accounts (BillingAccountConfiguration): Audit sits below it (docs/decisions/0020).
        // The operator's list reads by time; a customer's Settings reads their own, newest first.
        e.HasIndex(a => a.At);
        e.HasIndex(a => new { a.AccountId, a.At });
    }
}
