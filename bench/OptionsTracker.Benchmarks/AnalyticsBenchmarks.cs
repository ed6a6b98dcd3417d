using BenchmarkDotNet.Attributes;
using OptionsTracker.Bench;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// Issue 15's speed target: every analytics figure of a 4,000-option board recomputed in under 5 ms. The board is one
/// coin (BTC) whose strike grid the simulator scales to about 4,000 options, every one quoted off the wire, because
/// the per-expiry and per-coin work (the smile fits above all) grows with the options of one coin. One operation =
/// one full snapshot (<see cref="CoinAnalytics.Build"/>, what <see cref="MarketAnalytics"/> runs at most four times a
/// second when the book changed).
/// </summary>
[MemoryDiagnoser]
public class AnalyticsBenchmarks
{
    private CoinIndex _coin = null!;
    private OptionBook _book = null!;
    private RealisedVolatility _realised = null!;
    private DateTimeOffset _now;
    private CoinAnalytics _previous = null!;

    [GlobalSetup]
    public void Setup()
    {
        var captured = CaptureAsync().GetAwaiter().GetResult();
        _book = captured.NewBook();
        foreach (var round in captured.Rounds)
            foreach (var frame in round)
                TickerParser.ParseMessage(frame, _book, out _);
        _coin = _book.Index.TryGetCoin("BTC", out var btc) ? btc : throw new InvalidOperationException("no BTC options");
        _now = TimeProvider.System.GetUtcNow();
        _realised = new RealisedVolatility();
        _realised.Set("BTC", [.. TermStructure.Tenors.Select(t => new RealisedVolatilityPoint(t, 0.45, _now))]);
        _previous = CoinAnalytics.Build(_coin, _book.Sequence, _now, _realised);
        Console.WriteLine($"// BTC: {_coin.Slots.Count} options in {_coin.Expiries.Count} expiries; flip {_previous.Positioning.GexFlip}, fits {_previous.Fits.Count(f => f is not null)}");
    }

    private static async Task<CapturedFrames> CaptureAsync()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 4000 });
        return await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 1, CancellationToken.None);
    }

    /// <summary>
    /// Every figure of the snapshot as <see cref="MarketAnalytics"/> builds it after a change: term and tenors, the smile
    /// fits (warm-started from the previous snapshot, as in steady state), positioning with the gamma flip; then the
    /// surface, which the snapshot computes on its first read (the surface endpoint or view), and one expiry's
    /// positioning, which the strikes endpoint computes on request. So this is the whole board's work.
    /// </summary>
    [Benchmark(Baseline = true)]
    public int Everything()
    {
        var snapshot = CoinAnalytics.Build(_coin, _book.Sequence, _now, _realised, _previous);
        var cells = snapshot.Surface.Expiries.Count;
        var strikes = Positioning.Of(snapshot, snapshot.Expiries[0].Expiry.Date)?.Strikes.Count ?? 0;
        return cells + strikes;
    }

    /// <summary>The snapshot alone (term, tenors, fits warm-started, positioning), as it is rebuilt a few times a second.</summary>
    [Benchmark]
    public CoinAnalytics Snapshot() => CoinAnalytics.Build(_coin, _book.Sequence, _now, _realised, _previous);

    /// <summary>The same from nothing: the smile fits start from their grid (a restart, or a new expiry everywhere).</summary>
    [Benchmark]
    public CoinAnalytics SnapshotCold() => CoinAnalytics.Build(_coin, _book.Sequence, _now, _realised);

    /// <summary>The term structure alone: every expiry's forward, ATM, 25Δ/10Δ skew, put/call and max pain.</summary>
    [Benchmark]
    public ExpiryFigures[] TermOnly() => TermStructure.ForCoin(_coin, _now);
}
