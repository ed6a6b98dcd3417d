using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Simulator;

/// <summary>The demo's simulator lists every coin Bybit lists options for, each at a level a trader would recognise.</summary>
public sealed class ExchangeOptionCoinsTests
{
    // Wide bands around late-2026 levels: wrong by an order of magnitude (a made-up spot of 25 for XRP) fails, a
    // market move does not. Annualised ATM IV of a listed crypto coin sits between 20 % and 200 %.
    private static readonly Dictionary<string, (double Low, double High)> SpotRange = new()
    {
        ["BTC"] = (20_000, 300_000),
        ["ETH"] = (500, 20_000),
        ["SOL"] = (10, 1_000),
        ["XRP"] = (0.1, 20),
        ["DOGE"] = (0.01, 3),
        ["MNT"] = (0.1, 10),
    };

    [Fact]
    public async Task The_demo_simulator_lists_every_exchange_option_coin_with_a_realistic_spot_and_vol_while_the_tracked_coins_come_first()
    {
        var options = SimulatorOptions.ForDemo(["BTC", "ETH", "SOL"]);
        options.TargetInstrumentCount = 1_200;
        await using var simulator = await BybitSimulator.StartAsync(options, TestContext.Current.CancellationToken);

        Assert.Equal(SimulatorOptions.ExchangeOptionCoins, simulator.BaseCoins);
        Assert.Equal(SimulatorOptions.ExchangeOptionCoins.Order(), SpotRange.Keys.Order());
        foreach (var coin in SimulatorOptions.ExchangeOptionCoins)
        {
            double spot = simulator.GetIndexPrice(coin);
            Assert.InRange(spot, SpotRange[coin].Low, SpotRange[coin].High);

            var instruments = simulator.GetInstruments(coin);
            Assert.NotEmpty(instruments);
            // The strike grid brackets the spot, so the chain has an ATM strike and both wings.
            Assert.True(instruments.Min(i => (double)i.Strike) < spot && instruments.Max(i => (double)i.Strike) > spot,
                $"{coin}: strikes {instruments.Min(i => i.Strike)}..{instruments.Max(i => i.Strike)} around {spot}");

            // The option nearest the money in the farthest expiry: its mark IV is a crypto vol, its underlying the spot's level.
            var far = instruments.Where(i => i.DeliveryTime == instruments.Max(x => x.DeliveryTime) && i.OptionsType == "Call")
                .MinBy(i => Math.Abs((double)i.Strike - spot))!;
            Assert.True(simulator.TryGetTicker(far.Symbol, out var ticker));
            Assert.InRange(ticker.MarkIv, 0.2, 2.0);
            Assert.InRange(ticker.UnderlyingPrice, spot / 2, spot * 2);
            Assert.True(ticker.MarkPrice > 0, $"{far.Symbol} has no mark");
        }

        // The tracked coins come first; a coin tracked but not an exchange option coin is listed too (tests use them).
        Assert.Equal(["DOGE", "BTC", "ETH", "SOL", "XRP", "MNT"], SimulatorOptions.ForDemo(["doge"]).BaseCoins);
        Assert.Equal(["ZEC", "BTC"], SimulatorOptions.ForDemo(["ZEC"]).BaseCoins.Take(2));
    }
}
