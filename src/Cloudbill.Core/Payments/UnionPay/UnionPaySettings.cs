using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments.UnionPay;

/// <summary>
/// The non-secret UnionPay ACP 5.1.0 configuration (payments.md §2.1, §3.3). Certificates and the
/// PFX password live in <see cref="UnionPayCertificates"/>.
/// </summary>
public sealed record UnionPaySettings
{
    public static readonly Uri ProductionGateway = new("https://gateway.95516.com/");
    public static readonly Uri TestGateway = new("https://gateway.test.95516.com/");

    /// <summary>The 15-digit merchant number; a message for another merId is refused.</summary>
    public required string MerId { get; init; }

    /// <summary>backUrl: where UnionPay posts back notifications (§2.2). No query string: its parameters would break verification.</summary>
    public required Uri BackUrl { get; init; }

    /// <summary>The gateway host: production, UnionPay's test environment, or the local sandbox gateway (§2.1).</summary>
    public Uri GatewayUrl { get; init; } = ProductionGateway;

    /// <summary>
    /// ifValidateCNName (§2.4): true in production, where UnionPay's signing certificate must name
    /// 中国银联股份有限公司; false accepts the test environment's 00040000:SIGN as well.
    /// </summary>
    public bool ValidateCertificateName { get; init; } = true;

    /// <summary>payTimeout of a checkout that does not name its own; the demo suggests 15 minutes (§2.2).</summary>
    public TimeSpan DefaultPaymentTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public Uri FrontTransUrl => new(GatewayUrl, "gateway/api/frontTransReq.do");
    public Uri BackTransUrl => new(GatewayUrl, "gateway/api/backTransReq.do");
    public Uri QueryTransUrl => new(GatewayUrl, "gateway/api/queryTrans.do");

    /// <summary>A problem naming the first setting that cannot work, or null.</summary>
    public Problem? Validate()
    {
        if (string.IsNullOrEmpty(MerId) || !MerId.All(char.IsAsciiDigit))
            return UnionPayErrors.InvalidSettings("MerId must be the merchant number (digits) issued by UnionPay.");
        if (!BackUrl.IsAbsoluteUri || BackUrl.Scheme is not ("https" or "http"))
            return UnionPayErrors.InvalidSettings("BackUrl must be an absolute http(s) URL reachable from the internet.");
        if (!string.IsNullOrEmpty(BackUrl.Query))
            return UnionPayErrors.InvalidSettings("BackUrl must not carry a query string: its parameters would end up in the notification and break verification.");
        if (!GatewayUrl.IsAbsoluteUri || GatewayUrl.Scheme is not ("https" or "http"))
            return UnionPayErrors.InvalidSettings("GatewayUrl must be an absolute http(s) URL, for example https://gateway.95516.com/.");
        if (DefaultPaymentTimeout <= TimeSpan.Zero)
            return UnionPayErrors.InvalidSettings("DefaultPaymentTimeout must be positive.");
        return null;
    }
}
