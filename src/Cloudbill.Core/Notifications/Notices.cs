using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudbill.Core.Notifications;

/// <summary>
/// What a notice says, as its kind and its parameters: ids, amounts in fen, instants and reasons as
/// codes, never sentences (docs/decisions/0030). <see cref="Notifier"/> stores it as JSON in
/// <see cref="Notification.Content"/>; <see cref="NoticeRenderer"/> writes its title and body in the
/// reader's language when the Message Center shows it or the outbox emails it. Names (instances,
/// products' codes, regions' ids) are the ones the customer sees; the renderer turns products and
/// regions into the reader's language through the catalog.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "notice")]
[JsonDerivedType(typeof(ExpiresSoon), nameof(ExpiresSoon))]
[JsonDerivedType(typeof(ExpiredToday), nameof(ExpiredToday))]
[JsonDerivedType(typeof(ReleasedTomorrow), nameof(ReleasedTomorrow))]
[JsonDerivedType(typeof(InstanceStopped), nameof(InstanceStopped))]
[JsonDerivedType(typeof(InstanceReleased), nameof(InstanceReleased))]
[JsonDerivedType(typeof(AutoRenewalFailed), nameof(AutoRenewalFailed))]
[JsonDerivedType(typeof(OrderPaid), nameof(OrderPaid))]
[JsonDerivedType(typeof(PayAsYouGoPlaced), nameof(PayAsYouGoPlaced))]
[JsonDerivedType(typeof(PaymentToBalance), nameof(PaymentToBalance))]
[JsonDerivedType(typeof(PaymentRefunded), nameof(PaymentRefunded))]
[JsonDerivedType(typeof(TopUpCredited), nameof(TopUpCredited))]
[JsonDerivedType(typeof(OrderTimedOut), nameof(OrderTimedOut))]
[JsonDerivedType(typeof(AccountOverdue), nameof(AccountOverdue))]
[JsonDerivedType(typeof(PayAsYouGoStopped), nameof(PayAsYouGoStopped))]
[JsonDerivedType(typeof(PayAsYouGoReleased), nameof(PayAsYouGoReleased))]
[JsonDerivedType(typeof(PayAsYouGoRestarted), nameof(PayAsYouGoRestarted))]
[JsonDerivedType(typeof(ProvisioningFailedRefund), nameof(ProvisioningFailedRefund))]
[JsonDerivedType(typeof(InstanceDeletedAtProvider), nameof(InstanceDeletedAtProvider))]
[JsonDerivedType(typeof(SuggestionAnswered), nameof(SuggestionAnswered))]
[JsonDerivedType(typeof(OrderRefunded), nameof(OrderRefunded))]
[JsonDerivedType(typeof(PaymentReturned), nameof(PaymentReturned))]
public abstract record Notice
{
    /// <summary>The Message Center's kind (R9.1), its filter and badge.</summary>
    internal abstract NotificationKind Kind { get; }

    /// <summary>The instance the notice is about, when it is about one: the Message Center links to it.</summary>
    internal virtual string? AboutInstance => null;

    /// <summary>The order the notice is about, when there is one: the Message Center links to it.</summary>
    internal virtual long? AboutOrder => null;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new MoneyAsFen() } };

    internal static string Serialize(Notice notice) => JsonSerializer.Serialize(notice, Json);

    internal static Notice Deserialize(string content) =>
        JsonSerializer.Deserialize<Notice>(content, Json) ?? throw new JsonException("A notice's content is null.");

    /// <summary>Amounts are stored as their fen, a number.</summary>
    private sealed class MoneyAsFen : JsonConverter<Money>
    {
        public override Money Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt64());

        public override void Write(Utf8JsonWriter writer, Money value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Fen);
    }
}

