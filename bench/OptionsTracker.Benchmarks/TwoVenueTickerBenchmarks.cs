using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Bench;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Deribit;
using OptionsTracker.Simulator;
using DeribitConnection = OptionsTracker.Deribit.DeribitConnection;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// Issue 19's "0 B per message on both parsers", in the shape the two-venue tracker runs: ONE book holding both venues'
/// boards (Bybit's 2,000-option simulator board and 500 Deribit options), each venue's frames through its own connection
/// object's per-message entry point (<see cref="WebSocketShard.HandleMessage"/>, <see cref="DeribitConnection.HandleMessage"/>:
/// clock, frame read, parse, normalisation, apply, counters), and the two interleaved as both sockets deliver them. Frames
/// are recorded from the simulators over loopback WebSockets (a Bybit option <c>tickers.{symbol}</c> frame; a Deribit
/// <c>ticker.{instrument}.100ms</c> notification) and replayed with a rising timestamp, so every apply is a live update.
/// One operation is one frame: Allocated is bytes per message.
/// </summary>
[MemoryDiagnoser]
public class TwoVenueTickerBenchmarks : IDisposable
{
    private const int BybitSymbols = 1000;
    private const int DeribitSymbols = DeribitTickerFrameBenchmarks.Symbols;
    private const int BybitFrames = BybitSymbols * 2;
    private const int DeribitFrames = DeribitSymbols * 2;

    private byte[][] _bybitFrames = [];
    private int[] _bybitTsOffsets = [];
    private byte[][] _deribitFrames = [];
    private int[] _deribitTsOffsets = [];
    private long _timestampMs;
    private OptionBook _book = null!;
    private WebSocketShard _shard = null!;
    private DeribitConnection _connection = null!;
    private DeribitRequestGate _gate = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bybit = CaptureBybitAsync().GetAwaiter().GetResult();
        _bybitFrames = [.. bybit.Rounds.SelectMany(r => r.Take(BybitSymbols))];
        _bybitTsOffsets = [.. _bybitFrames.Select(f => FrameTimestamp.Find(f))];
        (_deribitFrames, var deribitInstruments) = DeribitTickerFrameBenchmarks.CaptureAsync().GetAwaiter().GetResult();
        _deribitTsOffsets = [.. _deribitFrames.Select(DeribitTickerFrameBenchmarks.TimestampOffset)];
        if (_bybitFrames.Length != BybitFrames || _deribitFrames.Length != DeribitFrames)
            throw new InvalidOperationException($"captured {_bybitFrames.Length} Bybit and {_deribitFrames.Length} Deribit frames, wanted {BybitFrames} and {DeribitFrames}");
        _timestampMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

        // One book, both venues: the slots are keyed by (venue, symbol), as in the tracker with Tracker:Venues=bybit,deribit.
        _book = bybit.NewBook();
        _book.AddInstruments(deribitInstruments);
        var bybitOptions = new BybitOptions();
        _shard = new WebSocketShard(1, _book, bybitOptions, TimeProvider.System,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1 }),
            new ExchangeGate(bybitOptions.WsUrl, bybitOptions, TimeProvider.System, NullLogger.Instance), NullLogger.Instance, _ => { });
        var deribitOptions = new DeribitOptions();
        _gate = new DeribitRequestGate(TimeProvider.System, Options.Create(deribitOptions), NullLogger<DeribitRequestGate>.Instance);
        _connection = new DeribitConnection(1, _book, deribitOptions, TimeProvider.System, _gate, NullLogger.Instance, _ => { }, []);

        // Every frame must be a message its connection counts and no frame malformed, or we would time the wrong path.
        BybitShard();
        DeribitConnectionHandleMessage();
        BothInterleaved();
        var deribit = _connection.Status();
        if (_shard.Messages != 2 * BybitFrames || deribit.Messages != 2 * DeribitFrames || deribit.Malformed != 0 || deribit.UnknownSymbols != 0)
            throw new InvalidOperationException($"Bybit counted {_shard.Messages} of {2 * BybitFrames}; Deribit {deribit.Messages} of {2 * DeribitFrames} ({deribit.Malformed} malformed, {deribit.UnknownSymbols} unknown)");
        Console.WriteLine($"// one book of {_book.Index.Count} options; Bybit frames {_bybitFrames.Average(f => f.Length):0} bytes on average, Deribit {_deribitFrames.Average(f => f.Length):0}");

        // BenchmarkDotNet's Allocated is the whole process's bytes over the operations (in process: whatever another thread
        // allocates meanwhile counts too); this thread's own count over many passes is the path's alone.
        Console.WriteLine($"// this thread's bytes per message over 20 passes: Bybit {ThreadBytesPerMessage(BybitShard, BybitFrames):0.###}, "
            + $"Deribit {ThreadBytesPerMessage(DeribitConnectionHandleMessage, DeribitFrames):0.###}, both interleaved {ThreadBytesPerMessage(BothInterleaved, BybitFrames + DeribitFrames):0.###}");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _connection?.Dispose();
        _gate?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A Bybit option ticker frame through the shard's per-message path.</summary>
    [Benchmark(OperationsPerInvoke = BybitFrames)]
    public long BybitShard()
    {
        for (var i = 0; i < _bybitFrames.Length; i++)
        {
            FrameTimestamp.Write(_bybitFrames[i], _bybitTsOffsets[i], ++_timestampMs);
            _shard.HandleMessage(_bybitFrames[i]);
        }
        return _shard.Messages;
    }

    /// <summary>A Deribit ticker notification through the connection's per-message path.</summary>
    [Benchmark(OperationsPerInvoke = DeribitFrames)]
    public long DeribitConnectionHandleMessage()
    {
        for (var i = 0; i < _deribitFrames.Length; i++)
        {
            FrameTimestamp.Write(_deribitFrames[i], _deribitTsOffsets[i], ++_timestampMs);
            _connection.HandleMessage(_deribitFrames[i]);
        }
        // Not Status(): it builds a record, which would be the benchmark's allocation, not the path's.
        return _timestampMs;
    }

    /// <summary>Both venues' frames interleaved into the one book, two Bybit frames to one Deribit frame.</summary>
    [Benchmark(OperationsPerInvoke = BybitFrames + DeribitFrames)]
    public long BothInterleaved()
    {
        for (var i = 0; i < DeribitFrames; i++)
        {
            for (var b = 2 * i; b < 2 * i + 2; b++)
            {
                FrameTimestamp.Write(_bybitFrames[b], _bybitTsOffsets[b], ++_timestampMs);
                _shard.HandleMessage(_bybitFrames[b]);
            }
            FrameTimestamp.Write(_deribitFrames[i], _deribitTsOffsets[i], ++_timestampMs);
            _connection.HandleMessage(_deribitFrames[i]);
        }
        return _shard.Messages;
    }

    private static double ThreadBytesPerMessage(Func<long> pass, int messagesPerPass)
    {
        const int Passes = 20;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Passes; i++)
            pass();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(Passes * messagesPerPass);
    }

    private static async Task<CapturedFrames> CaptureBybitAsync()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { TargetInstrumentCount = 2000 });
        return await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 2, CancellationToken.None);
    }
}
