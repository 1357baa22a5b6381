using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cloudbill.Sandbox;

/// <summary>
/// Everything the sandbox gateways remember: cashier sessions, trades, refunds and the
/// notifications still to send; and the simulated cloud's events, resources and pending reports. Held in memory and written whole to <c>state.json</c> after each
/// change (temporary file, then an atomic rename), so trades and pending sends survive a restart
/// (docs/decisions/0011). Every access goes through <see cref="SandboxStore"/>'s lock.
/// </summary>
internal sealed class SandboxState
{
    public long Sequence { get; set; }
    public List<AlipayCheckoutRecord> AlipayCheckouts { get; set; } = [];
    public List<AlipayTradeRecord> AlipayTrades { get; set; } = [];
    public List<UnionPayOrderRecord> UnionPayOrders { get; set; } = [];
    public List<UnionPayBackRecord> UnionPayBackTransactions { get; set; } = [];
    public List<NotificationJob> Notifications { get; set; } = [];
    public List<Cloud.CloudEventRecord> CloudEvents { get; set; } = [];
    public List<Cloud.CloudResourceRecord> CloudResources { get; set; } = [];
    public List<Cloud.CloudCallbackJob> CloudCallbacks { get; set; } = [];

    public long Next() => ++Sequence;
}

/// <summary>An Alipay cashier opened by wap.pay / page.pay: no trade exists until the buyer pays (§1.3).</summary>
internal sealed class AlipayCheckoutRecord
{
    public required string Id { get; set; }
    public required string Method { get; set; }
    public required string OutTradeNo { get; set; }
    public required long TotalFen { get; set; }
    public required string Subject { get; set; }
    public string? Body { get; set; }
    public string? NotifyUrl { get; set; }
    public string? ReturnUrl { get; set; }
    public string? QuitUrl { get; set; }
    public string? PassbackParams { get; set; }
    public List<string> DisabledChannels { get; set; } = [];
    public List<string>? EnabledChannels { get; set; }
    public string? GoodsType { get; set; }
    public required DateTimeOffset CreatedAt { get; set; }
    public required DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>An Alipay trade, created when the buyer pays (§1.3), with its refunds (§1.9).</summary>
internal sealed class AlipayTradeRecord
{
    public required string TradeNo { get; set; }
    public required string OutTradeNo { get; set; }
    public required long TotalFen { get; set; }
    public required string Subject { get; set; }
    public string? Body { get; set; }
    public required string Status { get; set; }
    public required string Channel { get; set; }
    public required string BuyerId { get; set; }
    public required string BuyerLogonId { get; set; }
    public string? NotifyUrl { get; set; }
    public string? PassbackParams { get; set; }
    public required DateTimeOffset CreatedAt { get; set; }
    public required DateTimeOffset PaidAt { get; set; }
    public List<AlipayRefundRecord> Refunds { get; set; } = [];

    [JsonIgnore]
    public long RefundedFen => Refunds.Sum(refund => refund.AmountFen);

    /// <summary>A copy to read outside the store's lock.</summary>
    public AlipayTradeRecord Snapshot()
    {
        var copy = (AlipayTradeRecord)MemberwiseClone();
        copy.Refunds = [.. Refunds];
        return copy;
    }
}

internal sealed class AlipayRefundRecord
{
    public required string OutRequestNo { get; set; }
    public required long AmountFen { get; set; }
    public string? Reason { get; set; }
    public required DateTimeOffset RefundedAt { get; set; }

