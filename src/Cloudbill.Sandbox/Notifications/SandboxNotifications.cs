using System.Globalization;
using Cloudbill.Core;
using Cloudbill.Core.Payments.Alipay;

namespace Cloudbill.Sandbox.Notifications;

/// <summary>The switches in force; replaced whole, so a reader always sees one consistent set.</summary>
internal sealed class SwitchBoard(SandboxSwitches initial)
{
    private SandboxSwitches current = initial;

    public SandboxSwitches Current
    {
        get => Volatile.Read(ref current);
        set => Volatile.Write(ref current, value);
    }
}

/// <summary>One send of a notification, as the sandbox saw it (<c>GET {prefix}/notifications</c>).</summary>
public sealed record SandboxDelivery(
    string Gateway, string Key, string Url, int Send, DateTimeOffset At, bool Dropped, int? StatusCode, string? Body, bool Acknowledged);

/// <summary>The last sends, newest last; in memory only, for tests and for the operator.</summary>
internal sealed class DeliveryLog
{
    private const int Limit = 1000;
    private readonly Lock gate = new();
    private readonly List<SandboxDelivery> deliveries = [];

    public void Add(SandboxDelivery delivery)
    {
        lock (gate)
        {
            deliveries.Add(delivery);
            if (deliveries.Count > Limit)
                deliveries.RemoveRange(0, deliveries.Count - Limit);
        }
    }

    public IReadOnlyList<SandboxDelivery> Snapshot()
    {
        lock (gate)
            return [.. deliveries];
    }
}

/// <summary>
/// Queues notifications (inside the store's lock, together with the trade change that causes them)
/// and wakes the sender. The switches in force at queueing time travel with the notification.
/// </summary>
internal sealed class NotificationQueue(SwitchBoard switches, SandboxOptions options)
{
    private readonly SemaphoreSlim signal = new(0);

    public void Queue(SandboxState state, SandboxGateway gateway, string url, string key,
                      List<KeyValuePair<string, string>> fields, DateTimeOffset now)
    {
        var set = switches.Current;
        var job = new NotificationJob
        {
            Id = "n" + Guid.NewGuid().ToString("N"),
            Gateway = gateway,
            Url = url,
            Key = key,
            Fields = fields,
            QueuedAt = now,
            NextAt = now + set.Delay,
            DropRemaining = set.DropFirst,
            Duplicate = set.Duplicate,
            WrongAmount = set.WrongAmount,
            BadSignature = set.BadSignature,
            WrongAppId = set.WrongAppId,
            WrongSellerId = set.WrongSellerId,
            WrongMerId = set.WrongMerId,
        };
        // An older notification after a newer: the held ones go out just after this one.
        var held = state.Notifications.Where(pending => pending.Held).ToList();
        job.Order = state.Next();
        foreach (var older in held)
        {
            older.Held = false;
            older.NextAt = job.NextAt;
            older.Order = state.Next();
        }
        if (set.Reorder && held.Count == 0)
        {
            job.Held = true;
            job.NextAt += options.Scaled(FirstGap(gateway));
        }
        state.Notifications.Add(job);
    }

    /// <summary>One pending wake-up is enough: the sender looks at everything due when it wakes.</summary>
    public void Wake()
    {
        if (signal.CurrentCount == 0)
            signal.Release();
    }

    public Task WaitAsync(CancellationToken cancellation) => signal.WaitAsync(cancellation);

    private TimeSpan FirstGap(SandboxGateway gateway)
    {
        var gaps = gateway == SandboxGateway.Alipay ? options.AlipayRetryGaps : options.UnionPayRetryGaps;
        return gaps.FirstOrDefault(gap => gap > TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }
}

/// <summary>Signs a notification for one send, applying the switches it was queued with.</summary>
internal sealed class NotificationSigner(SandboxCredentials credentials)
{
    /// <summary>Ids of another app, payee and merchant: genuine-looking, correctly signed, not the merchant's.</summary>
    public const string OtherAppId = "2021009999999999";
    public const string OtherSellerId = "2088009999999999";
    public const string OtherMerId = "777009999999999";

    public List<KeyValuePair<string, string>> Sign(NotificationJob job, DateTimeOffset now) =>
        job.Gateway == SandboxGateway.Alipay ? SignAlipay(job, now) : SignUnionPay(job);

    private List<KeyValuePair<string, string>> SignAlipay(NotificationJob job, DateTimeOffset now)
    {
        // §1.7: notify_time is the time of this send; notify_id stays the same on every resend.
        var fields = Fields.With(job.Fields, "notify_time", SandboxTime.ToDashed(now));
        if (job.WrongAmount)
        {
            foreach (var key in new[] { "total_amount", "receipt_amount", "invoice_amount", "buyer_pay_amount" })
                fields = Fields.Map(fields, key, value => (Money.Parse(value) + new Money(1)).ToString());
        }
        if (job.WrongAppId)
        {
            fields = Fields.Map(fields, "app_id", _ => OtherAppId);
            fields = Fields.Map(fields, "auth_app_id", _ => OtherAppId);
        }
        if (job.WrongSellerId)
            fields = Fields.Map(fields, "seller_id", _ => OtherSellerId);
        fields = Fields.With(fields, "sign", AlipaySignature.Sign(AlipaySignature.NotificationSignContent(fields), credentials.AlipayPrivateKey));
        if (job.BadSignature)
            fields = Fields.Map(fields, "subject", value => value + " (tampered)");
        return fields;
    }

    private List<KeyValuePair<string, string>> SignUnionPay(NotificationJob job)
    {
        var fields = job.Fields;
        if (job.WrongAmount)
        {
            fields = Fields.Map(fields, "txnAmt", OneFenMore);
            fields = Fields.Map(fields, "settleAmt", OneFenMore);
        }
        if (job.WrongMerId)
            fields = Fields.Map(fields, "merId", _ => OtherMerId);
        fields = UnionPaySigner.Sign(fields, credentials);
        if (job.BadSignature)
            fields = Fields.Map(fields, "respMsg", value => value + "(tampered)");
        return fields;
    }

    private static string OneFenMore(string fen) =>
        (long.Parse(fen, NumberStyles.None, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
}
