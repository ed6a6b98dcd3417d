using System.Net;
using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>venue</c> on every endpoint that lists or reads options (issue 19): default all configured venues, one venue's
/// options only when named, a clear 400 naming the known venues for any other.
/// </summary>
public sealed class VenueReadersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/expiries/BTC?venue=kraken")]
    [InlineData("/api/strikes/BTC?venue=kraken")]
    [InlineData("/api/summary/BTC?venue=kraken")]
    [InlineData("/api/greeks/BTC?venue=kraken")]
    [InlineData("/api/atm/BTC?venue=kraken")]
    [InlineData("/api/high-volume?venue=kraken")]
    [InlineData("/api/high-iv?venue=kraken")]
    [InlineData("/api/recent?venue=kraken")]
    [InlineData("/api/symbols?venue=kraken")]
    [InlineData("/api/export/json?venue=kraken")]
    [InlineData("/api/trades/BTC?venue=kraken")]
    [InlineData("/api/stream/BTC?venue=kraken")]
    public async Task An_unknown_venue_is_a_bad_request_naming_the_configured_ones(string path)
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("'kraken' is not a venue. Use one of bybit, deribit, or all.", (string?)problem["errors"]!["venue"]![0]);
    }

    [Fact]
    public async Task The_query_body_names_a_bad_venue_too()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.PostAsync("/api/query", new StringContent("""{"asset":"BTC","venue":"kraken"}""", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'kraken' is not a venue", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_reader_answers_one_venue_when_asked_and_every_venue_by_default()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));
        BookBuilder.Fill(host.Book);
        // Deribit lists the BTC options of the two nearest expiries only, so its expiries, strikes and counts differ.
        var expiries = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow());
        var deribit = SecondVenue.ListLikeBybit(host.Book, "BTC", 101_000, which: i => i.ExpiryDate <= expiries[1] && i.Strike >= 90000m);
        using var http = host.Http();
        Assert.True(host.Book.Index.TryGetCoin("BTC", out var coin));
        var bybitCount = coin.Slots.Count(s => s.Instrument.Venue == Venue.Bybit);

        var allExpiries = await OptionsApiTests.GetJsonAsync(http, "/api/expiries/BTC");
        var deribitExpiries = await OptionsApiTests.GetJsonAsync(http, "/api/expiries/BTC?venue=deribit");
        Assert.Equal(4, (int)allExpiries["total"]!);
        Assert.Equal(coin.Slots.Count, allExpiries["data"]!.AsArray().Sum(e => (int)e!["count"]!));
        Assert.Equal(2, (int)deribitExpiries["total"]!);
        Assert.Equal(deribit.Count, deribitExpiries["data"]!.AsArray().Sum(e => (int)e!["count"]!));

        var strikes = await OptionsApiTests.GetJsonAsync(http, "/api/strikes/BTC?venue=deribit");
        Assert.Equal(deribit.Select(s => s.Instrument.Strike).Distinct().Order(), strikes["data"]!.AsArray().Select(s => (decimal)s!));

        var summary = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC?venue=deribit");
        var summaryAll = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC");
        var summaryBybit = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC?venue=bybit");
        Assert.Equal(deribit.Count, (int)summary["total"]!);
        Assert.Equal(bybitCount, (int)summaryBybit["total"]!);
        Assert.Equal(coin.Slots.Count, (int)summaryAll["total"]!);
        Assert.Equal(2, summary["max_pain"]!.AsArray().Count);

        var greeks = await OptionsApiTests.GetJsonAsync(http, "/api/greeks/BTC?venue=deribit");
        Assert.Equal(deribit.Count, (int)greeks["total"]!);

        var symbols = await OptionsApiTests.GetJsonAsync(http, "/api/symbols?asset=BTC&venue=deribit");
        Assert.Equal(deribit.Select(s => s.Instrument.Symbol).Order(), symbols["data"]!.AsArray().Select(s => (string?)s).Order());

        foreach (var path in new[] { "/api/atm/BTC?venue=deribit", "/api/high-iv?min_iv=0&venue=deribit&limit=1000", "/api/recent?seconds=86400&venue=deribit", "/api/export/json?asset=BTC&venue=deribit" })
        {
            var list = await OptionsApiTests.GetJsonAsync(http, path);
            Assert.NotEmpty(list["data"]!.AsArray());
            Assert.All(list["data"]!.AsArray(), i => Assert.Equal("deribit", (string?)i!["venue"]));
        }
        var highIv = await OptionsApiTests.GetJsonAsync(http, "/api/high-iv?min_iv=0&limit=1000&asset=BTC");
        Assert.Equal(["bybit", "deribit"], highIv["data"]!.AsArray().Select(i => (string)i!["venue"]!).Distinct().Order());

        using var query = await http.PostAsync("/api/query", new StringContent("""{"asset":"BTC","venue":"deribit","limit":1000}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var queried = JsonNode.Parse(await query.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(deribit.Count, (int)queried["total"]!);
    }

    [Fact]
    public async Task A_stream_of_one_venue_sends_that_venues_options_only()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));
        BookBuilder.Fill(host.Book);
        var deribit = SecondVenue.ListLikeBybit(host.Book, "BTC", 101_000);
        using var http = host.Http();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));

        await using var events = await SseEvents.OpenAsync(http, "/api/stream/BTC?venue=deribit", timeout.Token);
        var snapshot = await events.NextAsync(timeout.Token);
        Assert.Equal(deribit.Count, snapshot.Data["data"]!.AsArray().Count);
        Assert.All(snapshot.Data["data"]!.AsArray(), i => Assert.Equal("deribit", (string?)i!["venue"]));

        // A Bybit change is not this stream's; the Deribit change after it is.
        BookBuilder.SetMarkPrice(host.Book, host.Book.Index.All.First(s => s.Instrument.Venue == Venue.Bybit && s.Instrument.BaseCoin == "BTC").Instrument.Symbol, 1234.5);
        SecondVenue.Quote(host.Book, deribit[3], new Random(3), 101_500, host.Book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var update = await events.NextAsync(timeout.Token);
        Assert.Equal("update", update.Event);
        Assert.Equal([deribit[3].Instrument.Symbol], update.Data["data"]!.AsArray().Select(i => (string?)i!["symbol"]));
    }

    [Fact]
    public async Task A_websocket_subscription_of_one_venue_gets_that_venues_options_and_a_bad_venue_is_an_error()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));
        BookBuilder.Fill(host.Book);
        var deribit = SecondVenue.ListLikeBybit(host.Book, "BTC", 101_000);
        using var http = host.Http();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http.BaseAddress!.Port}/ws"), timeout.Token);

        await StreamApiTests.SendAsync(socket, """{"op":"subscribe","asset":"BTC","venue":"kraken"}""", timeout.Token);
        var error = await StreamApiTests.ReceiveAsync(socket, timeout.Token);
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal("'kraken' is not a venue. Use one of bybit, deribit, or all.", (string?)error["message"]);

        await StreamApiTests.SendAsync(socket, """{"op":"subscribe","asset":"BTC","venue":"deribit"}""", timeout.Token);
        Assert.Equal("subscribed", (string?)(await StreamApiTests.ReceiveAsync(socket, timeout.Token))["type"]);
        var snapshot = await StreamApiTests.ReceiveAsync(socket, timeout.Token);
        Assert.Equal(deribit.Count, (int)snapshot["total"]!);
        Assert.All(snapshot["data"]!.AsArray(), i => Assert.Equal("deribit", (string?)i!["venue"]));
    }
}
