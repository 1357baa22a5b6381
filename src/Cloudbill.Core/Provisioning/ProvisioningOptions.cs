namespace Cloudbill.Core.Provisioning;

/// <summary>`Cloudbill:Provisioning` (bound as part of <c>CloudbillOptions</c>).</summary>
public sealed class ProvisioningOptions
{
    /// <summary>The simulated provider finishes creating an instance this many seconds after payment.</summary>
    public int SimulatedDelaySeconds { get; set; } = 3;
}
