using Cloudbill.Core.Payments.Alipay;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

public class AlipayNotificationTests
{
    private static readonly AlipayExpectedPayment Order = new("T20261126000001", Money.Parse("12.50"));

    [Fact]
    public void Accepts_the_notification_Alipay_signed_and_reads_it()   // §1.6.2, §1.7
    {
        var fields = Form("alipay/notify-paid.form");

        var result = Alipay().VerifyNotification(fields, Order);

        Assert.True(result.Succeeded, result.Problem?.Message);
        var notification = result.Value;
        Assert.Equal(Text("alipay/notify-paid.sign-content.txt"), AlipaySignature.NotificationSignContent(fields));
        Assert.Equal("T20261126000001", notification.OutTradeNo);
        Assert.Equal("2026112622001446880500000001", notification.TradeNo);
        Assert.Equal(AlipayTradeStatus.TradeSuccess, notification.TradeStatus);
        Assert.True(notification.IsPaid);
        Assert.False(notification.IsRefund);
        Assert.Equal(Money.Parse("12.50"), notification.TotalAmount);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 4, 5, 31, TimeSpan.Zero), notification.PaidAt);
        Assert.Equal("ALIPAYACCOUNT", Assert.Single(notification.FundBills).Channel);
        Assert.False(notification.UsedForbiddenChannel);
        Assert.Equal("success", AlipayNotification.SuccessReply);
    }

    [Fact]
    public void Rejects_a_tampered_field_as_a_bad_signature()
    {
        var fields = Form("alipay/notify-paid.form").With("total_amount", "0.01");

        Assert.Equal(AlipayErrors.Codes.BadSignature, Alipay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_notification_signed_with_another_key()
    {
        var result = Alipay().VerifyNotification(Form("alipay/notify-wrong-key.form"), Order);

        Assert.Equal(AlipayErrors.Codes.BadSignature, result.Problem!.Code);
        Assert.Contains("T20261126000001", result.Problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Rejects_a_notification_without_sign(string? sign)
    {
        var fields = Form("alipay/notify-paid.form").With("sign", sign);

        Assert.Equal(AlipayErrors.Codes.MissingSign, Alipay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_sign_that_is_not_Base64_as_a_bad_signature_without_throwing()
    {
        var fields = Form("alipay/notify-paid.form").With("sign", "%%% not base64 %%%");

        Assert.Equal(AlipayErrors.Codes.BadSignature, Alipay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Rejects_the_legacy_RSA_sign_type()
    {
        var fields = Form("alipay/notify-paid.form").With("sign_type", "RSA");

        Assert.Equal(AlipayErrors.Codes.UnsupportedSignType, Alipay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_genuine_notification_for_a_wrong_amount()   // §1.7 check 2
    {
        var fields = ResignedAlipayNotification(("total_amount", "1.25"));

        var result = Alipay().VerifyNotification(fields, Order);

        Assert.Equal(AlipayErrors.Codes.AmountMismatch, result.Problem!.Code);
        Assert.Contains("says 1.25, but the order is for 12.50", result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compares_amounts_exactly_whatever_the_number_of_decimals()   // §1.7: "20" may come for "20.00"
    {
        Assert.True(Alipay().VerifyNotification(ResignedAlipayNotification(("total_amount", "12.5")), Order).Succeeded);
        Assert.Equal(AlipayErrors.Codes.AmountMismatch,
            Alipay().VerifyNotification(ResignedAlipayNotification(("total_amount", "12.51")), Order).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_notification_for_another_order()   // §1.7 check 1
    {
        var result = Alipay().VerifyNotification(Form("alipay/notify-paid.form"), Order with { OutTradeNo = "T20261126000002" });

        Assert.Equal(AlipayErrors.Codes.OtherOrder, result.Problem!.Code);
        Assert.Contains("not for order T20261126000002", result.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_notification_for_a_trade_we_did_not_create()
    {
        Assert.Equal(AlipayErrors.Codes.UnknownTrade, Alipay().VerifyNotification(Form("alipay/notify-paid.form"), null).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_genuine_notification_for_another_app()   // §1.7 check 4
    {
        var result = Alipay().VerifyNotification(ResignedAlipayNotification(("app_id", "2021000000000999")), Order);

        Assert.Equal(AlipayErrors.Codes.WrongAppId, result.Problem!.Code);
    }

    [Fact]
    public void Rejects_a_genuine_notification_paying_another_seller()   // §1.7 check 3
    {
        var result = Alipay().VerifyNotification(ResignedAlipayNotification(("seller_id", "2088000000000999")), Order);

        Assert.Equal(AlipayErrors.Codes.WrongSeller, result.Problem!.Code);
        Assert.True(Alipay().VerifyNotification(ResignedAlipayNotification(("seller_id", "2088000000000999")),
            Order with { SellerId = "2088000000000999" }).Succeeded);
    }

    [Fact]
    public void Rejects_an_unknown_trade_status_and_reads_the_known_ones()
    {
        Assert.Equal(AlipayErrors.Codes.UnknownTradeStatus,
            Alipay().VerifyNotification(ResignedAlipayNotification(("trade_status", "TRADE_PENDING"))).Problem!.Code);
        var closed = Alipay().VerifyNotification(ResignedAlipayNotification(("trade_status", "TRADE_CLOSED"))).Value;
        Assert.Equal(AlipayTradeStatus.TradeClosed, closed.TradeStatus);
        Assert.False(closed.IsPaid);
        Assert.True(Alipay().VerifyNotification(ResignedAlipayNotification(("trade_status", "TRADE_FINISHED"))).Value.IsPaid);
    }

    [Fact]
    public void Rejects_a_field_sent_twice()
    {
        var fields = Form("alipay/notify-paid.form");
        fields.Add(new("total_amount", "0.01"));

        Assert.Equal(AlipayErrors.Codes.DuplicateField, Alipay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Detects_Huabei_in_the_fund_bill_list()   // §1.5, R7.2
    {
        var notification = Alipay().VerifyNotification(Form("alipay/notify-huabei.form"), Order).Value;

        Assert.True(notification.UsedForbiddenChannel);
        Assert.Equal(AlipayFunding.Huabei, Assert.Single(notification.FundBills).Funding);
    }

    [Fact]
    public void Detects_a_credit_card_in_the_fund_bill_list()   // §1.5, R7.2
    {
        var notification = Alipay().VerifyNotification(Form("alipay/notify-credit-card.form"), Order).Value;

        Assert.True(notification.UsedForbiddenChannel);
        Assert.Equal([AlipayFunding.Other, AlipayFunding.CreditCard], notification.FundBills.Select(bill => bill.Funding));
        Assert.Equal(Money.Parse("10.00"), notification.FundBills.Single(bill => bill.IsForbidden).Amount);
    }

    [Fact]
    public void Reads_an_HTML_escaped_fund_bill_list_and_flags_a_bank_card_of_unknown_type()
    {
        var notification = Alipay().VerifyNotification(ResignedAlipayNotification(
            ("fund_bill_list", "[{&quot;amount&quot;:&quot;12.50&quot;,&quot;fundChannel&quot;:&quot;BANKCARD&quot;}]"))).Value;

        Assert.False(notification.UsedForbiddenChannel);
        Assert.True(notification.UsedBankCardOfUnknownType);
    }

    [Fact]
    public void Tells_a_refund_notification_from_a_payment()   // §1.7: a second TRADE_SUCCESS is not a new payment
    {
        var notification = Alipay().VerifyNotification(ResignedAlipayNotification(
            ("refund_fee", "2.50"), ("gmt_refund", "2026-11-27 10:00:00.123"), ("out_biz_no", "R20261127000001")), Order).Value;

        Assert.True(notification.IsRefund);
        Assert.Equal(Money.Parse("2.50"), notification.RefundFee);
        Assert.Equal("R20261127000001", notification.OutBizNo);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 2, 0, 0, 123, TimeSpan.Zero), notification.RefundedAt);
    }

    [Fact]
    public void Verifies_the_return_page_parameters_with_the_same_rule()   // §1.8
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("app_id", "2021000000000001"), new("method", "alipay.trade.page.pay.return"), new("charset", "utf-8"),
            new("sign_type", "RSA2"), new("timestamp", "2026-11-26 12:05:40"), new("version", "1.0"),
            new("out_trade_no", "T20261126000001"), new("trade_no", "2026112622001446880500000001"),
            new("total_amount", "12.50"), new("seller_id", "2088000000000001"),
        };
        using var alipayKey = AlipayPlatformKey();
        fields.Add(new("sign", AlipaySignature.Sign(AlipaySignature.NotificationSignContent(fields), alipayKey)));

        Assert.Equal(Money.Parse("12.50"), Alipay().VerifyReturn(fields).Value.TotalAmount);
        Assert.Equal(AlipayErrors.Codes.BadSignature, Alipay().VerifyReturn(fields.With("total_amount", "0.01")).Problem!.Code);
    }
}
