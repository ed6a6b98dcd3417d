using System.Net.WebSockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Deribit;
using OptionsTracker.Simulator.Deribit;
using DeribitConnection = OptionsTracker.Deribit.DeribitConnection;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// One Deribit ticker notification in, book updated (frame read, parse, normalisation to USD and fractions, apply): the
/// per-message cost of the Deribit connection, beside <see cref="TickerFrameBenchmarks"/> for Bybit. Frames are recorded
/// from the Deribit simulator over a loopback WebSocket (two pushes of each of <see cref="Symbols"/> options) and replayed
/// round after round with a rising <c>timestamp</c>, so every apply is a live update. One operation is one frame:
/// Op/s is frames per second on one core, Allocated is bytes per frame.
/// </summary>
[MemoryDiagnoser]
public class DeribitTickerFrameBenchmarks : IDisposable
{
    public const int Symbols = 500;
    private const int FramesPerRun = Symbols * 2;

    private byte[][] _frames = [];
    private int[] _timestampOffsets = [];
    private long _timestampMs;
    private OptionBook _book = null!;
    private DeribitConnection _connection = null!;
    private DeribitRequestGate _gate = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_frames, var instruments) = CaptureAsync().GetAwaiter().GetResult();
        _timestampOffsets = [.. _frames.Select(TimestampOffset)];
        _timestampMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        _book = new OptionBook(TimeProvider.System);
        _book.AddInstruments(instruments);
        var options = new DeribitOptions();
        _gate = new DeribitRequestGate(TimeProvider.System, Options.Create(options), NullLogger<DeribitRequestGate>.Instance);
        _connection = new DeribitConnection(1, _book, options, TimeProvider.System, _gate, NullLogger.Instance, _ => { }, []);
        var applied = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            WriteTimestamp(i);
            var frame = DeribitFrame.Read(_frames[i]);
            if (DeribitTickerParser.ApplyTicker(frame.Data(_frames[i]), _book, DeribitVenue.Id, _timestampMs) == TickerResult.Applied)
                applied++;
        }
        Console.WriteLine($"// {_frames.Length} Deribit frames of {Symbols} options, {_frames.Average(f => f.Length):0} bytes on average; {applied} changed the book");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _connection?.Dispose();
        _gate?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frame read, parse, normalisation and apply, without the connection's counters.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public int ParseNormaliseApply()
    {
        var applied = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            WriteTimestamp(i);
            var frame = DeribitFrame.Read(_frames[i]);
            if (DeribitTickerParser.ApplyTicker(frame.Data(_frames[i]), _book, DeribitVenue.Id, _timestampMs) == TickerResult.Applied)
                applied++;
        }
        return applied;
    }

    /// <summary>The connection's whole per-message path: clock, frame read, parse, normalisation, apply, counters.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public long ConnectionHandleMessage()
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            WriteTimestamp(i);
            _connection.HandleMessage(_frames[i]);
        }
        return _connection.Status().Messages;
    }

    private void WriteTimestamp(int frame)
    {
        // Formatted in place: a string per frame would be the harness's allocation, not the path's.
        System.Buffers.Text.Utf8Formatter.TryFormat(++_timestampMs, _frames[frame].AsSpan(_timestampOffsets[frame], 13), out _);
    }

    internal static int TimestampOffset(byte[] frame)
    {
        var at = frame.AsSpan().IndexOf("\"timestamp\":"u8);
        if (at < 0 || frame.Length < at + 12 + 13 || frame.AsSpan(at + 12, 13).IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            throw new InvalidOperationException("a frame without a 13-digit timestamp");
        return at + 12;
    }

    internal static async Task<(byte[][] Frames, List<OptionInstrument> Instruments)> CaptureAsync()
    {
        await using var simulator = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = 1200 });
        var listed = simulator.GetInstruments().Take(Symbols).ToList();
        var instruments = listed.Select(i => new OptionInstrument(DeribitVenue.Id, i.InstrumentName, i.BaseCurrency, i.Expiration, i.Strike,
            i.OptionType == "call" ? OptionType.Call : OptionType.Put, priceCurrency: i.IsInverse ? i.BaseCurrency : null)).ToList();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(simulator.WsUrl, CancellationToken.None);
        var channels = string.Join(",", listed.Select(i => $"\"ticker.{i.InstrumentName}.100ms\""));
        await socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"public/subscribe\",\"params\":{{\"channels\":[{channels}]}}}}"),
            WebSocketMessageType.Text, true, CancellationToken.None);
        var perName = listed.ToDictionary(i => i.InstrumentName, _ => 0, StringComparer.Ordinal);
        var frames = new List<byte[]>();
        var buffer = new byte[1 << 20];
        while (frames.Count < FramesPerRun)
        {
            var count = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                count += result.Count;
            }
            while (!result.EndOfMessage);
            var frame = buffer.AsSpan(0, count).ToArray();
            var parsed = DeribitFrame.Read(frame);
            if (parsed.Kind != FrameKind.Notification)
                continue;
            var name = Encoding.UTF8.GetString(parsed.Channel(frame))["ticker.".Length..^".100ms".Length];
            if (perName.TryGetValue(name, out var seen) && seen < 2)
            {
                perName[name] = seen + 1;
                frames.Add(frame);
            }
        }
        return ([.. frames], instruments);
    }
}
