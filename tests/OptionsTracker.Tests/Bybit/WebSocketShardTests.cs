using System.Net.WebSockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Bybit;

public class WebSocketShardTests
{
    private const string Symbol = "BTC-27MAR26-70000-P-USDT";

    private static WebSocketShard CreateShard(OptionBook book, TimeProvider time, Uri? wsUrl = null)
    {
        var options = new BybitOptions { WsUrl = wsUrl ?? new Uri("ws://127.0.0.1:1/") };
        return new(1, book, options, time,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 100, QueueLimit = 100 }),
            new ExchangeGate(options.WsUrl, options, time, NullLogger.Instance), NullLogger.Instance, _ => { });
    }

    [Fact]
    public void Ticker_message_path_allocates_nothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var symbols = Enumerable.Range(0, 100).Select(i => $"BTC-27MAR26-{60000 + i * 500}-{(i % 2 == 0 ? "C" : "P")}-USDT").ToArray();
        var book = BookBuilder.WithSymbols(time, symbols);
        var shard = CreateShard(book, time);
        // Distinct values per frame so every apply is a real change, as on the live feed.
        var frames = Enumerable.Range(0, 2000).Select(i => Frames.Utf8(Frames.Ticker(symbols[i % symbols.Length], 1000 + i, 100 + i))).ToArray();
        foreach (var frame in frames.Take(200))
            shard.HandleMessage(frame);

        int runs = 0;
        var allocated = Allocations.Fewest(() =>
        {
            runs++;
            foreach (var frame in frames)
                shard.HandleMessage(frame);
            foreach (var frame in frames) // older timestamps: the unchanged/stale path
                shard.HandleMessage(frame);
        });

        Assert.Equal(0, allocated);
        Assert.Equal(200 + runs * 4_000, shard.Messages);
    }

    [Fact]
    public async Task A_message_split_at_every_byte_boundary_still_parses()
    {
        var frame = Frames.Utf8(Frames.DocTicker);
        var splits = frame.Length - 1;
        await using var server = await ScriptedWebSocketServer.StartAsync(async (socket, ct) =>
        {
            for (var at = 1; at <= splits; at++)
            {
                await socket.SendAsync(frame.AsMemory(0, at), WebSocketMessageType.Text, false, ct);
                await socket.SendAsync(frame.AsMemory(at), WebSocketMessageType.Text, true, ct);
            }
            await Task.Delay(Timeout.Infinite, ct);
        });
        var book = BookBuilder.WithSymbols(TimeProvider.System, Frames.DocTickerSymbol);
        var shard = CreateShard(book, TimeProvider.System, server.Url);
        shard.Assign([ShardSupervisor.TopicOf(Frames.DocTickerSymbol)]);
        using var stop = new CancellationTokenSource();
        var run = shard.RunAsync(stop.Token);

        await Eventually.Until(() => shard.Messages == splits, $"all {splits} split frames read");
        await stop.CancelAsync();
        await run;

        Assert.Equal(0, shard.Malformed);
        Assert.Equal(splits, shard.Messages);
        book.Index.TryGetSlot(Venue.Bybit, Frames.DocTickerSymbol, out var slot);
        Assert.Equal(7.86976724, slot.ReadQuote().MarkPrice);
        Assert.Equal(1672917511074, slot.ReadQuote().ExchangeTimeMs);
    }
}
