namespace Cloudbill.Sandbox;

/// <summary>
/// Fault injection (payments.md §5.1, §5.2), settable from <see cref="SandboxOptions"/> and over HTTP
/// (<c>GET</c>/<c>POST {prefix}/switches</c>). A notification takes the switches in force when it
/// is queued; the cashier reads <see cref="ShowAllChannels"/> when it is shown and confirmed.
/// </summary>
public sealed record SandboxSwitches
{
    /// <summary>The first N sends of each notification are not made (they count as unanswered sends, so the schedule goes on): forces the merchant's query fallback.</summary>
    public int DropFirst { get; init; }

    /// <summary>Each send goes out K times at once, with the same notify_id / queryId (1 = normal).</summary>
    public int Duplicate { get; init; } = 1;

    /// <summary>Added before the first send of each notification.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Holds each notification back until the next one is queued, then sends the newer one first and
    /// the held one right after (an older notification after a newer). A held notification no other
    /// follows goes out after the first retry gap.
    /// </summary>
    public bool Reorder { get; init; }

    /// <summary>The notified amount is 0.01 more than the trade's (total_amount / txnAmt), correctly signed.</summary>
    public bool WrongAmount { get; init; }

    /// <summary>A field is changed after signing (Alipay subject, UnionPay respMsg): the signature no longer matches.</summary>
    public bool BadSignature { get; init; }

    /// <summary>app_id (and auth_app_id) of another app, correctly signed.</summary>
    public bool WrongAppId { get; init; }

    /// <summary>seller_id of another payee, correctly signed.</summary>
    public bool WrongSellerId { get; init; }

    /// <summary>merId of another merchant, correctly signed.</summary>
    public bool WrongMerId { get; init; }

    /// <summary>The Alipay cashier shows and accepts every channel, also those the merchant disabled (to exercise R7.2 refunds).</summary>
    public bool ShowAllChannels { get; init; }

    internal string? Validate()
    {
        if (DropFirst < 0)
            return "DropFirst must be 0 or more.";
        if (Duplicate is < 1 or > 50)
            return "Duplicate must be from 1 to 50.";
        if (Delay < TimeSpan.Zero || Delay > TimeSpan.FromDays(2))
            return "Delay must be from 00:00:00 to 2.00:00:00.";
        return null;
    }
}
