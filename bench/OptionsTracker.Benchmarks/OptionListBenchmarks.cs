using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using OptionsTracker.Api;
using OptionsTracker.Bench;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// The server's work for <c>GET /api/options/BTC</c> over the simulator's realistic board (about 800 BTC options, every
/// one quoted): select, order, write the JSON to a response whose body discards it. One operation = one answer.
/// <c>*_AfterEveryOptionChanged</c> first applies a fresh push of every BTC option, so no item can be reused from an
/// earlier answer; <see cref="ApplyEveryOptionOnly"/> is that apply alone, to subtract.
/// </summary>
[MemoryDiagnoser]
public class OptionListBenchmarks
{
    private OptionBook _book = null!;
    private BookReader _reader = null!;
    private byte[][][] _rounds = [];
    private int[][] _tsOffsets = [];
    private long _timestampMs;
    private int _round;
    private ListSpec _full = null!;
    private ListSpec _narrow = null!;

    [GlobalSetup]
    public void Setup()
    {
        var captured = CaptureAsync().GetAwaiter().GetResult();
        _book = captured.NewBook();
        _rounds = [.. captured.Rounds.Select(round => round.Where(f => f.AsSpan().IndexOf("\"tickers.BTC-"u8) >= 0).ToArray())];
        _tsOffsets = [.. _rounds.Select(round => round.Select(f => FrameTimestamp.Find(f)).ToArray())];
        _timestampMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var round in _rounds)
            foreach (var frame in round)
                TickerParser.ParseMessage(frame, _book, out _);

        // Tracking BTC; the assets file is never written (nothing changes the set), so any path will do.
        var tracked = new TrackedAssets(
            Options.Create(new TrackerOptions { Assets = ["BTC"], AssetsFile = Path.Combine(Path.GetTempPath(), $"optionstracker-bench-{Guid.NewGuid():N}.json") }),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        _reader = new BookReader(new InMemoryOptionStore(_book), tracked, TimeProvider.System, new KnownVenues([Venue.Bybit]));
        var errors = new QueryErrors();
        _full = new ListQuery().Parse(errors);
        _narrow = new ListQuery { Fields = "symbol,mark_price,updated_at" }.Parse(errors);
        var coin = _book.Index.TryGetCoin("BTC", out var btc) ? btc : throw new InvalidOperationException("no BTC options");
        Console.WriteLine($"// BTC: {coin.Slots.Count} options, {_rounds[0].Length} frames a round; full answer {AnswerBytes(_full)} bytes, narrow {AnswerBytes(_narrow)} bytes");
    }

    private static async Task<CapturedFrames> CaptureAsync()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions());
        return await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 2, CancellationToken.None);
    }

    [Benchmark(Baseline = true)]
    public Task FullList() => WriteAnswerAsync(_full, Stream.Null);

    [Benchmark]
    public Task NarrowList() => WriteAnswerAsync(_narrow, Stream.Null);

    [Benchmark]
    public Task FullList_AfterEveryOptionChanged()
    {
        ApplyEveryOptionOnly();
        return WriteAnswerAsync(_full, Stream.Null);
    }

    [Benchmark]
    public Task NarrowList_AfterEveryOptionChanged()
    {
        ApplyEveryOptionOnly();
        return WriteAnswerAsync(_narrow, Stream.Null);
    }

    [Benchmark]
    public int ApplyEveryOptionOnly()
    {
        var round = _rounds[_round];
        var offsets = _tsOffsets[_round];
        _round = (_round + 1) % _rounds.Length;
        var changed = 0;
        for (var i = 0; i < round.Length; i++)
        {
            FrameTimestamp.Write(round[i], offsets[i], ++_timestampMs);
            if (TickerParser.ParseMessage(round[i], _book, out _) == MessageKind.Ticker)
                changed++;
        }
        return changed;
    }

    private long AnswerBytes(ListSpec list)
    {
        using var body = new MemoryStream();
        WriteAnswerAsync(list, body).GetAwaiter().GetResult();
        return body.Length;
    }

    private Task WriteAnswerAsync(ListSpec list, Stream body)
    {
        var index = _book.Index;
        index.TryGetCoin("BTC", out var coin);
        var result = OptionsApi.List(_reader, index, "BTC", coin, new OptionFilter(), list);
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return result.ExecuteAsync(context);
    }
}
