using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Simulator;

public class BoardTests
{
    [Fact]
    public async Task Default_boards_hold_over_2000_instruments_and_look_like_the_exchange()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var all = simulator.GetInstruments();
        Assert.True(all.Count >= 2000, $"only {all.Count} instruments");
        Assert.Equal(all.Count, simulator.InstrumentCount);
        Assert.Equal(["BTC", "ETH", "SOL"], simulator.BaseCoins);
        Assert.Equal(all.Count, all.Select(i => i.Symbol).Distinct().Count());

        foreach (var instrument in all)
        {
            Assert.Equal(TimeSpan.FromHours(8), instrument.DeliveryTime.UtcDateTime.TimeOfDay);
            Assert.True(instrument.DeliveryTime > DateTimeOffset.UtcNow);
            Assert.Contains(instrument.OptionsType, new[] { "Call", "Put" });
            Assert.EndsWith(instrument.OptionsType == "Call" ? "-C-USDT" : "-P-USDT", instrument.Symbol, StringComparison.Ordinal);
            Assert.NotEqual('0', instrument.Symbol.Split('-')[1][0]);
            Assert.True(simulator.TryGetTicker(instrument.Symbol, out _));
        }

        foreach (var strikeGroup in all.GroupBy(i => (i.BaseCoin, i.DeliveryTime, i.Strike)))
            Assert.Equal(["Call", "Put"], strikeGroup.Select(i => i.OptionsType).Order());

        foreach (string coin in simulator.BaseCoins)
        {
            int expiries = simulator.GetInstruments(coin).Select(i => i.DeliveryTime).Distinct().Count();
            Assert.InRange(expiries, 8, 16);
        }

        // Far expiries have wider, coarser grids than near ones.
        var btc = simulator.GetInstruments("BTC").GroupBy(i => i.DeliveryTime).OrderBy(g => g.Key).ToList();
        decimal Step(IGrouping<DateTimeOffset, SimulatedInstrument> g)
        {
            var strikes = g.Select(i => i.Strike).Distinct().Order().ToList();
            return strikes[1] - strikes[0];
        }

