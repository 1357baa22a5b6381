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
    /// <param name="contentType">The body's type; the SDK signs it (content-type in SignedHeaders), <paramref name="signContentType"/> false leaves it out.</param>
    public HttpRequestMessage SignedV3(string action, IReadOnlyDictionary<string, string>? query = null, DateTimeOffset? date = null, string? nonce = null, byte[]? body = null,
        string contentType = "application/octet-stream", bool signContentType = true)
    {
        var raw = string.Join('&', (query ?? new Dictionary<string, string>()).Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + (raw.Length > 0 ? "?" + raw : ""));
        var payloadHash = BssSignatures.PayloadHash(body ?? []);
        var headers = new List<(string, string)>();
        if (body is not null && signContentType)
            headers.Add(("content-type", contentType));
        headers.AddRange(
        [
            ("host", server.Authority),
            ("x-acs-action", action),
            ("x-acs-content-sha256", payloadHash),
            ("x-acs-date", (date ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            ("x-acs-signature-nonce", nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))),
            ("x-acs-version", BssOpenApi.Version),
        ]);
        var canonical = BssSignatures.V3CanonicalRequest("POST", BssSignatures.CanonicalQuery(BssSignatures.ParseQuery(raw)), headers, payloadHash);
        var signature = BssSignatures.V3Signature(secret, BssSignatures.V3StringToSign(canonical));
        foreach (var (name, value) in headers.Where(h => h.Item1 is not "host" and not "content-type"))
            request.Headers.TryAddWithoutValidation(name, value);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{BssSignatures.V3Algorithm} Credential={accessKeyId},SignedHeaders={string.Join(';', headers.Select(h => h.Item1))},Signature={signature}");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return request;
    }

    /// <summary>
    /// A V1-signed (HMAC-SHA1) request as the SDK's RPC style sends it: every parameter, Action
    /// included, in the query, signed; the headers are not.
    /// </summary>
    public HttpRequestMessage SignedV1(string action, IReadOnlyDictionary<string, string>? parameters = null, string? nonce = null)
    {
        var all = new List<BssParameter>
        {
            new("Action", action), new("Version", BssOpenApi.Version), new("Format", "JSON"),
            new("Timestamp", DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
            new("SignatureNonce", nonce ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))),
            new("SignatureMethod", "HMAC-SHA1"), new("SignatureVersion", "1.0"), new("AccessKeyId", accessKeyId),
        };
        all.AddRange((parameters ?? new Dictionary<string, string>()).Select(kv => new BssParameter(kv.Key, kv.Value)));
        all.Add(new("Signature", BssSignatures.V1Signature(secret, BssSignatures.V1StringToSign("POST", all))));
        return new HttpRequestMessage(HttpMethod.Post, "/?" + string.Join('&', all.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value))));
    }

    /// <summary>A copy of a request, as a captured one is replayed (headers and body as sent).</summary>
    public static async Task<HttpRequestMessage> Copy(HttpRequestMessage original)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri);
        foreach (var header in original.Headers)
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (original.Content is not null)
        {
            copy.Content = new ByteArrayContent(await original.Content.ReadAsByteArrayAsync());
            foreach (var header in original.Content.Headers)
                copy.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
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
