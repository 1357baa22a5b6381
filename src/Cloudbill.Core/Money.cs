using System.Globalization;

namespace Cloudbill.Core;

/// <summary>
/// An amount of CNY held as integer fen (1 yuan = 100 fen). Arithmetic is checked: an overflow
/// throws instead of wrapping. Text crosses the edges as yuan with two decimals ("1234.50").
/// </summary>
public readonly record struct Money(long Fen) : IComparable<Money>
{
    public static readonly Money Zero = new(0);

    public static Money FromYuan(long yuan) => new(checked(yuan * 100));

    /// <summary>Parses "1234.50", "1234.5", "1234" or "-3.10". More than two decimals is an error, never a rounding.</summary>
    public static Money Parse(string yuan) =>
        TryParse(yuan, out var money, out var error) ? money : throw new FormatException(error);

    public static bool TryParse(string? text, out Money money, out string error)
    {
        money = Zero;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "An amount is required, for example 100.00.";
            return false;
        }

        var s = text.Trim();
        var negative = s.StartsWith('-');
        if (negative)
            s = s[1..];

        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (dot >= 0 && fraction.Length == 0))
        {
            error = $"'{text}' is not an amount; write yuan with up to two decimals, for example 100.00.";
            return false;
        }
        if (fraction.Length > 2)
        {
            error = $"'{text}' has more than two decimals; amounts are exact to the fen (0.01).";
            return false;
        }
        if (whole.TrimStart('0').Length > 15)
        {
            error = $"'{text}' is too large.";
            return false;
        }

        var fen = long.Parse(whole, NumberStyles.None, CultureInfo.InvariantCulture) * 100
                  + (fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(2, '0'), NumberStyles.None, CultureInfo.InvariantCulture));
        money = new Money(negative ? -fen : fen);
        return true;
    }

    public static Money operator +(Money a, Money b) => new(checked(a.Fen + b.Fen));
    public static Money operator -(Money a, Money b) => new(checked(a.Fen - b.Fen));
    public static Money operator -(Money a) => new(checked(-a.Fen));
    public static Money operator *(Money a, int factor) => new(checked(a.Fen * factor));
    public static bool operator <(Money a, Money b) => a.Fen < b.Fen;
    public static bool operator >(Money a, Money b) => a.Fen > b.Fen;
    public static bool operator <=(Money a, Money b) => a.Fen <= b.Fen;
    public static bool operator >=(Money a, Money b) => a.Fen >= b.Fen;

    public bool IsZero => Fen == 0;
    public bool IsNegative => Fen < 0;
    public bool IsPositive => Fen > 0;

    public static Money Min(Money a, Money b) => a <= b ? a : b;
    public static Money Max(Money a, Money b) => a >= b ? a : b;

    /// <summary>
    /// The one rounding point: multiplies by an exact factor (a discount, a share of a month) and
    /// rounds half up to the fen, away from zero for negative amounts.
    /// </summary>
    public Money Times(decimal factor)
    {
        var exact = checked(Fen * factor);
        var rounded = decimal.Round(exact, 0, MidpointRounding.AwayFromZero);
        return new Money(decimal.ToInt64(rounded));
    }

    /// <summary>Multiplies by numerator / denominator with a single half-up rounding, without an intermediate decimal.</summary>
    public Money Times(long numerator, long denominator)
    {
        if (denominator <= 0)
            throw new ArgumentOutOfRangeException(nameof(denominator), "The denominator must be positive.");
        var product = (Int128)Fen * numerator;
        var quotient = Int128.DivRem(product, denominator);
        var twiceRemainder = Int128.Abs(quotient.Remainder) * 2;
        var result = quotient.Quotient;
        if (twiceRemainder >= denominator)
            result += Int128.Sign(product);
        return new Money(checked((long)result));
    }

    public int CompareTo(Money other) => Fen.CompareTo(other.Fen);

    /// <summary>Yuan with two decimals, invariant culture: "1234.50", "-0.05".</summary>
    public override string ToString()
    {
        var sign = Fen < 0 ? "-" : "";
        var abs = Fen == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(Fen);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:D2}");
    }

    /// <summary>Yuan with thousands separators for people: "5,000.00".</summary>
    public string ToDisplayString()
    {
        var sign = Fen < 0 ? "-" : "";
        var abs = Fen == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(Fen);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100:N0}.{abs % 100:D2}");
    }
}
