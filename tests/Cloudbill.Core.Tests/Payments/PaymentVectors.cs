using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Microsoft.Extensions.Time.Testing;

namespace Cloudbill.Core.Tests;

/// <summary>The files written by Payments/Vectors/generate.sh (openssl), and the settings they were made for.</summary>
internal static class PaymentVectors
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Payments", "Vectors");

    /// <summary>2026-11-26 12:05:06 in Asia/Shanghai: the timestamp / txnTime of the request vectors.</summary>
    public static readonly DateTimeOffset RequestTime = new(2026, 11, 26, 4, 5, 6, TimeSpan.Zero);

    public static string Text(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    /// <summary>An application/x-www-form-urlencoded body, decoded as ASP.NET decodes a posted form.</summary>
    public static List<KeyValuePair<string, string>> Form(string name) =>
        Text(name).Split('&').Select(pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            return new KeyValuePair<string, string>(Decode(pair[..equals]), Decode(pair[(equals + 1)..]));
        }).ToList();

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    public static List<KeyValuePair<string, string>> With(this IEnumerable<KeyValuePair<string, string>> fields, string key, string? value)
    {
        var list = fields.Where(field => field.Key != key).ToList();
        if (value is not null)
            list.Add(new(key, value));
        return list;
    }

    public static string Value(this IEnumerable<KeyValuePair<string, string>> fields, string key) =>
        fields.Single(field => field.Key == key).Value;

    // ------------------------------------------------------------------ Alipay

    public static AlipaySettings AlipayTestSettings => new()
    {
        AppId = "2021000000000001",
        SellerId = "2088000000000001",
        NotifyUrl = new Uri("https://billing.example.com/payments/alipay/notify"),
    };

    public static AlipayKeys LoadAlipayKeys(string appPrivateKeyFile = "alipay/app-private.pem") =>
        AlipayKeys.Load(Text(appPrivateKeyFile), Text("alipay/platform-public.pem")).Value;

    public static AlipayGateway Alipay(DateTimeOffset? now = null) =>
        new(AlipayTestSettings, LoadAlipayKeys(), new FakeTimeProvider(now ?? RequestTime));

    /// <summary>The key playing Alipay, to sign variants of a notification (the algorithm itself is checked against openssl).</summary>
    public static RSA AlipayPlatformKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(Text("alipay/platform-private.pem"));
        return rsa;
    }

    /// <summary>The paid notification with some fields changed, and signed again by "Alipay".</summary>
    public static List<KeyValuePair<string, string>> ResignedAlipayNotification(params (string Key, string Value)[] changes)
    {
        var fields = Form("alipay/notify-paid.form");
        foreach (var (key, value) in changes)
            fields = fields.With(key, value);
        using var alipayKey = AlipayPlatformKey();
        return fields.With("sign", AlipaySignature.Sign(AlipaySignature.NotificationSignContent(fields), alipayKey));
    }

    // ------------------------------------------------------------------ UnionPay

    public static UnionPaySettings UnionPayTestSettings(bool validateCertificateName = false) => new()
    {
        MerId = "777290058110048",
        BackUrl = new Uri("https://billing.example.com/payments/unionpay/notify"),
        GatewayUrl = UnionPaySettings.TestGateway,
        ValidateCertificateName = validateCertificateName,
    };

    public static UnionPayCertificates LoadUnionPayCertificates() =>
        UnionPayCertificates.Load(Bytes("unionpay/merchant.pfx"), "000000", Bytes("unionpay/root.pem"), Bytes("unionpay/middle.pem")).Value;

    /// <summary>
    /// A moment when every generated certificate is valid: a day after the newest was issued (the
    /// script issues them "now", so this follows the vectors when they are made again).
    /// </summary>
    public static DateTimeOffset CertificatesValid
    {
        get
        {
            var newest = new[] { "root", "middle", "signing-test", "signing-strict" }
                .Select(name => X509Certificate2.CreateFromPem(Text($"unionpay/{name}.pem")))
                .Max(certificate => certificate.NotBefore.ToUniversalTime());
            return new DateTimeOffset(newest, TimeSpan.Zero).AddDays(1);
        }
    }

    public static UnionPayGateway UnionPay(DateTimeOffset? now = null, bool validateCertificateName = false) =>
        new(UnionPayTestSettings(validateCertificateName), LoadUnionPayCertificates(), new FakeTimeProvider(now ?? CertificatesValid));

    /// <summary>What the merchant stored for the order of the UnionPay vectors.</summary>
    public static UnionPayExpectedPayment UnionPayOrder => new("T20261126000001", RequestTime, Money.Parse("12.50"));
}
