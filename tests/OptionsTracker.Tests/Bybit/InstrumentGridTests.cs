using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Store;
using OptionsTracker.Tests.Store;
using OptionsTracker.Tests.Fixtures;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Bybit;

/// <summary>
/// instruments-info's <c>priceFilter.tickSize</c> and <c>lotSizeFilter.qtyStep</c> reach the book's instruments (the
/// dashboard shows prices and sizes at them) and survive the Redis hash, so web instances have them too.
/// </summary>
public class InstrumentGridTests
{
    [Fact]
    public async Task Tick_size_and_quantity_step_of_instruments_info_reach_every_instrument_of_the_book()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"] }, TestContext.Current.CancellationToken);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        // The simulator's grids are Bybit's (docs/bybit-rest.md): BTC tick 5, qty step 0.01; ETH tick 0.1, qty step 0.1.
        var btc = app.Book.Index.All.Where(s => s.Instrument.BaseCoin == "BTC").ToList();
        var eth = app.Book.Index.All.Where(s => s.Instrument.BaseCoin == "ETH").ToList();
        Assert.NotEmpty(btc);
        Assert.NotEmpty(eth);
        Assert.All(btc, s => Assert.Equal((5.0, 0.01), (s.Instrument.TickSize, s.Instrument.QtyStep)));
        Assert.All(eth, s => Assert.Equal((0.1, 0.1), (s.Instrument.TickSize, s.Instrument.QtyStep)));
    }

    [Fact]
    public async Task A_web_instance_fed_by_redis_has_the_collectors_grids()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["SOL"], TargetInstrumentCount = 40 },
            TestContext.Current.CancellationToken);
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();

        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await Eventually.Until(() => web.Book.Index.Count == simulator.InstrumentCount, "every option on the web instance");

        // SOL on Bybit and the simulator: tick 0.01, qty step 1.
        Assert.All(web.Book.Index.All, s => Assert.Equal((0.01, 1.0), (s.Instrument.TickSize, s.Instrument.QtyStep)));
    }

    [Fact]
    public void The_grids_survive_the_store_hash_and_an_older_hash_without_them_reads_as_unknown()
    {
        var written = BookBuilder.Create("ETH", new DateOnly(2026, 12, 25), 3000m, 'P', tickSize: 0.1, qtyStep: 0.1);
        var entries = QuoteHash.ToEntries(written, OptionQuote.Empty);
        var fields = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("0.1", fields["tick_size"]);
        Assert.Equal("0.1", fields["qty_step"]);

        Assert.True(QuoteHash.TryReadInstrument(Venue.Bybit, entries, out var read));
        Assert.Equal(0.1, read!.TickSize);
        Assert.Equal(0.1, read.QtyStep);

        HashEntry[] older = [.. entries.Where(e => e.Name != QuoteHash.TickSize && e.Name != QuoteHash.QtyStep)];
        Assert.True(QuoteHash.TryReadInstrument(Venue.Bybit, older, out var old));
        Assert.True(double.IsNaN(old!.TickSize));
        Assert.True(double.IsNaN(old.QtyStep));
        // A venue without grids writes "" (missing), not 0.
        var none = QuoteHash.ToEntries(old, OptionQuote.Empty).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("", none["tick_size"]);
    }
}
