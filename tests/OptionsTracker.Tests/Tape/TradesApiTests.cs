using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The tape's API on a real host (no exchange; the test appends trades to the host's <see cref="TradeTape"/>, as the
/// feed would): filters and their validation, CSV, the SSE stream's resume, <c>/ws</c>'s trades channel, and the flow
/// against a recomputation from <c>/api/trades</c>.
/// </summary>
public class TradesApiTests
{
    private static TradeTape TapeOf(TrackerApp host) => host.Services.GetRequiredService<TradeTape>();

    private static CancellationTokenSource Timeout()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Eventually.Timeout);
        return source;
    }

    [Fact]
    public async Task Trades_are_listed_newest_first_and_every_filter_selects_what_it_names()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        var now = DateTimeOffset.UtcNow;
        var appended = TapeOf(host).Append(FlowTests.SampleTrades(now, 300, seed: 3));
        using var http = host.Http();
        var ct = TestContext.Current.CancellationToken;

        var all = await ItemsAsync(http, "/api/trades/btc?limit=50000", ct);
        Assert.Equal(appended.Select(t => t.Sequence).Reverse(), all.Select(i => (long)i["sequence"]!));
        var first = appended[^1];
        var item = all[0];
        Assert.Equal(first.Id, (string?)item["id"]);
        Assert.Equal(first.Symbol, (string?)item["symbol"]);
        Assert.Equal(first.Time.UtcDateTime, (DateTime)item["time"]!);
        Assert.Equal(first.Size, (double)item["size"]!);
        Assert.Equal(first.Price, (double)item["price"]!);
        Assert.Equal(first.PremiumUsd, (double)item["premium_usd"]!);
        Assert.Equal(first.Iv, (double)item["iv"]!);
        Assert.Equal(first.Side == TradeSide.Buy ? "Buy" : "Sell", (string?)item["side"]);
        Assert.Equal(first.IsBlock, (bool)item["block"]!);
        Assert.Equal(100, (await ItemsAsync(http, "/api/trades/BTC", ct)).Count);

        var expiry = appended[0].ExpiryUtc;
        var since = appended[200].Time;
        var cases = new (string Query, Func<Trade, bool> Expected)[]
        {
            ($"since={since.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}", t => t.Time >= since),
            ($"symbol={appended[7].Symbol.ToLowerInvariant()}", t => t.Symbol == appended[7].Symbol),
            ($"expiry={ExpiryLabel.Format(DateOnly.FromDateTime(expiry.UtcDateTime))}", t => t.ExpiryUtc == expiry),
            ("strike=100000", t => t.Strike == 100_000),
            ("type=put", t => t.Type == OptionType.Put),
            ("side=buy", t => t.Side == TradeSide.Buy),
            ("min_size=10", t => t.Size >= 10),
            ("min_premium=20000", t => t.PremiumUsd >= 20_000),
            ("block=true", t => t.IsBlock),
            ("block=false", t => !t.IsBlock),
            ($"before={appended[100].Sequence}", t => t.Sequence < appended[100].Sequence),
            ("side=sell&type=call&min_size=5", t => t.Side == TradeSide.Sell && t.Type == OptionType.Call && t.Size >= 5),
        };
        foreach (var (query, expected) in cases)
        {
            var items = await ItemsAsync(http, $"/api/trades/BTC?limit=50000&{query}", ct);
            var want = appended.Where(expected).Reverse().Select(t => t.Id).ToList();
            Assert.True(want.Count > 0, $"{query}: the sample has no such trade");
            Assert.Equal(want, items.Select(i => (string)i["id"]!));
        }
        var limited = await ItemsAsync(http, "/api/trades/BTC?limit=7&side=sell", ct);
        Assert.Equal(appended.Where(t => t.Side == TradeSide.Sell).Reverse().Take(7).Select(t => t.Id), limited.Select(i => (string)i["id"]!));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=50001", "limit")]
    [InlineData("side=up", "side")]
    [InlineData("type=future", "type")]
    [InlineData("min_size=-1", "min_size")]
    [InlineData("min_premium=lots", "min_premium")]
    [InlineData("block=maybe", "block")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-12-01T09:30:00", "since")]
    [InlineData("expiry=someday", "expiry")]
    [InlineData("strike=-5", "strike")]
    [InlineData("before=0", "before")]
    [InlineData("format=xml", "format")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string parameter)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        using var response = await http.GetAsync($"/api/trades/BTC?{query}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.NotNull(problem["errors"]![parameter]);
        Assert.Contains(parameter, (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/trades/DOGE")]
    [InlineData("/api/trades/stream/DOGE")]
    [InlineData("/api/flow/DOGE")]
    public async Task An_unknown_asset_is_a_404_naming_the_tracked_ones(string path)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("BTC", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/flow/BTC?window=8d", "window")]
    [InlineData("/api/flow/BTC?window=soon", "window")]
    [InlineData("/api/flow/BTC?largest=101", "largest")]
    [InlineData("/api/trades/stream/BTC?after=-1", "after")]
    [InlineData("/api/trades/stream/BTC?venue=nowhere", "venue")]
    [InlineData("/api/flow/BTC?venue=nowhere", "venue")]
    public async Task Bad_flow_and_stream_parameters_are_400s_naming_them(string path, string parameter)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.NotNull(problem["errors"]![parameter]);
    }

    [Fact]
    public async Task Csv_has_the_items_fields_and_rows()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        TapeOf(host).Append(FlowTests.SampleTrades(DateTimeOffset.UtcNow, 40, seed: 4));
        using var http = host.Http();
        var ct = TestContext.Current.CancellationToken;

        var items = await ItemsAsync(http, "/api/trades/BTC?block=false&limit=30", ct);
        using var response = await http.GetAsync("/api/trades/BTC?block=false&limit=30&format=csv", ct);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("trades-BTC-", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync(ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        var header = lines[0].Split(',');
        Assert.Equal(items.Count, lines.Length - 1);
        Assert.Equal(items[0].AsObject().Select(p => p.Key), header);
        for (var row = 0; row < items.Count; row++)
        {
            var cells = lines[row + 1].Split(',');
            for (var column = 0; column < header.Length; column++)
            {
                var value = items[row][header[column]];
                var cell = cells[column];
                switch (value?.GetValueKind())
                {
                    case null:
                        Assert.Equal("", cell);
                        break;
                    case System.Text.Json.JsonValueKind.Number:
                        Assert.Equal((double)value, double.Parse(cell, CultureInfo.InvariantCulture));
                        break;
                    case System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False:
                        Assert.Equal((bool)value ? "true" : "false", cell);
                        break;
                    default:
                        var text = (string)value!;
                        if (header[column] is "time" or "expiry_date")
                            Assert.Equal(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTime.Parse(cell, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
                        else
                            Assert.Equal(text, cell);
                        break;
                }
            }
        }
    }

    [Fact]
    public async Task The_sse_stream_and_the_flow_of_one_venue_carry_that_venues_trades_only()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>(SecondVenue.BothVenues));
        var tape = TapeOf(host);
        var bybit = FlowTests.SampleTrades(DateTimeOffset.UtcNow, 40, seed: 6);
        var deribit = FlowTests.SampleTrades(DateTimeOffset.UtcNow.AddSeconds(-20), 40, seed: 7)
            .Select(t => t with { Venue = SecondVenue.Deribit, Id = "d-" + t.Id }).ToList();
        tape.Append([.. bybit.Concat(deribit).OrderBy(t => t.TimeMs)]);
        using var http = host.Http();
        using var timeout = Timeout();

        var received = new List<string>();
        using (var stream = await OpenSseAsync(http, "/api/trades/stream/BTC?after=0&venue=deribit", null, timeout.Token))
        {
            await using var events = stream.Events.GetAsyncEnumerator(timeout.Token);
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("subscribed", events.Current.EventType);
            while (received.Count < deribit.Count && await events.MoveNextAsync())
            {
                var item = JsonNode.Parse(events.Current.Data)!;
                Assert.Equal("deribit", (string?)item["venue"]);
                received.Add((string)item["id"]!);
            }
        }
        Assert.Equal(deribit.Select(t => t.Id).Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));

        var flow = JsonNode.Parse(await http.GetStringAsync("/api/flow/BTC?window=24h&venue=deribit", timeout.Token))!;
        Assert.Equal(deribit.Count, (int)flow["total"]!["trades"]!);
        var all = JsonNode.Parse(await http.GetStringAsync("/api/flow/BTC?window=24h", timeout.Token))!;
        Assert.Equal(bybit.Count + deribit.Count, (int)all["total"]!["trades"]!);
    }

    [Fact]
    public async Task The_sse_stream_resumes_with_last_event_id_losing_and_repeating_nothing()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        var tape = TapeOf(host);
        var trades = FlowTests.SampleTrades(DateTimeOffset.UtcNow, 500, seed: 5);
        tape.Append(trades.Take(200));
        using var http = host.Http();
        using var timeout = Timeout();
        var received = new List<(long Id, string TradeId)>();

        // First connection: everything held (after=0), then live trades; it leaves after 250.
        using (var stream = await OpenSseAsync(http, "/api/trades/stream/BTC?after=0", null, timeout.Token))
        {
            await using var events = stream.Events.GetAsyncEnumerator(timeout.Token);
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("subscribed", events.Current.EventType);
            tape.Append(trades.Skip(200).Take(100));
            while (received.Count < 250 && await events.MoveNextAsync())
            {
                Assert.Equal("trade", events.Current.EventType);
                var item = JsonNode.Parse(events.Current.Data)!;
                Assert.Equal(events.Current.EventId, ((long)item["sequence"]!).ToString(CultureInfo.InvariantCulture));
                received.Add((long.Parse(events.Current.EventId!, CultureInfo.InvariantCulture), (string)item["id"]!));
            }
        }
        // Trades happen while the client is away.
        tape.Append(trades.Skip(300));

        using (var stream = await OpenSseAsync(http, "/api/trades/stream/BTC", received[^1].Id.ToString(CultureInfo.InvariantCulture), timeout.Token))
        {
            await using var events = stream.Events.GetAsyncEnumerator(timeout.Token);
            Assert.True(await events.MoveNextAsync());
            Assert.Equal("subscribed", events.Current.EventType);
            Assert.Equal(received[^1].Id, (long)JsonNode.Parse(events.Current.Data)!["after"]!);
            while (received.Count < trades.Count && await events.MoveNextAsync())
            {
                Assert.Equal("trade", events.Current.EventType);
                received.Add((long.Parse(events.Current.EventId!, CultureInfo.InvariantCulture), (string)JsonNode.Parse(events.Current.Data)!["id"]!));
            }
        }

        Assert.Equal(trades.Select(t => t.Id), received.Select(r => r.TradeId));
        Assert.Equal(Enumerable.Range(1, trades.Count).Select(i => (long)i), received.Select(r => r.Id));
    }

    [Fact]
    public async Task A_resume_older_than_the_tape_is_told_the_gap()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Tape:Keep"] = "100" });
        var tape = TapeOf(host);
        tape.Append(FlowTests.SampleTrades(DateTimeOffset.UtcNow, 150, seed: 6));
        using var http = host.Http();
        using var timeout = Timeout();

        using var stream = await OpenSseAsync(http, "/api/trades/stream/BTC", "10", timeout.Token);
        await using var events = stream.Events.GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("subscribed", events.Current.EventType);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("gap", events.Current.EventType);
        var gap = JsonNode.Parse(events.Current.Data)!;
        Assert.Equal(11, (long)gap["from"]!);
        Assert.Equal(50, (long)gap["to"]!);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("51", events.Current.EventId);
    }

    [Fact]
    public async Task The_ws_trades_channel_delivers_every_trade_in_order_with_its_sequence_and_unsubscribes()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        var tape = TapeOf(host);
        var trades = FlowTests.SampleTrades(DateTimeOffset.UtcNow, 120, seed: 7);
        tape.Append(trades.Take(40));
        using var http = host.Http();
        using var timeout = Timeout();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http.BaseAddress!.Port}/ws"), timeout.Token);

        foreach (var (message, expected) in new[]
        {
            ("""{"op":"subscribe","channel":"trades","asset":"BTC","after":-1}""", "'after'"),
            ("""{"op":"subscribe","channel":"candles","asset":"BTC"}""", "'channel'"),
            ("""{"op":"subscribe","channel":"trades","asset":"BTC","expiry":"26DEC25"}""", "every trade"),
            ("""{"op":"subscribe","asset":"BTC","after":3}""", "trades channel"),
        })
        {
            await SendAsync(socket, message, timeout.Token);
            var error = await ReceiveAsync(socket, timeout.Token);
            Assert.Equal("error", (string?)error["type"]);
            Assert.Contains(expected, (string?)error["message"], StringComparison.Ordinal);
        }

        await SendAsync(socket, """{"op":"subscribe","channel":"trades","asset":"btc","after":0}""", timeout.Token);
        var subscribed = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal("subscribed", (string?)subscribed["type"]);
        Assert.Equal("trades", (string?)subscribed["channel"]);
        Assert.Equal("BTC", (string?)subscribed["asset"]);
        tape.Append(trades.Skip(40));

        var received = new List<JsonNode>();
        while (received.Count < trades.Count)
        {
            var message = await ReceiveAsync(socket, timeout.Token);
            Assert.Equal("trades", (string?)message["type"]);
            received.AddRange(message["data"]!.AsArray()!);
        }
        Assert.Equal(trades.Select(t => t.Id), received.Select(i => (string)i["id"]!));
        Assert.Equal(Enumerable.Range(1, trades.Count).Select(i => (long)i), received.Select(i => (long)i["sequence"]!));

        await SendAsync(socket, """{"op":"unsubscribe","channel":"trades"}""", timeout.Token);
        Assert.Equal("unsubscribed", (string?)(await ReceiveAsync(socket, timeout.Token))["type"]);
        // Nothing more comes for a trade now; an error for a bad message still does, and is the next message.
        tape.Append(FlowTests.SampleTrades(DateTimeOffset.UtcNow, 3, seed: 8));
        await SendAsync(socket, """{"op":"dance"}""", timeout.Token);
        Assert.Equal("error", (string?)(await ReceiveAsync(socket, timeout.Token))["type"]);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
    }

    [Fact]
    public async Task Flow_figures_equal_a_recomputation_from_the_trades_items()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        var now = DateTimeOffset.UtcNow;
        // Trades over the last 50 minutes and two to three hours ago: none near the hour window's edge, so the two
        // requests below (a moment apart) see the same trades in it.
        var older = FlowTests.SampleTrades(now - TimeSpan.FromHours(2), 60, seed: 9).Select(t => t with { Id = "old-" + t.Id }).ToList();
        var recent = FlowTests.SampleTrades(now, 50, seed: 10);
        TapeOf(host).Append([.. older, .. recent]);
        using var http = host.Http();
        var ct = TestContext.Current.CancellationToken;

        var flow = JsonNode.Parse(await http.GetStringAsync("/api/flow/BTC?window=1h&largest=5", ct))!;
        Assert.Equal("1h", (string?)flow["window"]);
        Assert.True((bool)flow["complete"]!);
        var from = (DateTime)flow["from"]!;
        var items = await ItemsAsync(http, $"/api/trades/BTC?limit=50000&since={from:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}", ct);
        Assert.Equal(50, items.Count);
        var trades = items.Select(TradeOfItem).ToList();

        FlowAssert.Equal(FlowAssert.Recompute(trades), Figures(flow["total"]!));
        foreach (var strike in flow["by_strike"]!.AsArray())
            FlowAssert.Equal(FlowAssert.Recompute(trades.Where(t => t.Strike == (decimal)strike!["strike"]!)), Figures(strike!));
        foreach (var expiry in flow["by_expiry"]!.AsArray())
            FlowAssert.Equal(FlowAssert.Recompute(trades.Where(t => t.ExpiryUtc.UtcDateTime == (DateTime)expiry!["expiry_date"]!)), Figures(expiry!));
        foreach (var type in flow["by_type"]!.AsArray())
            FlowAssert.Equal(FlowAssert.Recompute(trades.Where(t => (t.Type == OptionType.Call ? "Call" : "Put") == (string)type!["type"]!)), Figures(type!));
        Assert.Equal(trades.OrderByDescending(t => t.PremiumUsd).ThenByDescending(t => t.TimeMs).Take(5).Select(t => t.Id),
            flow["largest"]!.AsArray().Select(i => (string)i!["id"]!));

        // The day's window reaches back to the last 08:00 UTC; the tape's memory starts at its oldest trade (3 hours ago),
        // so the figures are complete when 08:00 is after it, and otherwise complete from that trade on.
        var oldest = older.First().Time.UtcDateTime;
        var day = JsonNode.Parse(await http.GetStringAsync("/api/flow/BTC", ct))!;
        Assert.Equal("day", (string?)day["window"]);
        var dayStart = (DateTime)day["from"]!;
        Assert.Equal(dayStart >= oldest, (bool)day["complete"]!);
        Assert.Equal(dayStart >= oldest ? dayStart : oldest, (DateTime)day["complete_from"]!);
        Assert.Equal(0, (int)day["history_trades"]!);
    }

    /// <summary>A trade read back from its API item (the fields the flow adds up).</summary>
    private static Trade TradeOfItem(JsonNode item) => new()
    {
        Venue = Venue.Bybit,
        Id = (string)item["id"]!,
        Symbol = (string)item["symbol"]!,
        BaseCoin = "BTC",
        ExpiryUtc = new DateTimeOffset(DateTime.SpecifyKind((DateTime)item["expiry_date"]!, DateTimeKind.Utc)),
        Strike = (decimal)item["strike"]!,
        Type = (string)item["type"]! == "Call" ? OptionType.Call : OptionType.Put,
        TimeMs = new DateTimeOffset(DateTime.SpecifyKind((DateTime)item["time"]!, DateTimeKind.Utc)).ToUnixTimeMilliseconds(),
        Side = (string)item["side"]! == "Buy" ? TradeSide.Buy : TradeSide.Sell,
        Size = (double)item["size"]!,
        Price = (double)item["price"]!,
        IsBlock = (bool)item["block"]!,
        BlockId = (string?)item["block_id"],
        Delta = (double?)item["delta"] ?? double.NaN,
        Gamma = (double?)item["gamma"] ?? double.NaN,
        Vega = (double?)item["vega"] ?? double.NaN,
    };

    internal static FlowFigures Figures(JsonNode node) => new()
    {
        Trades = (int)node["trades"]!,
        BuyTrades = (int)node["buy_trades"]!,
        SellTrades = (int)node["sell_trades"]!,
        BlockTrades = (int)node["block_trades"]!,
        Blocks = (int)node["blocks"]!,
        Volume = (double)node["volume"]!,
        BuyVolume = (double)node["buy_volume"]!,
        SellVolume = (double)node["sell_volume"]!,
        NetVolume = (double)node["net_volume"]!,
        CallVolume = (double)node["call_volume"]!,
        PutVolume = (double)node["put_volume"]!,
        PremiumUsd = (double)node["premium_usd"]!,
        BuyPremiumUsd = (double)node["buy_premium_usd"]!,
        SellPremiumUsd = (double)node["sell_premium_usd"]!,
        NetPremiumUsd = (double)node["net_premium_usd"]!,
        CallPremiumUsd = (double)node["call_premium_usd"]!,
        PutPremiumUsd = (double)node["put_premium_usd"]!,
        BlockVolume = (double)node["block_volume"]!,
        BlockPremiumUsd = (double)node["block_premium_usd"]!,
        BlockShareVolume = (double?)node["block_share_volume"],
        BlockSharePremium = (double?)node["block_share_premium"],
        NetDelta = (double)node["net_delta"]!,
        NetGamma = (double)node["net_gamma"]!,
        NetVega = (double)node["net_vega"]!,
        GreeksMissing = (int)node["greeks_missing"]!,
    };

    internal static async Task<List<JsonNode>> ItemsAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        var list = JsonNode.Parse(body)!;
        Assert.Equal((int)list["count"]!, list["data"]!.AsArray().Count);
        return [.. list["data"]!.AsArray().Select(i => i!)];
    }

    /// <summary>A Server-Sent Events response parsed by .NET's own <see cref="SseParser"/> (ids, event types, comments skipped).</summary>
    internal sealed class SseStream(HttpResponseMessage response, Stream body) : IDisposable
    {
        public IAsyncEnumerable<SseItem<string>> Events { get; } = SseParser.Create(body).EnumerateAsync();

        public void Dispose()
        {
            body.Dispose();
            response.Dispose();
        }
    }

    internal static async Task<SseStream> OpenSseAsync(HttpClient http, string path, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseStream(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    internal static Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    internal static async Task<JsonNode> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return JsonNode.Parse(message.ToArray())!;
        }
    }
}
