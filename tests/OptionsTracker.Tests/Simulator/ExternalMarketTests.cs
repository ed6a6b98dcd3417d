using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Simulator;

/// <summary>The simulator playing a market fed from outside (the replay's seam): what Play sets is what REST serves.</summary>
public sealed class ExternalMarketTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 4, 7, 50, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Delivery = new(2026, 11, 4, 8, 0, 0, TimeSpan.Zero);

    private static ExternalOption Option(string symbol, decimal strike, double mark, DateTimeOffset delivery) =>
        new(new SimulatedInstrument(symbol, "BTC", "Call", strike, delivery, "Trading"),
            new SimulatedTicker { Symbol = symbol, MarkPrice = mark, IndexPrice = 95_000, MarkIv = 0.5, BidIv = double.NaN },
            double.NaN);

    [Fact]
    public async Task Played_options_are_listed_with_their_tickers_and_leave_as_the_next_frame_says()
    {
        var clock = new FakeTimeProvider(Now);
        await using var simulator = await TestSimulator.StartAsync(o => { o.BaseCoins = ["BTC"]; o.ExternalMarket = true; o.TimeProvider = clock; });
        Assert.Empty(simulator.GetInstruments("BTC"));

        simulator.Play("BTC", Now, [Option("BTC-4NOV26-95000-C-USDT", 95_000, 1234.5, Delivery), Option("BTC-27NOV26-100000-C-USDT", 100_000, 2345.25, Delivery.AddDays(23))]);
        using (var json = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=BTC"))
        {
            var list = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().ToList();
            Assert.Equal(["BTC-4NOV26-95000-C-USDT", "BTC-27NOV26-100000-C-USDT"], list.Select(i => i.GetProperty("symbol").GetString()));
            Assert.Equal("1234.5", list[0].GetProperty("markPrice").GetString());
            Assert.Equal("", list[0].GetProperty("bid1Iv").GetString()); // NaN: missing, as recorded
        }

        // The next frame after 08:00 lacks the delivered option and moves the other.
        clock.SetUtcNow(Delivery.AddMinutes(1));
        simulator.Play("BTC", Delivery.AddMinutes(1), [Option("BTC-27NOV26-100000-C-USDT", 100_000, 2400, Delivery.AddDays(23))]);
        Assert.True(simulator.TryGetTicker("BTC-27NOV26-100000-C-USDT", out var moved));
        Assert.Equal(2400, moved.MarkPrice);
        Assert.False(simulator.TryGetTicker("BTC-4NOV26-95000-C-USDT", out _));
        Assert.Equal(["BTC-4NOV26-95000-C-USDT"], simulator.GetDeliveringInstruments("BTC").Select(i => i.Symbol));
        Assert.True(simulator.TryGetDeliveryPrice("BTC-4NOV26-95000-C-USDT", out var price));
        Assert.Equal(95_000, price);
    }

    [Fact]
    public async Task A_simulator_playing_its_own_market_refuses_to_be_played()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.BaseCoins = ["BTC"]);
        Assert.Throws<InvalidOperationException>(() => simulator.Play("BTC", Now, []));
    }
}
