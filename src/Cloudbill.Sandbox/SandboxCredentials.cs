using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Cloudbill.Core.Payments.UnionPay;

namespace Cloudbill.Sandbox;

/// <summary>
/// The keys and certificates of the offline sandbox gateways (payments.md §5): both sides of each
/// gateway, made on first use and kept in <c>credentials.json</c> under the sandbox directory.
/// The merchant side (<see cref="AppPrivateKeyPem"/>, <see cref="AlipayPublicKeyPem"/>,
/// <see cref="MerchantPfx"/>, <see cref="RootCertificate"/>, <see cref="MiddleCertificate"/>) is what
/// Cloudbill is configured with; the gateway side stays in the sandbox. TEST-ONLY material: it
/// protects nothing and must never be configured against the real gateways.
/// </summary>
public sealed class SandboxCredentials : IDisposable
{
    public const string FileName = "credentials.json";

    /// <summary>The organisation part of the signing certificate's CN that the merchant checks (§2.4).</summary>
    private const string UnionPayName = "中国银联股份有限公司";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly Stored stored;

    private SandboxCredentials(Stored stored)
    {
        this.stored = stored;
        AlipayPrivateKey = RSA.Create();
        AlipayPrivateKey.ImportFromPem(stored.AlipayPrivateKeyPem);
        AppPublicKey = RSA.Create();
        AppPublicKey.ImportFromPem(stored.AppPublicKeyPem);
        UnionPaySigningKey = RSA.Create();
        UnionPaySigningKey.ImportFromPem(stored.UnionPaySigningKeyPem);
        MerchantCertificate = X509CertificateLoader.LoadPkcs12(MerchantPfx, MerchantPfxPassword, X509KeyStorageFlags.EphemeralKeySet);
        MerchantPublicKey = MerchantCertificate.GetRSAPublicKey() ?? throw new InvalidDataException("The sandbox merchant certificate has no RSA key.");
        MerchantCertId = UnionPayCertificates.CertIdOf(MerchantCertificate);
        // §2.4: UnionPay sends its signing certificate as PEM text with CRLF line ends.
        UnionPaySigningCertificatePem = stored.UnionPaySigningCertificatePem.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Replace("\n", "\r\n", StringComparison.Ordinal);
    }

    // ------------------------------------------------------------ what the merchant is configured with

    /// <summary>The application id of the sandbox Alipay app (16 digits, 2021…).</summary>
    public string AlipayAppId => stored.AlipayAppId;

    /// <summary>The payee's Alipay user id: 16 digits starting 2088 (§1.7 check 3).</summary>
    public string AlipaySellerId => stored.AlipaySellerId;

    /// <summary>The merchant's app private key, PKCS#8 PEM: it signs Cloudbill's requests (§1.6.1).</summary>
    public string AppPrivateKeyPem => stored.AppPrivateKeyPem;

    /// <summary>The sandbox "Alipay" public key, SubjectPublicKeyInfo PEM: it verifies what the sandbox sends.</summary>
    public string AlipayPublicKeyPem => stored.AlipayPublicKeyPem;

    /// <summary>The 15-digit UnionPay merchant number (777…, as open-platform test numbers are, §2.1).</summary>
    public string UnionPayMerId => stored.UnionPayMerId;

    /// <summary>The merchant signing PFX (acp_sign.pfx); its decimal serial is the certId (§2.3).</summary>
    public byte[] MerchantPfx => Convert.FromBase64String(stored.MerchantPfxBase64);

    public string MerchantPfxPassword => stored.MerchantPfxPassword;

    /// <summary>The verification root certificate (acp_root.cer), PEM bytes as <see cref="UnionPayCertificates.Load"/> accepts.</summary>
    public byte[] RootCertificate => Encoding.ASCII.GetBytes(stored.RootCertificatePem);

    /// <summary>The verification middle certificate (acp_middle.cer), PEM bytes.</summary>
    public byte[] MiddleCertificate => Encoding.ASCII.GetBytes(stored.MiddleCertificatePem);

    // ------------------------------------------------------------ the gateway side, kept in the sandbox

    internal RSA AlipayPrivateKey { get; }
    internal RSA AppPublicKey { get; }
    internal RSA UnionPaySigningKey { get; }
    internal string UnionPaySigningCertificatePem { get; }
    internal X509Certificate2 MerchantCertificate { get; }
    internal RSA MerchantPublicKey { get; }
    internal string MerchantCertId { get; }

