namespace Cloudbill.Server.App.Shared;

/// <summary>A form's messages per field, in the page's language, shown beside each field.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> messages = new(StringComparer.Ordinal);

    public bool Any => messages.Count > 0;

    public string? this[string field] => messages.GetValueOrDefault(field);

    public void Add(string field, string message) => messages.TryAdd(field, message);

    public void Clear() => messages.Clear();

    /// <summary>aria-invalid for the field: "true", or nothing.</summary>
    public string? Invalid(string field) => messages.ContainsKey(field) ? "true" : null;

    public static bool IsEmail(string text) =>
        System.Net.Mail.MailAddress.TryCreate(text, out var parsed) && parsed.Address == text;
}
