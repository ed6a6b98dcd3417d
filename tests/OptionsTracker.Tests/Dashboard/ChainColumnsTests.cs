using OptionsTracker.Dashboard;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>The chain's column choice and the figures' text, without a browser.</summary>
public sealed class ChainColumnsTests
{
    [Fact]
    public void Puts_mirror_the_calls_around_the_strike_but_keep_the_book_reading_bid_to_ask()
    {
        HashSet<string> chosen = ["oi", "change", "delta", "bid", "mark-iv", "ask"];

        Assert.Equal(["oi", "change", "delta", "bid", "mark-iv", "ask"], ChainColumns.Calls(chosen).Select(c => c.Key));
        Assert.Equal(["bid", "mark-iv", "ask", "delta", "change", "oi"], ChainColumns.Puts(chosen).Select(c => c.Key));
    }

    [Fact]
    public void A_stored_choice_keeps_known_keys_only_and_round_trips_in_a_fixed_order()
    {
        Assert.Null(ChainColumns.Parse(null));
        Assert.Null(ChainColumns.Parse("nonsense, ,"));
        var parsed = ChainColumns.Parse("ask, gamma,unknown,oi");
        Assert.NotNull(parsed);
        Assert.Equal("oi,gamma,ask", ChainColumns.Format(parsed));
        var defaults = ChainColumns.Parse(ChainColumns.Format(ChainColumns.Default.ToHashSet()));
        Assert.Equal(ChainColumns.Default.Order(), defaults!.Order());
    }

    [Fact]
    public void Only_prices_flash_and_the_condensed_set_is_the_book()
    {
        Assert.Equal(["last", "bid", "mark", "ask"], ChainColumns.All.Where(c => c.Flashes).Select(c => c.Key));
        Assert.All(ChainColumns.Condensed, key => Assert.Contains(key, ChainColumns.Default));
    }

    [Theory]
    [InlineData(17.9, "17D")]
    [InlineData(1.0, "1D")]
    [InlineData(0.99, "23H")]
    [InlineData(1.5 / 24, "1H")]
    [InlineData(0.5 / 24, "<1H")]
    [InlineData(0.0, "0D")]
    [InlineData(-0.2, "0D")]
    [InlineData(double.NaN, Display.Missing)]
    public void Days_to_expiry_read_as_whole_days_then_hours_on_the_last_day(double days, string expected) =>
        Assert.Equal(expected, FigureText.DaysToExpiry(days));

    [Fact]
    public void Ratios_have_two_decimals_and_missing_is_a_dash()
    {
        Assert.Equal("1.03", FigureText.Ratio(1.0349));
        Assert.Equal(Display.Missing, FigureText.Ratio(null));
        Assert.Equal(Display.Missing, FigureText.Ratio(double.PositiveInfinity));
    }
}
