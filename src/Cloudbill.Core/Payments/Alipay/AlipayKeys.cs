using System.Security.Cryptography;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// The two RSA keys of public-key mode (payments.md §1.6.1): the app private key that signs our
/// requests and Alipay's public key that verifies what Alipay sends. Never printed or logged.
/// </summary>
public sealed class AlipayKeys : IDisposable
{
    private AlipayKeys(RSA appPrivateKey, RSA alipayPublicKey)
    {
        AppPrivateKey = appPrivateKey;
        AlipayPublicKey = alipayPublicKey;
    }

    internal RSA AppPrivateKey { get; }
    internal RSA AlipayPublicKey { get; }

    /// <summary>
    /// Loads the keys as the Alipay key tool and console give them (§1.6.1, §4): the app private key
    /// as PEM ("PRIVATE KEY" or "RSA PRIVATE KEY") or bare Base64 of PKCS#8 or PKCS#1; Alipay's
    /// public key as PEM or bare Base64 of an X.509 SubjectPublicKeyInfo (or PKCS#1).
    /// </summary>
    public static Result<AlipayKeys> Load(string appPrivateKey, string alipayPublicKey)
    {
        var app = RSA.Create();
        var alipay = RSA.Create();
        var keep = false;
        try
        {
            if (!TryImport(app, appPrivateKey, isPrivate: true))
                return AlipayErrors.InvalidKey("The app private key is not an RSA private key in PEM or Base64 PKCS#8/PKCS#1 form.");
            if (!TryImport(alipay, alipayPublicKey, isPrivate: false))
                return AlipayErrors.InvalidKey("The Alipay public key is not an RSA public key in PEM or Base64 X.509 (SubjectPublicKeyInfo) form.");
            if (app.KeySize < 2048 || alipay.KeySize < 2048)
                return AlipayErrors.InvalidKey("RSA2 keys are 2048 bits or more; generate the app key pair again with the Alipay key tool.");
            // §1.6.1: the most common verification failure is configuring the app's own public key
            // where Alipay's belongs; then no genuine notification would ever verify.
            if (app.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(alipay.ExportSubjectPublicKeyInfo()))
                return AlipayErrors.InvalidKey("The Alipay public key is the app's own public key; copy the \"Alipay public key\" from the console instead.");

            keep = true;
            return new AlipayKeys(app, alipay);
        }
        finally
        {
            if (!keep)
            {
                app.Dispose();
                alipay.Dispose();
            }
        }
    }

    private static bool TryImport(RSA rsa, string text, bool isPrivate)
    {
        if (string.IsNullOrWhiteSpace(text))
            return false;
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                var pem = PemEncoding.Find(text);
                var label = text[pem.Label];
                var expected = isPrivate ? label is "PRIVATE KEY" or "RSA PRIVATE KEY" : label is "PUBLIC KEY" or "RSA PUBLIC KEY";
                if (!expected)
                    return false;
                rsa.ImportFromPem(text);
                return true;
            }

            var der = Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
            if (isPrivate)
                return TryDer(() => rsa.ImportPkcs8PrivateKey(der, out _)) || TryDer(() => rsa.ImportRSAPrivateKey(der, out _));
            return TryDer(() => rsa.ImportSubjectPublicKeyInfo(der, out _)) || TryDer(() => rsa.ImportRSAPublicKey(der, out _));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static bool TryDer(Action import)
    {
        try
        {
            import();
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override string ToString() => "AlipayKeys (app private key and Alipay public key; not shown)";

    public void Dispose()
    {
        AppPrivateKey.Dispose();
        AlipayPublicKey.Dispose();
    }
}
