using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// The cross-venue chain end to end (issue 19): both simulators over real sockets, both venues' feeds into one book, and
/// <c>/api/compare</c> matching each Deribit option with Bybit's of the same expiry instant, strike and type.
/// </summary>
public sealed class CompareBothSimulatorsTests
{
    [Fact]
    public async Task Both_venues_feeds_meet_on_the_compare_lines_and_each_best_price_is_the_best_of_its_line()
    {
        await using var host = await TrackerApp.StartWithBothVenuesAsync();
        var deribit = Venue.Parse("deribit");
        // Both venues listed and quoted: the feeds' own work, nothing put in the book by the test.
        await Eventually.Until(() => host.Book.Index.TryGetCoin("BTC", out var coin)
            && coin.Slots.Any(s => s.Instrument.Venue == deribit && s.ReadQuote().HasData)
            && coin.Slots.Any(s => s.Instrument.Venue == Venue.Bybit && s.ReadQuote().HasData),
            "BTC options of both venues in the book, quoted", 90);
        using var http = host.Http();
        Assert.True(host.Book.Index.TryGetCoin("BTC", out var btc));

        var lines = 0;
        var both = 0;
        foreach (var expiry in btc.Expiries.Take(3))
        {
            var body = await OptionsApiTests.GetJsonAsync(http, $"/api/compare/BTC?expiry={expiry.Label}");
            // The lines are the book's options of that expiry by strike and type, every venue's on the same line.
            var listed = expiry.Slots.GroupBy(s => (s.Instrument.Strike, s.Instrument.Type)).ToDictionary(g => g.Key, g => g.Select(s => s.Instrument.Venue.Id).Order().ToArray());
            foreach (var line in body["data"]!.AsArray())
            {
                var key = ((decimal)line!["strike"]!, (string)line["type"]! == "Call" ? OptionType.Call : OptionType.Put);
                var quotes = line["quotes"]!.AsObject();
                Assert.Equal(listed[key], quotes.Select(q => q.Key).Order().ToArray());
                lines++;
                if (quotes.Count < 2)
                    continue;
                both++;
                // Quotes move between two reads of the book, so the best prices are checked against the answer's own quotes.
                var bids = quotes.Where(q => q.Value!["bid_price"] is not null).Select(q => (Venue: q.Key, Price: (double)q.Value!["bid_price"]!)).ToList();
                var asks = quotes.Where(q => q.Value!["ask_price"] is not null).Select(q => (Venue: q.Key, Price: (double)q.Value!["ask_price"]!)).ToList();
                if (bids.Count > 0)
                    Assert.Equal(bids.Max(b => b.Price), (double)line["best_bid"]!["price"]!);
                if (asks.Count > 0)
                    Assert.Equal(asks.Min(a => a.Price), (double)line["best_ask"]!["price"]!);
                Assert.Equal("BTC", (string?)quotes["deribit"]!["price_currency"]);
                Assert.Null(quotes["bybit"]!["price_currency"]);
                if (quotes["deribit"]!["mark_iv"] is { } deribitIv && quotes["bybit"]!["mark_iv"] is { } bybitIv)
                    Assert.Equal((double)deribitIv - (double)bybitIv, (double)line["mark_iv_diff"]!, 12);
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{lines} lines, {both} on both venues");
        Assert.True(both > 0, "no option matched across the two venues");
    }
}
