using System.Globalization;
using BenchmarkDotNet.Attributes;
using OptionsTracker.Bench;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// The SVI smile fit of every expiry of a 4,000-option BTC board (the simulator's, scaled to that many instruments, every
/// option quoted): what <see cref="CoinAnalytics.Build"/> adds to each snapshot (at most every 250 ms). Cold: no earlier
/// fit (a coin's first snapshot); warm: started from the fits of the push before (every option moved since), as
/// <see cref="MarketAnalytics"/> does from the second snapshot on. <see cref="WholeSnapshot"/> is Build itself, warm,
/// for scale. The term figures the fits start from are computed once in setup.
/// </summary>
[MemoryDiagnoser]
public class SviBenchmarks
{
    private CoinIndex _coin = null!;
    private ExpiryFigures[] _expiries = [];
    private SmileFit?[] _previousFits = [];
    private CoinAnalytics _previous = null!;
    private readonly RealisedVolatility _realised = new();
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        var captured = CaptureAsync().GetAwaiter().GetResult();
        var book = captured.NewBook();
        foreach (var frame in captured.Rounds[0])
            TickerParser.ParseMessage(frame, book, out _);
        _coin = book.Index.TryGetCoin("BTC", out var btc) ? btc : throw new InvalidOperationException("no BTC options");
        _now = TimeProvider.System.GetUtcNow();
        _previousFits = SmileFit.ForCoin(TermStructure.ForCoin(_coin, _now));
        _previous = CoinAnalytics.Build(_coin, 0, _now, _realised);
        foreach (var frame in captured.Rounds[1])
            TickerParser.ParseMessage(frame, book, out _);
        _expiries = TermStructure.ForCoin(_coin, _now);
        var cold = SmileFit.ForCoin(_expiries);
        var warm = SmileFit.ForCoin(_expiries, _previousFits);
        Console.WriteLine($"// BTC: {_coin.Slots.Count} options, {_expiries.Length} expiries, {cold.Count(f => f is not null)} fitted; "
            + $"options per fit {string.Join(", ", cold.Select(f => f?.OptionsUsed ?? 0))}; RMSE cold (vol pts) {Rmse(cold)}; warm {Rmse(warm)}");
        // On a shared machine the wall-clock figures below include waiting for a core; the process's CPU time per fit of
        // the board (after a warm-up that lets the JIT reach its final code) does not.
        for (var i = 0; i < 300; i++)
            SmileFit.ForCoin(_expiries, _previousFits);
        Console.WriteLine($"// CPU time per board: cold {CpuMilliseconds(() => SmileFit.ForCoin(_expiries)):0.000} ms, warm {CpuMilliseconds(() => SmileFit.ForCoin(_expiries, _previousFits)):0.000} ms");
    }

    private static double CpuMilliseconds(Action fit)
    {
        const int Runs = 300;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < Runs; i++)
            fit();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMilliseconds / Runs;
    }

    private static string Rmse(SmileFit?[] fits) =>
        string.Join(", ", fits.Select(f => f is null ? "-" : f.RmseVolPoints.ToString("0.000", CultureInfo.InvariantCulture)));

    private static async Task<CapturedFrames> CaptureAsync()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 4000 });
        return await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 2, CancellationToken.None);
    }

    [Benchmark(Baseline = true)]
    public SmileFit?[] FitEveryExpiry_Cold() => SmileFit.ForCoin(_expiries);

    [Benchmark]
    public SmileFit?[] FitEveryExpiry_Warm() => SmileFit.ForCoin(_expiries, _previousFits);

    [Benchmark]
    public CoinAnalytics WholeSnapshot() => CoinAnalytics.Build(_coin, 0, _now, _realised, _previous);
}
