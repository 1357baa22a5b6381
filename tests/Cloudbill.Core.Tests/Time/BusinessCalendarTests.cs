using Cloudbill.Core.Time;

namespace Cloudbill.Core.Tests;

public class BusinessCalendarTests
{
    private static DateTimeOffset Shanghai(int y, int m, int d, int h = 0, int min = 0) =>
        new DateTimeOffset(y, m, d, h, min, 0, TimeSpan.FromHours(8)).ToUniversalTime();

    [Fact]
    public void Jan_31_plus_one_month_is_Feb_28_in_a_common_year() // R1.2
    {
        Assert.Equal(Shanghai(2027, 2, 28), BusinessCalendar.AddMonths(Shanghai(2027, 1, 31), 1));
    }

    [Fact]
    public void Jan_31_plus_one_month_is_Feb_29_in_a_leap_year() // R1.2
    {
        Assert.Equal(Shanghai(2028, 2, 29), BusinessCalendar.AddMonths(Shanghai(2028, 1, 31), 1));
    }

    [Theory] // R1.2: calendar months, clamped to the month's end, also across years
    [InlineData(2026, 3, 31, 1, 2026, 4, 30)]
    [InlineData(2026, 8, 31, 6, 2027, 2, 28)]
    [InlineData(2027, 12, 15, 2, 2028, 2, 15)]
    [InlineData(2028, 2, 29, 12, 2029, 2, 28)]
    [InlineData(2026, 11, 26, 36, 2029, 11, 26)]
    public void Adds_calendar_months_in_Shanghai(int y, int m, int d, int months, int ey, int em, int ed) =>
        Assert.Equal(Shanghai(ey, em, ed), BusinessCalendar.AddMonths(Shanghai(y, m, d), months));

    [Fact]
    public void A_month_is_counted_on_the_Shanghai_date_not_the_UTC_date()
    {
        // 2027-01-31 06:00 in Shanghai is still 2027-01-30 in UTC; the Shanghai date decides.
        var start = Shanghai(2027, 1, 31, 6);
        Assert.Equal(Shanghai(2027, 2, 28, 6), BusinessCalendar.AddMonths(start, 1));
    }

    [Fact]
    public void New_subscription_expiry_rounds_up_to_the_next_0000_Shanghai() // R1.3
    {
        var purchased = Shanghai(2026, 11, 26, 10, 15);
        var expiry = BusinessCalendar.SubscriptionExpiry(purchased, 1);
        Assert.Equal(Shanghai(2026, 12, 27), expiry);
        Assert.Equal(new DateTimeOffset(2026, 12, 26, 16, 0, 0, TimeSpan.Zero), expiry);
    }

    [Fact]
    public void An_instant_already_at_0000_Shanghai_is_not_rounded_further() // R1.3
    {
        Assert.Equal(Shanghai(2026, 12, 1), BusinessCalendar.RoundUpToMidnight(Shanghai(2026, 12, 1)));
        Assert.Equal(Shanghai(2026, 12, 2), BusinessCalendar.RoundUpToMidnight(Shanghai(2026, 12, 1, 0, 1)));
    }

    [Fact]
    public void A_purchase_late_on_Jan_31_expires_at_the_start_of_Mar_1()
    {
        // Jan 31 23:30 + 1 month = Feb 28 23:30 (common year), rounded up to Mar 1 00:00.
        Assert.Equal(Shanghai(2027, 3, 1), BusinessCalendar.SubscriptionExpiry(Shanghai(2027, 1, 31, 23, 30), 1));
    }

    [Fact]
    public void Wall_clock_times_and_day_counts_use_Shanghai_dates()
    {
        var expiry = Shanghai(2026, 12, 10);
        var ninthDayBefore = BusinessCalendar.LocalDate(expiry).PlusDays(-9);
        Assert.Equal(Shanghai(2026, 12, 1, 8), BusinessCalendar.At(ninthDayBefore, 8));
        Assert.Equal(9, BusinessCalendar.DaysBetween(Shanghai(2026, 12, 1, 23, 59), expiry));
        Assert.Equal("2026-12-10", BusinessCalendar.FormatDate(expiry));
    }
}
