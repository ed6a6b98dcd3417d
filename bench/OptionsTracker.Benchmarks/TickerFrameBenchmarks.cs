using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OptionsTracker.Bench;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Simulator;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// One ticker frame in, book updated: the per-message cost of the feed against the parse-only ceiling of the same
/// frames. Frames are recorded from the simulator over a loopback WebSocket (two pushes of each of
/// <see cref="Symbols"/> options, replayed round after round with a rising ts so every apply is a live update).
/// Each operation is one frame: Op/s is frames per second on one core, Allocated is bytes per frame.
/// </summary>
[MemoryDiagnoser]
public class TickerFrameBenchmarks
{
    /// <summary>Options whose frames are replayed; the book holds the simulator's whole board (about 2,000).</summary>
    public const int Symbols = 1000;

    private const int FramesPerRun = Symbols * 2;

    private byte[][] _frames = [];
    private int[] _tsOffsets = [];
    private long _timestampMs;
    private OptionBook _book = null!;
    private WebSocketShard _shard = null!;

    [GlobalSetup]
    public void Setup()
    {
        var captured = CaptureAsync().GetAwaiter().GetResult();
        _frames = [.. captured.Rounds.SelectMany(r => r.Take(Symbols))];
        if (_frames.Length != FramesPerRun)
            throw new InvalidOperationException($"captured {_frames.Length} frames, wanted {FramesPerRun}");
        _tsOffsets = [.. _frames.Select(f => FrameTimestamp.Find(f))];
        _timestampMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

        _book = captured.NewBook();
        var options = new BybitOptions();
        _shard = new WebSocketShard(1, _book, options, TimeProvider.System,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1 }),
            new ExchangeGate(options.WsUrl, options, TimeProvider.System, NullLogger.Instance), NullLogger.Instance, _ => { });

        // Every replayed frame must be a change the book takes, or we would time the wrong path.
        var changed = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            if (TickerParser.ParseMessage(_frames[i], _book, out _) == MessageKind.Ticker)
                changed++;
        }
        Console.WriteLine($"// {_frames.Length} frames of {Symbols} options, {_frames.Average(f => f.Length):0} bytes on average; {changed} of them changed the book");
    }

    private static async Task<CapturedFrames> CaptureAsync()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { TargetInstrumentCount = 2000 });
        return await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 2, CancellationToken.None);
    }

    /// <summary>The ceiling: a reader walk of the frame parsing every number, no names, no book.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerRun)]
    public double ParseOnlyCeiling()
    {
        var sum = 0.0;
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            sum += ParseCeiling.Walk(_frames[i]);
        }
        return sum;
    }

    /// <summary>TickerParser.ParseMessage: parse, find the slot, apply under the seqlock, stamp the change sequence.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public int ParseAndApply()
    {
        var tickers = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            if (TickerParser.ParseMessage(_frames[i], _book, out _) == MessageKind.Ticker)
                tickers++;
        }
        return tickers;
    }

    /// <summary>
    /// The per-message clock reads, before and after the shard passed its receive time down: the old path read the clock
    /// in the shard and again in OptionBook.Apply.
    /// </summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public int ParseAndApply_TwoClockReads()
    {
        var tickers = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            _ = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            if (TickerParser.ParseMessage(_frames[i], _book, out _) == MessageKind.Ticker)
                tickers++;
        }
        return tickers;
    }

    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public int ParseAndApply_OneClockRead()
    {
        var tickers = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            if (TickerParser.ParseMessage(_frames[i], _book, now, out _) == MessageKind.Ticker)
                tickers++;
        }
        return tickers;
    }

    /// <summary>The shard's whole per-message path: clock, parse and apply, counters.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public long ShardHandleMessage()
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            _shard.HandleMessage(_frames[i]);
        }
        return _shard.Messages;
    }
}