    /// <summary>The signed request as it arrived: a merchant's refund can be verified by anyone holding its public key (tests/sdk/alipay-refund.js does, with Alipay's own SDK).</summary>
    public Dictionary<string, string>? Request { get; set; }
}

/// <summary>A UnionPay front consumption (txnType 01, §2.2): open until paid or past payTimeout.</summary>
internal sealed class UnionPayOrderRecord
{
    public required string Id { get; set; }
    public required string OrderId { get; set; }
    public required string TxnTime { get; set; }
    public required long TxnAmtFen { get; set; }
    public required string ChannelType { get; set; }
    public required string FrontUrl { get; set; }
    public required string BackUrl { get; set; }
    public required DateTimeOffset PayTimeout { get; set; }
    public string? ReqReserved { get; set; }
    public bool Paid { get; set; }
    public string? QueryId { get; set; }
    public string? TraceNo { get; set; }
    public string? TraceTime { get; set; }
    public string? SettleDate { get; set; }
    public string? AccNo { get; set; }
    public string? PayCardType { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public long RefundedFen { get; set; }
    public bool Cancelled { get; set; }

    /// <summary>A copy to read outside the store's lock.</summary>
    public UnionPayOrderRecord Snapshot() => (UnionPayOrderRecord)MemberwiseClone();
}

/// <summary>A UnionPay back transaction (§2.7): refund (04) or consumption cancel (31).</summary>
internal sealed class UnionPayBackRecord
{
    public required string TxnType { get; set; }
    public required string OrderId { get; set; }
    public required string TxnTime { get; set; }
    public required long TxnAmtFen { get; set; }
    public required string OrigQryId { get; set; }
    public required string QueryId { get; set; }
    public string? BackUrl { get; set; }
    public string? ReqReserved { get; set; }
    public required string TraceNo { get; set; }
    public required string TraceTime { get; set; }
    public required string SettleDate { get; set; }
    public required DateTimeOffset At { get; set; }
}

internal enum SandboxGateway
{
    Alipay,
    UnionPay,
}

/// <summary>A notification still to be sent: its unsigned fields and the switches it was queued with.</summary>
internal sealed class NotificationJob
{
    public required string Id { get; set; }
    public required SandboxGateway Gateway { get; set; }
    public required string Url { get; set; }

    /// <summary>notify_id (Alipay) or orderId (UnionPay): what the delivery log names.</summary>
    public required string Key { get; set; }

    /// <summary>The fields before signing; Alipay's notify_time is set on each send (notify_id stays, §1.7).</summary>
    public required List<KeyValuePair<string, string>> Fields { get; set; }

    public required DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset NextAt { get; set; }

    /// <summary>Among notifications due at the same time, the lower goes first (Reorder puts a held one after the newer).</summary>
    public long Order { get; set; }

    public bool Held { get; set; }
    public int Sends { get; set; }
    public int DropRemaining { get; set; }
    public int Duplicate { get; set; } = 1;
    public bool WrongAmount { get; set; }
    public bool BadSignature { get; set; }
    public bool WrongAppId { get; set; }
    public bool WrongSellerId { get; set; }
    public bool WrongMerId { get; set; }
}

/// <summary>Holds the state behind one lock and writes it after every change.</summary>
internal sealed class SandboxStore
{
    public const string FileName = "state.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly Lock gate = new();
    private readonly string path;
    private readonly SandboxState state;

    public SandboxStore(string directory)
    {
        Directory.CreateDirectory(directory);
        path = Path.Combine(directory, FileName);
        state = Load(path);
    }

    /// <summary>The stored state; an unreadable file is moved aside (to look at later) and the sandbox starts empty.</summary>
    private static SandboxState Load(string path)
    {
        if (!File.Exists(path))
            return new SandboxState();
        try
        {
            return JsonSerializer.Deserialize<SandboxState>(File.ReadAllText(path), Json) ?? new SandboxState();
        }
        catch (JsonException)
        {
            File.Move(path, path + ".unreadable", overwrite: true);
            return new SandboxState();
        }
    }

    public T Read<T>(Func<SandboxState, T> read)
    {
        lock (gate)
            return read(state);
    }

    /// <summary>Runs <paramref name="change"/> under the lock and stores the result before anyone else may look.</summary>
    public T Update<T>(Func<SandboxState, T> change)
    {
        lock (gate)
        {
            var result = change(state);
            Save();
            return result;
        }
    }

    private void Save()
    {
        // One process per directory is the rule; a temporary file of its own keeps a second process
        // (two nodes of a test given the same directory) from moving the first's half-written file.
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(state, Json));
        File.Move(temporary, path, overwrite: true);
    }
}
