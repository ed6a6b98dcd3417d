using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The whole way over real sockets: the simulator's trades (its option stream, REST backfill, RFQ blocks) through the
/// tracker's feed onto the tape, and out through <c>/api/trades</c>, the SSE trade stream and <c>/ws</c>'s trades channel:
/// every trade the simulator emitted appears once, in order, with its fields, on each, including trades made while the
/// tracker's exchange connection was down (recovered by the backfill) while the API clients stayed connected.
/// </summary>
public class TradesApiEndToEndTests
{
    private const string Coin = "BTC";

    [Fact]
    public async Task Every_emitted_trade_reaches_rest_sse_and_ws_once_in_order_with_its_fields_across_a_connection_drop()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = [Coin], TargetInstrumentCount = 120 }, ct);
        // Made before the tracker starts: the start's backfill brings them.
        simulator.EmitTrades(Coin, 5);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Tape:Enabled"] = "true",
            ["Bybit:RfqWsUrl"] = simulator.RfqWsUrl.AbsoluteUri,
            ["Bybit:BlockTradeWait"] = "00:00:10",
        });
        var feed = app.Services.GetRequiredService<BybitTradeFeed>();
        await Eventually.Until(() => feed.GetStatus() is { Recoveries: > 0, Recovering.Count: 0 }, "the trade topic subscribed and its first backfill read");
        await Eventually.Until(() => feed.GetStatus().RfqStream?.State == ShardState.Live, "the RFQ stream subscribed");

        using var http = app.Http();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Eventually.Timeout * 3);
        // Both clients from the start of the tape (after=0), connected before the rest is traded.
        using var sse = await TradesApiTests.OpenSseAsync(http, $"/api/trades/stream/{Coin}?after=0", null, timeout.Token);
        await using var events = sse.Events.GetAsyncEnumerator(timeout.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("subscribed", events.Current.EventType);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http.BaseAddress!.Port}/ws"), timeout.Token);
        await TradesApiTests.SendAsync(socket, $$"""{"op":"subscribe","channel":"trades","asset":"{{Coin}}","after":0}""", timeout.Token);
        Assert.Equal("subscribed", (string?)(await TradesApiTests.ReceiveAsync(socket, timeout.Token))["type"]);

        simulator.EmitTrades(Coin, 30);
        simulator.EmitBlock(Coin, 3);
        simulator.EmitTrades(Coin, 10);
        await Eventually.Until(() => app.Services.GetRequiredService<TradeTape>().LastSequence(Coin) >= 48, "the first 48 trades on the tape");

        // The tracker's exchange connections drop and stay down while trading goes on.
        var recoveries = feed.GetStatus().Recoveries;
        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => app.Supervisor.GetStatus(out _).All(s => s.State != ShardState.Live), "the tracker to see its connections gone");
        simulator.EmitTrades(Coin, 20);
        simulator.Faults.RejectNewConnections = false;
        await Eventually.Until(() => feed.GetStatus() is var s && s.Recoveries > recoveries && s.Recovering.Count == 0, "the trade topic back and its backfill read");
        simulator.EmitTrades(Coin, 10);
        simulator.EmitBlock(Coin, 2);

        var emitted = simulator.EmittedTrades(Coin);
        Assert.Equal(80, emitted.Count);

        // REST: newest first, so reversed it is the emitted order.
        List<JsonNode> rest = [];
        await Eventually.Until(async () => (rest = await TradesApiTests.ItemsAsync(http, $"/api/trades/{Coin}?limit=50000", ct)).Count >= emitted.Count,
            $"the {emitted.Count} emitted trades in /api/trades");
        rest.Reverse();
        AssertSameTrades(emitted, rest, "REST");

        var streamed = new List<JsonNode>();
        while (streamed.Count < emitted.Count && await events.MoveNextAsync())
        {
            Assert.Equal("trade", events.Current.EventType);
            var item = JsonNode.Parse(events.Current.Data)!;
            Assert.Equal(events.Current.EventId, ((long)item["sequence"]!).ToString(CultureInfo.InvariantCulture));
            streamed.Add(item);
        }
        AssertSameTrades(emitted, streamed, "SSE");

        var pushed = new List<JsonNode>();
        while (pushed.Count < emitted.Count)
        {
            var message = await TradesApiTests.ReceiveAsync(socket, timeout.Token);
            Assert.Equal("trades", (string?)message["type"]);
            pushed.AddRange(message["data"]!.AsArray()!);
        }
        AssertSameTrades(emitted, pushed, "/ws");

        Assert.Equal(0, feed.GetStatus().Gaps);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"{emitted.Count} trades ({emitted.Count(t => t.IsBlock)} block legs) through REST, SSE and /ws; " +
            $"from the backfill {feed.GetStatus().ReceivedFromRest}");
    }

    /// <summary>Once each, in the emitted order, sequences 1…n, and each with the fields the simulator gave it.</summary>
    private static void AssertSameTrades(IReadOnlyList<SimulatedTrade> emitted, List<JsonNode> items, string via)
    {
        Assert.True(emitted.Count == items.Count, $"{via}: {items.Count} trades for {emitted.Count} emitted");
        Assert.Equal(emitted.Select(t => t.Id), items.Select(i => (string)i["id"]!));
        Assert.Equal(Enumerable.Range(1, emitted.Count).Select(i => (long)i), items.Select(i => (long)i["sequence"]!));
        foreach (var (expected, item) in emitted.Zip(items))
        {
            Assert.Equal(
                (expected.Symbol, DateTimeOffset.FromUnixTimeMilliseconds(expected.TimeMs).UtcDateTime, expected.Side, expected.Size, expected.Price,
                    OptionsTracker.Tape.Trade.MultiplyAsDecimals(expected.Price, expected.Size)),
                ((string)item["symbol"]!, (DateTime)item["time"]!, (string)item["side"]!, (double)item["size"]!, (double)item["price"]!,
                    (double)item["premium_usd"]!));
            Assert.Equal((expected.Iv, expected.MarkIv, expected.MarkPrice, expected.IndexPrice),
                ((double)item["iv"]!, (double)item["mark_iv"]!, (double)item["mark_price"]!, (double)item["index_price"]!));
            Assert.Equal((expected.IsBlock, expected.BlockId), ((bool)item["block"]!, (string?)item["block_id"]));
            Assert.NotNull(item["delta"]);
        }
    }
}
