using Cloudbill.Core.Payments;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.TopUps;

/// <summary>
/// Starts a top-up (R7.2, R7.3): a pending gateway payment for an amount within the configured
/// limits (`Cloudbill:Payments:TopUpMinimum`, `TopUpMaximum`), paid at Alipay or UnionPay. Nothing is
/// credited here; the gateway's confirmation does that (<see cref="TopUpCredits"/>).
/// </summary>
public sealed class TopUpCheckouts(GatewayCheckouts checkouts, PaymentGateways gateways, PaymentOptions options)
{
    /// <summary>R7.2: yuan with at most two decimals, within the configured minimum and maximum.</summary>
    public Result<Money> ParseAmount(string? text)
    {
        if (!Money.TryParse(text, out var amount, out var error))
            return TopUpErrors.AmountInvalid(error);
        var minimum = Money.Parse(options.TopUpMinimum);
        var maximum = Money.Parse(options.TopUpMaximum);
        if (amount < minimum)
            return TopUpErrors.AmountTooSmall(amount, minimum);
        if (amount > maximum)
            return TopUpErrors.AmountTooLarge(amount, maximum);
        return amount;
    }

    /// <summary>
    /// A pending top-up and its signed gateway request. Allowed while overdue (it is how a debt is
    /// settled). The same client token returns the same payment (a double click).
    /// </summary>
    public async Task<Result<GatewayCheckout>> Start(long accountId, string? amountText, string? methodText, PaymentDevice device, string? clientToken, CancellationToken ct)
    {
        if (!gateways.AnyConfigured)
            return PaymentErrors.PaymentsNotConfigured();
        var token = ClientToken.Parse(clientToken);
        if (!token.Succeeded)
            return token.Problem!;
        var method = GatewayCheckouts.ParseMethod(methodText);
        if (!method.Succeeded)
            return method.Problem!;
        var amount = ParseAmount(amountText);
        if (!amount.Succeeded)
            return amount.Problem!;
        if (gateways.Check(method.Value) is { } unavailable)
            return unavailable;

        if (await checkouts.Existing(accountId, token.Value, ct) is { } again)
            return again.Purpose == GatewayPaymentPurpose.TopUp && again.Amount == amount.Value && again.Gateway == method.Value
                ? checkouts.Build(again)
                : TopUpErrors.TokenReused(token.Value.Value, again.OutTradeNo);

        return await checkouts.Create(accountId, GatewayPaymentPurpose.TopUp, null, amount.Value, method.Value, device, token.Value, ct);
    }
}
