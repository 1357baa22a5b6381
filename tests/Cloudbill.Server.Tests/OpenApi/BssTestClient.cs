using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Cloudbill.Server.OpenApi;
using Cloudbill.Testing;

namespace Cloudbill.Server.Tests.OpenApi;

/// <summary>Signs requests the way the official SDK does (V3 by default), so tests can also send what the SDK never would.</summary>
public sealed class BssTestClient(Uri server, string accessKeyId, string secret) : IDisposable
{
    public const string DemoAccessKeyId = "LTAI5tCloudbillDemo00001";
    public const string DemoSecret = "CloudbillDemoSecret00000000001";

    private readonly HttpClient http = new() { BaseAddress = server, Timeout = Eventually.Bound };

    /// <summary>A V3-signed request, as the SDK would send it; a test may change it after signing.</summary>
    public HttpRequestMessage SignedV3(string action, IReadOnlyDictionary<string, string>? query = null, DateTimeOffset? date = null, string? nonce = null, byte[]? body = null)
    {
        var raw = string.Join('&', (query ?? new Dictionary<string, string>()).Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + (raw.Length > 0 ? "?" + raw : ""));
        var payloadHash = BssSignatures.PayloadHash(body ?? []);
        var headers = new List<(string, string)>
        {
            ("host", server.Authority),
            ("x-acs-action", action),
            ("x-acs-content-sha256", payloadHash),
            ("x-acs-date", (date ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("x-acs-signature-nonce", nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))),
            ("x-acs-version", BssOpenApi.Version),
        };
        var canonical = BssSignatures.V3CanonicalRequest("POST", BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(raw)), headers, payloadHash);
        var signature = BssSignatures.V3Signature(secret, BssSignatures.V3StringToSign(canonical));
        foreach (var (name, value) in headers.Where(h => h.Item1 != "host"))
            request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{BssSignatures.V3Algorithm} Credential={accessKeyId},SignedHeaders={string.Join(';', headers.Select(h => h.Item1))},Signature={signature}");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        }
        return request;
    }

    public async Task<(int Status, JsonElement Body, string ContentType)> Send(HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.MediaType ?? "");
    }

    public Task<(int Status, JsonElement Body, string ContentType)> Call(string action, IReadOnlyDictionary<string, string>? query = null) =>
        Send(SignedV3(action, query));

    public HttpClient Http => http;

    public void Dispose() => http.Dispose();
}