/// <summary>R4.6: an instance expires in a few days.</summary>
public sealed record ExpiresSoon(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset ExpiresAt, int DaysLeft, bool AutoRenewalPending) : Notice
{
    internal override NotificationKind Kind => NotificationKind.ExpiryReminder;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>R4.6: an instance expired today and is in its grace period.</summary>
public sealed record ExpiredToday(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset ExpiredAt, int GraceDays, bool AutoRenewalPending) : Notice
{
    internal override NotificationKind Kind => NotificationKind.ExpiryReminder;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>R4.6: an expired instance is released tomorrow.</summary>
public sealed record ReleasedTomorrow(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset ExpiredAt, DateTimeOffset ReleasesAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.ExpiryReminder;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>An expired subscription instance was stopped (its data kept until its release).</summary>
public sealed record InstanceStopped(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset ExpiredAt, DateTimeOffset ReleasesAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceSuspended;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>An expired subscription instance was not renewed and was released.</summary>
public sealed record InstanceReleased(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset ExpiredAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceReleased;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>The provider could not create a purchased instance: it is gone and its share of the order is back on the balance (docs/decisions/0032).</summary>
/// <param name="Refunded">What went back to the customer's cash (the coupon's share is not).</param>
/// <param name="Reason">The provider's words, as it reported them.</param>
public sealed record ProvisioningFailedRefund(string InstanceId, string InstanceName, string ProductCode, long OrderId, Money Refunded, string Reason) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceReleased;
    internal override string? AboutInstance => InstanceId;
    internal override long? AboutOrder => OrderId;
}

/// <summary>The provider deleted an instance outside Cloudbill: it is released now, with no refund (docs/decisions/0032).</summary>
public sealed record InstanceDeletedAtProvider(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset DeletedAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceReleased;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>R4.4: an auto-renewal charge was refused, and why.</summary>
/// <param name="OrderId">The order the attempt placed and cancelled; none when it could not be priced.</param>
/// <param name="LastAttempt">The attempt on the expiry day: the instance has expired.</param>
public sealed record AutoRenewalFailed(string InstanceId, string InstanceName, long? OrderId, RefusalReason Reason, bool LastAttempt, DateTimeOffset ExpiresAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.AutoRenewalFailed;
    internal override string? AboutInstance => InstanceId;
    internal override long? AboutOrder => OrderId;
}

/// <summary>A renewed instance and its new expiry.</summary>
public sealed record RenewedInstance(string InstanceId, DateTimeOffset ExpiresAt);

/// <summary>
/// An order was paid (by the customer, or by auto-renewal when <paramref name="ByAutoRenewal"/>):
/// new instances were created, or the <paramref name="Renewed"/> instances extended.
/// </summary>
public sealed record OrderPaid(long OrderId, string ProductCode, int NewInstances, IReadOnlyList<RenewedInstance> Renewed, Money Payable, Money CouponDeduction, bool ByAutoRenewal, string? InstanceId) : Notice
{
    internal override NotificationKind Kind => ByAutoRenewal ? NotificationKind.AutoRenewalSucceeded : NotificationKind.PaymentSucceeded;
    internal override string? AboutInstance => InstanceId;
    internal override long? AboutOrder => OrderId;
}

/// <summary>R8.1: a pay-as-you-go order was placed; its instances are charged by the hour.</summary>
public sealed record PayAsYouGoPlaced(long OrderId, string ProductCode, int Instances, string SpecCode, string RegionId, Money Hourly, string? InstanceId) : Notice
{
    internal override NotificationKind Kind => NotificationKind.PaymentSucceeded;
    internal override string? AboutInstance => InstanceId;
    internal override long? AboutOrder => OrderId;
}

/// <summary>Why a gateway payment for an order went to the balance instead (R5.5).</summary>
public enum UnpayableOrder
{
    /// <summary>Another payment paid it first.</summary>
    AlreadyPaid,

    /// <summary>It was cancelled (timed out, by the customer, ...) before the money arrived.</summary>
    Cancelled,

    /// <summary>R3.5: an instance it renews was released.</summary>
    InstanceReleased,

    /// <summary>R3.5: its product cannot be renewed here.</summary>
    NotRenewable,

    /// <summary>R4.5: its instance was renewed by another order meanwhile.</summary>
    RenewedMeanwhile,
}

/// <summary>R5.5: money a gateway received for an order that could not be paid any more is on the balance.</summary>
/// <param name="Gateway">"Alipay" or "UnionPay".</param>
/// <param name="SettledOverdue">The part of it that settled an overdue amount (R7.4).</param>
public sealed record PaymentToBalance(long OrderId, UnpayableOrder Why, string Gateway, Money Amount, Money SettledOverdue) : Notice
{
    internal override NotificationKind Kind => NotificationKind.PaymentSucceeded;
    internal override long? AboutOrder => OrderId;
}

/// <summary>R7.2: a gateway payment used a channel Cloudbill refuses and is refunded in full.</summary>
/// <param name="Channel">The channel as the gateway names it, e.g. "Huabei".</param>
public sealed record PaymentRefunded(long? OrderId, string OutTradeNo, string Gateway, Money Amount, string Channel) : Notice
{
    internal override NotificationKind Kind => NotificationKind.TopUpCredited;
    internal override long? AboutOrder => OrderId;
}

/// <summary>The provider refunded part or all of a paid order (docs/decisions/0040).</summary>
/// <param name="Gateway">"Alipay" or "UnionPay" when the payment that paid it went back there; null when the money is on the balance.</param>
public sealed record OrderRefunded(long OrderId, string ProductCode, Money Amount, string? Gateway = null) : Notice
{
    internal override NotificationKind Kind => NotificationKind.PaymentSucceeded;
    internal override long? AboutOrder => OrderId;
}

/// <summary>The provider sent a gateway payment back to the payer: its amount left the balance for the Alipay or UnionPay account it came from (docs/decisions/0040).</summary>
public sealed record PaymentReturned(string OutTradeNo, string Gateway, Money Amount) : Notice
{
    internal override NotificationKind Kind => NotificationKind.TopUpCredited;
}

/// <summary>A top-up is on the balance; part of it may have settled an overdue amount (R7.4) and restarted instances (R8.2).</summary>
public sealed record TopUpCredited(string OutTradeNo, string Gateway, Money Amount, Money SettledOverdue, Money OverdueLeft, IReadOnlyList<string> Restarted) : Notice
{
    internal override NotificationKind Kind => NotificationKind.TopUpCredited;
}

/// <summary>R5.2: an unpaid order was cancelled after its time-out.</summary>
/// <param name="Renewal">A renewal order (else a new purchase).</param>
public sealed record OrderTimedOut(long OrderId, bool Renewal, string ProductCode, Money Payable, int UnpaidLifetimeDays, string? InstanceId) : Notice
{
    internal override NotificationKind Kind => NotificationKind.OrderCancelled;
    internal override string? AboutInstance => InstanceId;
    internal override long? AboutOrder => OrderId;
}

/// <summary>R8.2: an hourly charge left the account overdue.</summary>
public sealed record AccountOverdue(string InstanceId, string InstanceName, Money Hourly, DateTimeOffset Since, Money Shortfall, Money Overdue, DateTimeOffset StopsAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.Overdue;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>R8.2: a pay-as-you-go instance was stopped for an overdue account.</summary>
public sealed record PayAsYouGoStopped(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset OverdueSince, Money Overdue, DateTimeOffset ReleasesAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceSuspended;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>R8.2: a stopped pay-as-you-go instance was released, the overdue amount not settled in time.</summary>
public sealed record PayAsYouGoReleased(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset StoppedAt, int ReleaseAfterStopDays) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceReleased;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>R8.2: a stopped pay-as-you-go instance runs again, the overdue amount settled.</summary>
public sealed record PayAsYouGoRestarted(string InstanceId, string InstanceName, string ProductCode, DateTimeOffset StoppedAt, DateTimeOffset RestartedAt) : Notice
{
    internal override NotificationKind Kind => NotificationKind.InstanceRestarted;
    internal override string? AboutInstance => InstanceId;
}

/// <summary>The provider's staff answered a suggestion; the answer is in their words, the rest in the reader's language.</summary>
public sealed record SuggestionAnswered(long SuggestionId, string Product, DateTimeOffset AskedAt, string Answer) : Notice
{
    internal override NotificationKind Kind => NotificationKind.SuggestionAnswered;
}

/// <summary>Why a charge was refused, as a code and its figures (rendered in the reader's language).</summary>
public enum RefusalCode
{
    /// <summary>R7.4: <see cref="RefusalReason.Amount"/> is overdue.</summary>
    Overdue,

    /// <summary>R7.1: the charge (<see cref="RefusalReason.Amount"/>) exceeds <see cref="RefusalReason.Available"/>.</summary>
    InsufficientCredit,

    /// <summary>R3.5: <see cref="RefusalReason.InstanceId"/> was released <see cref="RefusalReason.On"/>.</summary>
    Released,

    /// <summary>R3.5: <see cref="RefusalReason.ProductCode"/> is not renewable here.</summary>
    NotRenewable,

    /// <summary>The instance's spec (<see cref="RefusalReason.SpecCode"/>) has no price in <see cref="RefusalReason.RegionId"/> any more.</summary>
    NoPrice,

    /// <summary>R4.5: <see cref="RefusalReason.InstanceId"/> was renewed to <see cref="RefusalReason.On"/> after the order was placed.</summary>
    RenewedMeanwhile,
}

/// <summary>A refused charge's reason: a code and the figures its sentence names.</summary>
public sealed record RefusalReason(RefusalCode Code, Money Amount = default, Money Available = default, DateTimeOffset? On = null,
    string? InstanceId = null, string? ProductCode = null, string? SpecCode = null, string? RegionId = null)
{
    public static RefusalReason Overdue(Money overdue) => new(RefusalCode.Overdue, Amount: overdue);

    public static RefusalReason InsufficientCredit(Money payable, Money available) => new(RefusalCode.InsufficientCredit, Amount: payable, Available: available);

    public static RefusalReason Released(string instanceId, DateTimeOffset releasedAt) => new(RefusalCode.Released, On: releasedAt, InstanceId: instanceId);

    public static RefusalReason NotRenewable(string productCode) => new(RefusalCode.NotRenewable, ProductCode: productCode);

    public static RefusalReason NoPrice(string specCode, string regionId) => new(RefusalCode.NoPrice, SpecCode: specCode, RegionId: regionId);

    public static RefusalReason RenewedMeanwhile(string instanceId, DateTimeOffset renewedTo) => new(RefusalCode.RenewedMeanwhile, On: renewedTo, InstanceId: instanceId);
}
