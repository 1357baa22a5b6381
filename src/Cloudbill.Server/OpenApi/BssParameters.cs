using System.Globalization;
using Cloudbill.Core;

namespace Cloudbill.Server.OpenApi;

/// <summary>Thrown by <see cref="BssParameters"/> for a missing or malformed parameter; the endpoint answers it as a BSS error.</summary>
public sealed class BssParameterException(BssError error) : Exception(error.Message)
{
    public BssError Error { get; } = error;
}

/// <summary>
/// An action's business parameters (query and form, decoded; the signature's own removed),
/// read by name and type as docs/api.md ("Supported actions") lists them. A wrong value is an
/// InvalidParameter naming the parameter, a missing required one a MissingParameter.
/// </summary>
public sealed class BssParameters
{
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "Action", "Version", "Format", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion",
        "AccessKeyId", "Signature", "SecurityToken", "RegionId", "OwnerId",
    };

    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public BssParameters(IEnumerable<BssParameter> parameters)
    {
        foreach (var p in parameters)
        {
            if (!Common.Contains(p.Key))
                values[p.Key] = p.Value;
        }
    }

    public string? Text(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public string RequiredText(string name) => Text(name) ?? throw Missing(name);

    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Text(name) is not { } text)
            return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw Invalid(name, $"'{text}' is not a whole number.");
        if (value < min || value > max)
            throw Invalid(name, $"{value} is outside {min} to {max}.");
        return value;
    }

    public int RequiredInt(string name, int min = int.MinValue, int max = int.MaxValue) => Int(name, min, max) ?? throw Missing(name);

    public bool? Bool(string name) => Text(name) switch
    {
        null => null,
        var t when t.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var t when t.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        var t => throw Invalid(name, $"'{t}' is neither true nor false."),
    };

    /// <summary>A UTC time as the SDK sends it: yyyy-MM-ddTHH:mm:ssZ.</summary>
    public DateTimeOffset? Time(string name)
    {
        if (Text(name) is not { } text)
            return null;
        if (!DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            throw Invalid(name, $"'{text}' is not a UTC time in the form yyyy-MM-ddTHH:mm:ssZ.");
        // The calendar's last day cannot be shown in China time (UTC+8) nor end one second later.
        if (time >= LastTime)
            throw Invalid(name, $"'{text}' is after 9999-12-30T23:59:59Z, the last time Cloudbill can show.");
        return time;
    }

    /// <summary>
    /// An end time, inclusive to the second in Alibaba's examples, as the exclusive end the
    /// filters take: one second later.
    /// </summary>
    public DateTimeOffset? EndTime(string name) => Time(name)?.AddSeconds(1);

    private static readonly DateTimeOffset LastTime = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>One of the names, compared exactly as the SDK documents them.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        if (Text(name) is not { } text)
            return null;
        return allowed.Contains(text, StringComparer.Ordinal) ? text : throw Invalid(name, $"'{text}' is not one of {string.Join(", ", allowed)}.");
    }

    /// <summary>One of an enum's names, compared exactly.</summary>
    public T? Choice<T>(string name) where T : struct, Enum =>
        OneOf(name, Enum.GetNames<T>()) is { } text ? Enum.Parse<T>(text) : null;

    /// <summary>A comma-separated list (InstanceIDs), without blanks.</summary>
    public IReadOnlyList<string>? List(string name) =>
        Text(name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A flattened list of objects: `Name.1.Field=..&amp;Name.2.Field=..`, in index order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Objects(string name)
    {
        var prefix = name + ".";
        var items = new SortedDictionary<int, Dictionary<string, string>>();
        foreach (var (key, value) in values)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
                continue;
            var rest = key[prefix.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 1)
                throw Invalid(key, $"list items are written {name}.N.Field with N from 1.");
            if (!items.TryGetValue(index, out var item))
                items[index] = item = new Dictionary<string, string>(StringComparer.Ordinal);
            item[rest[(dot + 1)..]] = value;
        }
        return items.Values.ToList();
    }

    /// <summary>An order id as the SDK sends it (a string of digits).</summary>
    public long RequiredOrderId(string name = "OrderId")
    {
        var text = RequiredText(name);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : throw Invalid(name, $"'{text}' is not an order id.");
    }

    /// <summary>The caller's idempotency key, or a new one when none was sent (then a retry is a new request).</summary>
    public ClientToken ClientToken()
    {
        if (Text("ClientToken") is not { } text)
            return Core.ClientToken.New();
        var token = Core.ClientToken.Parse(text);
        return token.Succeeded ? token.Value : throw Invalid("ClientToken", token.Problem!.Message);
    }

    public static BssParameterException Missing(string name) => new(BssErrors.MissingParameter(name));

    public static BssParameterException Invalid(string name, string message) => new(BssErrors.InvalidParameter(name, message));
}
