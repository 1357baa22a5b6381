namespace Cloudbill.Sandbox.Cloud;

/// <summary>One received event as the sandbox page and <c>GET /sandbox/cloud/events</c> show it, newest first.</summary>
public sealed record CloudEventView(string Id, string Type, string? InstanceId, DateTimeOffset ReceivedAt, string Action);

/// <summary>One resource of the simulated cloud: <c>Creating</c>, <c>Running</c>, <c>Stopped</c>, <c>Deleted</c> or <c>Refused</c>.</summary>
public sealed record CloudResourceView(string InstanceId, long AccountId, string Product, string Spec, string Region, string Name, string State, DateTimeOffset ChangedAt, int FailedReports);

/// <summary>What the simulated cloud holds, read under the store's lock.</summary>
internal sealed record CloudView(Uri? ConnectedTo, IReadOnlyList<CloudEventView> Events, IReadOnlyList<CloudResourceView> Resources)
{
    public static CloudView Of(SandboxStore store, SandboxCloudConnection connection) => store.Read(state => new CloudView(
        connection.Current?.CloudbillUrl,
        state.CloudEvents.AsEnumerable().Reverse().Select(e => new CloudEventView(e.Id, e.Type, e.InstanceId, e.ReceivedAt, e.Action)).ToList(),
        state.CloudResources.OrderByDescending(r => r.ChangedAt).ThenBy(r => r.InstanceId, StringComparer.Ordinal)
            .Select(r => new CloudResourceView(r.InstanceId, r.AccountId, r.Product, r.Spec, r.Region, r.Name, r.State.ToString(), r.ChangedAt, r.FailedReports)).ToList()));
}
