using OptionsTracker.Dashboard;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>What is not a quote (quote numbers: <see cref="CoinFormatTests"/>).</summary>
public class DisplayTests
{
    [Fact]
    public void Expiry_reads_as_day_month_year_and_sign_classes_leave_zero_and_missing_plain()
    {
        Assert.Equal("26-DEC-25", Display.Expiry(new DateTimeOffset(2025, 12, 26, 8, 0, 0, TimeSpan.Zero)));
        Assert.Equal("pos", Display.Sign(0.25));
        Assert.Equal("neg", Display.Sign(-0.25));
        Assert.Equal("", Display.Sign(0));
        Assert.Equal("", Display.Sign(double.NaN));
    }

    [Fact]
    public void Age_reads_in_the_largest_sensible_unit()
    {
        Assert.Equal("no update yet", Display.Age(null));
        Assert.Equal("just now", Display.Age(TimeSpan.FromMilliseconds(400)));
        Assert.Equal("42 s ago", Display.Age(TimeSpan.FromSeconds(42)));
        Assert.Equal("5 min ago", Display.Age(TimeSpan.FromMinutes(5)));
        Assert.Equal("3 h ago", Display.Age(TimeSpan.FromHours(3)));
    }
}
