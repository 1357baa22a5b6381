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

    /// <summary>Problems a top-up fixes: the page links to Top-up beside them (R7.4, R7.1).</summary>
    public static bool TopUpHelps(Core.Problems.Problem problem) => problem.Code is "Account.Overdue" or "Order.InsufficientCredit" or "PayAsYouGo.CreditBelowMinimum";
}
