using Cloudbill.Core.Problems;

namespace Cloudbill.Core;

/// <summary>R5.4: the caller's idempotency key; the same token returns the same order.</summary>
public readonly record struct ClientToken(string Value)
{
    public const int MaxLength = 64;

    public static Result<ClientToken> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Problem.Invalid("ClientToken.Missing", "A client token is required so that a retried request cannot create a second order.");
        if (text.Length > MaxLength || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            return Problem.Invalid("ClientToken.Invalid", $"The client token must be 1 to {MaxLength} letters, digits, '-', '_' or '.'.");
        return new ClientToken(text);
    }

    /// <summary>A token for orders the system places itself (auto-renewal), derived from their business key.</summary>
    public static ClientToken ForSystem(string businessKey) => new(businessKey.Length <= MaxLength ? businessKey : businessKey[..MaxLength]);

    public static ClientToken New() => new(Guid.NewGuid().ToString("N"));

    public override string ToString() => Value;
}
