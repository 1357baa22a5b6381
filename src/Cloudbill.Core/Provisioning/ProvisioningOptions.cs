namespace Cloudbill.Core.Provisioning;

/// <summary>`Cloudbill:Provisioning` (bound as part of <c>CloudbillOptions</c>): the sandbox's simulated cloud.</summary>
public sealed class ProvisioningOptions
{
    /// <summary>
    /// With the payment sandbox on (Development), the sandbox's simulated cloud is registered as a
    /// webhook endpoint with a provider key of its own and reports every requested instance created.
    /// False leaves provisioning to a cloud the operator connects (docs/webhooks.md).
    /// </summary>
    public bool SandboxCloud { get; set; } = true;

    /// <summary>The simulated cloud reports an instance created this many seconds after it hears of it.</summary>
    public int SimulatedDelaySeconds { get; set; } = 3;
}
