namespace Cloudbill.Core.Tests;

public class MoneyTests
{
    [Theory]
    [InlineData("1234.50", 123450)]
    [InlineData("1234.5", 123450)]
    [InlineData("1234", 123400)]
    [InlineData("0.01", 1)]
    [InlineData("0", 0)]
    [InlineData("-3.10", -310)]
    [InlineData(" 100.00 ", 10000)]
    [InlineData("999999999999999.99", 99999999999999999)]
    public void Parses_yuan_text_to_exact_fen(string text, long fen) =>
        Assert.Equal(fen, Money.Parse(text).Fen);

    [Theory]
    [InlineData("1.005", "more than two decimals")]
    [InlineData("0.001", "more than two decimals")]
    [InlineData("abc", "is not an amount")]
    [InlineData("1,000.00", "is not an amount")]
    [InlineData("1e3", "is not an amount")]
    [InlineData("12.", "is not an amount")]
    [InlineData(".5", "is not an amount")]
    [InlineData("--1", "is not an amount")]
    [InlineData("", "An amount is required")]
    [InlineData("1000000000000000.00", "too large")]
    public void Refuses_text_that_is_not_an_exact_amount(string text, string reason)
    {
        Assert.False(Money.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<FormatException>(() => Money.Parse(text));
        Assert.Contains(reason, thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(123450, "1234.50", "1,234.50")]
    [InlineData(5, "0.05", "0.05")]
    [InlineData(-5, "-0.05", "-0.05")]
    [InlineData(500000, "5000.00", "5,000.00")]
    [InlineData(0, "0.00", "0.00")]
    [InlineData(long.MinValue, "-92233720368547758.08", "-92,233,720,368,547,758.08")]
    public void Formats_with_two_decimals_in_every_culture(long fen, string text, string display)
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal(text, new Money(fen).ToString());
            Assert.Equal(display, new Money(fen).ToDisplayString());
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData(101, 0.5, 51)]    // 50.5 fen rounds half up
    [InlineData(-101, 0.5, -51)]  // and away from zero when negative
    [InlineData(100, 0.333, 33)]
    [InlineData(33000, 0.85, 28050)]
    [InlineData(1, 0.5, 1)]
    [InlineData(3, 0.5, 2)]       // not banker's rounding (which gives 2 for 2.5 and 2 for 1.5)
    public void Times_rounds_half_up_to_the_fen_once(long fen, double factor, long expected) =>
        Assert.Equal(expected, new Money(fen).Times((decimal)factor).Fen);

    [Theory]
    [InlineData(33000, 12 * 85, 100, 336600)]  // R6.1: 330.00 × 12 × 85%
    [InlineData(9900, 1, 3, 3300)]
    [InlineData(100, 1, 3, 33)]
    [InlineData(200, 1, 3, 67)]                // 66.67 rounds up
    [InlineData(150, 1, 4, 38)]                // 37.5 rounds up
    [InlineData(-150, 1, 4, -38)]
    public void Times_a_fraction_rounds_half_up_once(long fen, long numerator, long denominator, long expected) =>
        Assert.Equal(expected, new Money(fen).Times(numerator, denominator).Fen);

    [Fact]
    public void Arithmetic_overflow_throws_instead_of_wrapping()
    {
        var max = new Money(long.MaxValue);
        Assert.Throws<OverflowException>(() => max + new Money(1));
        Assert.Throws<OverflowException>(() => new Money(long.MinValue) - new Money(1));
        Assert.Throws<OverflowException>(() => -new Money(long.MinValue));
        Assert.Throws<OverflowException>(() => max * 2);
        Assert.Throws<OverflowException>(() => max.Times(2m));
        Assert.Throws<OverflowException>(() => max.Times(3, 2));
    }

    [Fact]
    public void Compares_and_adds_exactly()
    {
        var a = Money.Parse("0.10");
        var b = Money.Parse("0.20");
        Assert.Equal(Money.Parse("0.30"), a + b);
        Assert.True(a < b);
        Assert.Equal(a, Money.Min(a, b));
        Assert.Equal(Money.Parse("-0.10"), a - b);
    }
}
