using System.Text;

namespace Cloudbill.Core.Payments;

/// <summary>
/// The text both gateways sign: fields sorted by key in ordinal (character code) order, empty
/// values dropped, joined as <c>key=value</c> with <c>&amp;</c>, values raw (not URL-encoded).
/// payments.md §1.6.1 (Alipay) and §2.3 (UnionPay).
/// </summary>
public static class SignContent
{
    /// <param name="fields">The fields as sent or as received (already URL-decoded).</param>
    /// <param name="excludedKeys">Keys that never take part (the signature itself, and for Alipay notifications sign_type).</param>
    public static string Build(IEnumerable<KeyValuePair<string, string>> fields, params ReadOnlySpan<string> excludedKeys)
    {
        var excluded = excludedKeys.ToArray();
        // §5.3: StringComparer.Ordinal, never the culture-aware default: the culture orders
        // "accessType" before "accNo" and the gateway would compute another string.
        var sorted = fields
            .Where(field => !string.IsNullOrEmpty(field.Value) && Array.IndexOf(excluded, field.Key) < 0)
            .OrderBy(field => field.Key, StringComparer.Ordinal);

        var content = new StringBuilder();
        foreach (var field in sorted)
        {
            if (content.Length > 0)
                content.Append('&');
            content.Append(field.Key).Append('=').Append(field.Value);
        }
        return content.ToString();
    }
}
