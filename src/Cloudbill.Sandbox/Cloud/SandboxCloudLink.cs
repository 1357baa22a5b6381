namespace Cloudbill.Sandbox.Cloud;

/// <summary>
/// What the simulated cloud needs to talk to Cloudbill, as a real cloud gets it from the operator:
/// the server's address, the webhook endpoint's signing secret (<c>whsec_…</c>) and a provider key
/// (<c>pk_….pks_…</c>) for the provider API.
/// </summary>
public sealed record SandboxCloudLink(Uri CloudbillUrl, string WebhookSecret, string ProviderToken);

/// <summary>
/// Where the host hands the simulated cloud its <see cref="SandboxCloudLink"/> once it has
/// registered it (the server does so in Development when it has started listening). Until then
/// the cloud refuses webhooks with 503, which Cloudbill retries.
/// </summary>
public sealed class SandboxCloudConnection
{
    private readonly TaskCompletionSource<SandboxCloudLink> connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SandboxCloudLink? Current => connected.Task.IsCompleted ? connected.Task.Result : null;

    public void Connect(SandboxCloudLink link) => connected.TrySetResult(link);

    internal Task<SandboxCloudLink> Connected => connected.Task;
}
