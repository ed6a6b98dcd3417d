using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// Both venues end to end: a collector of Bybit and Deribit (their simulators over one market) writes Redis, a web
/// instance reads both venues back and answers their analytics per venue and combined; the collector's history records
/// both venues' quotes and each venue's own measures.
/// </summary>
public sealed class BothVenuesEndToEndTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("optionstracker-venues-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on the way out: the temporary folder is cleaned by the system.
        }
    }

    [Fact]
    public async Task Both_venues_reach_a_web_instance_through_redis_and_the_history_records_both()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartAsync();
        await using var collector = await TrackerApp.StartWithBothVenuesAsync(RedisTestSettings.For(redis.Endpoint, "collector").With(new Dictionary<string, string?>
        {
            ["History:Enabled"] = "true",
            ["History:Path"] = Path.Combine(_directory, "history.duckdb"),
            ["History:Interval"] = "00:00:01",
            ["History:Backfill"] = "00:00:00",
        }));
        var deribit = Venue.Parse("deribit");
        await Eventually.Until(() => collector.Book.Index.Venues.Count == 2 && collector.Book.Index.TryGetCoin("BTC", out var btc) && btc.IsMultiVenue,
            "both venues' BTC options in the collector's book");

        await using var web = await TrackerApp.StartAsync(collector.Simulator!, RedisTestSettings.For(redis.Endpoint, "web")
            .With(TrackerApp.DeribitSettings(collector.Deribit!)));
        await Eventually.Until(() => web.Book.Index.TryGetCoin("BTC", out var btc) && btc.IsMultiVenue
            && btc.Slots.Count(s => s.Instrument.Venue == deribit && s.ReadQuote().HasData) > 10,
            "Deribit's quoted BTC options on the web instance");

        // Each Deribit option on the web instance is the collector's: the same instrument, price currency included.
        Assert.True(web.Book.Index.TryGetCoin("BTC", out var webBtc));
        foreach (var slot in webBtc.Slots.Where(s => s.Instrument.Venue == deribit).Take(20))
        {
            Assert.True(collector.Book.Index.TryGetSlot(slot.Instrument.Key, out var original));
            Assert.Equal(original.Instrument.PriceCurrency, slot.Instrument.PriceCurrency);
            Assert.Equal(original.Instrument.ExpiryUtc, slot.Instrument.ExpiryUtc);
            Assert.Equal(original.Instrument.Strike, slot.Instrument.Strike);
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"web: {webBtc.Slots.Count(s => s.Instrument.Venue == Venue.Bybit)} Bybit and {webBtc.Slots.Count(s => s.Instrument.Venue == deribit)} Deribit BTC options; "
            + $"Deribit price currency {webBtc.Slots.First(s => s.Instrument.Venue == deribit).Instrument.PriceCurrency ?? "USD"}");

        // The web instance's analytics: combined over both venues, and each venue's own.
        using (var combined = JsonDocument.Parse(await web.Client.GetStringAsync("/api/analytics/BTC/strikes", cancellationToken)))
        {
            Assert.Equal("all", combined.RootElement.GetProperty("venue").GetString());
            Assert.Equal(["bybit", "deribit"], combined.RootElement.GetProperty("venues").EnumerateArray().Select(v => v.GetString()));
        }
        using (var own = JsonDocument.Parse(await web.Client.GetStringAsync("/api/analytics/BTC/term?venue=deribit", cancellationToken)))
        {
            Assert.Equal(["deribit"], own.RootElement.GetProperty("venues").EnumerateArray().Select(v => v.GetString()));
            Assert.All(own.RootElement.GetProperty("data").EnumerateArray(), e => Assert.Equal("deribit", e.GetProperty("venue").GetString()));
        }

        // The collector's history: each venue's own measures, and both venues' quotes on a recorded board.
        await Eventually.Until(async () =>
        {
            using var series = JsonDocument.Parse(await collector.Client.GetStringAsync(
                "/api/history/BTC/measures?names=index_price&venue=deribit&interval=raw", cancellationToken));
            return series.RootElement.GetProperty("data").EnumerateArray().Any(r => r.GetProperty("index_price").ValueKind == JsonValueKind.Number);
        }, "Deribit's own BTC measures recorded");
        var at = Uri.EscapeDataString(collector.Book.TimeProvider.GetUtcNow().ToString("O"));
        using (var past = JsonDocument.Parse(await collector.Client.GetStringAsync($"/api/analytics/BTC/strikes?at={at}", cancellationToken)))
        {
            Assert.Equal(["bybit", "deribit"], past.RootElement.GetProperty("venues").EnumerateArray().Select(v => v.GetString()));
            TestContext.Current.TestOutputHelper?.WriteLine($"recorded board as of {past.RootElement.GetProperty("as_of").GetString()}: both venues");
        }
        using (var range = JsonDocument.Parse(await collector.Client.GetStringAsync("/api/history/BTC/range", cancellationToken)))
            Assert.Equal("bybit,deribit", range.RootElement.GetProperty("source").GetString());
    }
}
