namespace Cloudbill.Core.Payments;

/// <summary>`Cloudbill:Payments`: the gateways, the sandbox and the top-up limits (README "Payments").</summary>
public sealed class PaymentOptions
{
    /// <summary>
    /// The address the gateways reach Cloudbill at, for notify, return and front URLs, e.g.
    /// https://billing.example.com. Empty: the server's own first listening address.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The bundled sandbox gateways (Alipay and UnionPay played at /sandbox), Development only.
    /// Null: on in Development with the embedded SQLite setup and no merchant. True outside
    /// Development stops the start. A gateway configured below is used as it is.
    /// </summary>
    public bool? Sandbox { get; set; }

    /// <summary>The sandbox's keys, certificates and trades; default {DataDirectory}/sandbox. One server per folder.</summary>
    public string? SandboxDirectory { get; set; }

    /// <summary>Multiplies the sandbox's notification retry gaps (1 = the gateways' real schedules).</summary>
    public double SandboxRetryScale { get; set; } = 1.0;

    /// <summary>R7.2: the smallest and largest top-up, in CNY.</summary>
    public string TopUpMinimum { get; set; } = "1.00";

    public string TopUpMaximum { get; set; } = "1000000.00";

    /// <summary>The amounts the top-up page offers as buttons; any other amount can be typed.</summary>
    public string[] TopUpPresets { get; set; } = ["100.00", "500.00", "1000.00", "5000.00"];

    /// <summary>Seconds between the poller's rounds (lost notifications, abandoned payments, refunds); 0 turns the hosted poller off.</summary>
    public int PollerIntervalSeconds { get; set; } = 30;

    public AlipayMerchantOptions Alipay { get; set; } = new();
    public UnionPayMerchantOptions UnionPay { get; set; } = new();
}

/// <summary>The merchant's Alipay application. Keys come inline or from files; they are never logged.</summary>
public sealed class AlipayMerchantOptions
{
    public string? AppId { get; set; }

    /// <summary>The payee's Alipay user id (2088…), checked in every notification.</summary>
    public string? SellerId { get; set; }

    public string? AppPrivateKey { get; set; }
    public string? AppPrivateKeyFile { get; set; }
    public string? AlipayPublicKey { get; set; }
    public string? AlipayPublicKeyFile { get; set; }

    /// <summary>Default: Alipay's production gateway.</summary>
    public string? GatewayUrl { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AppId);
}

/// <summary>The merchant's UnionPay ACP 5.1.0 access. Certificates come from files; the password is never logged.</summary>
public sealed class UnionPayMerchantOptions
{
    public string? MerId { get; set; }

    /// <summary>The merchant signing certificate with its private key (.pfx).</summary>
    public string? SigningCertificateFile { get; set; }

    public string? SigningCertificatePassword { get; set; }
    public string? RootCertificateFile { get; set; }
    public string? MiddleCertificateFile { get; set; }

    /// <summary>Default: UnionPay's production gateway.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>false only for UnionPay's test environment, whose certificate is named 00040000:SIGN.</summary>
    public bool ValidateCertificateName { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(MerId);
}
