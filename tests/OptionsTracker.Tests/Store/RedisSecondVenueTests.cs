using System.Net;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// A second venue through Redis: its coin-priced options keep their price currency on the way to a web instance, whose
/// analytics answer per venue and combined; and the collector's reconciliation removes only the orphans of a venue whose
/// options of that coin it has loaded.
/// </summary>
/// <remarks>
/// Until the Deribit feed exists in this branch, the second venue's options are put into the real book of a running
/// collector by hand, as its feed will add them: everything downstream of the book (the Redis writer, the web instance's
/// reader, the analytics) is the real code under test.
/// </remarks>
public class RedisSecondVenueTests
{
    private static readonly Venue Deribit = Venue.Parse("deribit");

    [Fact]
    public async Task A_coin_priced_option_of_a_second_venue_reaches_a_web_instance_with_its_price_currency_and_per_venue_analytics()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 60 }, cancellationToken);
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();

        // Deribit's twins (same expiry, strike, type) of one Bybit expiry's options, priced in BTC as its inverse options are.
        Assert.True(collector.Book.Index.TryGetCoin("BTC", out var btc));
        var expiry = btc.Expiries[^1];
        var twins = expiry.Slots.Select(s => new OptionInstrument(Deribit,
            $"BTC-{expiry.Label}-{s.Instrument.Strike}-{(s.Instrument.Type == OptionType.Call ? 'C' : 'P')}", "BTC", s.Instrument.ExpiryUtc,
            s.Instrument.Strike, s.Instrument.Type, priceCurrency: "BTC")).ToList();
        collector.Book.AddInstruments(twins);
        var now = collector.Book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var twin in twins)
        {
            Assert.True(collector.Book.Index.TryGetSlot(Deribit, twin.Symbol, out var slot));
            var update = new QuoteUpdate { ExchangeTimeMs = now };
            update.Set(QuoteField.OpenInterest, 7);
            update.Set(QuoteField.MarkIv, 0.61);
            update.Set(QuoteField.MarkPrice, 1234.5);
            collector.Book.Apply(slot, update);
        }
        var sample = twins[twins.Count / 2];

        await Eventually.Until(async () => (string?)await database.HashGetAsync($"option:deribit:{sample.Symbol}", "price_currency") == "BTC",
            "the Deribit option's hash with its price currency");
        // Bybit's hashes stay the original tool's: no price_currency field.
        Assert.False(await database.HashExistsAsync($"option:{expiry.Slots[0].Instrument.Symbol}", "price_currency"));

        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await Eventually.Until(() => twins.All(t => web.Book.Index.TryGetSlot(Deribit, t.Symbol, out var copy) && copy.ReadQuote().OpenInterest == 7),
            "every Deribit option on the web instance");
        Assert.True(web.Book.Index.TryGetSlot(Deribit, sample.Symbol, out var webSample));
        Assert.Equal("BTC", webSample.Instrument.PriceCurrency);
        Assert.True(web.Book.Index.TryGetSlot(Venue.Bybit, expiry.Slots[0].Instrument.Symbol, out var webBybit));
        Assert.Null(webBybit.Instrument.PriceCurrency);

        // The web instance's analytics: Deribit's own positioning counts its 7 contracts per option; the combined answer
        // names both venues; a venue that is none is a 400 naming the parameter.
        var client = web.Client;
        using var own = JsonDocument.Parse(await client.GetStringAsync($"/api/analytics/BTC/strikes?expiry={expiry.Label}&venue=deribit", cancellationToken));
        Assert.Equal("deribit", own.RootElement.GetProperty("venue").GetString());
        Assert.Equal(["deribit"], own.RootElement.GetProperty("venues").EnumerateArray().Select(v => v.GetString()));
        foreach (var strike in own.RootElement.GetProperty("data").EnumerateArray())
        {
            Assert.Equal(7, strike.GetProperty("call_oi").GetDouble());
            Assert.Equal(7, strike.GetProperty("put_oi").GetDouble());
        }
        using var combined = JsonDocument.Parse(await client.GetStringAsync("/api/analytics/BTC/term", cancellationToken));
        Assert.Equal("all", combined.RootElement.GetProperty("venue").GetString());
        Assert.Equal(["bybit", "deribit"], combined.RootElement.GetProperty("venues").EnumerateArray().Select(v => v.GetString()));
        var term = combined.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Contains(term, e => e.GetProperty("venue").GetString() == "bybit");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", term.Select(e => $"{e.GetProperty("expiry").GetString()}: IV from {e.GetProperty("venue").GetString()}")));
        using var bad = await client.GetAsync("/api/analytics/BTC/term?venue=nowhere", cancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("venue", await bad.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconciliation_removes_orphans_only_of_a_venue_whose_options_of_the_coin_are_loaded()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartAsync();
        var database = await redis.DatabaseAsync();
        // Left by an earlier collector: a Bybit option no longer listed, and a Deribit one this collector (Bybit only)
        // knows nothing of: another collector's venue, not its orphan.
        const string bybitOrphan = "BTC-26DEC25-1000-C-USDT";
        const string deribitMember = "deribit:BTC-26DEC25-1000-C";
        await database.SetAddAsync("options:coin:BTC", [bybitOrphan, deribitMember]);
        await database.HashSetAsync($"option:{bybitOrphan}", "symbol", bybitOrphan);
        await database.HashSetAsync($"option:{deribitMember}", "symbol", "BTC-26DEC25-1000-C");

        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 20 }, cancellationToken);
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();

        await Eventually.Until(async () => !await database.SetContainsAsync("options:coin:BTC", bybitOrphan), "the Bybit orphan reconciled away");
        Assert.False(await database.KeyExistsAsync($"option:{bybitOrphan}"));
        Assert.True(await database.SetContainsAsync("options:coin:BTC", deribitMember));
        Assert.True(await database.KeyExistsAsync($"option:{deribitMember}"));
    }
}
