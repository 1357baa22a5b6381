using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudbill.Core.Webhooks;

/// <summary>The event types, as docs/webhooks.md names them.</summary>
public static class LifecycleEventTypes
{
    public const string InstanceCreateRequested = "instance.create_requested";
    public const string InstanceRenewed = "instance.renewed";
    public const string InstanceExpired = "instance.expired";
    public const string InstanceSuspended = "instance.suspended";
    public const string InstanceResumed = "instance.resumed";
    public const string InstanceReleased = "instance.released";
    public const string InstanceRenewalMethodChanged = "instance.renewal_method_changed";
    public const string OrderPaid = "order.paid";
    public const string OrderCancelled = "order.cancelled";
    public const string OrderRefunded = "order.refunded";
    public const string TopUpCredited = "topup.credited";
    public const string AutoRenewalFailed = "autorenewal.failed";

    public static readonly IReadOnlyList<string> All =
    [
        InstanceCreateRequested, InstanceRenewed, InstanceExpired, InstanceSuspended, InstanceResumed, InstanceReleased,
        InstanceRenewalMethodChanged, OrderPaid, OrderCancelled, OrderRefunded, TopUpCredited, AutoRenewalFailed,
    ];
}

/// <summary>
/// An event's <c>data</c>: ids, amounts in fen (integers, never floating point), instants in
/// UTC ISO 8601 and reasons as codes. Each record is one type of docs/webhooks.md.
/// </summary>
public abstract record EventData
{
    public abstract string Type { get; }

    /// <summary>The instance the event is about: its events are delivered in order.</summary>
    public virtual string? AboutInstance => null;
}

/// <summary>A paid purchase: create the resource. It stays Creating until the cloud reports it created or failed (the provider API).</summary>
public sealed record InstanceCreateRequestedEvent(string InstanceId, long OrderId, string Product, string Spec, string Region, string Name, string ChargeType,
    DateTimeOffset? ExpiresAt, string? RenewalMethod, int? AutoRenewPeriodMonths) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceCreateRequested;
    public override string? AboutInstance => InstanceId;
}

public sealed record InstanceRenewedEvent(string InstanceId, long OrderId, DateTimeOffset PreviousExpiresAt, DateTimeOffset ExpiresAt, bool ByAutoRenewal) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceRenewed;
    public override string? AboutInstance => InstanceId;
}

/// <summary>The subscription ran out; the resource keeps running until it is suspended.</summary>
public sealed record InstanceExpiredEvent(string InstanceId, DateTimeOffset ExpiredAt, DateTimeOffset SuspendsAt, DateTimeOffset ReleasesAt) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceExpired;
    public override string? AboutInstance => InstanceId;
}

/// <summary>Stop the resource (keep its data). Reason "expired" (a subscription) or "overdue" (pay-as-you-go).</summary>
public sealed record InstanceSuspendedEvent(string InstanceId, string Reason, DateTimeOffset SuspendedAt, DateTimeOffset ReleasesAt) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceSuspended;
    public override string? AboutInstance => InstanceId;
}

/// <summary>Start the stopped resource again. Reason "renewed" (with the order) or "overdue_settled" (pay-as-you-go).</summary>
public sealed record InstanceResumedEvent(string InstanceId, string Reason, long? OrderId) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceResumed;
    public override string? AboutInstance => InstanceId;
}

/// <summary>Delete the resource and its data. Reason "expired" or "overdue".</summary>
public sealed record InstanceReleasedEvent(string InstanceId, string Reason, DateTimeOffset ReleasedAt) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceReleased;
    public override string? AboutInstance => InstanceId;
}

public sealed record InstanceRenewalMethodChangedEvent(string InstanceId, string PreviousRenewalMethod, string RenewalMethod, int? AutoRenewPeriodMonths) : EventData
{
    public override string Type => LifecycleEventTypes.InstanceRenewalMethodChanged;
    public override string? AboutInstance => InstanceId;
}

public sealed record OrderPaidEvent(long OrderId, string OrderType, string Product, string ChargeType, long AmountBeforeCouponFen, long CouponDeductionFen, long PayableFen,
    string Method, bool ByAutoRenewal, IReadOnlyList<string> InstanceIds) : EventData
{
    public override string Type => LifecycleEventTypes.OrderPaid;
}

/// <summary>An unpaid order will never be paid. Reason: "customer", "timeout", "payment_failed", "instance_released".</summary>
public sealed record OrderCancelledEvent(long OrderId, string Reason) : EventData
{
    public override string Type => LifecycleEventTypes.OrderCancelled;
}

/// <summary>Money of a paid order went back to the customer's balance, e.g. a resource the cloud failed to create.</summary>
public sealed record OrderRefundedEvent(long OrderId, long AmountFen, string Reason, string? InstanceId) : EventData
{
    public override string Type => LifecycleEventTypes.OrderRefunded;
    public override string? AboutInstance => InstanceId;
}

public sealed record TopUpCreditedEvent(string OutTradeNo, string Gateway, long AmountFen, long OverdueSettledFen) : EventData
{
    public override string Type => LifecycleEventTypes.TopUpCredited;
}

/// <summary>An auto-renewal could not be charged (reason as a code: "insufficient_credit", "overdue"…); <c>last_attempt</c> when no retry follows before expiry.</summary>
public sealed record AutoRenewalFailedEvent(string InstanceId, long? OrderId, string ReasonCode, bool LastAttempt, DateTimeOffset ExpiresAt) : EventData
{
    public override string Type => LifecycleEventTypes.AutoRenewalFailed;
    public override string? AboutInstance => InstanceId;
}

/// <summary>Makes the outbox rows: the one place an event's id, type and JSON are decided.</summary>
public static class LifecycleEvents
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new UtcInstantConverter() },
        // The type and the instance are the envelope's and the row's, not the data's.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Type.IsAssignableTo(typeof(EventData)))
                    {
                        foreach (var property in info.Properties.Where(p => p.Name is "type" or "about_instance").ToList())
                            info.Properties.Remove(property);
                    }
                },
            },
        },
    };

    /// <summary>An enum's value as the events spell codes: <c>AutoRenewal</c> is "auto_renewal".</summary>
    public static string Code(Enum value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <param name="key">Unique per cause: the same cause (a retried engine action) never makes a second event.</param>
    public static LifecycleEvent Create(string key, long accountId, DateTimeOffset at, EventData data) => new()
    {
        Key = key,
        EventId = LifecycleEvent.EventIdOf(key),
        Type = data.Type,
        OccurredAt = at,
        AccountId = accountId,
        InstanceId = data.AboutInstance,
        Data = JsonSerializer.Serialize(data, data.GetType(), Json),
    };

    /// <summary>What a receiver gets: the event's id, type, time, account and data, as one JSON object.</summary>
    public static string Payload(LifecycleEvent e)
    {
        using var data = JsonDocument.Parse(e.Data);
        return JsonSerializer.Serialize(new Envelope(e.EventId, e.Type, e.OccurredAt, e.AccountId, data.RootElement), Json);
    }

    private sealed record Envelope(string Id, string Type, DateTimeOffset Timestamp, long AccountId, JsonElement Data);

    /// <summary>Instants as UTC with a Z, whatever offset the clock gave.</summary>
    private sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}
