using System.Text;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

public class ModelTests
{
    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.8413447460685429)]
    [InlineData(-2, 0.022750131948179195)]
    [InlineData(3, 0.9986501019683699)]
    [InlineData(-8, 6.22096057427178e-16)]
    public void NormalCdf_matches_reference_values(double x, double expected) =>
        Assert.Equal(expected, Black76.NormalCdf(x), 1e-14);

    [Fact]
    public void Black76_satisfies_put_call_parity_and_greek_signs()
    {
        var call = Black76.Value(100_000, 90_000, 0.25, 0.6, isCall: true);
        var put = Black76.Value(100_000, 90_000, 0.25, 0.6, isCall: false);
        Assert.Equal(100_000 - 90_000, call.Price - put.Price, 1e-6);
        Assert.Equal(1, call.Delta - put.Delta, 1e-12);
        Assert.Equal(call.Gamma, put.Gamma);
        Assert.True(call.VegaPerPoint > 0 && call.ThetaPerDay < 0);

        // Vega per vol point: the price change for +1 point of vol.
        var bumped = Black76.Value(100_000, 90_000, 0.25, 0.61, isCall: true);
        Assert.Equal(bumped.Price - call.Price, call.VegaPerPoint, 0.5);
    }

    [Theory]
    [InlineData(0.00001, "0.00001")]
    [InlineData(0.06910001, "0.06910001")]
    [InlineData(131762816.0691, "131762816.0691")]
    [InlineData(1e16, "10000000000000000")]
    [InlineData(-0.000000001, "0")]
    [InlineData(0.0, "0")]
    [InlineData(double.NaN, "")]
    [InlineData(95000.0, "95000")]
    public void Numbers_are_written_plainly(double value, string expected) =>
        Assert.Equal(expected, PlainNumber.Format(value));

    [Fact]
    public void Symbols_do_not_zero_pad_the_day_and_write_decimal_strikes_plainly()
    {
        var delivery = new DateTimeOffset(2026, 1, 6, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal("BTC-6JAN26-70000-P-USDT", OptionSymbol.Symbol("BTC", delivery, 70000m, isCall: false));
        Assert.Equal("DOGE-6JAN26-0.3-C-USDT", OptionSymbol.Symbol("DOGE", delivery, 0.300m, isCall: true));
        Assert.Equal("BTCUSDT-6JAN26-70000-P", OptionSymbol.DisplayName("BTC", delivery, 70000m, isCall: false));
        Assert.True(OptionSymbol.TryParseDateCode("06JAN26", out var date));
        Assert.Equal(new DateOnly(2026, 1, 6), date);
    }

    [Fact]
    public void Expiries_are_at_0800_UTC_with_dailies_weeklies_monthlies_and_quarterlies()
    {
        var now = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero); // a Monday
        var expiries = ExpiryCalendar.Expiries(now);
        Assert.All(expiries, e => Assert.Equal(TimeSpan.FromHours(8), e.DeliveryTime.TimeOfDay));
        Assert.Equal(expiries.Count, expiries.Select(e => e.DeliveryTime).Distinct().Count());
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.Zero), expiries[0].DeliveryTime);
        Assert.Contains((new DateTimeOffset(2026, 3, 27, 8, 0, 0, TimeSpan.Zero), ExpiryKind.Quarterly), expiries);
        Assert.Contains((new DateTimeOffset(2026, 4, 24, 8, 0, 0, TimeSpan.Zero), ExpiryKind.Monthly), expiries);
        Assert.Contains((new DateTimeOffset(2026, 9, 25, 8, 0, 0, TimeSpan.Zero), ExpiryKind.Quarterly), expiries);
        Assert.Contains((new DateTimeOffset(2026, 3, 13, 8, 0, 0, TimeSpan.Zero), ExpiryKind.Weekly), expiries);
    }

    [Fact]
    public void Writing_a_push_frame_allocates_nothing()
    {
        var buffer = new byte[TickerFrame.Capacity];
        var symbol = Encoding.ASCII.GetBytes("BTC-27MAR26-70000-P-USDT");
        var ticker = new SimulatedTicker("BTC-27MAR26-70000-P-USDT", 10, 1.5, 0.5, 15, 2, 0.55, double.NaN, double.NaN, double.NaN,
            12.34567891, 95000.12, 0.52, 95100.5, 100, 1e6, 10.5, 1000, 1e8, -0.05, 0.00001234, 12.5, -30.25, 0, double.NaN);
        TickerFrame.Write(buffer, symbol, in ticker, 1, 1_700_000_000_000);
        int length = 0;
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (int i = 0; i < 1000; i++)
                length = TickerFrame.Write(buffer, symbol, in ticker, i, 1_700_000_000_000 + i);
        }));

        using var json = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, length));
        Assert.Equal("", json.RootElement.GetProperty("data").GetProperty("lastPrice").GetString());
        Assert.Equal("0.00001234", json.RootElement.GetProperty("data").GetProperty("gamma").GetString());
    }
}
