using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core.Payments.UnionPay;
using static Cloudbill.Core.Tests.PaymentVectors;

namespace Cloudbill.Core.Tests;

public class UnionPayNotificationTests
{
    /// <summary>The paid notification with fields changed and signed again by the test UnionPay key.</summary>
    private static List<KeyValuePair<string, string>> Resigned(params (string Key, string Value)[] changes)
    {
        var fields = Form("unionpay/notify-paid.form");
        foreach (var (key, value) in changes)
            fields = fields.With(key, value);
        using var unionPayKey = RSA.Create();
        unionPayKey.ImportFromPem(Text("unionpay/signing-test.key"));
        return fields.With("signature", UnionPaySignature.Sign(UnionPaySignature.SignContent(fields), unionPayKey));
    }

    [Fact]
    public void Accepts_the_notification_UnionPay_signed_and_reads_it()   // §2.4, §2.5
    {
        var fields = Form("unionpay/notify-paid.form");

        var result = UnionPay().VerifyNotification(fields, UnionPayOrder);

        Assert.True(result.Succeeded, result.Problem?.Message);
        var notification = result.Value;
        Assert.Equal(Text("unionpay/notify-paid.sign-content.txt"), UnionPaySignature.SignContent(fields));
        Assert.True(notification.IsPaid);
        Assert.Equal("00", notification.Response.Code);
        Assert.Equal("success", notification.Response.Meaning);
        Assert.Equal(Money.Parse("12.50"), notification.Amount);
        Assert.Equal(RequestTime, notification.TxnTime);
        Assert.Equal("772611261205068512348", notification.QueryId);
        Assert.Equal(200, UnionPayNotification.AcknowledgementStatusCode);
        Assert.Equal("ok", UnionPayNotification.AcknowledgementBody);
    }

    [Fact]
    public void Sorts_accNo_before_accessType_as_UnionPay_does()   // §5.3
    {
        var fields = Form("unionpay/notify-paid.form");
        var content = UnionPaySignature.SignContent(fields);
        Assert.StartsWith("accNo=", content, StringComparison.Ordinal);

        // The same fields in culture order make another string, whose signature cannot verify.
        var cultureOrder = string.Join('&', fields.Where(f => f.Key != "signature" && f.Value.Length > 0)
            .OrderBy(f => f.Key, StringComparer.InvariantCulture).Select(f => $"{f.Key}={f.Value}"));
        Assert.StartsWith("accessType=", cultureOrder, StringComparison.Ordinal);
        using var certificate = X509Certificate2.CreateFromPem(Text("unionpay/signing-test.pem"));
        using var publicKey = certificate.GetRSAPublicKey()!;
        Assert.True(UnionPaySignature.Verify(content, fields.Value("signature"), publicKey));
        Assert.False(UnionPaySignature.Verify(cultureOrder, fields.Value("signature"), publicKey));
    }

    [Fact]
    public void Rejects_a_certificate_that_does_not_chain_to_the_configured_root()   // §2.4 step 2
    {
        var result = UnionPay().VerifyNotification(Form("unionpay/notify-untrusted.form"));

        Assert.Equal(UnionPayErrors.Codes.UntrustedCertificate, result.Problem!.Code);
    }

    [Fact]
    public void Rejects_the_test_certificate_name_in_production_and_accepts_UnionPays()   // §2.4, ifValidateCNName
    {
        var strict = UnionPay(validateCertificateName: true);

        Assert.Equal(UnionPayErrors.Codes.WrongCertificateName, strict.VerifyNotification(Form("unionpay/notify-paid.form")).Problem!.Code);
        var production = strict.VerifyNotification(Form("unionpay/notify-strict-name.form"));
        Assert.True(production.Succeeded, production.Problem?.Message);
        Assert.True(UnionPay(validateCertificateName: false).VerifyNotification(Form("unionpay/notify-strict-name.form")).Succeeded);
    }

    [Fact]
    public void Rejects_a_certificate_that_has_expired()
    {
        using var certificate = X509Certificate2.CreateFromPem(Text("unionpay/signing-test.pem"));
        var later = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero).AddDays(1);
        var gateway = UnionPay();

