using Cloudbill.Core.Problems;
using static Cloudbill.Core.Payments.GatewayFields;

namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>
/// The expected failures of the UnionPay protocol. A rejected back notification must not be acted
/// upon; the code says precisely why, for the log and for the tests.
/// </summary>
public static class UnionPayErrors
{
    public static class Codes
    {
        public const string InvalidSettings = "UnionPay.InvalidSettings";
        public const string InvalidCertificates = "UnionPay.InvalidCertificates";
        public const string InvalidRequest = "UnionPay.InvalidRequest";
        public const string DuplicateField = "UnionPay.DuplicateField";
        public const string MissingSignature = "UnionPay.MissingSignature";
        public const string UnsupportedVersion = "UnionPay.UnsupportedVersion";
        public const string UnsupportedSignMethod = "UnionPay.UnsupportedSignMethod";
        public const string UnsupportedEncoding = "UnionPay.UnsupportedEncoding";
        public const string MissingCertificate = "UnionPay.MissingCertificate";
        public const string BadCertificate = "UnionPay.BadCertificate";
        public const string UntrustedCertificate = "UnionPay.UntrustedCertificate";
        public const string CertificateNotValidNow = "UnionPay.CertificateNotValidNow";
        public const string WrongCertificateName = "UnionPay.WrongCertificateName";
        public const string BadSignature = "UnionPay.BadSignature";
        public const string WrongMerchant = "UnionPay.WrongMerchant";
        public const string UnknownTrade = "UnionPay.UnknownTrade";
        public const string OtherOrder = "UnionPay.OtherOrder";
        public const string AmountMismatch = "UnionPay.AmountMismatch";
        public const string Malformed = "UnionPay.Malformed";
        public const string QueryFailed = "UnionPay.QueryFailed";
    }

    public static Problem InvalidSettings(string message) =>
        Problem.Invalid(Codes.InvalidSettings, $"UnionPay settings: {message}");

    // Never contains key material or the PFX password (keys and secrets are never logged).
    public static Problem InvalidCertificates(string message) =>
        Problem.Invalid(Codes.InvalidCertificates, $"UnionPay certificates: {message}");

    public static Problem InvalidRequest(string message) =>
        Problem.Invalid(Codes.InvalidRequest, message);

    public static Problem DuplicateField(string what, string key) =>
        Problem.Invalid(Codes.DuplicateField, $"The UnionPay {what} carries the field {Quote(key)} twice; it was ignored.");

    public static Problem MissingSignature(string what, string? orderId) =>
        Problem.Forbidden(Codes.MissingSignature, $"The UnionPay {what} for order {Quote(orderId)} has no signature; it was ignored.");

    public static Problem UnsupportedVersion(string what, string? version) =>
        Problem.Invalid(Codes.UnsupportedVersion, $"The UnionPay {what} is version {Quote(version)}; only 5.1.0 is verified (5.0.0 signs differently). It was ignored.");

    public static Problem UnsupportedSignMethod(string what, string? signMethod) =>
        Problem.Invalid(Codes.UnsupportedSignMethod, $"The UnionPay {what} uses signMethod {Quote(signMethod)}; only 01 (RSA certificate) is accepted. It was ignored.");

    public static Problem UnsupportedEncoding(string what, string? encoding) =>
        Problem.Invalid(Codes.UnsupportedEncoding, $"The UnionPay {what} uses encoding {Quote(encoding)}; requests are sent in UTF-8, so only UTF-8 is accepted. It was ignored.");

    public static Problem MissingCertificate(string what, string? orderId) =>
        Problem.Forbidden(Codes.MissingCertificate, $"The UnionPay {what} for order {Quote(orderId)} has no signPubKeyCert; it was ignored.");

    public static Problem BadCertificate(string what) =>
        Problem.Forbidden(Codes.BadCertificate, $"The signPubKeyCert of the UnionPay {what} is not a PEM certificate; it was ignored.");

    public static Problem UntrustedCertificate(string what, string subject, string chainStatus) =>
        Problem.Forbidden(Codes.UntrustedCertificate,
            $"The UnionPay {what} is signed with certificate '{subject}', which does not chain to the configured UnionPay middle and root certificates ({chainStatus}); it was ignored.");

    public static Problem CertificateNotValidNow(string what, string subject, DateTime notBefore, DateTime notAfter) =>
        Problem.Forbidden(Codes.CertificateNotValidNow,
            FormattableString.Invariant($"The UnionPay {what} is signed with certificate '{subject}', valid only from {notBefore:yyyy-MM-dd} to {notAfter:yyyy-MM-dd} (UTC); it was ignored."));

    public static Problem WrongCertificateName(string what, string subject) =>
        Problem.Forbidden(Codes.WrongCertificateName,
            $"The UnionPay {what} is signed with certificate '{subject}', which is not UnionPay's signing certificate (the CN must name 中国银联股份有限公司; 00040000:SIGN is accepted only with ValidateCertificateName off, in the test environment); it was ignored.");

    public static Problem BadSignature(string what, string? orderId) =>
        Problem.Forbidden(Codes.BadSignature, $"The UnionPay {what} for order {Quote(orderId)} does not carry a valid signature for its certificate (tampered or re-signed); it was ignored.");

    public static Problem WrongMerchant(string what, string? merId, string expected) =>
        Problem.Forbidden(Codes.WrongMerchant, $"The UnionPay {what} is for merchant {Quote(merId)}, not this merchant's {expected}; it was ignored.");

    public static Problem UnknownTrade(string orderId) =>
        Problem.NotFound(Codes.UnknownTrade, $"The UnionPay notification is for order {Quote(orderId)}, which this merchant did not create; it was ignored.");

    public static Problem OtherOrder(string orderId, string txnTime, string expectedOrderId, string expectedTxnTime) =>
        Problem.Conflict(Codes.OtherOrder,
            $"The UnionPay notification is for order {Quote(orderId)} sent at {Quote(txnTime)}, not for order {expectedOrderId} sent at {expectedTxnTime}; it was ignored.");

    public static Problem AmountMismatch(string orderId, Money notified, Money expected) =>
        Problem.Conflict(Codes.AmountMismatch, $"The UnionPay notification for order {orderId} says {notified}, but the order is for {expected}; it was ignored.");

    public static Problem Malformed(string what, string detail) =>
        Problem.Invalid(Codes.Malformed, $"The UnionPay {what} cannot be read: {detail}");

    public static Problem QueryFailed(string orderId, UnionPayResponseCode response) =>
        Problem.Conflict(Codes.QueryFailed,
            $"UnionPay could not answer the query for order {orderId}: respCode {response.Code} ({response.Meaning}). Query again later.");
}
