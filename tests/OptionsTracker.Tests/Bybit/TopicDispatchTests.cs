using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Bybit;

/// <summary>
/// A shard hands each data frame to the handler of its topic, so another topic of the same stream (the trade tape) is one
/// more handler, with the shard's lifecycle untouched.
/// </summary>
public class TopicDispatchTests
{
    // The shape of Bybit's option trade frame (docs/v5/websocket/public/trade.mdx): one topic per base coin, trades in an array.
    private const string TradeFrame = """
        {"id":"publicTrade.BTC-6JAN23-17500-C-1672304486868","topic":"publicTrade.BTC","ts":1672304486868,"type":"snapshot",
         "data":[{"T":1672304486865,"s":"BTC-6JAN23-17500-C","S":"Buy","v":"0.01","p":"10.5","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}
        """;

    [Fact]
    public async Task A_second_handler_receives_its_topics_frames_from_the_same_shard_while_tickers_still_reach_the_book()
    {
        var ticker = Frames.Utf8(Frames.DocTicker);
        var trade = Frames.Utf8(TradeFrame);
        await using var server = await ScriptedWebSocketServer.StartAsync(async (socket, ct) =>
        {
            await socket.SendAsync(trade, WebSocketMessageType.Text, true, ct);
            await socket.SendAsync(ticker, WebSocketMessageType.Text, true, ct);
            await socket.SendAsync(trade, WebSocketMessageType.Text, true, ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        var book = BookBuilder.WithSymbols(TimeProvider.System, Frames.DocTickerSymbol);
        var tape = new TradeRecorder();
        var options = new BybitOptions { WsUrl = server.Url };
        var shard = new WebSocketShard(1, book, options, TimeProvider.System,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 100, QueueLimit = 100 }),
            new ExchangeGate(options.WsUrl, options, TimeProvider.System, NullLogger.Instance), NullLogger.Instance, _ => { }, [tape]);
        shard.Assign([ShardSupervisor.TopicOf(Frames.DocTickerSymbol), "publicTrade.BTC"]);
        using var stop = new CancellationTokenSource();
        var run = shard.RunAsync(stop.Token);

        await Eventually.Until(() => shard.Messages == 3, "the ticker and both trades to be counted");
        await stop.CancelAsync();
        await run;

        Assert.Equal(0, shard.Malformed);
        Assert.Equal([("BTC-6JAN23-17500-C", 10.5), ("BTC-6JAN23-17500-C", 10.5)], tape.Trades);
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, Frames.DocTickerSymbol, out var slot));
        Assert.Equal(7.86976724, slot.ReadQuote().MarkPrice);
    }

    [Fact]
    public void A_topic_no_handler_takes_is_not_applied_to_the_book()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var book = BookBuilder.WithSymbols(time, "BTC-6JAN23-17500-C");
        var shard = new WebSocketShard(1, book, new BybitOptions(), time,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1 }),
            new ExchangeGate(new BybitOptions().WsUrl, new BybitOptions(), time, NullLogger.Instance), NullLogger.Instance, _ => { });

        // Without a trade handler a trade frame is of no interest: not a ticker, not malformed.
        shard.HandleMessage(Frames.Utf8(TradeFrame));

        Assert.Equal(0, shard.Malformed);
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, "BTC-6JAN23-17500-C", out var slot));
        Assert.True(double.IsNaN(slot.ReadQuote().MarkPrice));
        TestContext.Current.TestOutputHelper?.WriteLine($"messages counted: {shard.Messages}");
    }

    [Fact]
    public void Dispatching_a_ticker_frame_past_another_handler_allocates_nothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var symbols = Enumerable.Range(0, 50).Select(i => $"BTC-27MAR26-{60000 + i * 500}-C-USDT").ToArray();
        var book = BookBuilder.WithSymbols(time, symbols);
        var options = new BybitOptions();
        var shard = new WebSocketShard(1, book, options, time,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1 }),
            new ExchangeGate(options.WsUrl, options, time, NullLogger.Instance), NullLogger.Instance, _ => { }, [new CountingHandler("publicTrade.")]);
        var frames = Enumerable.Range(0, 1000).Select(i => Frames.Utf8(Frames.Ticker(symbols[i % symbols.Length], 1000 + i, 100 + i))).ToArray();
        foreach (var frame in frames.Take(100))
            shard.HandleMessage(frame);

        var allocated = Allocations.Fewest(() =>
        {
            foreach (var frame in frames)
                shard.HandleMessage(frame);
        });

        Assert.Equal(0, allocated);
    }

    /// <summary>Reads each trade's symbol and price, as the trade tape will (it may allocate: this is a test's record).</summary>
    private sealed class TradeRecorder : ITopicHandler
    {
        private readonly ConcurrentQueue<(string Symbol, double Price)> _trades = new();

        public string TopicPrefix => "publicTrade.";

        public IReadOnlyList<(string Symbol, double Price)> Trades => [.. _trades];

        public TopicResult Handle(ReadOnlySpan<byte> message, long receivedAtMs)
        {
            using var document = JsonDocument.Parse(message.ToArray());
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                return TopicResult.Malformed;
            foreach (var item in data.EnumerateArray())
                _trades.Enqueue((item.GetProperty("s").GetString()!, double.Parse(item.GetProperty("p").GetString()!, CultureInfo.InvariantCulture)));
            return TopicResult.Applied;
        }
    }

    /// <summary>A handler that only counts: present so ticker frames are dispatched past a second prefix.</summary>
    private sealed class CountingHandler(string prefix) : ITopicHandler
    {
        public int Count;

        public string TopicPrefix => prefix;

        public TopicResult Handle(ReadOnlySpan<byte> message, long receivedAtMs)
        {
            Count++;
            return TopicResult.Applied;
        }
    }
}
