using System.Globalization;
using Cloudbill.Core.Problems;

namespace Cloudbill.Server.App.Shared;

/// <summary>The Costs pages' address parameters, parsed once at the edge with a message that names what is wrong.</summary>
public static class CostsQuery
{
    public static Problem Invalid(string message) => Problem.Invalid("Costs.InvalidFilter", message);

    /// <summary>A name of <typeparamref name="T"/> (any case); empty is <paramref name="fallback"/>. Numbers are refused: the addresses use names.</summary>
    /// <param name="what">How the message names it: "Order type".</param>
    public static Result<T> Enum<T>(string? text, string what, T fallback) where T : struct, System.Enum
    {
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        var trimmed = text.Trim();
        if (!trimmed.All(char.IsAsciiDigit) && System.Enum.TryParse<T>(trimmed, ignoreCase: true, out var value) && System.Enum.IsDefined(value))
            return value;
        var shown = trimmed.Length > 40 ? trimmed[..40] + "…" : trimmed;
        return Invalid($"{what} '{shown}' is unknown; use one of {string.Join(", ", System.Enum.GetNames<T>())}.");
    }

    /// <summary>Like <see cref="Enum{T}(string?, string, T)"/>, with empty meaning "any".</summary>
    public static Result<T?> OptionalEnum<T>(string? text, string what) where T : struct, System.Enum
    {
        if (string.IsNullOrWhiteSpace(text))
            return (T?)null;
        var parsed = Enum(text, what, default(T));
        return parsed.Succeeded ? parsed.Value : parsed.Problem!;
    }

    public static Result<int> Page(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return 1;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page >= 1)
            return page;
        var shown = text.Length > 20 ? text[..20] + "…" : text;
        return Invalid($"Page '{shown}' does not exist; pages start at 1.");
    }
}
