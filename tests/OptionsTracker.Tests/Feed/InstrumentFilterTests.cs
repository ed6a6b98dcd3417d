using OptionsTracker.Feed;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Feed;

public class InstrumentFilterTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Default_tracks_everything()
    {
        var filter = new InstrumentFilter(new TrackerOptions());
        Assert.False(filter.NeedsIndexPrice);
        // Near and far expiries, any strike, with or without a price: everything listed is tracked.
        foreach (var symbol in new[] { "BTC-2MAR26-70000-P-USDT", "BTC-27MAR26-70000-P-USDT", "BTC-26MAR27-1000-C-USDT", "ETH-24APR26-9000-C-USDT" })
        {
            Assert.True(filter.Includes(BookBuilder.Instrument(symbol), double.NaN, Now), symbol);
            Assert.True(filter.Includes(BookBuilder.Instrument(symbol), 70_000, Now), symbol);
        }
    }

    [Fact]
    public void Expiry_range_keeps_only_options_inside_it()
    {
        var filter = new InstrumentFilter(new TrackerOptions { MinDaysToExpiry = 1, MaxDaysToExpiry = 30 });
        Assert.False(filter.Includes(BookBuilder.Instrument("BTC-2MAR26-70000-P-USDT"), double.NaN, Now)); // 0.96 days
        Assert.True(filter.Includes(BookBuilder.Instrument("BTC-27MAR26-70000-P-USDT"), double.NaN, Now));
        Assert.False(filter.Includes(BookBuilder.Instrument("BTC-24APR26-70000-P-USDT"), double.NaN, Now));
    }

    [Fact]
    public void Strike_range_is_measured_around_the_index_and_waits_for_a_price()
    {
        var filter = new InstrumentFilter(new TrackerOptions { StrikeRangePercent = 10 });
        Assert.True(filter.NeedsIndexPrice);
        Assert.True(filter.Includes(BookBuilder.Instrument("BTC-27MAR26-109000-C-USDT"), 100_000, Now));
        Assert.False(filter.Includes(BookBuilder.Instrument("BTC-27MAR26-111000-C-USDT"), 100_000, Now));
        Assert.False(filter.Includes(BookBuilder.Instrument("BTC-27MAR26-89000-P-USDT"), 100_000, Now));
        Assert.True(filter.Includes(BookBuilder.Instrument("BTC-27MAR26-50000-P-USDT"), double.NaN, Now));
    }

    [Fact]
    public void Explicit_symbol_list_keeps_only_those()
    {
        var filter = new InstrumentFilter(new TrackerOptions { Symbols = ["ETH-27MAR26-3000-C-USDT"] });
        Assert.True(filter.Includes(BookBuilder.Instrument("ETH-27MAR26-3000-C-USDT"), double.NaN, Now));
        Assert.False(filter.Includes(BookBuilder.Instrument("ETH-27MAR26-3000-P-USDT"), double.NaN, Now));
    }
}
