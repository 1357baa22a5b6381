using Microsoft.AspNetCore.Http;

namespace Cloudbill.Sandbox;

/// <summary>The fields of a gateway request: the query string, plus the form body of a POST.</summary>
internal static class RequestFields
{
    /// <summary>
    /// The fields, URL-decoded. A key sent twice with the same value counts once (the Alipay SDKs put
    /// <c>charset=utf-8</c> on the gateway URL and in the fields too, §1.1); with different values the
    /// request is ambiguous and DuplicateKey names it.
    /// </summary>
    public static async Task<(Dictionary<string, string> Fields, string? DuplicateKey)> ReadAsync(HttpRequest request, CancellationToken cancellation)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? duplicate = null;
        void Add(string key, string? value)
        {
            value ??= "";
            if (fields.TryGetValue(key, out var existing) && existing != value)
                duplicate ??= key;
            else
                fields[key] = value;
        }

        foreach (var (key, values) in request.Query)
        {
            foreach (var value in values)
                Add(key, value);
        }
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellation);
            foreach (var (key, values) in form)
            {
                foreach (var value in values)
                    Add(key, value);
            }
        }
        return (fields, duplicate);
    }

    public static string? Get(IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}
