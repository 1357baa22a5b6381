using StandardWebhooks;

namespace Cloudbill.Core.Webhooks;

/// <summary>The three Standard Webhooks headers of one POST, signed with every secret that still signs.</summary>
public static class WebhookSigner
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>
    /// "v1,&lt;base64 HMAC-SHA256 of id.timestamp.body&gt;" per secret, space separated, as the
    /// standard allows: during a rotation a receiver holding either secret verifies.
    /// </summary>
    public static string Signatures(IEnumerable<string> secrets, string eventId, DateTimeOffset timestamp, string body) =>
        string.Join(' ', secrets.Select(secret => new StandardWebhook(KeyOf(secret)).Sign(eventId, timestamp, body)));

    /// <summary>The HMAC key: the bytes whose base64 follows "whsec_".</summary>
    public static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(WebhookSecret.Prefix, StringComparison.Ordinal) ? secret[WebhookSecret.Prefix.Length..] : secret);
}
