using OptionsTracker.Dashboard;

namespace OptionsTracker.Tests.Dashboard;

public class DisplayTests
{
    [Theory]
    [InlineData(0, "–")]
    [InlineData(double.NaN, "–")]
    [InlineData(1234.5, "1,234.5")]
    [InlineData(0.0123, "0.0123")]
    public void An_empty_side_of_the_book_reads_as_a_dash_not_a_price(double bid, string shown) =>
        Assert.Equal(shown, Display.BookPrice(bid));

    [Fact]
    public void Missing_values_are_dashes_and_zero_is_zero_elsewhere()
    {
        Assert.Equal("–", Display.Price(double.NaN));
        Assert.Equal("0.0000", Display.Price(0));
        Assert.Equal("52.3%", Display.Iv(0.523));
        Assert.Equal("-0.4969", Display.Greek(-0.49691));
        Assert.Equal("26-DEC-25", Display.Expiry(new DateTimeOffset(2025, 12, 26, 8, 0, 0, TimeSpan.Zero)));
    }
}
