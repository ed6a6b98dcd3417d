using System.Text;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Bench;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Diagnostics;
using OptionsTracker.Simulator;
using OptionsTracker.Tape;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// Issue 17: the trade topics on the same connection as the tickers. The shard's whole per-message path
/// (<c>WebSocketShard.HandleMessage</c>) over the same recorded ticker frames, on a shard without a trade handler (as
/// before the tape) and on one with the trade handler registered (as every shard now is): the ticker path must stay at
/// 0 B and keep its speed. A third run mixes in one <c>publicTrade</c> frame per <see cref="TickersPerTrade"/> tickers
/// (each a new trade, appended to a real tape): what a frame of trades costs, which may allocate (trades are events).
/// One operation = one frame.
/// </summary>
[MemoryDiagnoser]
public class TradeTopicBenchmarks
{
    private const int Symbols = 1000;
    private const int FramesPerRun = Symbols * 2;

    /// <summary>Tickers between two trade frames in the mixed run (Bybit: tens of trades a second against 20–40 k tickers).</summary>
    public const int TickersPerTrade = 100;

    private const int TradeFrames = FramesPerRun / TickersPerTrade;

    private byte[][] _frames = [];
    private int[] _tsOffsets = [];
    private byte[][] _tradeFrames = [];
    private int[] _tradeIdOffsets = [];
    private long _timestampMs;
    private long _tradeId;
    private WebSocketShard _plain = null!;
    private WebSocketShard _withTrades = null!;
    private TradeTape _tape = null!;

    [GlobalSetup]
    public void Setup()
    {
        var captured = CaptureAsync().GetAwaiter().GetResult();
        _frames = [.. captured.Rounds.SelectMany(r => r.Take(Symbols))];
        if (_frames.Length != FramesPerRun)
            throw new InvalidOperationException($"captured {_frames.Length} frames, wanted {FramesPerRun}");
        _tsOffsets = [.. _frames.Select(f => FrameTimestamp.Find(f))];
        _timestampMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

        var book = captured.NewBook();
        var options = new BybitOptions();
        _plain = NewShard(book, options, handlers: null);

        var wrapped = Options.Create(options);
        _tape = new TradeTape(Options.Create(new TapeOptions()));
        var rest = new BybitRestClient(new HttpClient(), wrapped, new RestGate(TimeProvider.System, wrapped, NullLogger<RestGate>.Instance),
            NullLogger<BybitRestClient>.Instance);
        var feed = new BybitTradeFeed(book, _tape, wrapped, Options.Create(new TapeOptions()), TimeProvider.System, NullLoggerFactory.Instance,
            rest, new MetricsRegistry());
        _withTrades = NewShard(book, options, [new TradeTopicHandler(feed)]);

        // Trade frames in Bybit's publicTrade shape for options, on options of the book, each id rewritten per use.
        var slots = book.Index.All.Take(TradeFrames).ToList();
        _tradeFrames = new byte[TradeFrames][];
        _tradeIdOffsets = new int[TradeFrames];
        for (var i = 0; i < TradeFrames; i++)
        {
            var instrument = slots[i % slots.Count].Instrument;
            var json = $$"""{"topic":"publicTrade.{{instrument.BaseCoin}}","type":"snapshot","id":"publicTrade.{{instrument.BaseCoin}}-1","ts":{{_timestampMs}},"data":[{"T":{{_timestampMs}},"s":"{{instrument.Symbol}}","S":"Buy","v":"1.5","p":"1250","L":"","i":"00000000-0000-0000-0000-000000000000","BT":false,"RPI":false,"seq":1,"mP":"1248.6","iP":"95000.1","mIv":"0.5612","iv":"0.5631"}]}""";
            _tradeFrames[i] = Encoding.UTF8.GetBytes(json);
            _tradeIdOffsets[i] = json.IndexOf("00000000-0000", StringComparison.Ordinal);
        }

        var changed = 0;
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            if (TickerParser.ParseMessage(_frames[i], book, out _) == MessageKind.Ticker)
                changed++;
        }
        var before = _tape.After(slots[0].Instrument.BaseCoin, 0).Count;
        for (var i = 0; i < TradeFrames; i++)
            HandleTrade(i);
        var appended = _tape.Coins.Sum(c => _tape.After(c, 0).Count) - before;
        Console.WriteLine($"// {_frames.Length} ticker frames ({changed} changed the book), {TradeFrames} trade frames of one trade each: {appended} trades reached the tape");
        if (appended == 0)
            throw new InvalidOperationException("the trade frames reached no tape: the mixed run would time the wrong path");
    }

    private static WebSocketShard NewShard(OptionBook book, BybitOptions options, IEnumerable<ITopicHandler>? handlers) =>
        new(1, book, options, TimeProvider.System,
            new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 1 }),
            new ExchangeGate(options.WsUrl, options, TimeProvider.System, NullLogger.Instance), NullLogger.Instance, _ => { }, handlers);

    private static async Task<CapturedFrames> CaptureAsync()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { TargetInstrumentCount = 2000 });
        return await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 2, CancellationToken.None);
    }

    /// <summary>A trade frame with a new id (a UUID's last 12 hex digits from a counter), through the shard.</summary>
    private void HandleTrade(int index)
    {
        var frame = _tradeFrames[index];
        var id = ++_tradeId;
        var at = _tradeIdOffsets[index] + 36 - 12;
        for (var d = 11; d >= 0; d--, id >>= 4)
            frame[at + d] = (byte)"0123456789abcdef"[(int)(id & 0xF)];
        _withTrades.HandleMessage(frame);
    }

    /// <summary>Tickers on a shard without a trade handler: the path as it was before the tape.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerRun)]
    public long Tickers_ShardWithoutTradeTopics()
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            _plain.HandleMessage(_frames[i]);
        }
        return _plain.Messages;
    }

    /// <summary>The same tickers on a shard whose connection also carries the trade topics (its handler registered).</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun)]
    public long Tickers_ShardWithTradeTopics()
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            _withTrades.HandleMessage(_frames[i]);
        }
        return _withTrades.Messages;
    }

    /// <summary>The tickers with one trade frame every <see cref="TickersPerTrade"/> of them; per frame, trades included.</summary>
    [Benchmark(OperationsPerInvoke = FramesPerRun + TradeFrames)]
    public long TickersAndTrades_OneTradeFramePer100()
    {
        for (var i = 0; i < _frames.Length; i++)
        {
            FrameTimestamp.Write(_frames[i], _tsOffsets[i], ++_timestampMs);
            _withTrades.HandleMessage(_frames[i]);
            if (i % TickersPerTrade == 0)
                HandleTrade(i / TickersPerTrade);
        }
        return _withTrades.Messages;
    }
}