        // The dailies' 500 is the finest step; the first expiry is not always a daily (from Thursday 07:50 UTC to Friday's,
        // it is Friday's weekly, 1,000).
        Assert.Equal(500m, btc.Min(Step));
        Assert.True(Step(btc[^1]) > Step(btc[0]));
        Assert.True(btc[^1].Max(i => i.Strike) - btc[^1].Min(i => i.Strike) > btc[0].Max(i => i.Strike) - btc[0].Min(i => i.Strike));
    }

    [Fact]
    public async Task Target_instrument_count_scales_the_boards()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.TargetInstrumentCount = 10_000);
        Assert.InRange(simulator.InstrumentCount, 9_000, 11_000);
    }

    [Fact]
    public async Task Any_coin_gets_a_sane_board_with_plain_decimal_strikes()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.BaseCoins = ["DOGE", "XRP", "MNT", "ABC"]);
        Assert.InRange(simulator.GetIndexPrice("DOGE"), 0.1, 1);
        Assert.InRange(simulator.GetIndexPrice("ABC"), 0.01, 100_000);
        var doge = simulator.GetInstruments("DOGE");
        Assert.NotEmpty(doge);
        Assert.All(doge, i => Assert.DoesNotContain("E", i.Symbol.Split('-')[2], StringComparison.Ordinal));
        Assert.Contains(doge, i => i.Symbol.Split('-')[2].StartsWith("0.", StringComparison.Ordinal));
        Assert.NotEmpty(simulator.GetInstruments("ABC"));
    }

    [Fact]
    public async Task Tickers_are_consistent_with_option_pricing()
    {
        await using var simulator = await TestSimulator.StartAsync();
        double index = simulator.GetIndexPrice("BTC");
        foreach (var instrument in simulator.GetInstruments("BTC"))
        {
            Assert.True(simulator.TryGetTicker(instrument.Symbol, out var t));
            Assert.Equal(instrument.Symbol, t.Symbol);
            Assert.True(t.MarkPrice >= 0);
            Assert.InRange(t.MarkIv, 0.05, 5);
            Assert.Equal(index, t.IndexPrice, 0.01);
            Assert.True(t.UnderlyingPrice >= t.IndexPrice * 0.999);
            Assert.True(t.AskPrice > 0 && t.AskPrice >= t.MarkPrice);
            Assert.True(t.BidPrice == 0 || t.BidPrice <= t.MarkPrice);
            Assert.True(t.BidPrice == 0 ? t.BidSize == 0 && t.BidIv == 0 : t.BidSize > 0 && t.BidIv <= t.MarkIv);
            Assert.True(t.Gamma >= 0 && t.Vega >= 0 && t.Theta <= 0);
            if (instrument.OptionsType == "Call")
                Assert.InRange(t.Delta, 0, 1);
            else
                Assert.InRange(t.Delta, -1, 0);
            // Like Bybit, a predicted delivery price only in the last 30 minutes before delivery (today's 08:00 expiry
            // from 07:30 UTC): this test must pass at any time of day.
            if (instrument.DeliveryTime - DateTimeOffset.UtcNow > TimeSpan.FromMinutes(31))
                Assert.Equal(0, t.PredictedDeliveryPrice);
            else if (instrument.DeliveryTime - DateTimeOffset.UtcNow < TimeSpan.FromMinutes(29))
                Assert.True(t.PredictedDeliveryPrice > 0);
            Assert.True(double.IsNaN(t.LastPrice) == double.IsNaN(t.Change24h));
            if (!double.IsNaN(t.LastPrice))
                Assert.True(t.LowPrice24h <= t.LastPrice && t.LastPrice <= t.HighPrice24h);
        }
    }

    [Fact]
    public async Task SetIndexPrice_moves_the_whole_board()
    {
        await using var simulator = await TestSimulator.StartAsync();
        // A call a few days out: in today's expiry's last minutes a call's delta is already 0 or 1 and cannot move.
        var call = simulator.GetInstruments("ETH").First(i => i.OptionsType == "Call" && i.DeliveryTime > DateTimeOffset.UtcNow.AddDays(2));
        simulator.TryGetTicker(call.Symbol, out var before);
        simulator.SetIndexPrice("ETH", simulator.GetIndexPrice("ETH") * 1.2);
        simulator.TryGetTicker(call.Symbol, out var after);
        Assert.True(after.MarkPrice > before.MarkPrice);
        Assert.True(after.IndexPrice > before.IndexPrice * 1.15);
        Assert.True(after.Delta > before.Delta);
    }

    [Fact]
    public async Task Turnovers_move_with_trades_not_with_the_index()
    {
        // Bybit's turnover is the trades' notional (its example: volume24h 26.55, turnover24h 446,802.85 at an index of
        // 16,823.73): a 20 % move of the index changes no option's turnover unless the option traded meanwhile.
        await using var simulator = await TestSimulator.StartAsync();
        var symbols = simulator.GetInstruments("ETH").Select(i => i.Symbol).ToList();
        var before = symbols.ToDictionary(s => s, s => simulator.TryGetTicker(s, out var t) ? t : throw new InvalidOperationException(s));
        simulator.SetIndexPrice("ETH", simulator.GetIndexPrice("ETH") * 1.2);
        var untraded = 0;
        foreach (var symbol in symbols)
        {
            Assert.True(simulator.TryGetTicker(symbol, out var after));
            var was = before[symbol];
            Assert.True(after.TotalVolume >= was.TotalVolume && after.TotalTurnover >= was.TotalTurnover, symbol);
            if (after.TotalVolume != was.TotalVolume)
                continue;
            Assert.Equal(was.Turnover24h, after.Turnover24h);
            Assert.Equal(was.TotalTurnover, after.TotalTurnover);
            untraded++;
        }
        Assert.True(untraded > symbols.Count / 2, $"{untraded} of {symbols.Count} untraded");
    }
}
