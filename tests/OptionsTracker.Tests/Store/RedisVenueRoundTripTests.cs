using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// An option of another venue, with the same symbol as a Bybit one, goes through Redis under its own key and comes
/// back on a web instance as its own slot, while the Bybit option keeps the original tool's key.
/// </summary>
public class RedisVenueRoundTripTests
{
    private static readonly Venue Deribit = Venue.Parse("deribit");

    [Fact]
    public async Task The_same_symbol_on_two_venues_is_two_hashes_and_two_slots_on_a_web_instance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 40 },
            TestContext.Current.CancellationToken);
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();

        // The collector's book gains a Deribit option named like one of Bybit's (as Deribit's feed will add it).
        var bybit = collector.Book.Index.All[collector.Book.Index.Count / 2];
        var symbol = bybit.Instrument.Symbol;
        Assert.True(BybitSymbol.TryCreateInstrument(Deribit, symbol, bybit.Instrument.ExpiryUtc, "Trading", out var instrument));
        collector.Book.AddInstruments([instrument!]);
        Assert.True(collector.Book.Index.TryGetSlot(Deribit, symbol, out var deribit));
        var update = new QuoteUpdate { ExchangeTimeMs = collector.Book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkPrice, 0.0123);
        collector.Book.Apply(deribit, update);

        await Eventually.Until(async () => (string?)await database.HashGetAsync($"option:deribit:{symbol}", "mark_price") == "0.0123",
            "the Deribit option's hash under option:deribit:{symbol}");
        Assert.Equal(symbol, (string?)await database.HashGetAsync($"option:{symbol}", "symbol"));
        var coinMembers = (await database.SetMembersAsync("options:coin:BTC")).Select(m => (string)m!).ToList();
        Assert.Contains(symbol, coinMembers);
        Assert.Contains($"deribit:{symbol}", coinMembers);
        Assert.Contains($"deribit:{symbol}",
            (await database.SetMembersAsync($"options:expiry:BTC:{bybit.Instrument.ExpiryLabel}")).Select(m => (string)m!));

        // A web instance reads both back: two slots, each with its own venue's values.
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await Eventually.Until(() => web.Book.Index.TryGetSlot(Deribit, symbol, out var copy) && copy.ReadQuote().MarkPrice == 0.0123
            && web.Book.Index.TryGetSlot(Venue.Bybit, symbol, out _), "both venues' options on the web instance");
        Assert.Equal(simulator.InstrumentCount + 1, web.Book.Index.Count);
        Assert.True(web.Book.Index.TryGetSlot(Deribit, symbol, out var webDeribit));
        Assert.Equal(Deribit, webDeribit.Instrument.Venue);
        Assert.Equal(bybit.Instrument.ExpiryUtc, webDeribit.Instrument.ExpiryUtc);

        // Removed on the collector: its hash and members go, the web instance drops that slot only.
        collector.Book.RemoveInstruments([new InstrumentKey(Deribit, symbol)]);
        await Eventually.Until(() => !web.Book.Index.TryGetSlot(Deribit, symbol, out _), "the Deribit option gone from the web instance");
        Assert.True(web.Book.Index.TryGetSlot(Venue.Bybit, symbol, out _));
        Assert.False(await database.KeyExistsAsync($"option:deribit:{symbol}"));
        Assert.True(await database.KeyExistsAsync($"option:{symbol}"));
        Assert.DoesNotContain($"deribit:{symbol}", (await database.SetMembersAsync("options:coin:BTC")).Select(m => (string)m!));
    }
}
