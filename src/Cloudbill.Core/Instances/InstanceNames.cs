using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Instances;

/// <summary>R1.7: the names a customer may give new instances, and the names each instance of a purchase gets.</summary>
public static class InstanceNames
{
    public const int MinLength = 2;
    public const int MaxLength = 128;

    /// <summary>Checks a chosen name (null or blank: the default names) for a purchase of <paramref name="quantity"/> instances.</summary>
    public static Result<string?> Validate(string? name, int quantity)
    {
        if (string.IsNullOrWhiteSpace(name))
            return (string?)null;
        var longest = quantity > 1 ? Numbered(name, quantity) : name;
        if (name.Length < MinLength || longest.Length > MaxLength)
            return quantity > 1
                ? Problem.Invalid("Instance.NameLength", $"The instance name is {name.Length} characters long; with {quantity} instances each is named {longest}, so use {MinLength} to {MaxLength - (longest.Length - name.Length)} characters.")
                : Problem.Invalid("Instance.NameLength", $"The instance name is {name.Length} characters long; use {MinLength} to {MaxLength} characters.");
        if (!char.IsLetter(name[0]))
            return Problem.Invalid("Instance.NameStart", "The instance name must start with a letter (Chinese characters are letters too).");
        if (name.FirstOrDefault(c => !(char.IsLetterOrDigit(c) || c is '.' or '_' or '-' or ':')) is var bad && bad != default)
            return Problem.Invalid("Instance.NameCharacter", $"The instance name cannot contain '{(char.IsWhiteSpace(bad) ? "space" : bad.ToString())}'; use letters, digits, '.', '_', '-' and ':'.");
        return name;
    }

    /// <summary>The name of the <paramref name="sequence"/>th of <paramref name="quantity"/> instances of one order line.</summary>
    public static string For(string? chosen, int sequence, int quantity, string productCode, long orderId, int orderSequence) =>
        chosen is null ? $"{productCode}-{orderId}-{orderSequence:D2}"
        : quantity > 1 ? Numbered(chosen, sequence)
        : chosen;

    private static string Numbered(string name, int sequence) => $"{name}-{sequence:D2}";
}
