using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Api;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The coin's loop writing its caught-up SSE trade streams itself (<see cref="TradeFanOut"/>): every trade once and in
/// order whether a stream is parked or reads on its own (and the same with the fan-out off), a stream that stops
/// reading handed back and dropped by the send timeout without holding up the others, the keep-alive of a parked idle
/// stream, and a stream that leaves taken out of the fan-out.
/// </summary>
public class TradeFanOutTests
{
    private static TradeTape TapeOf(TrackerApp host) => host.Services.GetRequiredService<TradeTape>();

    private static TradeFanOut? FanOutOf(TrackerApp host) => host.Services.GetRequiredService<TradeWakeups>().FanOut("BTC");

    private static CancellationTokenSource Timeout()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Eventually.Timeout);
        return source;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_stream_gets_every_trade_once_in_order_parked_or_not(bool fanOut)
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>
        {
            ["Api:TradeStreamFanOut"] = fanOut ? "true" : "false",
        });
        var tape = TapeOf(host);
        var trades = FlowTests.SampleTrades(DateTimeOffset.UtcNow, 3_000, seed: 11);
        tape.Append(trades.Take(100));
        using var http = host.Http();
        using var timeout = Timeout();

        // Four streams: three from the start of the tape (they catch up on their own, then park), one from now on.
        var streams = new List<TradesApiTests.SseStream>();
        try
        {
            for (var i = 0; i < 3; i++)
                streams.Add(await TradesApiTests.OpenSseAsync(http, "/api/trades/stream/BTC?after=0", null, timeout.Token));
            streams.Add(await TradesApiTests.OpenSseAsync(http, "/api/trades/stream/BTC", null, timeout.Token));
            var readers = streams.Select((s, i) => ReadAsync(s, i < 3 ? trades.Count : trades.Count - 100, timeout.Token)).ToList();
            // One trade wakes them all (and starts the coin's loop); caught up, they park.
            tape.Append(trades.Skip(100).Take(1));
            if (fanOut)
                await Eventually.Until(() => FanOutOf(host)?.Count == streams.Count, "every stream to be caught up and parked");

            // The rest in small batches a little apart, as the feed appends: many windows, each written by the coin's loop.
            foreach (var batch in trades.Skip(101).Chunk(37))
            {
                tape.Append(batch);
                await Task.Delay(2, timeout.Token);
            }

            var received = await Task.WhenAll(readers);
            for (var i = 0; i < streams.Count; i++)
            {
                var expected = i < 3 ? trades : trades.Skip(100).ToList();
                Assert.Equal(expected.Select(t => t.Id), received[i].Select(r => r.TradeId));
                // The tape's sequences, 1 upwards in append order (the first stream of the host's only coin).
                Assert.Equal(Enumerable.Range(trades.Count - expected.Count + 1, expected.Count).Select(n => (long)n), received[i].Select(r => r.Sequence));
            }
            if (!fanOut)
                Assert.Null(FanOutOf(host));
        }
        finally
        {
            foreach (var stream in streams)
                stream.Dispose();
        }
    }

    [Fact]
    public async Task A_stream_that_stops_reading_is_handed_back_and_dropped_while_the_others_get_every_trade()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamSendTimeout"] = "00:00:02" });
        var tape = TapeOf(host);
        var gate = host.Services.GetRequiredService<StreamGate>();
        using var http = host.Http();
        using var timeout = Timeout();

        using var reading = await TradesApiTests.OpenSseAsync(http, "/api/trades/stream/BTC", null, timeout.Token);
        using var stalled = await StreamClients.OpenNonReadingSseAsync(IPAddress.Loopback, host.BaseAddress.Port, "/api/trades/stream/BTC", timeout.Token);
        await Eventually.Until(() => gate.Open == 2, "both streams to be open");
        // ~30 MB of events: far more than the socket buffers between the server and a client that does not read.
        var trades = FlowTests.SampleTrades(DateTimeOffset.UtcNow, 60_000, seed: 12);
        var read = ReadAsync(reading, trades.Count, timeout.Token);
        tape.Append(trades.Take(1));
        await Eventually.Until(() => FanOutOf(host)?.Count == 2, "both streams to be parked");

        foreach (var batch in trades.Skip(1).Chunk(500))
        {
            tape.Append(batch);
            await Task.Delay(5, timeout.Token);
        }

        var received = await read;
        Assert.Equal(trades.Select(t => t.Id), received.Select(r => r.TradeId));
        await Eventually.Until(() => gate.DroppedSlow == 1 && gate.Open == 1, "the stalled stream to be dropped as too slow");
        await Eventually.Until(() => FanOutOf(host)!.Count == 1, "the reading stream, caught up, parked alone");
    }

    [Fact]
    public async Task A_parked_idle_stream_gets_its_keep_alive_and_one_that_leaves_is_taken_out()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamKeepAlive"] = "00:00:01" });
        var tape = TapeOf(host);
        using var http = host.Http();
        using var timeout = Timeout();

        using var response = await http.GetAsync("/api/trades/stream/BTC", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        // A trade, so the coin's loop exists and the stream parks in its fan-out.
        tape.Append(FlowTests.SampleTrades(DateTimeOffset.UtcNow, 1, seed: 13));
        await Eventually.Until(() => FanOutOf(host)?.Count == 1, "the stream to be parked");

        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains(": keep-alive\n\n", StringComparison.Ordinal))
        {
            var count = await body.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, count);
            text.Append(Encoding.UTF8.GetString(buffer, 0, count));
        }
        Assert.Contains("event: trade\n", text.ToString(), StringComparison.Ordinal);
        // Parked again after the keep-alive, and gone from the fan-out once the client leaves.
        await Eventually.Until(() => FanOutOf(host)!.Count == 1, "the stream to park again");
        body.Dispose();
        response.Dispose();
        await Eventually.Until(() => FanOutOf(host)!.Count == 0 && host.Services.GetRequiredService<StreamGate>().Open == 0, "the stream to be gone");
    }

    /// <summary>Reads trade events until <paramref name="count"/> arrived: their tape sequences (the ids) and trade ids.</summary>
    private static async Task<List<(long Sequence, string TradeId)>> ReadAsync(TradesApiTests.SseStream stream, int count, CancellationToken cancellationToken)
    {
        var received = new List<(long, string)>(count);
        await using var events = stream.Events.GetAsyncEnumerator(cancellationToken);
        while (received.Count < count && await events.MoveNextAsync())
        {
            if (events.Current.EventType != "trade")
            {
                Assert.Equal("subscribed", events.Current.EventType);
                continue;
            }
            var item = JsonNode.Parse(events.Current.Data)!;
            var sequence = long.Parse(events.Current.EventId!, CultureInfo.InvariantCulture);
            Assert.Equal(sequence, (long)item["sequence"]!);
            received.Add((sequence, (string)item["id"]!));
        }
        return received;
    }
}
