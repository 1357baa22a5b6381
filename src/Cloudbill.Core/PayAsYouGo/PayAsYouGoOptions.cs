using Cloudbill.Core.Persistence;

namespace Cloudbill.Core.PayAsYouGo;

/// <summary>`Cloudbill:PayAsYouGo`: what happens to pay-as-you-go instances of an overdue account (R8.2).</summary>
public sealed class PayAsYouGoOptions
{
    /// <summary>R8.2: an overdue account's pay-as-you-go instances keep running this many days, then are stopped.</summary>
    public int StopAfterOverdueDays { get; set; } = 15;

    /// <summary>R8.2: a stopped pay-as-you-go instance is released this many days after the stop unless the overdue amount is settled.</summary>
    public int ReleaseAfterStopDays { get; set; } = 15;

    /// <summary>Stops the start with the key that is wrong.</summary>
    public void Validate()
    {
        if (StopAfterOverdueDays is < 0 or > 365)
            throw new ConfigurationProblemException($"Cloudbill:PayAsYouGo:StopAfterOverdueDays is {StopAfterOverdueDays}; use a number of days from 0 to 365 (default 15).");
        if (ReleaseAfterStopDays is < 0 or > 365)
            throw new ConfigurationProblemException($"Cloudbill:PayAsYouGo:ReleaseAfterStopDays is {ReleaseAfterStopDays}; use a number of days from 0 to 365 (default 15).");
    }
}
