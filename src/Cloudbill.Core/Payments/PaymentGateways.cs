using Cloudbill.Core.Payments.Alipay;
using Cloudbill.Core.Payments.UnionPay;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Payments;

/// <summary>The merchant's Alipay credentials; a relative <paramref name="GatewayUrl"/> is resolved against the public base URL (the sandbox).</summary>
public sealed record AlipayMerchant(string AppId, string SellerId, string AppPrivateKey, string AlipayPublicKey, Uri GatewayUrl)
{
    public override string ToString() => $"Alipay app {AppId} (keys not shown)";
}

/// <summary>The merchant's UnionPay credentials; a relative <paramref name="GatewayUrl"/> is resolved against the public base URL (the sandbox).</summary>
public sealed record UnionPayMerchant(string MerId, byte[] SigningPfx, string PfxPassword, byte[] RootCertificate, byte[] MiddleCertificate, Uri GatewayUrl, bool ValidateCertificateName)
{
    public override string ToString() => $"UnionPay merchant {MerId} (certificates not shown)";
}

/// <summary>
/// The gateways Cloudbill pays through, built on first use: the notify and return URLs need the
/// public address, which a server started on port 0 only knows once it listens.
/// </summary>
public sealed class PaymentGateways(AlipayMerchant? alipayMerchant, UnionPayMerchant? unionPayMerchant, PaymentOptions options, TimeProvider clock)
{
    public const string AlipayNotifyPath = "/payments/alipay/notify";
    public const string UnionPayNotifyPath = "/payments/unionpay/notify";
    public const string AlipayReturnPath = "/payments/alipay/return";
    public const string UnionPayReturnPath = "/payments/unionpay/return";

    private readonly Lock gate = new();
    private Uri? baseUrl = string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? null : new Uri(options.PublicBaseUrl.TrimEnd('/') + "/");
    private Result<AlipayGateway>? alipay;
    private Result<UnionPayGateway>? unionPay;

    /// <summary>Called by the server once it listens, unless PublicBaseUrl is configured.</summary>
    public void UseBaseUrlIfUnset(Uri address)
    {
        lock (gate)
            baseUrl ??= new Uri(address.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>False when neither Alipay nor UnionPay (real or sandbox) is set up: the pages say payments are not configured.</summary>
    public bool AnyConfigured => alipayMerchant is not null || unionPayMerchant is not null;

    public Uri BaseUrl => baseUrl ?? throw new InvalidOperationException("The public base URL is not known yet: set Cloudbill:Payments:PublicBaseUrl.");

    public Uri Url(string path) => new(BaseUrl, path.TrimStart('/'));

    public Result<AlipayGateway> Alipay
    {
        get
        {
            lock (gate)
                return alipay ??= BuildAlipay();
        }
    }

    public Result<UnionPayGateway> UnionPay
    {
        get
        {
            lock (gate)
                return unionPay ??= BuildUnionPay();
        }
    }

    /// <summary>Which gateway a trade belongs to when a caller only knows its name ("Alipay", "UnionPay").</summary>
    public Problem? Check(PaymentGateway gateway) => gateway switch
    {
        PaymentGateway.Alipay => Alipay.Problem,
        PaymentGateway.UnionPay => UnionPay.Problem,
    };

    private Result<AlipayGateway> BuildAlipay()
    {
        if (alipayMerchant is null)
            return PaymentErrors.NotConfigured(PaymentGateway.Alipay);
        var keys = AlipayKeys.Load(alipayMerchant.AppPrivateKey, alipayMerchant.AlipayPublicKey);
        if (!keys.Succeeded)
            return keys.Problem!;
        var settings = new AlipaySettings
        {
            AppId = alipayMerchant.AppId,
            SellerId = alipayMerchant.SellerId,
            NotifyUrl = Url(AlipayNotifyPath),
            GatewayUrl = alipayMerchant.GatewayUrl.IsAbsoluteUri ? alipayMerchant.GatewayUrl : Url(alipayMerchant.GatewayUrl.OriginalString),
        };
        if (settings.Validate() is { } problem)
            return problem;
        return new AlipayGateway(settings, keys.Value, clock);
    }

    private Result<UnionPayGateway> BuildUnionPay()
    {
        if (unionPayMerchant is null)
            return PaymentErrors.NotConfigured(PaymentGateway.UnionPay);
        var certificates = UnionPayCertificates.Load(unionPayMerchant.SigningPfx, unionPayMerchant.PfxPassword, unionPayMerchant.RootCertificate, unionPayMerchant.MiddleCertificate);
        if (!certificates.Succeeded)
            return certificates.Problem!;
        var settings = new UnionPaySettings
        {
            MerId = unionPayMerchant.MerId,
            BackUrl = Url(UnionPayNotifyPath),
            GatewayUrl = unionPayMerchant.GatewayUrl.IsAbsoluteUri ? unionPayMerchant.GatewayUrl : Url(unionPayMerchant.GatewayUrl.OriginalString),
            ValidateCertificateName = unionPayMerchant.ValidateCertificateName,
        };
        if (settings.Validate() is { } problem)
            return problem;
        return new UnionPayGateway(settings, certificates.Value, clock);
    }

    /// <summary>The merchants configured under Cloudbill:Payments (files are read now, so a missing one stops the start).</summary>
    public static (AlipayMerchant? Alipay, UnionPayMerchant? UnionPay) ConfiguredMerchants(PaymentOptions options)
    {
        AlipayMerchant? alipay = null;
        if (options.Alipay.IsConfigured)
        {
            var a = options.Alipay;
            alipay = new AlipayMerchant(a.AppId!, Required(a.SellerId, "Alipay:SellerId"),
                Inline(a.AppPrivateKey, a.AppPrivateKeyFile, "Alipay:AppPrivateKey"),
                Inline(a.AlipayPublicKey, a.AlipayPublicKeyFile, "Alipay:AlipayPublicKey"),
                new Uri(a.GatewayUrl ?? AlipaySettings.ProductionGateway.AbsoluteUri, UriKind.RelativeOrAbsolute));
        }

        UnionPayMerchant? unionPay = null;
        if (options.UnionPay.IsConfigured)
        {
            var u = options.UnionPay;
            unionPay = new UnionPayMerchant(u.MerId!,
                ReadFile(u.SigningCertificateFile, "UnionPay:SigningCertificateFile"),
                u.SigningCertificatePassword ?? "",
                ReadFile(u.RootCertificateFile, "UnionPay:RootCertificateFile"),
                ReadFile(u.MiddleCertificateFile, "UnionPay:MiddleCertificateFile"),
                new Uri(u.GatewayUrl ?? UnionPaySettings.ProductionGateway.AbsoluteUri, UriKind.RelativeOrAbsolute),
                u.ValidateCertificateName);
        }
        return (alipay, unionPay);
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ConfigurationProblemException($"Cloudbill:Payments:{name} is required when Alipay is configured.") : value;

    private static string Inline(string? value, string? file, string name)
    {
        if (!string.IsNullOrWhiteSpace(value))
            return value;
        if (string.IsNullOrWhiteSpace(file))
            throw new ConfigurationProblemException($"Cloudbill:Payments:{name} (or {name}File) is required when Alipay is configured.");
        return System.Text.Encoding.UTF8.GetString(ReadFile(file, name + "File"));
    }

    private static byte[] ReadFile(string? path, string name)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ConfigurationProblemException($"Cloudbill:Payments:{name} is required when the gateway is configured.");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationProblemException($"Cloudbill:Payments:{name}: cannot read {path}: {e.Message}");
        }
    }
}
