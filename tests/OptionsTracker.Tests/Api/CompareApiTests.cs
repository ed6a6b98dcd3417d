using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>GET /api/compare/{asset}</c> (issue 19): the same option on two venues side by side, the best bid and ask across
/// them recomputed here from the book, the IV difference's sign, and the native prices of the coin-priced venue.
/// </summary>
public sealed class CompareApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<TrackerApp> StartBothVenuesAsync() =>
        TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));

    private static double? Number(JsonNode? node) => node is null ? null : (double)node;

    [Fact]
    public async Task Best_bid_and_ask_of_every_line_equal_a_recomputation_from_the_book()
    {
        await using var host = await StartBothVenuesAsync();
        BookBuilder.Fill(host.Book);
        // Deribit lists all but the 120000 strike, so some lines have one venue only.
        SecondVenue.ListLikeBybit(host.Book, "BTC", 101_000, which: i => i.Strike != 120000m);
        using var http = host.Http();
        Assert.True(host.Book.Index.TryGetCoin("BTC", out var coin));

        var checkedLines = 0;
        var crossVenue = 0;
        foreach (var expiry in coin.Expiries)
        {
            var body = await OptionsApiTests.GetJsonAsync(http, $"/api/compare/BTC?expiry={expiry.Label}");
            Assert.Equal(expiry.Label, (string?)body["expiry"]);
            Assert.Equal(["bybit", "deribit"], body["venues"]!.AsArray().Select(v => (string?)v));
            Assert.Equal("bybit", (string?)body["reference_venue"]);
            Assert.Equal("mark_iv(deribit) - mark_iv(bybit)", (string?)body["iv_difference"]);

            // The recomputation: the book's slots of this expiry, grouped by strike and type, each venue's shown bid (> 0).
            var expected = expiry.Slots
                .GroupBy(s => (s.Instrument.Strike, s.Instrument.Type))
                .OrderBy(g => g.Key.Strike).ThenBy(g => g.Key.Type)
                .ToList();
            var lines = body["data"]!.AsArray();
            Assert.Equal(expected.Count, (int)body["total"]!);
            Assert.Equal(expected.Count, lines.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i]!;
                var group = expected[i];
                Assert.Equal(group.Key.Strike, (decimal)line["strike"]!);
                Assert.Equal(group.Key.Type == OptionType.Call ? "Call" : "Put", (string?)line["type"]);
                var quotes = group.Select(s => (Venue: s.Instrument.Venue.Id, Quote: s.ReadQuote())).ToList();
                Assert.Equal(quotes.Select(q => q.Venue).Order(), line["quotes"]!.AsObject().Select(p => p.Key).Order());

                var bids = quotes.Where(q => q.Quote.BidPrice > 0).ToList();
                var asks = quotes.Where(q => q.Quote.AskPrice > 0).ToList();
                if (bids.Count == 0)
                {
                    Assert.Null(line["best_bid"]);
                }
                else
                {
                    var top = bids.Max(q => q.Quote.BidPrice);
                    // A tie goes to the first venue in the configured order (bybit).
                    var venue = bids.Where(q => q.Quote.BidPrice == top).OrderBy(q => q.Venue == "bybit" ? 0 : 1).First();
                    Assert.Equal(venue.Venue, (string?)line["best_bid"]!["venue"]);
                    Assert.Equal(top, (double)line["best_bid"]!["price"]!);
                    Assert.Equal(venue.Quote.BidSize, Number(line["best_bid"]!["size"]) ?? double.NaN);
                }
                if (asks.Count == 0)
                {
                    Assert.Null(line["best_ask"]);
                }
                else
                {
                    var low = asks.Min(q => q.Quote.AskPrice);
                    var venue = asks.Where(q => q.Quote.AskPrice == low).OrderBy(q => q.Venue == "bybit" ? 0 : 1).First();
                    Assert.Equal(venue.Venue, (string?)line["best_ask"]!["venue"]);
                    Assert.Equal(low, (double)line["best_ask"]!["price"]!);
                }
                Assert.Equal(bids.Count > 0 && asks.Count > 0 && bids.Max(q => q.Quote.BidPrice) > asks.Min(q => q.Quote.AskPrice), (bool)line["crossed"]!);

                // The IV difference: Deribit's mark IV minus Bybit's, on the line and on Deribit's quote; none on Bybit's.
                var bybit = quotes.Where(q => q.Venue == "bybit").Select(q => q.Quote.MarkIv).DefaultIfEmpty(double.NaN).First();
                var deribit = quotes.Where(q => q.Venue == "deribit").Select(q => q.Quote.MarkIv).DefaultIfEmpty(double.NaN).First();
                var difference = deribit - bybit;
                Assert.Equal(double.IsFinite(difference) ? difference : null, Number(line["mark_iv_diff"]));
                if (quotes.Count == 2)
                {
                    crossVenue++;
                    Assert.Equal(double.IsFinite(difference) ? difference : null, Number(line["quotes"]!["deribit"]!["mark_iv_diff"]));
                    Assert.Null(line["quotes"]!["bybit"]!["mark_iv_diff"]);
                }
                checkedLines++;
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{checkedLines} lines checked, {crossVenue} listed on both venues");
        Assert.True(crossVenue > 40, $"only {crossVenue} lines on both venues");
    }

    [Fact]
    public async Task A_coin_priced_venue_shows_its_native_prices_and_a_dollar_priced_one_does_not()
    {
        await using var host = await StartBothVenuesAsync();
        BookBuilder.Fill(host.Book);
        SecondVenue.ListLikeBybit(host.Book, "BTC", 101_000);
        using var http = host.Http();

        var body = await OptionsApiTests.GetJsonAsync(http, "/api/compare/BTC");
        var line = body["data"]!.AsArray().First(l => l!["quotes"]!["deribit"]!["mark_price"] is not null && l["quotes"]!["bybit"] is not null)!;
        var deribit = line["quotes"]!["deribit"]!;
        Assert.Equal("BTC", (string?)deribit["price_currency"]);
        Assert.Equal((double)deribit["mark_price"]! / 101_000, (double)deribit["mark_price_native"]!, 12);
        var bybit = line["quotes"]!["bybit"]!;
        Assert.Null(bybit["price_currency"]);
        Assert.Null(bybit["mark_price_native"]);

        // The option items carry them when asked (and /api/option always), never in a default list.
        var symbol = (string)deribit["symbol"]!;
        var item = await OptionsApiTests.GetJsonAsync(http, $"/api/option/{symbol}?venue=deribit");
        Assert.Equal("BTC", (string?)item["price_currency"]);
        Assert.Equal((double)item["mark_price"]! / (double)item["index_price"]!, (double)item["mark_price_native"]!, 12);
        var list = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=deribit&fields=symbol,price_currency,bid_price_native,ask_price_native");
        Assert.All(list["data"]!.AsArray(), i => Assert.Equal("BTC", (string?)i!["price_currency"]));
        var bybitList = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=bybit&fields=symbol,price_currency,mark_price_native");
        Assert.All(bybitList["data"]!.AsArray(), i => Assert.Null(i!["mark_price_native"]));
        var plain = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=deribit");
        Assert.All(plain["data"]!.AsArray(), i => Assert.False(i!.AsObject().ContainsKey("mark_price_native")));
        var csv = await http.GetStringAsync("/api/export/csv?asset=BTC&venue=deribit&fields=symbol,price_currency,mark_price_native", Ct);
        var row = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1].Split(',');
        Assert.Equal("BTC", row[1]);
        Assert.True(double.Parse(row[2], CultureInfo.InvariantCulture) < 1, "a native BTC price is a fraction of a coin");
    }

    [Fact]
    public async Task Without_an_expiry_the_nearest_answers_and_the_expiries_are_listed()
    {
        await using var host = await StartBothVenuesAsync();
        BookBuilder.Fill(host.Book);
        SecondVenue.ListLikeBybit(host.Book, "BTC", 101_000);
        using var http = host.Http();
        Assert.True(host.Book.Index.TryGetCoin("BTC", out var coin));

        var body = await OptionsApiTests.GetJsonAsync(http, "/api/compare/btc");

        Assert.Equal("BTC", (string?)body["asset"]);
        Assert.Equal(coin.Expiries[0].Label, (string?)body["expiry"]);
        Assert.Equal(coin.Expiries.Select(e => e.Label), body["expiries"]!.AsArray().Select(e => (string?)e));
    }

    [Theory]
    [InlineData("/api/compare/BTC?expiry=someday", "expiry", "is not an expiry. Use the 26DEC25 form")]
    [InlineData("/api/compare/BTC?expiry=2020-01-03", "expiry", "is not an expiry of BTC. Listed: ")]
    public async Task A_bad_or_unlisted_expiry_is_a_bad_request_saying_what_is_listed(string path, string parameter, string message)
    {
        await using var host = await StartBothVenuesAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Contains(message, (string)problem["errors"]![parameter]![0]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_asset_is_not_found_naming_the_tracked_ones()
    {
        await using var host = await StartBothVenuesAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync("/api/compare/DOGE", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Tracked assets: BTC, ETH, XRP", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
