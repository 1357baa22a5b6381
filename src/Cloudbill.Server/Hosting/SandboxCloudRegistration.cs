using System.Text.Json;
using Cloudbill.Core.Persistence;
using Cloudbill.Core.ProviderApi;
using Cloudbill.Core.Webhooks;
using Cloudbill.Sandbox;
using Cloudbill.Sandbox.Cloud;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace Cloudbill.Server.Hosting;

/// <summary>
/// Connects the sandbox's simulated cloud as an operator would connect a real one
/// (docs/webhooks.md): once the server listens, a webhook endpoint at its own
/// <c>/sandbox/cloud/webhooks</c> and a provider key, both made through the same services as
/// <c>cloudbill webhooks add</c> and <c>cloudbill provider-keys add</c> (so audited), and kept in
/// <c>cloud-link.json</c> of the sandbox directory to be used again at the next start. Only with
/// the payment sandbox (Development) and Cloudbill:Provisioning:SandboxCloud (on by default).
/// </summary>
internal sealed partial class SandboxCloudRegistration(
    IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, IServer server, SandboxCloudConnection connection, SandboxOptions sandbox,
    TimeProvider clock, ILogger<SandboxCloudRegistration> logger) : BackgroundService
{
    public const string FileName = "cloud-link.json";
    public const string Description = "Sandbox cloud (Development)";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record StoredLink(string Url, long EndpointId, string WebhookSecret, string ProviderToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);

        // An in-memory test host has no address: nothing can call it back, so there is nothing to connect.
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
            return;
        var baseUrl = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        var url = new Uri(baseUrl, "sandbox/cloud/webhooks").ToString();
        try
        {
            var link = await Reuse(url, stoppingToken) ?? await Register(url, stoppingToken);
            connection.Connect(new SandboxCloudLink(baseUrl, link.WebhookSecret, link.ProviderToken));
            LogConnected(url, link.EndpointId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e);
        }
    }

    /// <summary>The link of the last start, if its endpoint still has this address, is enabled and signs with its secret, and its key still works.</summary>
    private async Task<StoredLink?> Reuse(string url, CancellationToken ct)
    {
        if (Read() is not { } stored || stored.Url != url)
            return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CloudbillDbContext>();
        var now = clock.GetUtcNow();
        var endpointWorks = await db.WebhookEndpoints.AsNoTracking().AnyAsync(e => e.Id == stored.EndpointId && e.Url == url && e.DisabledAt == null
            && e.Secrets.Any(s => s.Secret == stored.WebhookSecret && (s.ExpiresAt == null || s.ExpiresAt > now)), ct);
        var keyWorks = await scope.ServiceProvider.GetRequiredService<ProviderKeyService>().Authenticate(stored.ProviderToken, ct) is not null;
        return endpointWorks && keyWorks ? stored : null;
    }

    /// <summary>A new endpoint and key; the last start's, if any, are disabled and revoked first (they would otherwise wait for ever).</summary>
    private async Task<StoredLink> Register(string url, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var endpoints = scope.ServiceProvider.GetRequiredService<WebhookEndpoints>();
        var keys = scope.ServiceProvider.GetRequiredService<ProviderKeyService>();
        if (Read() is { } old)
        {
            await endpoints.Disable(old.EndpointId, "replaced by a new sandbox cloud registration", ct);
            await keys.Revoke(old.ProviderToken.Split('.')[0], ct);
        }
        var key = await keys.Add(Description, ct);
        var endpoint = await endpoints.Add(url, eventTypes: null, Description, ct);
        if (!key.Succeeded || !endpoint.Succeeded)
            throw new InvalidOperationException((key.Problem ?? endpoint.Problem)!.Message);
        var link = new StoredLink(url, endpoint.Value.Id, endpoint.Value.Secret, key.Value.Token);
        Write(link);
        return link;
    }

    private string Path => System.IO.Path.Combine(sandbox.Directory, FileName);

    private StoredLink? Read()
    {
        try
        {
            return File.Exists(Path) ? JsonSerializer.Deserialize<StoredLink>(File.ReadAllText(Path), Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Write(StoredLink link)
    {
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(link, Json));
        File.Move(temporary, Path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The sandbox cloud receives the webhooks at {Url} (endpoint {EndpointId}) and reports instances created")]
    private partial void LogConnected(string url, long endpointId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The sandbox cloud could not be connected: new instances stay Creating until a cloud reports them")]
    private partial void LogFailed(Exception exception);
}