        Assert.True(gateway.VerifyNotification(Form("unionpay/notify-paid.form")).Succeeded);
        Assert.Equal(UnionPayErrors.Codes.CertificateNotValidNow,
            UnionPay(later).VerifyNotification(Form("unionpay/notify-paid.form")).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_tampered_field_as_a_bad_signature()
    {
        var fields = Form("unionpay/notify-paid.form").With("txnAmt", "1");

        Assert.Equal(UnionPayErrors.Codes.BadSignature, UnionPay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_signature_made_with_another_key_than_the_certificates()
    {
        // A genuine UnionPay certificate swapped in: it is trusted, but it did not sign this message.
        var fields = Form("unionpay/notify-paid.form").With("signPubKeyCert", Form("unionpay/notify-strict-name.form").Value("signPubKeyCert"));

        Assert.Equal(UnionPayErrors.Codes.BadSignature, UnionPay().VerifyNotification(fields).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_notification_without_signature_or_certificate()
    {
        Assert.Equal(UnionPayErrors.Codes.MissingSignature,
            UnionPay().VerifyNotification(Form("unionpay/notify-paid.form").With("signature", null)).Problem!.Code);
        Assert.Equal(UnionPayErrors.Codes.MissingCertificate,
            UnionPay().VerifyNotification(Form("unionpay/notify-paid.form").With("signPubKeyCert", null)).Problem!.Code);
        Assert.Equal(UnionPayErrors.Codes.BadCertificate,
            UnionPay().VerifyNotification(Form("unionpay/notify-paid.form").With("signPubKeyCert", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_genuine_notification_for_another_merchant()
    {
        Assert.Equal(UnionPayErrors.Codes.WrongMerchant,
            UnionPay().VerifyNotification(Resigned(("merId", "777290058110099")), UnionPayOrder).Problem!.Code);
    }

    [Fact]
    public void Rejects_a_wrong_amount_another_order_and_an_unknown_order()   // §2.5 merchant checks
    {
        var fields = Form("unionpay/notify-paid.form");

        var amount = UnionPay().VerifyNotification(fields, UnionPayOrder with { Amount = Money.Parse("12.00") });
        Assert.Equal(UnionPayErrors.Codes.AmountMismatch, amount.Problem!.Code);
        Assert.Contains("says 12.50, but the order is for 12.00", amount.Problem.Message, StringComparison.Ordinal);

        Assert.Equal(UnionPayErrors.Codes.OtherOrder,
            UnionPay().VerifyNotification(fields, UnionPayOrder with { OrderId = "T20261126000002" }).Problem!.Code);
        Assert.Equal(UnionPayErrors.Codes.OtherOrder,
            UnionPay().VerifyNotification(fields, UnionPayOrder with { TxnTime = RequestTime.AddSeconds(1) }).Problem!.Code);
        Assert.Equal(UnionPayErrors.Codes.UnknownTrade, UnionPay().VerifyNotification(fields, null).Problem!.Code);
    }

    [Fact]
    public void Reads_the_response_code_of_a_failed_or_defective_payment()
    {
        var defective = UnionPay().VerifyNotification(Resigned(("respCode", "A6"), ("respMsg", "defect"))).Value;
        Assert.True(defective.IsPaid);

        var failed = UnionPay().VerifyNotification(Resigned(("respCode", "01"), ("respMsg", "交易失败"))).Value;
        Assert.False(failed.IsPaid);
        Assert.Equal("交易失败", failed.Response.Meaning);
    }

    [Fact]
    public void Rejects_version_5_0_0_and_the_secure_key_sign_methods()
    {
        Assert.Equal(UnionPayErrors.Codes.UnsupportedVersion, UnionPay().VerifyNotification(Resigned(("version", "5.0.0"))).Problem!.Code);
        Assert.Equal(UnionPayErrors.Codes.UnsupportedSignMethod, UnionPay().VerifyNotification(Resigned(("signMethod", "11"))).Problem!.Code);
    }
}
