using Cloudbill.Core.Problems;

namespace Cloudbill.Core.TopUps;

/// <summary>What a customer is told when a top-up cannot start (R7.2).</summary>
public static class TopUpErrors
{
    public static Problem AmountInvalid(string detail) =>
        Problem.Invalid("TopUp.AmountInvalid", $"The top-up amount is not valid: {detail}");

    public static Problem AmountTooSmall(Money amount, Money minimum) =>
        Problem.Invalid("TopUp.AmountTooSmall", $"A top-up must be at least {minimum} CNY; {amount} CNY was asked.");

    public static Problem AmountTooLarge(Money amount, Money maximum) =>
        Problem.Invalid("TopUp.AmountTooLarge", $"A top-up can be at most {maximum} CNY; {amount} CNY was asked. Split it into several top-ups.");

    public static Problem TokenReused(string token, string outTradeNo) =>
        Problem.Conflict("ClientToken.Reused", $"The client token {token} was already used for another payment ({outTradeNo}); use a new token for a new top-up.");
}
