using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cloudbill.Core.Webhooks;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Cloudbill.Sandbox.Cloud;

/// <summary>
/// The simulated cloud's webhook receiver, written as docs/webhooks.md tells a provider to write
/// one: it refuses a request whose signature or timestamp does not verify (401) and changes
/// nothing, takes each event id once (a repeat is answered 200 and ignored), answers at once and
/// does the slow part later: a requested instance is "created" after
/// <see cref="SandboxOptions.CloudReportDelay"/> and reported to the provider API by
/// <see cref="CloudReporter"/>. Suspended, resumed and released instances stop, start and
/// delete their resource.
/// </summary>
internal sealed class SandboxCloud(SandboxStore store, SandboxCloudConnection connection, CloudSignal signal, SandboxOptions options, TimeProvider clock)
{
    /// <summary>How far a webhook-timestamp may be from the cloud's clock, as the Standard Webhooks libraries allow.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>The events kept for the page and for recognising a repeat.</summary>
    public const int KeptEvents = 500;

    private const int MaxBodyBytes = 256 * 1024;

    public async Task<IResult> Receive(HttpContext context)
    {
        if (connection.Current is not { } link)
            return Refuse(StatusCodes.Status503ServiceUnavailable, "The sandbox cloud is not connected to Cloudbill yet; try again.");
        var headers = context.Request.Headers;
        var (id, timestamp, signature) = (headers[WebhookSigner.IdHeader].ToString(), headers[WebhookSigner.TimestampHeader].ToString(), headers[WebhookSigner.SignatureHeader].ToString());
        if (id.Length is 0 or > 100 || timestamp.Length == 0 || signature.Length == 0)
            return Refuse(StatusCodes.Status400BadRequest, "webhook-id, webhook-timestamp and webhook-signature are required.");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253402300799)
            return Refuse(StatusCodes.Status400BadRequest, "webhook-timestamp is not a Unix time in seconds.");
        var body = await ReadBody(context.Request);
        if (body is null)
            return Refuse(StatusCodes.Status400BadRequest, $"The body is missing or over {MaxBodyBytes} bytes.");

        var signedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var now = clock.GetUtcNow();
        if ((now - signedAt).Duration() > Tolerance)
            return Refuse(StatusCodes.Status401Unauthorized, $"webhook-timestamp {timestamp} is more than {Tolerance.TotalMinutes} minutes from now.");
        if (!Verifies(link.WebhookSecret, id, signedAt, body, signature))
            return Refuse(StatusCodes.Status401Unauthorized, "No signature in webhook-signature matches the body.");
        if (Parse(body) is not { } received || received.Id != id)
            return Refuse(StatusCodes.Status400BadRequest, "The body is not a Cloudbill event with the webhook-id as its id.");

        var repeat = store.Update(state =>
        {
            if (state.CloudEvents.Any(e => e.Id == id))
                return true;
            var action = Apply(state, received, now);
            state.CloudEvents.Add(new CloudEventRecord { Id = id, Type = received.Type, InstanceId = received.InstanceId, ReceivedAt = now, Action = action });
            if (state.CloudEvents.Count > KeptEvents)
                state.CloudEvents.RemoveRange(0, state.CloudEvents.Count - KeptEvents);
            return false;
        });
        signal.Wake();
        return Results.Text(repeat ? "already received" : "received", "text/plain", statusCode: StatusCodes.Status200OK);
    }

    /// <summary>
    /// Standard Webhooks: one of the space-separated "v1,…" signatures is the HMAC of
    /// id.timestamp.body under the secret (compared in constant time). The library signs; the
    /// clock the timestamp is checked against is the injected one.
    /// </summary>
    internal static bool Verifies(string secret, string id, DateTimeOffset signedAt, string body, string signatureHeader)
    {
        var expected = Encoding.ASCII.GetBytes(new StandardWebhook(WebhookSigner.KeyOf(secret)).Sign(id, signedAt, body));
        return signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(presented => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), expected));
    }

    private string Apply(SandboxState state, ReceivedEvent received, DateTimeOffset now)
    {
        var resource = received.InstanceId is null ? null : state.CloudResources.FirstOrDefault(r => r.InstanceId == received.InstanceId);
        switch (received.Type)
        {
            case LifecycleEventTypes.InstanceCreateRequested when resource is null && received.Create is { } create:
                state.CloudResources.Add(new CloudResourceRecord
                {
                    InstanceId = received.InstanceId!,
                    AccountId = received.AccountId,
                    Product = create.Product,
                    Spec = create.Spec,
                    Region = create.Region,
                    Name = create.Name,
                    State = CloudResourceState.Creating,
                    ChangedAt = now,
                });
                var reportAt = now + options.CloudReportDelay;
                state.CloudCallbacks.Add(new CloudCallbackJob { InstanceId = received.InstanceId!, NextAt = reportAt });
                return $"creating; reports it created at {SandboxTime.ToDashed(reportAt)}";
            case LifecycleEventTypes.InstanceSuspended when resource is { State: CloudResourceState.Running or CloudResourceState.Creating }:
                return Move(resource, CloudResourceState.Stopped, now, "stopped");
            case LifecycleEventTypes.InstanceResumed when resource is { State: CloudResourceState.Stopped }:
                return Move(resource, CloudResourceState.Running, now, "started");
            case LifecycleEventTypes.InstanceReleased when resource is not null && resource.State != CloudResourceState.Deleted:
                state.CloudCallbacks.RemoveAll(job => job.InstanceId == resource.InstanceId);
                return Move(resource, CloudResourceState.Deleted, now, "deleted with its data");
            default:
                return resource is null && received.InstanceId is not null && received.Type.StartsWith("instance.", StringComparison.Ordinal)
                    ? "noted (not a resource of this cloud)"
                    : "noted";
        }
    }

    private static string Move(CloudResourceRecord resource, CloudResourceState to, DateTimeOffset now, string action)
    {
        resource.State = to;
        resource.ChangedAt = now;
        return action;
    }

    private sealed record CreateRequest(string Product, string Spec, string Region, string Name);

    private sealed record ReceivedEvent(string Id, string Type, long AccountId, string? InstanceId, CreateRequest? Create);

    /// <summary>The envelope of docs/webhooks.md; null when the body is not one.</summary>
    private static ReceivedEvent? Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "id") is not { } id || Text(root, "type") is not { } type
                || !root.TryGetProperty("account_id", out var account) || !account.TryGetInt64(out var accountId)
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                return null;
            var instanceId = Text(data, "instance_id");
            CreateRequest? create = null;
            if (type == LifecycleEventTypes.InstanceCreateRequested)
            {
                if (instanceId is null || Text(data, "product") is not { } product || Text(data, "spec") is not { } spec
                    || Text(data, "region") is not { } region || Text(data, "name") is not { } name)
                    return null;
                create = new CreateRequest(product, spec, region, name);
            }
            return new ReceivedEvent(id, type, accountId, instanceId, create);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<string?> ReadBody(HttpRequest request)
    {
        if (request.ContentLength is > MaxBodyBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
            return null;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static IResult Refuse(int status, string message) => Results.Text(message, "text/plain", statusCode: status);
}

/// <summary>Wakes the reporter when a new job is queued or the cloud is connected.</summary>
internal sealed class CloudSignal
{
    private readonly SemaphoreSlim signal = new(0);

    public void Wake()
    {
        if (signal.CurrentCount == 0)
            signal.Release();
    }

    public Task WaitAsync(CancellationToken cancellation) => signal.WaitAsync(cancellation);
}
