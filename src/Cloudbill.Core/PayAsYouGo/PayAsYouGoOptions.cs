using Cloudbill.Core.Persistence;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.PayAsYouGo;

/// <summary>`Cloudbill:PayAsYouGo`: what happens to pay-as-you-go instances of an overdue account (R8.2).</summary>
public sealed class PayAsYouGoOptions
{
    /// <summary>R8.2: an overdue account's pay-as-you-go instances keep running this many days, then are stopped.</summary>
    public int StopAfterOverdueDays { get; set; } = 15;

    /// <summary>R8.2: a stopped pay-as-you-go instance is released this many days after the stop unless the overdue amount is settled.</summary>
    public int ReleaseAfterStopDays { get; set; } = 15;

    /// <summary>R8.4: the Available Credit an account needs to buy pay-as-you-go (Alibaba's 100.00 CNY).</summary>
    public string MinimumAvailableCredit { get; set; } = "100.00";

    /// <summary>R8.5: the most pay-as-you-go instances (not yet released) one account may hold.</summary>
    public int MaxInstancesPerAccount { get; set; } = 20;

    /// <summary>R8.4: <see cref="MinimumAvailableCredit"/> as an amount (checked at start).</summary>
    public Money MinimumCredit => Money.Parse(MinimumAvailableCredit);

    /// <summary>Stops the start with the key that is wrong.</summary>
    public void Validate()
    {
        if (Problem() is { } problem)
            throw new ConfigurationProblemException(problem);
    }

    /// <summary>The first setting out of range, named with what is allowed; null when both are fine (checked at start with the rest of `Cloudbill`).</summary>
    public string? Problem() =>
        SettingRange.Check("Cloudbill:PayAsYouGo:StopAfterOverdueDays", StopAfterOverdueDays, 0, 365, "days", "15")
        ?? SettingRange.Check("Cloudbill:PayAsYouGo:ReleaseAfterStopDays", ReleaseAfterStopDays, 0, 365, "days", "15")
        ?? SettingRange.Check("Cloudbill:PayAsYouGo:MaxInstancesPerAccount", MaxInstancesPerAccount, 1, 10000, "instances", "20")
        ?? (Money.TryParse(MinimumAvailableCredit, out var minimum, out _) && !minimum.IsNegative && minimum <= Money.Parse("1000000.00")
            ? null
            : $"Cloudbill:PayAsYouGo:MinimumAvailableCredit is '{MinimumAvailableCredit}'; use an amount from 0.00 to 1000000.00 with at most two decimals (default 100.00, R8.4).");
}
