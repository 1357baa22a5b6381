using System.Net;
using System.Text.Json;

namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// R7.2: Huabei and credit cards are refused. Before payment by <c>disable_pay_channels</c>, after
/// payment by reading <c>fund_bill_list</c> (payments.md §1.5).
/// </summary>
public static class AlipayChannels
{
    /// <summary>
    /// §1.5, the defensive value: credit_group covers card cartoon, card quick pay, Huabei and Huabei
    /// instalments, but its definition does not name plain creditCard, so every code is sent.
    /// </summary>
    public static readonly IReadOnlyList<string> Disabled =
        ["credit_group", "pcredit", "pcreditpayInstallment", "creditCard", "creditCardExpress", "creditCardCartoon"];

    /// <summary>The <c>disable_pay_channels</c> value of every checkout.</summary>
    public static string DisablePayChannels => string.Join(',', Disabled);

    /// <summary>How the funds of one fund bill entry were paid, as far as R7.2 cares.</summary>
    public static AlipayFunding Classify(string channel, string? fundType)
    {
        // §1.5: Huabei shows as fund_channel PCREDIT (instalments as PCREDIT… too).
        if (channel.StartsWith("PCREDIT", StringComparison.OrdinalIgnoreCase))
            return AlipayFunding.Huabei;
        if (channel.Equals("CREDIT_CARD", StringComparison.OrdinalIgnoreCase) || channel.Equals("CREDITCARD", StringComparison.OrdinalIgnoreCase))
            return AlipayFunding.CreditCard;
        if (!channel.Equals("BANKCARD", StringComparison.OrdinalIgnoreCase))
            return AlipayFunding.Other;
        // §1.5: a BANKCARD entry says DEBIT_CARD / CREDIT_CARD / MIXED_CARD in fund_type; without it
        // (or MIXED_CARD) a credit card cannot be ruled out.
        return fundType?.ToUpperInvariant() switch
        {
            "CREDIT_CARD" => AlipayFunding.CreditCard,
            "DEBIT_CARD" => AlipayFunding.DebitCard,
            _ => AlipayFunding.BankCardOfUnknownType,
        };
    }

    /// <summary>
    /// Parses fund_bill_list: a JSON array of {amount, fundChannel} in notifications, of
    /// {amount, fund_channel, fund_type} in query responses. Null when it cannot be read.
    /// </summary>
    internal static IReadOnlyList<AlipayFundBill>? ParseFundBills(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return [];
        // Some notifications arrive HTML-escaped ([{&quot;amount&quot;…, payments.md [S16]); the
        // signature was checked over the text as received, this only decodes it for reading.
        var json = text.Contains("&quot;", StringComparison.Ordinal) ? WebUtility.HtmlDecode(text) : text;
        try
        {
            using var document = JsonDocument.Parse(json);
            return ParseFundBills(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static IReadOnlyList<AlipayFundBill>? ParseFundBills(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
            return null;
        var bills = new List<AlipayFundBill>();
        foreach (var entry in array.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
                return null;
            var channel = Text(entry, "fundChannel") ?? Text(entry, "fund_channel");
            var fundType = Text(entry, "fundType") ?? Text(entry, "fund_type");
            if (channel is null || !Money.TryParse(Text(entry, "amount"), out var amount, out _))
                return null;
            bills.Add(new AlipayFundBill(channel, amount, fundType));
        }
        return bills;
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}

public enum AlipayFunding
{
    /// <summary>Balance, Yu'ebao, coupons, points…: allowed.</summary>
    Other,
    DebitCard,
    /// <summary>Refused by R7.2.</summary>
    Huabei,
    /// <summary>Refused by R7.2.</summary>
    CreditCard,
    /// <summary>A bank card whose type Alipay did not say (or MIXED_CARD): query with fund_bill_list to know more.</summary>
    BankCardOfUnknownType,
}

/// <summary>One entry of fund_bill_list: which channel paid how much.</summary>
public sealed record AlipayFundBill(string Channel, Money Amount, string? FundType)
{
    public AlipayFunding Funding => AlipayChannels.Classify(Channel, FundType);

    /// <summary>R7.2: Huabei or a credit card paid (part of) this trade.</summary>
    public bool IsForbidden => Funding is AlipayFunding.Huabei or AlipayFunding.CreditCard;
}