    /// <summary>
    /// Loads <c>credentials.json</c> from <paramref name="directory"/>, or makes and stores new
    /// credentials there. Two processes starting together cannot corrupt the file: each writes a
    /// complete temporary file and moves it in place without overwriting, the loser reads the
    /// winner's file.
    /// </summary>
    public static SandboxCredentials LoadOrCreate(string directory, TimeProvider clock)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            var temporary = Path.Combine(directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
            try
            {
                var text = JsonSerializer.Serialize(Generate(clock), Json);
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using (var file = new FileStream(temporary, options))
                using (var writer = new StreamWriter(file, new UTF8Encoding(false)))
                    writer.Write(text);
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process stored its credentials first: use those.
            }
            finally
            {
                File.Delete(temporary);
            }
        }
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json)
                     ?? throw new InvalidDataException($"{path} is empty; delete it to make new sandbox credentials.");
        return new SandboxCredentials(stored);
    }

    private static Stored Generate(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var notBefore = new DateTimeOffset(now.Year, now.Month, now.Day, 0, 0, 0, TimeSpan.Zero).AddDays(-1);

        using var alipay = RSA.Create(2048);
        using var app = RSA.Create(2048);

        // §2.1, §2.4: root → middle → UnionPay signing certificate; a separate self-signed merchant certificate in a PFX.
        using var rootKey = RSA.Create(2048);
        using var root = CertificateAuthority(new X500DistinguishedName("CN=Cloudbill Sandbox UnionPay Root, O=Cloudbill Sandbox (TEST ONLY), C=CN"), rootKey, null, notBefore, notBefore.AddYears(30));
        using var middleKey = RSA.Create(2048);
        using var middlePublic = CertificateAuthority(new X500DistinguishedName("CN=Cloudbill Sandbox UnionPay Middle, O=Cloudbill Sandbox (TEST ONLY), C=CN"), middleKey, root, notBefore, notBefore.AddYears(25));
        using var middle = middlePublic.CopyWithPrivateKey(middleKey);

        using var signingKey = RSA.Create(2048);
        var signingName = new X500DistinguishedNameBuilder();
        signingName.AddCountryOrRegion("CN");
        signingName.AddOrganizationName("Cloudbill Sandbox (TEST ONLY)");
        signingName.AddCommonName(string.Create(CultureInfo.InvariantCulture, $"041@Z{notBefore:yyyyMMdd}@{UnionPayName}@00000001"));
        var signingRequest = new CertificateRequest(signingName.Build(), signingKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddLeafExtensions(signingRequest, middle);
        using var signing = signingRequest.Create(middle, notBefore, notBefore.AddYears(20), RandomSerial());

        var merId = "777" + RandomDigits(12);
        using var merchantKey = RSA.Create(2048);
        var merchantRequest = new CertificateRequest(new X500DistinguishedName($"CN={merId}, O=Cloudbill Sandbox merchant (TEST ONLY), C=CN"), merchantKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        merchantRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        merchantRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        using var merchantPublic = merchantRequest.Create(merchantRequest.SubjectName, X509SignatureGenerator.CreateForRSA(merchantKey, RSASignaturePadding.Pkcs1), notBefore, notBefore.AddYears(20), RandomSerial());
        using var merchant = merchantPublic.CopyWithPrivateKey(merchantKey);
        var password = RandomDigits(12);
        var pfx = merchant.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);

        return new Stored
        {
            CreatedAt = now,
            AlipayAppId = "2021" + RandomDigits(12),
            AlipaySellerId = "2088" + RandomDigits(12),
            AppPrivateKeyPem = app.ExportPkcs8PrivateKeyPem(),
            AppPublicKeyPem = app.ExportSubjectPublicKeyInfoPem(),
            AlipayPrivateKeyPem = alipay.ExportPkcs8PrivateKeyPem(),
            AlipayPublicKeyPem = alipay.ExportSubjectPublicKeyInfoPem(),
            UnionPayMerId = merId,
            MerchantPfxBase64 = Convert.ToBase64String(pfx),
            MerchantPfxPassword = password,
            RootCertificatePem = root.ExportCertificatePem(),
            MiddleCertificatePem = middle.ExportCertificatePem(),
            UnionPaySigningCertificatePem = signing.ExportCertificatePem(),
            UnionPaySigningKeyPem = signingKey.ExportPkcs8PrivateKeyPem(),
        };
    }

    private static X509Certificate2 CertificateAuthority(X500DistinguishedName name, RSA key, X509Certificate2? issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
            return request.CreateSelfSigned(notBefore, notAfter);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        return request.Create(issuer, notBefore, notAfter, RandomSerial());
    }

    private static void AddLeafExtensions(CertificateRequest request, X509Certificate2 issuer)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
    }

    /// <summary>A positive 9-byte serial whose first byte is ≥ 0x80 after the sign byte: certId must still read it as unsigned (§2.3).</summary>
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(9);
        serial[0] = 0x00;
        serial[1] |= 0x80;
        return serial;
    }

    internal static string RandomDigits(int count)
    {
        var digits = new char[count];
        for (var i = 0; i < count; i++)
            digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        return new string(digits);
    }

    public override string ToString() =>
        $"SandboxCredentials (Alipay app {AlipayAppId}, seller {AlipaySellerId}; UnionPay merId {UnionPayMerId}, certId {MerchantCertId}; keys not shown)";

    public void Dispose()
    {
        AlipayPrivateKey.Dispose();
        AppPublicKey.Dispose();
        UnionPaySigningKey.Dispose();
        MerchantPublicKey.Dispose();
        MerchantCertificate.Dispose();
    }

    private sealed record Stored
    {
        public DateTimeOffset CreatedAt { get; init; }
        public required string AlipayAppId { get; init; }
        public required string AlipaySellerId { get; init; }
        public required string AppPrivateKeyPem { get; init; }
        public required string AppPublicKeyPem { get; init; }
        public required string AlipayPrivateKeyPem { get; init; }
        public required string AlipayPublicKeyPem { get; init; }
        public required string UnionPayMerId { get; init; }
        public required string MerchantPfxBase64 { get; init; }
        public required string MerchantPfxPassword { get; init; }
        public required string RootCertificatePem { get; init; }
        public required string MiddleCertificatePem { get; init; }
        public required string UnionPaySigningCertificatePem { get; init; }
        public required string UnionPaySigningKeyPem { get; init; }
    }
}
