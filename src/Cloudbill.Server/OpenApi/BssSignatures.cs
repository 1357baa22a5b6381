using System.Security.Cryptography;
using System.Text;

namespace Cloudbill.Server.OpenApi;

/// <summary>One query or form parameter, percent-decoded.</summary>
public readonly record struct BssParameter(string Key, string Value);

/// <summary>
/// The two signature schemes of the official SDK, computed as docs/api.md ("Authentication")
/// describes: V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1). Pure functions: the authenticator feeds
/// them what the request carried, the unit tests feed them the captured vectors.
/// </summary>
public static class BssSignatures
{
    public const string V3Algorithm = "ACS3-HMAC-SHA256";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>
    /// Splits a raw query string (with or without its '?') or a form body on '&amp;' and the first
    /// '=', and percent-decodes both sides (UTF-8, '+' is a space). The wire leaves `* ! ( ) ~`
    /// raw, so the signature is computed from these decoded values, never from the raw text.
    /// </summary>
    public static List<BssParameter> ParseQuery(string? raw)
    {
        var result = new List<BssParameter>();
        if (string.IsNullOrEmpty(raw))
            return result;
        var text = raw[0] == '?' ? raw[1..] : raw;
        foreach (var pair in text.Split('&'))
        {
            if (pair.Length == 0)
                continue;
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            result.Add(new BssParameter(Decode(key), Decode(value)));
        }
        return result;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace("+", "%20", StringComparison.Ordinal));

    /// <summary>RFC 3986: keeps A–Z a–z 0–9 - _ . ~ and writes everything else as upper-case %XX of its UTF-8 bytes.</summary>
    public static string Encode(string text) => Uri.EscapeDataString(text);

    /// <summary>Sorted by key in ordinal order (not culture order: `ModuleList.1` &lt; `ModuleList.10`), then by value.</summary>
    private static IEnumerable<BssParameter> Sorted(IEnumerable<BssParameter> parameters) =>
        parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal);

    /// <summary>V3 step 3: `key=ENC(value)` joined with '&amp;', keys sorted; empty for no parameters.</summary>
    public static string CanonicalQuery(IEnumerable<BssParameter> query) =>
        string.Join('&', Sorted(query).Select(p => Encode(p.Key) + "=" + Encode(p.Value)));

    /// <summary>V3 steps 1–7. <paramref name="headers"/> holds the signed headers' names (lower case) and values, in SignedHeaders order.</summary>
    public static string V3CanonicalRequest(string method, string canonicalQuery, IReadOnlyList<(string Name, string Value)> headers, string payloadHash)
    {
        var builder = new StringBuilder(512);
        builder.Append(method.ToUpperInvariant()).Append('\n').Append('/').Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers)
            builder.Append(name).Append(':').Append(value.Trim()).Append('\n');
        builder.Append('\n').Append(string.Join(';', headers.Select(h => h.Name))).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>V3 step 8.</summary>
    public static string V3StringToSign(string canonicalRequest) =>
        V3Algorithm + "\n" + LowerHex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

    /// <summary>V3 step 9: lower-case hex HMAC-SHA256 keyed with the plain secret.</summary>
    public static string V3Signature(string secret, string stringToSign) =>
        LowerHex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>V3 step 6: lower-case hex SHA-256 of the raw body.</summary>
    public static string PayloadHash(ReadOnlySpan<byte> body) => LowerHex(SHA256.HashData(body));

    /// <summary>V1 steps 1–4: every parameter but Signature, sorted and encoded, then `METHOD&amp;%2F&amp;ENC(that)`.</summary>
    public static string V1StringToSign(string method, IEnumerable<BssParameter> parameters)
    {
        var canonical = string.Join('&', Sorted(parameters.Where(p => p.Key != "Signature")).Select(p => Encode(p.Key) + "=" + Encode(p.Value)));
        return method.ToUpperInvariant() + "&" + Encode("/") + "&" + Encode(canonical);
    }

    /// <summary>V1 step 5: Base64 HMAC-SHA1 keyed with the secret and '&amp;'.</summary>
    public static string V1Signature(string secret, string stringToSign) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret + "&"), Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>Constant-time: the time taken does not tell an attacker how many characters matched.</summary>
    public static bool SameSignature(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given));

    private static string LowerHex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
