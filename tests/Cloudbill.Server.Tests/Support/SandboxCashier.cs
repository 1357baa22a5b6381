using Microsoft.Playwright;

namespace Cloudbill.Server.Tests;

/// <summary>
/// Waits for the pages of a gateway payment by what they show, not by the browser's "load" event:
/// on a loaded machine (the tests beside the engine benchmark) a slow stylesheet held "load" past
/// the 90 s timeout while the page itself was there.
/// </summary>
public static class SandboxCashier
{
    /// <summary>The sandbox cashier of <paramref name="gateway"/> (alipay, unionpay) is shown, its Confirm payment button ready.</summary>
    public static async Task WaitForCashier(this IPage page, string gateway = "*")
    {
        await page.WaitForURLAsync($"**/sandbox/{gateway}/cashier/**", new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm payment" }).WaitForAsync();
    }

    /// <summary>Back from the gateway on Cloudbill's payment page (/payments/CB…), its headline shown.</summary>
    public static async Task WaitForPaymentPage(this IPage page)
    {
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/payments/CB", StringComparison.Ordinal) && !url.EndsWith("/checkout", StringComparison.Ordinal),
            new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByTestId("payment-headline").WaitForAsync();
    }
}
