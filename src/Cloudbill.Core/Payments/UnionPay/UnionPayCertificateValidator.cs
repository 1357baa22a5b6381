using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>
/// Decides whether the signPubKeyCert carried by a message is UnionPay's signing certificate
/// (payments.md §2.4 step 2): valid now, chained through the configured middle to the configured
/// root (the machine's trust store plays no part; no revocation check), and named as UnionPay.
/// </summary>
internal sealed class UnionPayCertificateValidator(UnionPayCertificates certificates, bool validateName)
{
    /// <summary>The organisation part of UnionPay's signing-certificate CN (x@y@中国银联股份有限公司@z).</summary>
    public const string UnionPayName = "中国银联股份有限公司";

    /// <summary>The test environment's name, accepted only when ifValidateCNName is off.</summary>
    public const string TestName = "00040000:SIGN";

    // §2.4: validated certificates are cached by their PEM text. Only certificates that passed are
    // kept, and UnionPay has a handful, so the cache cannot be grown by a hostile sender.
    private const int CacheLimit = 32;
    private readonly ConcurrentDictionary<string, X509Certificate2> validated = new(StringComparer.Ordinal);

    public Result<X509Certificate2> Validate(string pem, DateTimeOffset now, string what)
    {
        if (validated.TryGetValue(pem, out var known))
        {
            // Still re-check the validity period: a cached certificate expires too.
            return IsValidAt(known, now) ? known : UnionPayErrors.CertificateNotValidNow(what, known.Subject, known.NotBefore.ToUniversalTime(), known.NotAfter.ToUniversalTime());
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException)
        {
            return UnionPayErrors.BadCertificate(what);
        }

        var problem = Check(certificate, now, what);
        if (problem is not null)
        {
            certificate.Dispose();
            return problem;
        }
        if (validated.Count < CacheLimit && validated.TryAdd(pem, certificate))
            return certificate;
        // Not cached (full, or another thread won the race): that thread's or this copy is as good.
        return validated.TryGetValue(pem, out var cached) ? cached : certificate;
    }

    private Problem? Check(X509Certificate2 certificate, DateTimeOffset now, string what)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificates.Root);
        chain.ChainPolicy.ExtraStore.Add(certificates.Middle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;

        var built = chain.Build(certificate);
        var status = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
        if (!built)
        {
            // Only a time problem is reported as such; an untrusted chain is untrusted whatever its dates.
            if ((status & ~X509ChainStatusFlags.NotTimeValid) == X509ChainStatusFlags.NoError)
                return UnionPayErrors.CertificateNotValidNow(what, certificate.Subject, certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime());
            return UnionPayErrors.UntrustedCertificate(what, certificate.Subject, status.ToString());
        }
        // The chain must go leaf → the configured middle → the configured root, not straight to the root.
        var elements = chain.ChainElements;
        if (elements.Count != 3
            || !elements[1].Certificate.RawDataMemory.Span.SequenceEqual(certificates.Middle.RawDataMemory.Span)
            || !elements[2].Certificate.RawDataMemory.Span.SequenceEqual(certificates.Root.RawDataMemory.Span))
        {
            return UnionPayErrors.UntrustedCertificate(what, certificate.Subject, "not issued by the configured middle certificate");
        }

        var name = IdentityOf(certificate);
        var nameAccepted = name == UnionPayName || (!validateName && name == TestName);
        return nameAccepted ? null : UnionPayErrors.WrongCertificateName(what, certificate.Subject);
    }

    /// <summary>The third '@'-separated part of the CN, or the whole CN when it has fewer parts.</summary>
    internal static string IdentityOf(X509Certificate2 certificate)
    {
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        var parts = commonName.Split('@');
        return parts.Length >= 3 ? parts[2] : commonName;
    }

    private static bool IsValidAt(X509Certificate2 certificate, DateTimeOffset now) =>
        now >= new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero)
        && now <= new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
}
