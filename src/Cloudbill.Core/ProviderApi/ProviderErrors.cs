using Cloudbill.Core.Instances;
using Cloudbill.Core.Problems;

namespace Cloudbill.Core.ProviderApi;

/// <summary>The expected failures of the provider API and the provider keys (docs/webhooks.md, "Provider API").</summary>
public static class ProviderErrors
{
    public static Problem KeyDescription(int length) =>
        Problem.Invalid("ProviderKey.Description", $"The description is {length} characters long; use 1 to 200.");

    public static Problem KeyNotFound(string id) =>
        Problem.NotFound("ProviderKey.NotFound", $"There is no provider key {id}; `cloudbill provider-keys list` shows them.");

    public static Problem InstanceNotFound(string id) =>
        Problem.NotFound("Instance.NotFound", $"There is no instance {id}.");

    public static Problem NotCreating(Instance instance, string wanted) =>
        Problem.Conflict("Instance.NotCreating", $"Instance {instance.Id} is {Describe(instance)}, not Creating; only an instance being created can be reported {wanted}.");

    public static Problem AlreadyReleased(Instance instance) =>
        Problem.Conflict("Instance.Released", $"Instance {instance.Id} is {Describe(instance)}; a released instance cannot be changed.");

    public static Problem NotFromOrder(Instance instance) =>
        Problem.Conflict("Instance.NotFromOrder", $"Instance {instance.Id} was not made by a paid order here (it was imported), so there is no line to refund; report it deleted instead.");

    public static Problem Reason(int length) =>
        Problem.Invalid("Provider.Reason", $"The reason is {length} characters long; give 1 to 200 characters saying why the resource could not be created.");

    public static Problem NothingToChange() =>
        Problem.Invalid("Provider.NothingToChange", "Give \"name\", \"spec\" or both; nothing else of an instance can be changed from outside.");

    public static Problem UnknownSpec(Instance instance, string spec) =>
        Problem.Invalid("Provider.UnknownSpec", $"Spec {spec} is not a spec of product {instance.ProductCode} sold in region {instance.RegionId}.");

    public static string Describe(Instance instance) => instance.Provisioning switch
    {
        ProvisioningState.Failed => "Failed",
        _ when instance.ReleasedAt is not null => "Released",
        ProvisioningState.Creating => "Creating",
        _ => "Ready",
    };
}
