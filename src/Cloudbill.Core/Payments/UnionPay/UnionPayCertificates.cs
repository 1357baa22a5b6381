using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>
/// The merchant's signing certificate with its private key (the PFX, payments.md §2.1) and the
/// root and middle certificates that UnionPay's signing certificates must chain to (§2.4).
/// Never printed or logged.
/// </summary>
public sealed class UnionPayCertificates : IDisposable
{
    private UnionPayCertificates(X509Certificate2 signing, RSA signingKey, X509Certificate2 root, X509Certificate2 middle)
    {
        Signing = signing;
        SigningKey = signingKey;
        Root = root;
        Middle = middle;
        CertId = CertIdOf(signing);
    }

    internal X509Certificate2 Signing { get; }
    internal RSA SigningKey { get; }
    internal X509Certificate2 Root { get; }
    internal X509Certificate2 Middle { get; }

    /// <summary>certId: the signing certificate's serial number in decimal (§2.3 step 2). Not secret.</summary>
    public string CertId { get; }

    /// <summary>When the merchant certificate expires: renew the PFX before then.</summary>
    public DateTimeOffset SigningCertificateExpires => new(Signing.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>
    /// Loads the PFX (acp_sign.pfx) with its password, and the root and middle certificates
    /// (acp_root.cer, acp_middle.cer), each PEM or DER.
    /// </summary>
    public static Result<UnionPayCertificates> Load(byte[] signingPfx, string pfxPassword, byte[] rootCertificate, byte[] middleCertificate)
    {
        X509Certificate2? signing = null;
        RSA? key = null;
        X509Certificate2? root = null;
        X509Certificate2? middle = null;
        var keep = false;
        try
        {
            try
            {
                // EphemeralKeySet keeps the private key out of any key store on disk.
                var flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
                signing = X509CertificateLoader.LoadPkcs12(signingPfx, pfxPassword, flags);
            }
            catch (CryptographicException)
            {
                return UnionPayErrors.InvalidCertificates("The signing PFX cannot be opened: check the file and its password.");
            }
            key = signing.GetRSAPrivateKey();
            if (key is null)
                return UnionPayErrors.InvalidCertificates("The signing PFX holds no RSA private key; signMethod 01 needs one.");
            root = LoadCertificate(rootCertificate);
            if (root is null)
                return UnionPayErrors.InvalidCertificates("The root certificate is not an X.509 certificate in PEM or DER form.");
            middle = LoadCertificate(middleCertificate);
            if (middle is null)
                return UnionPayErrors.InvalidCertificates("The middle certificate is not an X.509 certificate in PEM or DER form.");

            keep = true;
            return new UnionPayCertificates(signing, key, root, middle);
        }
        finally
        {
            if (!keep)
            {
                key?.Dispose();
                signing?.Dispose();
                root?.Dispose();
                middle?.Dispose();
            }
        }
    }

    /// <summary>As <see cref="Load"/>, from files.</summary>
    public static Result<UnionPayCertificates> LoadFiles(string signingPfxPath, string pfxPassword, string rootCertificatePath, string middleCertificatePath)
    {
        foreach (var path in new[] { signingPfxPath, rootCertificatePath, middleCertificatePath })
        {
            if (!File.Exists(path))
                return UnionPayErrors.InvalidCertificates($"The file {path} does not exist.");
        }
        return Load(File.ReadAllBytes(signingPfxPath), pfxPassword, File.ReadAllBytes(rootCertificatePath), File.ReadAllBytes(middleCertificatePath));
    }

    /// <summary>
    /// The serial number in decimal. X509Certificate2.SerialNumber is hex, and a serial whose first
    /// byte is ≥ 0x80 carries a leading zero byte: read it as an unsigned big-endian number (§2.3, §4).
    /// </summary>
    public static string CertIdOf(X509Certificate2 certificate) =>
        new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);

    internal static X509Certificate2? LoadCertificate(byte[] data)
    {
        try
        {
            var text = Encoding.ASCII.GetString(data);
            return text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(data);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public override string ToString() => $"UnionPayCertificates (certId {CertId}; keys not shown)";

    public void Dispose()
    {
        SigningKey.Dispose();
        Signing.Dispose();
        Root.Dispose();
        Middle.Dispose();
    }
}
