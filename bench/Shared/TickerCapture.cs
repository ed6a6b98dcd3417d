using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OptionsTracker.Simulator;

namespace OptionsTracker.Bench;

/// <summary>
/// Records ticker frames off the wire: subscribes to every option a simulator lists, over its own loopback WebSocket
/// connections (within Bybit's per-connection limits), and keeps the first <c>framesPerSymbol</c> pushes of each symbol
/// exactly as received. Benchmarks replay these bytes, so they measure the frames the tracker really gets.
/// </summary>
public static class TickerCapture
{
    // Bybit (and the simulator) cap a connection at 21,000 characters of topics: 500 topics of ~35 characters fit.
    private const int TopicsPerConnection = 500;

    /// <summary>
    /// Returns the captured frames as rounds: round k holds the k-th distinct push of every symbol, symbols in listing
    /// order, so consecutive rounds carry other values of the same options (every apply is a real change).
    /// </summary>
    public static async Task<CapturedFrames> CaptureAsync(BybitSimulator simulator, int framesPerSymbol, CancellationToken cancellationToken)
    {
        var symbols = simulator.GetInstruments().Select(i => i.Symbol).ToArray();
        var bySymbol = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        foreach (var symbol in symbols)
            bySymbol[symbol] = [];
        var remaining = symbols.Length;
        var gate = new Lock();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(60));

        var connections = symbols.Chunk(TopicsPerConnection).Select(chunk => ReceiveAsync(chunk, stop.Token)).ToArray();
        try
        {
            await done.Task.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"captured {framesPerSymbol} pushes of only {symbols.Length - remaining} of {symbols.Length} options in 60 s");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(connections);
        }

        var rounds = new byte[framesPerSymbol][][];
        for (var round = 0; round < framesPerSymbol; round++)
            rounds[round] = [.. symbols.Select(s => bySymbol[s][round])];
        return new CapturedFrames(symbols, simulator.GetInstruments(), rounds);

        async Task ReceiveAsync(string[] chunk, CancellationToken token)
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(simulator.WsUrl, token);
            foreach (var request in chunk.Chunk(100))
            {
                var json = "{\"op\":\"subscribe\",\"args\":[" + string.Join(',', request.Select(s => $"\"tickers.{s}\"")) + "]}";
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, token);
            }
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                var count = 0;
                while (!token.IsCancellationRequested)
                {
                    ValueWebSocketReceiveResult result;
                    try
                    {
                        result = await socket.ReceiveAsync(buffer.AsMemory(count), token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    count += result.Count;
                    if (!result.EndOfMessage)
                        continue;
                    var frame = buffer.AsSpan(0, count);
                    count = 0;
                    if (TopicSymbol(frame) is not { } symbol || !bySymbol.TryGetValue(symbol, out var frames))
                        continue;
                    lock (gate)
                    {
                        // The market moves every 250 ms and pushes come every 100 ms: keep a push only when its values
                        // moved, so replaying the rounds changes the book every time, as the live feed does.
                        if (frames.Count >= framesPerSymbol || (frames.Count > 0 && Data(frames[^1]).SequenceEqual(Data(frame))))
                            continue;
                        frames.Add(frame.ToArray());
                        if (frames.Count == framesPerSymbol && --remaining == 0)
                            done.TrySetResult();
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                socket.Abort();
            }
        }
    }

    private static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> frame)
    {
        var at = frame.IndexOf("\"data\":"u8);
        return at < 0 ? frame : frame[at..];
    }

    private static string? TopicSymbol(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("topic"u8))
            {
                reader.Read();
                var topic = reader.GetString();
                return topic is not null && topic.StartsWith("tickers.", StringComparison.Ordinal) ? topic["tickers.".Length..] : null;
            }
        }
        return null;
    }
}

/// <summary>Recorded frames: <see cref="Rounds"/>[k][i] is the k-th push of <see cref="Symbols"/>[i].</summary>
public sealed record CapturedFrames(string[] Symbols, IReadOnlyList<SimulatedInstrument> Instruments, byte[][][] Rounds)
{
    /// <summary>Every frame, round after round.</summary>
    public byte[][] InOrder() => [.. Rounds.SelectMany(r => r)];

    /// <summary>A book listing every captured option, none quoted yet.</summary>
    public OptionsTracker.Book.OptionBook NewBook()
    {
        var book = new OptionsTracker.Book.OptionBook(TimeProvider.System);
        book.AddInstruments(Instruments.Select(i =>
            OptionsTracker.Bybit.BybitSymbol.TryCreateInstrument(i.Symbol, i.DeliveryTime, i.Status, out var instrument)
                ? instrument!
                : throw new InvalidOperationException($"unparsable symbol {i.Symbol}")));
        return book;
    }
}
