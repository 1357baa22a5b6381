using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments.Alipay;

/// <summary>
/// The non-secret Alipay configuration (public-key mode, payments.md §1.6.4). The keys live in
/// <see cref="AlipayKeys"/> so that printing or logging these settings never shows a key.
/// </summary>
public sealed record AlipaySettings
{
    public static readonly Uri ProductionGateway = new("https://openapi.alipay.com/gateway.do");
    public static readonly Uri SandboxGateway = new("https://openapi-sandbox.dl.alipaydev.com/gateway.do");

    /// <summary>The application id issued by Alipay; a notification for another app_id is refused (§1.7 check 4).</summary>
    public required string AppId { get; init; }

    /// <summary>The payee's Alipay user id (2088…); a notification paying another seller is refused (§1.7 check 3).</summary>
    public required string SellerId { get; init; }

    /// <summary>The asynchronous notification URL sent with every checkout (§1.7); reachable without login.</summary>
    public required Uri NotifyUrl { get; init; }

    /// <summary>gateway.do of production, of Alipay's sandbox, or of the local sandbox gateway in tests (§1.1).</summary>
    public Uri GatewayUrl { get; init; } = ProductionGateway;

    /// <summary>timeout_express of a checkout that does not name its own (§1.4).</summary>
    public TimeSpan DefaultPaymentTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A problem naming the first setting that cannot work, or null.</summary>
    public Problem? Validate()
    {
        if (string.IsNullOrWhiteSpace(AppId))
            return AlipayErrors.InvalidSettings("AppId is required: the application id shown on the Alipay open platform console.");
        if (string.IsNullOrWhiteSpace(SellerId))
            return AlipayErrors.InvalidSettings("SellerId is required: the payee's Alipay user id (2088…).");
        if (!AlipayGateway.IsHttpUrl(NotifyUrl, out var notifyProblem))
            return AlipayErrors.InvalidSettings($"NotifyUrl {notifyProblem}");
        if (!GatewayUrl.IsAbsoluteUri || GatewayUrl.Scheme is not ("https" or "http"))
            return AlipayErrors.InvalidSettings("GatewayUrl must be an absolute http(s) URL ending in gateway.do.");
        if (AlipayGateway.FormatTimeout(DefaultPaymentTimeout, AlipayDevice.Phone) is null)
            return AlipayErrors.InvalidSettings("DefaultPaymentTimeout must be whole minutes from 5 minutes to 15 days.");
        return null;
    }
}
