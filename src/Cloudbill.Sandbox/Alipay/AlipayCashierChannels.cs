using System.Text.Json;
using Cloudbill.Core;

namespace Cloudbill.Sandbox.Alipay;

/// <summary>
/// A way to pay at the sandbox cashier: its channel code and the group codes that disable it
/// (payments.md §1.5), and how it shows in fund_bill_list (PCREDIT for Huabei, BANKCARD with
/// fund_type DEBIT_CARD / CREDIT_CARD for cards).
/// </summary>
internal sealed record AlipayCashierChannel(string Value, string Label, string Code, string[] Groups, string FundChannel, string? FundType, bool IsHuabei)
{
    /// <summary>§1.5: not disabled by its code or a group; inside the whitelist when there is one; Huabei not for virtual goods (goods_type=0).</summary>
    public bool IsAllowed(AlipayCheckoutRecord checkout)
    {
        var codes = Groups.Prepend(Code).ToArray();
        if (checkout.DisabledChannels.Intersect(codes, StringComparer.Ordinal).Any())
            return false;
        if (checkout.EnabledChannels is { } enabled && !enabled.Intersect(codes, StringComparer.Ordinal).Any())
            return false;
        return !(IsHuabei && checkout.GoodsType == "0");
    }

    /// <summary>fund_bill_list as the notification carries it: a JSON string of {amount, fundChannel[, fundType]}.</summary>
    public string FundBillJson(long fen, bool notification)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
            WriteFundBills(json, fen, notification);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The query response spells the names fund_channel / fund_type (§1.5, [S8] TradeFundBill).</summary>
    public void WriteFundBills(Utf8JsonWriter json, long fen, bool notification = false)
    {
        json.WriteStartArray();
        json.WriteStartObject();
        json.WriteString("amount", new Money(fen).ToString());
        json.WriteString(notification ? "fundChannel" : "fund_channel", FundChannel);
        if (FundType is not null)
            json.WriteString(notification ? "fundType" : "fund_type", FundType);
        json.WriteEndObject();
        json.WriteEndArray();
    }
}

internal static class AlipayCashierChannels
{
    public static readonly IReadOnlyList<AlipayCashierChannel> All =
    [
        new("balance", "Alipay balance (余额)", "balance", [], "ALIPAYACCOUNT", null, false),
        new("debitCard", "Bank card, debit (储蓄卡快捷)", "debitCardExpress", [], "BANKCARD", "DEBIT_CARD", false),
        new("huabei", "Huabei (花呗)", "pcredit", ["credit_group"], "PCREDIT", null, true),
        new("huabeiInstalment", "Huabei instalments (花呗分期)", "pcreditpayInstallment", ["credit_group"], "PCREDITPAYINSTALLMENT", null, true),
        new("creditCard", "Bank card, credit (信用卡快捷)", "creditCardExpress", ["creditCard", "credit_group"], "BANKCARD", "CREDIT_CARD", false),
    ];
}
