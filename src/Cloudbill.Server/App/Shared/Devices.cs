using Cloudbill.Core.Payments;

namespace Cloudbill.Server.App.Shared;

public static class Devices
{
    /// <summary>A phone's browser goes to the gateways' mobile cashiers (Alipay wap pay, UnionPay channel 08).</summary>
    public static PaymentDevice Of(HttpContext? http)
    {
        var userAgent = http?.Request.Headers.UserAgent.ToString() ?? "";
        return userAgent.Contains("Mobile", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("Android", StringComparison.OrdinalIgnoreCase)
            ? PaymentDevice.Phone
            : PaymentDevice.Desktop;
    }
}
