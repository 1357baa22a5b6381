namespace Cloudbill.Core.Payments;

/// <summary>Received gateway fields as a dictionary; a key sent twice makes the message ambiguous, so it is refused.</summary>
internal static class GatewayFields
{
    public static bool TryCollect(IEnumerable<KeyValuePair<string, string>> fields,
                                  out Dictionary<string, string> collected, out string duplicateKey)
    {
        collected = new Dictionary<string, string>(StringComparer.Ordinal);
        duplicateKey = "";
        foreach (var field in fields)
        {
            if (!collected.TryAdd(field.Key, field.Value ?? ""))
            {
                duplicateKey = field.Key;
                return false;
            }
        }
        return true;
    }

    public static string? Get(IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>Untrusted text shortened for a message, so that a hostile field cannot flood the logs.</summary>
    public static string Quote(string? value) =>
        value is null ? "(none)" : value.Length <= 64 ? $"'{value}'" : $"'{value[..64]}…'";
}
